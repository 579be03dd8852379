"""The graph of the seed plans: stable IRIs, merged entities, provenance that quotes the text,
conformance to the shapes and the ontology, and exports that are byte-stable and parse."""
from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import BNode, Dataset, Graph, Literal
from rdflib import namespace as rdfns
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from kg import export
from kg.export import write_exports
from kg.extract import extract_document
from kg.graph import _describe, build_dataset, facts_graph
from kg.ingest import IngestError, document_from_text
from kg.namespace import (ID, KG, OA, RELATION_PROPERTIES, SH, document_iri, entity_iri,
                          jurisdiction_iri)
from kg.resolve import Entity
from kg.store import ox_quads
from test_ontology import ONTOLOGY, SHAPES, declared, hermit_unsatisfiable, owlrl_errors

ROOT = Path(__file__).parent.parent
EXPORTS = ("kg.ttl", "kg.trig", "kg.jsonld", "kg.nq")
RELATIONS = set(RELATION_PROPERTIES.values())
PROVENANCE_CLASSES = {KG.Mention, KG.RelationStatement, KG.Evidence, OA.SpecificResource,
                      OA.TextPositionSelector, OA.TextQuoteSelector}
SMALL_PLAN = ("哈尔滨市电子政务发展规划\n根据《中华人民共和国电子签名法》，市信息产业局牵头建设市电子政务网络平台。"
              "充分利用企业基础信息共享平台，整合企业信用数据，建立联合征信平台。\n")


@pytest.fixture(scope="module")
def extractions(seed_extractions):
    """The five seeds through kg.extract.extract_paths (once per session, see conftest.py)."""
    errors = [str(r) for r in seed_extractions if isinstance(r, IngestError)]
    assert len(seed_extractions) == 5 and not errors, f"the five seeds in {ROOT / 'seeds'} must be readable: {errors}"
    return seed_extractions


@pytest.fixture(scope="module")
def dataset(extractions) -> Dataset:
    return build_dataset(extractions)


@pytest.fixture(scope="module")
def facts(dataset) -> Graph:
    return facts_graph(dataset)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY)


@pytest.fixture(scope="module")
def exports(dataset, tmp_path_factory) -> dict[str, Path]:
    return write_exports(dataset, tmp_path_factory.mktemp("exports"))


def named_graph(dataset: Dataset, extraction) -> Graph:
    return dataset.graph(document_iri(extraction.document.sha256))


def by_name(extractions, prefix: str):
    return next(x for x in extractions if x.document.name.startswith(prefix))


def plain(graph: Graph) -> Graph:
    copy = Graph()
    copy += graph
    return copy


def shacl_report(graph: Graph, ontology: Graph) -> str | None:
    conforms, _, text = validate(plain(graph), shacl_graph=Graph().parse(SHAPES), ont_graph=ontology,
                                 inference="rdfs")
    return None if conforms else text


# --- IRIs and merging -----------------------------------------------------------------------------

def test_entity_iris_come_from_their_keys(extractions, facts):
    assert entity_iri("Agency|national|国务院") == ID["agency/e8d55682e81d8623"]
    for extraction in extractions:
        for entity in extraction.entities:
            assert (entity_iri(entity.key), RDF.type, KG[entity.type]) in facts, entity.key


def test_no_blank_nodes_anywhere(dataset):
    assert not [q for q in dataset.quads((None, None, None, None)) if any(isinstance(t, BNode) for t in q[:3])]


def test_an_entity_in_several_documents_is_one_node(extractions, facts):
    state_council = entity_iri("Agency|national|国务院")
    assert set(facts.subjects(SKOS.prefLabel, Literal("国务院", lang="zh"))) == {state_council}
    documents = set(facts.objects(state_council, KG.mentionedIn))
    for prefix in ("001", "003"):
        assert document_iri(by_name(extractions, prefix).document.sha256) in documents


def test_every_entity_has_one_canonical_name_in_every_graph(dataset):
    for graph in dataset.graphs():
        for entity in {s for cls in (KG.Agency, KG.Project, KG.Database, KG.Platform, KG.Law)
                       for s in graph.subjects(RDF.type, cls)}:
            assert len(list(graph.objects(entity, SKOS.prefLabel))) == 1, (graph.identifier, entity)


def test_merged_name_is_the_most_used_then_the_smallest():
    def entity(name, aliases=(), elliptical=False):
        return Entity("Law|national|x", "Law", name, list(aliases), [], "national", elliptical)

    merged = _describe([(entity("乙法", ["法"]), "d1"), (entity("甲法", elliptical=True), "d2"), (entity("乙法"), "d3")])[0]
    assert (merged.name, merged.aliases, merged.elliptical) == ("乙法", frozenset({"甲法", "法"}), False)
    tie = _describe([(entity("乙法"), "d1"), (entity("甲法"), "d2")])[0]
    assert tie.name == min("乙法", "甲法")
    assert _describe([(entity("甲法", elliptical=True), "d1"), (entity("甲法", elliptical=True), "d2")])[0].elliptical


def test_jurisdictions_carry_code_level_and_parent(facts):
    harbin = jurisdiction_iri("230100")
    assert facts.value(harbin, SKOS.prefLabel) == Literal("哈尔滨市", lang="zh")
    assert str(facts.value(harbin, KG.level)) == "prefecture"
    assert facts.value(harbin, KG.withinJurisdiction) == jurisdiction_iri("230000")
    assert str(facts.value(jurisdiction_iri("230000"), KG.level)) == "province"


def test_each_document_describes_its_plan(extractions, facts):
    for extraction in extractions:
        plan = facts.value(document_iri(extraction.document.sha256), KG.describesPlan)
        assert plan is not None, extraction.document.name
        assert {KG.Plan, KG.Law} <= set(facts.objects(plan, RDF.type))
        if extraction.plan.period:
            assert str(facts.value(plan, KG.period)) == extraction.plan.period
        if extraction.plan.year:
            assert facts.value(plan, KG.year) == Literal(str(extraction.plan.year), datatype=rdfns.XSD.gYear)
        if extraction.plan.jurisdiction.code:
            assert facts.value(plan, KG.jurisdiction) == jurisdiction_iri(extraction.plan.jurisdiction.code)


# --- facts and provenance -------------------------------------------------------------------------

def test_the_default_graph_holds_facts_without_provenance(dataset, facts):
    assert not [s for cls in PROVENANCE_CLASSES for s in facts.subjects(RDF.type, cls)]
    assert facts.identifier == dataset.default_graph.identifier
    named = {t for g in dataset.graphs() if g.identifier != facts.identifier for t in g if t[1] in RELATIONS}
    assert named == {t for t in facts if t[1] in RELATIONS}


def test_every_relation_has_a_statement_whose_evidence_quotes_the_text(extractions, dataset):
    for extraction in extractions:
        graph, text = named_graph(dataset, extraction), extraction.document.text
        statements = set(graph.subjects(RDF.type, KG.RelationStatement))
        assert len(statements) == len({(r.type, r.head, r.tail, r.evidence) for r in extraction.relations})
        stated = set()
        for statement in statements:
            triple = tuple(graph.value(statement, p) for p in (RDF.subject, RDF.predicate, RDF.object))
            assert triple in graph
            stated.add(triple)
            evidence = graph.value(statement, KG.evidence)
            start, end = (graph.value(evidence, p).toPython() for p in (KG.startOffset, KG.endOffset))
            assert str(graph.value(evidence, PROV.value)) == text[start:end] != ""
            assert graph.value(evidence, PROV.wasQuotedFrom) == graph.value(statement, KG.statedIn) == graph.identifier
        assert stated == {t for t in graph if t[1] in RELATIONS}


def test_every_mention_quotes_the_text(extractions, dataset):
    for extraction in extractions:
        graph, text = named_graph(dataset, extraction), extraction.document.text
        mentions = set(graph.subjects(RDF.type, KG.Mention))
        assert len(mentions) == sum(len(e.mentions) for e in extraction.entities)
        for mention in mentions:
            target = graph.value(mention, OA.hasTarget)
            assert graph.value(target, OA.hasSource) == graph.identifier
            selectors = list(graph.objects(target, OA.hasSelector))
            position = next(s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in graph)
            quote = next(s for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in graph)
            start, end = graph.value(position, OA.start).toPython(), graph.value(position, OA.end).toPython()
            assert str(graph.value(quote, OA.exact)) == text[start:end] != ""


def test_building_does_not_depend_on_input_order(extractions, dataset):
    again = build_dataset(list(reversed(extractions)))
    assert set(ox_quads(again)) == set(ox_quads(dataset))


# --- shapes and ontology --------------------------------------------------------------------------

def test_every_graph_conforms_to_the_shapes(dataset, ontology):
    failures = {str(g.identifier): shacl_report(g, ontology) for g in dataset.graphs()}
    assert not {g: text for g, text in failures.items() if text}, failures


def mutations():
    def second_name(graph):
        entity = next(graph.subjects(RDF.type, KG.Platform))
        graph.add((entity, SKOS.prefLabel, Literal("另一个名字", lang="zh")))

    def reversed_offsets(graph):
        evidence = next(graph.subjects(RDF.type, KG.Evidence))
        graph.set((evidence, KG.startOffset, Literal(10_000, datatype=rdfns.XSD.nonNegativeInteger)))

    def unasserted_statement(graph):
        statement = next(graph.subjects(RDF.type, KG.RelationStatement))
        graph.remove(tuple(graph.value(statement, p) for p in (RDF.subject, RDF.predicate, RDF.object)))

    def platform_that_leads(graph):
        platforms = list(graph.subjects(RDF.type, KG.Platform))
        graph.add((platforms[0], KG.leads, platforms[1]))

    def agency_that_is_a_platform(graph):
        graph.add((next(graph.subjects(RDF.type, KG.Agency)), RDF.type, KG.Platform))

    def statement_without_evidence(graph):
        statement = next(graph.subjects(RDF.type, KG.RelationStatement))
        graph.remove((statement, KG.evidence, None))

    return [second_name, reversed_offsets, unasserted_statement, platform_that_leads,
            agency_that_is_a_platform, statement_without_evidence]


@pytest.mark.parametrize("mutate", mutations(), ids=lambda f: f.__name__)
def test_the_shapes_catch(mutate, extractions, ontology):
    small = extract_document(document_from_text("small.txt", SMALL_PLAN))
    graph = plain(named_graph(build_dataset([small]), small))
    assert shacl_report(graph, ontology) is None
    mutate(graph)
    assert shacl_report(graph, ontology) is not None


def test_the_graph_uses_only_terms_the_ontology_declares(dataset, ontology):
    kinds = declared(ontology)
    reification = {RDF.type, RDF.subject, RDF.predicate, RDF.object, RDF.Statement}
    used = {p for _, p, _, _ in dataset.quads((None, None, None, None))}
    used |= {o for _, _, o, _ in dataset.quads((None, RDF.type, None, None))}
    assert not sorted(t for t in used - reification if t not in kinds), f"declare these in {ONTOLOGY}"


def test_the_shapes_cover_every_class_and_property_used(dataset, ontology):
    shapes = Graph().parse(SHAPES)
    targets = set(shapes.objects(None, SH.targetClass)) | set(shapes.objects(None, SH.targetSubjectsOf))
    paths = set(shapes.objects(None, SH.path)) | targets
    used_classes = {o for _, _, o, _ in dataset.quads((None, RDF.type, None, None))} - {RDF.Statement}
    used_properties = {p for _, p, _, _ in dataset.quads((None, None, None, None))} - {RDF.type}
    uncovered = [c for c in used_classes if not set(ontology.transitive_objects(c, RDFS.subClassOf)) & targets]
    assert not sorted(uncovered)
    assert not sorted(used_properties - paths)


def test_owl_rl_finds_a_documents_facts_consistent(extractions, ontology):
    graph = plain(ontology)
    graph += facts_graph(build_dataset([by_name(extractions, "001")]))
    assert owlrl_errors(graph) == []


def test_hermit_finds_all_facts_consistent(facts, ontology):
    graph = plain(ontology)
    graph += (t for t in facts if t[1] != KG.year)  # xsd:gYear is outside OWL 2 DL (ontology/README.md)
    assert hermit_unsatisfiable(graph) == []


# --- exports --------------------------------------------------------------------------------------

def test_exports_are_byte_identical_when_rebuilt(extractions, exports, tmp_path):
    again = write_exports(build_dataset(extractions), tmp_path / "again")
    for name in EXPORTS:
        assert again[name].read_bytes() == exports[name].read_bytes(), name


def test_exports_are_byte_identical_under_another_hash_seed(extractions, exports, tmp_path):
    """A fresh process with other string hashes (set and dict order) writes the same bytes."""
    (tmp_path / "x.pickle").write_bytes(pickle.dumps(extractions))
    script = ("import pickle, sys; from pathlib import Path; from kg.graph import build_dataset; "
              "from kg.export import write_exports; "
              "write_exports(build_dataset(pickle.loads(Path(sys.argv[1]).read_bytes())), Path(sys.argv[2]))")
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-c", script, tmp_path / "x.pickle", out], check=True,
                   env={**os.environ, "PYTHONHASHSEED": "12345"}, cwd=ROOT)
    for name in EXPORTS:
        assert (out / name).read_bytes() == exports[name].read_bytes(), name


def test_turtle_and_trig_parse_in_rdflib_and_pyoxigraph(dataset, facts, exports):
    quads = {(s, p, o, g) for s, p, o, g in dataset.quads((None, None, None, None))}
    turtle = Graph().parse(exports["kg.ttl"], format="turtle")
    assert set(turtle) == set(facts)
    trig = Dataset().parse(exports["kg.trig"], format="trig")
    assert len({q for q in trig.quads((None, None, None, None))}) == len(quads)
    assert len(list(ox.parse(path=str(exports["kg.ttl"]), format=ox.RdfFormat.TURTLE))) == len(facts)
    assert len(list(ox.parse(path=str(exports["kg.trig"]), format=ox.RdfFormat.TRIG))) == len(quads)


def test_jsonld_parses_back_to_the_turtle_graph(exports):
    jsonld = Graph().parse(exports["kg.jsonld"], format="json-ld")
    assert set(jsonld) == set(Graph().parse(exports["kg.ttl"], format="turtle"))


def test_nquads_come_graph_by_graph_as_in_trig_each_sorted_and_complete(dataset, exports):
    lines = exports["kg.nq"].read_bytes().splitlines()
    graphs = [str(quad.graph_name) for quad in ox.parse(path=str(exports["kg.nq"]), format=ox.RdfFormat.N_QUADS)]
    assert len(lines) == len(graphs) == len(list(dataset.quads((None, None, None, None))))
    blocks: dict[str, list[bytes]] = {}
    for graph, line in zip(graphs, lines):
        assert graph == next(reversed(blocks), graph) or graph not in blocks, f"{graph}: its lines are not together"
        blocks.setdefault(graph, []).append(line)
    assert list(blocks)[0] == "DEFAULT" and list(blocks)[1:] == sorted(list(blocks)[1:]) and len(blocks) > 2
    assert all(block == sorted(block) for block in blocks.values())


def test_a_failed_export_leaves_the_old_files(dataset, exports, monkeypatch):
    before = {name: exports[name].read_bytes() for name in EXPORTS}

    def broken(*_):
        raise OSError("disk full")

    monkeypatch.setattr(export, "gexf", broken)  # the last but two files to be written
    with pytest.raises(OSError, match="unchanged"):
        write_exports(dataset, exports["kg.ttl"].parent)
    assert {name: exports[name].read_bytes() for name in EXPORTS} == before
    assert not [p for p in exports["kg.ttl"].parent.iterdir() if re.search(r"\.tmp$", p.name)]
