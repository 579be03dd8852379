"""Relations with evidence, on sentences written for these tests."""
from kg.extract import extract_document
from kg.ingest import document_from_text
from kg.relate import load_specs

PROVINCE = "吉林省“十三五”信息化规划\n"


def relations(text: str) -> set[tuple[str, str, str]]:
    result = extract_document(document_from_text("t.txt", text))
    name = {e.key: e.name for e in result.entities}
    return {(r.type, name[r.head], name[r.tail]) for r in result.relations}


def test_relation_cues_are_data_files_with_direction():
    specs = {spec.type: spec for spec in load_specs()}
    assert set(specs) == {"leads", "participates-in", "depends-on", "integrates", "based-on", "issued-by", "part-of"}
    assert specs["issued-by"].head_types == {"Law"} and specs["issued-by"].tail_types == {"Agency"}


def test_task_table_row_gives_leads_and_participation_to_every_work_item():
    text = (PROVINCE + "序号\t任务\t责任单位\n"
            "1\t建设全省政务云平台，实施政务数据共享工程。\t省工信厅牵头，省发改委、财政厅等按职责分工负责\n")
    found = relations(text)
    for work in ("政务云平台", "政务数据共享工程"):
        assert ("leads", "吉林省工信厅", work) in found
        assert ("participates-in", "吉林省财政厅", work) in found
        assert ("participates-in", "吉林省发改委", work) in found
    assert not any(t == "leads" and tail.startswith("吉林省财政") for t, _, tail in found)


def test_separate_lead_and_partner_columns():
    text = (PROVINCE + "序号\t重点工程\t牵头单位\t配合单位\n"
            "2\t建设人口基础信息库\t省公安厅\t省统计局、省民政厅\n")
    found = relations(text)
    assert ("leads", "吉林省公安厅", "人口基础信息库") in found
    assert ("participates-in", "吉林省民政厅", "人口基础信息库") in found


def test_depends_on_reads_rely_on_then_build_and_distributes_over_lists():
    found = relations(PROVINCE + "依托全省电子政务外网，建设网上审批平台、电子监察系统和视频会议系统。")
    for system in ("网上审批平台", "电子监察系统", "视频会议系统"):
        assert ("depends-on", system, "电子政务外网") in found


def test_depends_on_with_a_basis_before_or_after():
    assert ("depends-on", "社区服务平台", "人口基础信息库") in relations(
        PROVINCE + "以人口基础信息库为基础，建设社区服务平台。")
    assert ("depends-on", "地方志数据库", "文化资源共享工程") in relations(
        PROVINCE + "建设好地方志数据库，以文化资源共享工程为平台，实现资源共享。")


def test_integrates_in_both_directions():
    found = relations(PROVINCE + "通过整合税务征管数据库和社保缴费系统，建设财税信息共享平台。")
    assert ("integrates", "财税信息共享平台", "税务征管数据库") in found
    assert ("integrates", "财税信息共享平台", "社保缴费系统") in found
    found = relations(PROVINCE + "各市不动产登记系统统一接入省级不动产信息平台。")
    assert ("integrates", "省级不动产信息平台", "不动产登记系统") in found


def test_based_on_with_the_plan_as_subject():
    found = relations(PROVINCE + "为贯彻落实《国家信息化发展战略纲要》和《“十三五”国家信息化规划》，特制定本规划。")
    assert ("based-on", "吉林省“十三五”信息化规划", "国家信息化发展战略纲要") in found
    assert ("based-on", "吉林省“十三五”信息化规划", "“十三五”国家信息化规划") in found


def test_based_on_for_a_system_built_after_the_law():
    found = relations(PROVINCE + "贯彻落实《中华人民共和国档案法》，建设数字档案馆管理系统。")
    assert ("based-on", "数字档案馆管理系统", "中华人民共和国档案法") in found


def test_issued_by_from_the_agency_before_a_title_and_inside_it():
    found = relations(PROVINCE + "执行国家档案局《电子文件归档与管理规范》，落实《吉林省人民政府关于加快推进政务公开的意见》。")
    assert ("issued-by", "电子文件归档与管理规范", "国家档案局") in found
    assert ("issued-by", "吉林省人民政府关于加快推进政务公开的意见", "吉林省人民政府") in found


def test_part_of():
    found = relations(PROVINCE + "《吉林省政务数据共享专项规划》作为《吉林省“十三五”信息化规划》的子规划。")
    assert ("part-of", "吉林省政务数据共享专项规划", "吉林省“十三五”信息化规划") in found


def test_no_named_entity_no_relation():
    assert relations(PROVINCE + "省工信厅负责跨部门跨系统和基础性平台的协调建设。") == set()


def test_every_relation_carries_its_sentence_as_original_offsets():
    text = PROVINCE + "依托全省电子政务外网，建设网上审批平台。"
    document = document_from_text("t.txt", text)
    result = extract_document(document)
    (relation,) = result.relations
    start, end = document.to_original(*relation.evidence)
    assert text[start:end] == "依托全省电子政务外网，建设网上审批平台。"


def test_work_then_leading_agency_then_partners():
    found = relations(PROVINCE + "建设全省政务云平台，省工信厅牵头，省财政厅、省发改委配合。")
    assert ("leads", "吉林省工信厅", "政务云平台") in found
    assert ("participates-in", "吉林省财政厅", "政务云平台") in found


def test_lead_and_partners_before_the_work():
    found = relations(PROVINCE + "由省发改委牵头，省财政厅、省工信厅配合，建设全省信用信息共享平台。")
    assert ("leads", "吉林省发改委", "信用信息共享平台") in found
    assert ("participates-in", "吉林省工信厅", "信用信息共享平台") in found


def test_pipe_table_rows_give_relations():
    text = PROVINCE + "| 序号 | 重点工程 | 牵头单位 | 配合单位 |\n|---|---|---|---|\n| 1 | 建设社会信用信息平台 | 省发改委 | 省财政厅 |\n"
    found = relations(text)
    assert ("leads", "吉林省发改委", "社会信用信息平台") in found
    assert ("participates-in", "吉林省财政厅", "社会信用信息平台") in found


def test_partners_after_the_leading_agency_and_its_work():
    found = relations(PROVINCE + "省委网信办牵头建设网络安全态势感知平台，省公安厅参与。")
    assert ("leads", "吉林省委网信办", "网络安全态势感知平台") in found
    assert ("participates-in", "吉林省公安厅", "网络安全态势感知平台") in found


def test_a_clause_naming_a_basis_is_not_the_work_led():
    found = relations(PROVINCE + "由省水利厅负责组织实施，依托省电子政务外网，整合业务系统。")
    assert not any(t == "leads" and tail.endswith("电子政务外网") for t, _, tail in found)


def test_lead_then_partner_agencies_then_the_work():
    found = relations(PROVINCE + "省数据资源局牵头，省委网信办、省公安厅配合，完善省公共数据平台。")
    assert ("leads", "吉林省数据资源局", "吉林省公共数据平台") in found
    assert ("participates-in", "吉林省公安厅", "吉林省公共数据平台") in found


def test_a_match_between_two_agencies_does_not_hide_the_next_one():
    found = relations(PROVINCE + "省公安厅负责做好相关工作，省市场监管局负责建设法人单位信息资源库。")
    assert ("leads", "吉林省市场监管局", "法人单位信息资源库") in found


def test_work_then_by_agency_leads_then_partners():
    found = relations(PROVINCE + "加快推进省企业信用信息系统建设，由省工商局牵头，省质监局、省国税局配合。")
    assert ("leads", "吉林省工商局", "吉林省企业信用信息系统") in found
    assert ("participates-in", "吉林省国税局", "吉林省企业信用信息系统") in found
