"""Entities and names on sentences written for these tests (not taken from the gold files).

Each test is one behaviour of ANNOTATION.md: boundaries, titles, generic words,
coordination ellipsis, list prefixes, aliases, jurisdiction, script and punctuation variants.
"""
import pytest

from kg.extract import extract_document
from kg.ingest import document_from_text

CITY = "长春市“十二五”电子政务发展规划\n"
PROVINCE = "吉林省“十二五”信息化发展规划\n"


def entities(text: str) -> dict[tuple[str, str], list[str]]:
    """(type, name) -> aliases of what the pipeline finds, the plan's own title left out."""
    result = extract_document(document_from_text("t.txt", text))
    return {(e.type, e.name): e.aliases for e in result.entities
            if not any(m.rule == "plan-title" for m in e.mentions)}


def names(text: str) -> set[tuple[str, str]]:
    return set(entities(text))


@pytest.mark.parametrize("sentence, expected", [
    ("加快推进城市交通诱导系统建设。", ("Platform", "城市交通诱导系统")),
    ("进一步完善不动产登记信息平台。", ("Platform", "不动产登记信息平台")),
    ("重点建设企业信用信息数据库。", ("Database", "企业信用信息数据库")),
    ("组织实施宽带乡村示范工程。", ("Project", "宽带乡村示范工程")),
    ("大力推进食品安全追溯平台和药品监管系统建设。", ("Platform", "药品监管系统")),
])
def test_left_edge_stops_at_verbs_adverbs_and_function_words(sentence, expected):
    assert expected in names(CITY + sentence)


def test_a_verb_right_before_a_head_belongs_to_the_name():
    found = names(CITY + "实施农村公路养护建设工程，建成环境信息发布系统。")
    assert ("Project", "农村公路养护建设工程") in found
    assert ("Platform", "环境信息发布系统") in found


def test_quantifiers_are_not_part_of_a_name():
    found = names(CITY + "建成两个数据中心和一批行业应用平台，开通12345政务服务热线。")
    assert not any(name.startswith(("两个", "一批")) for _, name in found)
    assert ("Platform", "12345政务服务热线") in found


def test_coordination_with_and_inside_a_name_is_kept():
    assert ("Database", "自然资源和地理空间基础信息库") in names(CITY + "建设自然资源和地理空间基础信息库。")


@pytest.mark.parametrize("sentence", [
    "各部门要加快应用系统、业务系统和信息系统建设。",
    "重点工程和信息化建设项目要加强管理。",
    "依法打击网络犯罪，发展互联网和物联网。",
])
def test_generic_words_are_not_names(sentence):
    assert names(CITY + sentence) == set()


def test_book_titles_nested_titles_and_document_numbers():
    result = extract_document(document_from_text(
        "t.txt", CITY + "根据国务院办公厅《关于印发〈政务信息系统整合共享实施方案〉的通知》（国办发〔2017〕39号），"
                        "贯彻《中华人民共和国网络安全法》。"))
    laws = {e.name: e for e in result.entities if e.type == "Law"}
    assert "关于印发〈政务信息系统整合共享实施方案〉的通知" in laws
    assert "政务信息系统整合共享实施方案" in laws
    assert laws["关于印发〈政务信息系统整合共享实施方案〉的通知"].doc_number == "国办发〔2017〕39号"
    assert laws["中华人民共和国网络安全法"].scope == "national"


def test_a_title_is_typed_by_its_head_or_its_context():
    found = names(CITY + "以《中国·长春》为门户网站，建设《长春市公安综合信息系统》。")
    assert ("Platform", "中国·长春") in found
    assert ("Platform", "长春市公安综合信息系统") in found


def test_laws_without_brackets_need_a_legal_context():
    found = names(CITY + "研究制定电子政务项目验收管理办法。统筹规划，分步实施。")
    assert ("Law", "电子政务项目验收管理办法") in found
    assert not any(t == "Law" and n in ("统筹规划", "规划") for t, n in found)


def test_coordination_ellipsis_expands_each_item():
    result = extract_document(document_from_text("t.txt", CITY + "重点建设交通、教育、医疗卫生等专题数据库。"))
    expanded = {e.name for e in result.entities if e.elliptical}
    assert {"交通数据库", "教育数据库", "医疗卫生数据库"} <= expanded


def test_items_of_an_agency_list_inherit_the_prefix_of_the_first():
    found = names(PROVINCE + "省工信厅牵头，省发改委、财政厅、科技厅等按职责分工负责。")
    assert {("Agency", "吉林省财政厅"), ("Agency", "吉林省科技厅"), ("Agency", "吉林省工信厅")} <= found


def test_a_city_named_in_a_list_of_units_stands_for_its_government():
    found = names(PROVINCE + "省发改委牵头，长春市、吉林市等按职责分工负责。")
    assert ("Agency", "长春市人民政府") in found and ("Agency", "吉林市人民政府") in found


def test_jurisdiction_is_made_explicit_and_aliases_kept():
    found = entities(CITY + "市政府负责，市工信局牵头建设市电子政务外网；长春市工信局负责运维。")
    assert found[("Agency", "长春市人民政府")] == ["市政府"]
    assert "市工信局" in found[("Agency", "长春市工信局")]
    assert "长春市工业和信息化局" in found[("Agency", "长春市工信局")]
    assert ("Platform", "长春市电子政务外网") in found


def test_national_bodies_keep_no_local_prefix_and_merge_their_aliases():
    found = entities(CITY + "在党中央、国务院的领导下，按照国家发展改革委的部署推进。")
    assert ("Agency", "中共中央") in found and "党中央" in found[("Agency", "中共中央")]
    assert ("Agency", "国务院") in found
    assert ("Agency", "国家发展和改革委员会") in found


def test_quoted_nicknames_and_acronyms_are_aliases_of_one_entity():
    found = entities(PROVINCE + "实施“金税”工程。金税工程覆盖全省。建设吉林省政务云平台（JLGOV），全省政务云平台统一运维。")
    assert ("Project", "“金税”工程") in found
    assert "JLGOV" in found[("Platform", "吉林省政务云平台")]
    assert sum(1 for t, n in found if t == "Project" and "金税" in n) == 1


def test_system_and_platform_written_for_one_thing_are_one_entity():
    found = names(CITY + "完善社会保障卡信息共享系统，发挥社会保障卡信息共享平台的作用。")
    assert len([n for t, n in found if t == "Platform"]) == 1


def test_quoted_programmes_without_a_head():
    found = names(CITY + "推进“数字长春”和“智慧法院”建设，缩小“数字鸿沟”。")
    assert ("Project", "“数字长春”") in found and ("Project", "“智慧法院”") in found
    assert not any("鸿沟" in n for _, n in found)


def test_traditional_characters_are_recognised_and_named_from_the_text():
    text = "長春市電子政務發展規劃\n市工信局牽頭建設市電子政務外網。"
    found = entities(text)
    platform = next(k for k in found if k[0] == "Platform")
    assert platform[1] == "长春市电子政务外网" and "市電子政務外網" in found[platform]


def test_ascii_punctuation_and_full_width_digits():
    found = names(CITY + '实施"宽带长春"战略,建设１２３４５便民服务平台(一期)。')
    assert ("Project", "“宽带长春”战略") in found
    assert ("Platform", "12345便民服务平台") in found


def test_taiwan_usage_heads_and_a_county_name_that_reads_as_and():
    found = names("福建省資訊化發展規劃\n建設省人口基礎資訊庫和法人單位基礎資料庫。")
    assert ("Database", "福建省人口基础资讯库") in found and ("Database", "法人单位基础资料库") in found
    found = names("宾县信息化发展规划\n建设县政务服务网和县不动产登记信息管理系统。")
    assert ("Platform", "宾县不动产登记信息管理系统") in found
    assert not any("和县" in n for _, n in found)


def test_county_abbreviations_expand():
    found = entities("宾县信息化发展规划\n县财政局、县发改局按职责分工负责。")
    assert "宾县发展和改革局" in found[("Agency", "宾县发改局")]


def test_a_verb_between_an_office_and_a_name_is_a_predicate():
    found = names(PROVINCE + "有条件的乡镇及街道办事处建设政府门户网站，加快建设农村公路建设管理系统。")
    assert not any("办事处建设" in name for _, name in found)
    assert ("Platform", "农村公路建设管理系统") in found


@pytest.mark.parametrize("sentence, expected", [
    ("省公安厅负责建设人口综合库。", ("Database", "人口综合库")),
    ("建成宏观经济库和自然资源和空间地理库。", ("Database", "宏观经济库")),
    ("推进电子证照库建设。", ("Database", "电子证照库")),
])
def test_base_libraries_of_digital_government_plans(sentence, expected):
    assert expected in names(PROVINCE + sentence)


def test_gathering_verbs_end_a_name_and_ecosystems_are_not_systems():
    found = names(PROVINCE + "汇聚人口、法人等基础数据库，构建良好的信息产业生态系统。")
    assert not any(name.startswith("汇聚") for _, name in found)
    assert not any(name.endswith("生态系统") for _, name in found)


def test_quoted_slogans_ending_in_an_office_word_are_not_agencies():
    found = names(CITY + "深化“一网通办”改革，推广“电子税务局”。")
    assert not any(kind == "Agency" for kind, _ in found)
    assert ("Platform", "“电子税务局”") in found


def test_middle_platforms_and_offices_with_a_verb_inside():
    found = names(CITY + "市行政审批服务局牵头建设政务服务中台。")
    assert ("Agency", "长春市行政审批服务局") in found
    assert ("Platform", "政务服务中台") in found


def test_a_quantified_office_word_is_not_an_agency():
    found = names(PROVINCE + "各市州人民政府，省政府各厅委、各直属机构：")
    assert not any("各" in name for _, name in found)
