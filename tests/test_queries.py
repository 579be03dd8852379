"""The competency questions (queries/*.rq) answer what the seed plans' text says, run the same
on Oxigraph and rdflib, take parameters; independent SPARQL over the exports checks the graph
(one IRI per national entity, no relation without evidence, every name and plan recorded);
and the SPARQL benchmark works on a tiny graph."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF

import kg.query
from bench import sparql as bench
from kg.export import write_exports
from kg.extract import extract_document
from kg.graph import build_dataset
from kg.ingest import IngestError, document_from_text
from kg.namespace import KG, PREFIXES, SKOS
from kg.query import named_queries, named_query, run_query, with_params
from kg.store import Store

SMALL_PLANS = {
    "small-harbin.txt": "哈尔滨市电子政务发展规划\n“十一五”期间，根据《中华人民共和国电子签名法》，市信息产业局牵头建设市电子政务外网。"
                        "充分利用企业基础信息共享平台，整合企业信用数据，建立联合征信平台。国务院有关部门给予指导。\n",
    "small-heilongjiang.txt": "黑龙江省国民经济和社会发展信息化“十三五”规划\n根据《中华人民共和国电子签名法》，省委网信办牵头建设"
                              "省电子政务外网。国务院有关部门给予指导。\n",
}
PREFIX_TEXT = {prefix: str(iri) for prefix, iri in PREFIXES.items()}


@pytest.fixture(scope="module")
def seeds(seed_extractions):
    assert not [r for r in seed_extractions if isinstance(r, IngestError)]
    return {x.document.name[:3]: x for x in seed_extractions}


@pytest.fixture(scope="module")
def store(seeds):
    with Store() as store:
        store.replace(build_dataset(list(seeds.values())))
        yield store


@pytest.fixture(scope="module")
def exports(store, tmp_path_factory):
    return write_exports(store, tmp_path_factory.mktemp("exports"))


@pytest.fixture(scope="module")
def small():
    return [extract_document(document_from_text(name, text)) for name, text in SMALL_PLANS.items()]


def answer(store: Store, question: str, **params) -> list[dict]:
    columns, rows = run_query(store.dataset, with_params(named_query(question).text, params))
    return [dict(zip(columns, row)) for row in rows]


def text_of(seeds, file_name: str) -> str:
    return seeds[file_name[:3]].document.text



# --- the questions as files -----------------------------------------------------------------------------

def test_there_are_at_least_twelve_questions_each_saying_what_it_answers():
    queries = named_queries()
    assert len(queries) >= 12
    for query in queries:
        assert len(query.question) > 40 and "SELECT" in query.text, query.name
        for param in query.params:
            assert f"?{param}" in query.question or param in query.question, (query.name, param)


def test_every_question_runs_on_the_seeds(store):
    for query in named_queries():
        columns, rows = run_query(store.dataset, query.text)
        assert columns and rows, f"{query.name} gives no answer on the seeds"


def test_oxigraph_and_rdflib_give_the_same_answers(small):
    dataset = build_dataset(small)
    with Store() as store:
        store.replace(dataset)
        for query in named_queries():
            assert run_query(store.dataset, query.text) == run_query(dataset, query.text), query.name


# --- the answers the seeds' text gives ----------------------------------------------------------------------

def test_the_agency_leading_the_most_projects_is_the_provincial_cyberspace_office(seeds, store):
    """Seed 003's task table says 省委网信办牵头 on row after row."""
    assert text_of(seeds, "003").count("省委网信办") >= 20
    first = answer(store, "agencies-by-projects-led")[0]
    names = {str(n) for n in store.dataset.objects(URIRef(first["agency"]), SKOS.prefLabel | SKOS.altLabel)}
    assert any("省委网信办" in n for n in names), names
    assert int(first["projects"]) >= 10


def test_who_leads_the_big_data_project(seeds, store):
    rows = answer(store, "who-leads", name="黑龙江省大数据发展工程")
    assert "黑龙江省委网信办" in {r["agencyName"] for r in rows}
    for row in rows:
        assert row["sentence"] in text_of(seeds, row["file"]) and "大数据发展工程" in row["sentence"]


def test_the_credit_platform_depends_on_the_enterprise_platform(seeds, store):
    """Seed 001: 充分利用我市企业基础信息共享平台……建立起联合征信平台."""
    assert "充分利用我市企业基础信息共享平台" in text_of(seeds, "001")
    rows = answer(store, "depends-on-transitively", name="联合征信平台")
    assert {"dependencyName": "哈尔滨市企业基础信息共享平台", "direct": "true"}.items() <= rows[0].items()


def test_dependencies_are_followed_transitively():
    item = "https://w3id.org/infokg/id/platform/"
    dataset = Dataset()
    for n, name in enumerate("甲乙丙"):
        dataset.add((URIRef(f"{item}{n}"), RDF.type, KG.Platform))
        dataset.add((URIRef(f"{item}{n}"), SKOS.prefLabel, Literal(f"{name}平台", lang="zh")))
    dataset.add((URIRef(f"{item}0"), KG.dependsOn, URIRef(f"{item}1")))
    dataset.add((URIRef(f"{item}1"), KG.dependsOn, URIRef(f"{item}2")))
    with Store() as store:
        store.replace(dataset)
        rows = answer(store, "depends-on-transitively", name="甲平台")
    assert [(r["dependencyName"], r["direct"]) for r in rows] == [("乙平台", "true"), ("丙平台", "false")]


def test_the_macroeconomic_platform_integrates_databases(seeds, store):
    rows = answer(store, "platforms-integrating-databases")
    integrated = {r["databaseName"] for r in rows if r["platformName"] == "宏观经济信息共享平台"}
    assert "宏观经济数据库" in integrated and "宏观经济数据库" in text_of(seeds, "000")


def test_the_electronic_signature_law_is_cited_by_both_harbin_plans(store):
    rows = {r["lawName"]: r for r in answer(store, "laws-cited-by-most-plans")}
    assert int(rows["中华人民共和国电子签名法"]["citingPlans"]) >= 2


def test_the_state_council_is_one_node_named_by_several_plans(seeds, store):
    named_by = [code for code, x in seeds.items() if "国务院" in x.document.text]
    rows = {r["name"]: r for r in answer(store, "entities-in-most-plans")}
    assert int(rows["国务院"]["plans"]) >= 2 and len(named_by) >= 2
    assert rows["国务院"]["entity"] == "https://w3id.org/infokg/id/agency/e8d55682e81d8623"


def test_harbins_two_plans_share_national_and_city_bodies(store):
    rows = answer(store, "entities-shared-by-two-plans")
    assert {"哈尔滨市人民政府", "国务院办公厅"} <= {r["name"] for r in rows}
    documents = {f["file"]: f["document"] for f in answer(store, "documents")}
    harbin = {documents["000_a96c8c211bb1a94e.txt"], documents["001_9c71054b8b1dc762.txt"]}
    for row in rows:
        assert {str(d) for d in store.dataset.objects(URIRef(row["entity"]), KG.mentionedIn)} >= harbin


def test_what_a_plan_says_about_an_agency_quotes_the_text(seeds, store):
    rows = answer(store, "plan-says-about-entity")
    assert len(rows) >= 10 and {"leads", "participatesIn"} <= {r["relation"] for r in rows}
    text = text_of(seeds, "003")
    for row in rows:
        assert text[int(row["start"]):int(row["end"])] == row["sentence"]
        assert "黑龙江省委网信办" in (row["subjectName"], row["objectName"])


def test_plans_by_period_give_heilongjiangs_plan_and_its_issuer(store):
    rows = answer(store, "plans-by-period-and-jurisdiction")
    assert len({r["file"] for r in rows}) == 5
    heilongjiang = next(r for r in rows if r["file"].startswith("003"))
    assert (heilongjiang["period"], heilongjiang["year"], heilongjiang["jurisdiction"], heilongjiang["level"]) == \
        ("十三五", "2017", "黑龙江省", "province")
    assert heilongjiang["issuer"] == "黑龙江省人民政府办公厅" and heilongjiang["title"].startswith("黑龙江省")
    assert [r["period"] for r in rows if r["file"][:3] in ("000", "001", "002", "004")] == ["十一五"] * 4


def test_the_sentence_that_says_a_relation(seeds, store):
    rows = answer(store, "evidence-for-relation")
    assert rows and all(text_of(seeds, r["file"])[int(r["start"]):int(r["end"])] == r["sentence"] for r in rows)
    assert any("联合征信平台" in r["sentence"] for r in rows)


def test_national_documents_cited_in_heilongjiang(seeds, store):
    rows = [r for r in answer(store, "national-documents-by-province") if r["province"] == "黑龙江省"]
    cited = {r["lawName"]: int(r["plans"]) for r in rows}
    assert cited["中华人民共和国电子签名法"] == 2  # Harbin's two plans (seeds 000 and 001)
    assert "国务院关于印发“十三五”国家信息化规划的通知" in cited and "“十三五”国家信息化规划" in text_of(seeds, "003")


def test_the_extranet_persists_from_harbins_first_plans_to_heilongjiangs(store):
    rows = {r["platformName"]: r for r in answer(store, "platforms-across-periods", province="黑龙江省")}
    extranet = rows["电子政务外网"]
    assert (extranet["first"], extranet["last"]) == ("2006 十一五 哈尔滨市", "2017 十三五 黑龙江省")


def test_names_aliases_and_mentions_across_plans(seeds, store):
    names = {r["nameInPlan"] for r in answer(store, "names-across-plans")}
    assert {"中华人民共和国电子签名法", "电子签名法"} <= names
    for row in answer(store, "where-named", name="国务院"):
        assert text_of(seeds, row["file"])[int(row["start"]):int(row["end"])] == row["text"]


def test_who_issued_heilongjiangs_plan(store):
    rows = answer(store, "agencies-by-laws-issued")
    assert ("黑龙江省人民政府办公厅", "黑龙江省国民经济和社会发展信息化“十三五”规划") in \
        {(r["agencyName"], r["documentName"]) for r in rows}


# --- parameters ---------------------------------------------------------------------------------------------

def test_parameters_replace_the_defaults_in_their_form():
    query = named_query("evidence-for-relation")
    assert set(query.params) == {"subject", "relation", "object"}
    text = with_params(query.text, {"relation": "kg:leads", "subject": '说"引号"'})
    assert 'kg:leads' in text and '"说\\"引号\\""@zh' in text
    with pytest.raises(ValueError, match="no parameter 'nope'.*object, relation, subject"):
        with_params(query.text, {"nope": "x"})
    with pytest.raises(ValueError, match="give an IRI"):
        with_params(query.text, {"relation": "leads by"})


# --- independent checks over the exports ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def trig(exports):
    graph = ox.Store()
    graph.load(path=str(exports["kg.trig"]), format=ox.RdfFormat.TRIG)
    return graph


def select(graph: ox.Store, sparql: str) -> list[list[str]]:
    return [[term.value if term is not None else None for term in row] for row in graph.query(sparql, prefixes=PREFIX_TEXT)]


def test_one_iri_per_national_entity_across_the_plans(trig):
    duplicated = select(trig, """
        SELECT ?class ?name (COUNT(DISTINCT ?entity) AS ?nodes) WHERE {
            ?entity a ?class ; skos:prefLabel ?name ; kg:mentionedIn ?document .
            FILTER (?class IN (kg:Agency, kg:Project, kg:Database, kg:Platform, kg:Law))
            FILTER NOT EXISTS { ?entity kg:jurisdiction ?place }
        } GROUP BY ?class ?name HAVING (COUNT(DISTINCT ?entity) > 1)""")
    assert duplicated == []
    assert select(trig, """SELECT (COUNT(DISTINCT ?document) AS ?n) WHERE {
        <https://w3id.org/infokg/id/agency/e8d55682e81d8623> kg:mentionedIn ?document }""")[0][0] != "1"


def test_a_city_body_is_not_the_province_body_of_the_same_name(trig):
    pairs = select(trig, """
        SELECT ?city ?province WHERE {
            ?city a kg:Agency ; skos:prefLabel "哈尔滨市人民政府"@zh ; kg:jurisdiction ?cityPlace .
            ?province a kg:Agency ; skos:prefLabel "黑龙江省人民政府"@zh ; kg:jurisdiction ?provincePlace .
            ?cityPlace kg:withinJurisdiction ?provincePlace .
        }""")
    assert len(pairs) == 1 and pairs[0][0] != pairs[0][1]


def test_no_relation_without_evidence(trig):
    assert select(trig, """
        SELECT ?subject ?relation ?object WHERE {
            VALUES ?relation { kg:leads kg:participatesIn kg:dependsOn kg:integrates kg:basedOn kg:issuedBy kg:partOf }
            ?subject ?relation ?object .
            MINUS {
                GRAPH ?document {
                    ?statement rdf:subject ?subject ; rdf:predicate ?relation ; rdf:object ?object ; kg:evidence ?evidence .
                    ?evidence prov:value ?sentence ; kg:startOffset ?start ; kg:endOffset ?end ; prov:wasQuotedFrom ?document .
                }
            }
        }""") == []


def test_every_name_and_every_plan_naming_an_entity_is_recorded(trig):
    """The merged aliases hold every name any plan uses; kg:mentionedIn every plan naming it."""
    assert select(trig, """
        SELECT ?entity ?name WHERE {
            GRAPH ?document { ?entity skos:prefLabel|skos:altLabel ?name ; a ?class }
            FILTER (?class IN (kg:Agency, kg:Project, kg:Database, kg:Platform, kg:Law))
            FILTER NOT EXISTS { ?entity skos:prefLabel|skos:altLabel ?name }
        }""") == []
    assert select(trig, """
        SELECT ?entity ?document WHERE {
            GRAPH ?document { ?entity a kg:Agency }
            FILTER NOT EXISTS { ?entity kg:mentionedIn ?document }
        }""") == []


def test_each_document_is_a_plan_node_with_title_place_and_period(trig):
    rows = select(trig, """
        SELECT ?file ?title ?place ?period WHERE {
            ?document kg:fileName ?file ; dct:title ?title ; dct:coverage ?place ; kg:describesPlan ?plan .
            ?plan kg:period ?period ; kg:jurisdiction ?place .
        } ORDER BY ?file""")
    assert [r[0][:3] for r in rows] == ["000", "001", "002", "003", "004"]
    assert rows[3][1:] == ["黑龙江省国民经济和社会发展信息化“十三五”规划", "https://w3id.org/infokg/id/jurisdiction/230000", "十三五"]


# --- the benchmark ---------------------------------------------------------------------------------------------

def test_the_benchmark_runs_on_a_tiny_graph(small, tmp_path):
    measured = bench.measure(extractions=small, quads=0, repeats=1, rdflib_timeout=20, store_dir=tmp_path)
    assert measured["graph"]["documents"] == 2 and measured["graph"]["quads"] > 100
    assert {r["query"] for r in measured["queries"]} == {q.name for q in named_queries()}
    assert all(r["rdflib_rows_agree"] for r in measured["queries"])
    assert set(measured["summary"]) >= {"median_speedup", "store_max_ms", "speedup_target_met", "store_under_100ms"}
    assert "speed-up" in bench.table(measured)
    json.dumps(measured)


def test_benchmark_variants_move_plans_to_other_places_and_periods(small):
    harbin = small[0]
    variants = bench.variants([harbin], copies=2)
    moved = variants[1]
    assert moved.plan.jurisdiction.name == "齐齐哈尔市" and moved.plan.period == "十三五"
    assert moved.document.sha256 != harbin.document.sha256
    keys = {e.key for e in moved.entities}
    assert "Agency|national|国务院" in keys and not any("哈尔滨" in k for k in keys)
    assert any(k.startswith("Agency|230200|齐齐哈尔市") for k in keys)


def test_the_shapes_cover_every_class_and_property_the_ontology_declares():
    from rdflib import BNode, Graph
    from rdflib.namespace import OWL, RDFS

    from kg.namespace import SH
    from test_ontology import ONTOLOGY, SHAPES

    ontology, shapes = Graph().parse(ONTOLOGY), Graph().parse(SHAPES)
    targets = set(shapes.objects(None, SH.targetClass)) | set(shapes.objects(None, SH.targetSubjectsOf))
    paths = {shapes.value(p, SH.inversePath) if isinstance(p, BNode) else p for p in shapes.objects(None, SH.path)}
    ours = [t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
            for t in ontology.subjects(RDF.type, kind) if str(t).startswith(str(KG))]
    uncovered = [t for t in ours if not (set(ontology.transitive_objects(t, RDFS.subClassOf)) & targets) and t not in paths]
    assert not uncovered, f"give these a shape in {SHAPES}: {uncovered}"
