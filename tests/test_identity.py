"""Identity across plans: national things share one key, local things are scoped."""
from kg.extract import extract_document
from kg.ingest import document_from_text
from kg.namespace import entity_iri


def keys(text: str) -> dict[str, str]:
    result = extract_document(document_from_text("t.txt", text))
    return {e.name: e.key for e in result.entities}


HARBIN = "哈尔滨市“十一五”信息化规划\n"
HEBEI = "河北省“十一五”信息化规划\n"


def test_national_programmes_bodies_and_statutes_are_one_entity_in_every_plan():
    a = keys(HARBIN + "推进“金税”工程，执行《电子签名法》，按照国务院部署。")
    b = keys(HEBEI + "推进金税工程，执行《中华人民共和国电子签名法》，按照国务院部署。")
    assert a["“金税”工程"] == b["金税工程"] and a["“金税”工程"].split("|")[1] == "national"
    assert a["电子签名法"].split("|")[1] == "national"
    assert a["国务院"] == b["国务院"]
    assert entity_iri(a["国务院"]) == entity_iri(b["国务院"])


def test_a_statute_and_its_full_title_are_one_entity_in_one_plan():
    found = extract_document(document_from_text("t.txt", HARBIN + "执行《中华人民共和国电子签名法》。《电子签名法》规定……"))
    laws = [e for e in found.entities if e.type == "Law" and "签名" in e.name]
    assert len(laws) == 1 and "电子签名法" in laws[0].aliases


def test_local_things_are_scoped_by_jurisdiction():
    harbin = keys(HARBIN + "建设市人口基础信息库，市发改委牵头。")
    hebei = keys(HEBEI + "建设省人口基础信息库，省发改委牵头。")
    assert harbin["哈尔滨市人口基础信息库"] != hebei["河北省人口基础信息库"]
    assert harbin["哈尔滨市发改委"].split("|")[1] == "230100"
    assert hebei["河北省发改委"].split("|")[1] == "130000"


def test_a_city_body_stays_apart_from_the_province_body_of_the_same_name():
    found = keys(HARBIN + "市信息产业局和省信息产业局共同推进。")
    assert found["哈尔滨市信息产业局"] != found["黑龙江省信息产业局"]
