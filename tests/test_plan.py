"""Plan metadata: title, jurisdiction from a table of China's divisions, period, year."""
from kg.plan import describe


def test_city_plan_knows_its_province():
    info = describe("广州市信息化发展第十二个五年规划\n为推进我市信息化……")
    assert info.jurisdiction.name == "广州市"
    assert info.jurisdiction.at("province") == "广东省"
    assert info.period == "十二五" and info.year == 2011


def test_title_after_a_cover_letter_and_its_signature_date():
    text = ("各市人民政府，省直各部门：\n《山东省“十三五”信息化规划》已经省政府同意，现印发给你们。\n"
            "山东省人民政府办公厅\n2016年12月30日\n山东省“十三五”信息化规划\n正文……")
    info = describe(text)
    assert info.title == "山东省“十三五”信息化规划"
    assert info.jurisdiction.name == "山东省" and info.jurisdiction.level == "province"
    assert info.year == 2016


def test_county_and_national_plans():
    assert describe("宾县电子政务建设规划\n……").jurisdiction.chain == (
        ("province", "黑龙江省"), ("prefecture", "哈尔滨市"), ("county", "宾县"))
    assert describe("“十三五”国家信息化规划\n……").jurisdiction.is_national
