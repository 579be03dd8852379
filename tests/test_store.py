"""The store: the same graph as a full build after any sequence of adds and removes, exports
byte-identical to kg.graph's dataset, a plan added twice changes nothing, and the kg add /
remove / build / query commands around it; the exports Gephi and spreadsheets read."""
from __future__ import annotations

import csv
import dataclasses
import doctest
import io
import shutil

import networkx as nx
import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import RDF, RDFS, XSD

import kg.store
from kg import cli
from kg import export
from kg.export import write_exports
from kg.graph import build_dataset, document_iri
from kg.ingest import IngestError
from kg.namespace import KG, RELATION_PROPERTIES
from kg.store import DERIVED_RANGES, Store, StoreError, mark_made_from, ox_quads, store_for
from test_ontology import ONTOLOGY

EXPORTS = ("kg.ttl", "kg.trig", "kg.jsonld", "kg.nq", "kg.graphml", "kg.gexf", "nodes.csv", "edges.csv")


@pytest.fixture(scope="module")
def seeds(seed_extractions):
    assert not [r for r in seed_extractions if isinstance(r, IngestError)]
    return seed_extractions


@pytest.fixture(scope="module")
def built(seeds):
    return build_dataset(seeds)


@pytest.fixture(scope="module")
def built_exports(built, tmp_path_factory):
    return write_exports(built, tmp_path_factory.mktemp("built"))


def quads(dataset) -> set[ox.Quad]:
    return set(ox_quads(dataset))


def by_prefix(extractions, prefix: str):
    return next(x for x in extractions if x.document.name.startswith(prefix))


def test_doctests():
    assert doctest.testmod(kg.store).failed == 0


# --- the same graph as a build --------------------------------------------------------------------------

@pytest.mark.parametrize("order", [(0, 1, 2, 3, 4), (4, 3, 2, 1, 0), (3, 0, 4, 2, 1)])
def test_adding_one_plan_at_a_time_gives_the_built_graph(seeds, built, order):
    store = Store()
    for n in order:
        assert store.add(seeds[n]).changed
    assert set(store) == quads(built)


def test_removing_a_plan_gives_the_graph_built_without_it(seeds):
    """The merged names, aliases and kg:mentionedIn of what Harbin's two plans share (国务院,
    哈尔滨市人民政府 …) are recomputed, and what only the removed plan named goes."""
    store = Store()
    store.replace(build_dataset(seeds))
    harbin = by_prefix(seeds, "001")
    document, change = store.remove(harbin.document.name)
    assert change.deleted and document.file_names == (harbin.document.name,)
    rest = [x for x in seeds if x is not harbin]
    assert set(store) == quads(build_dataset(rest))
    assert ox.NamedNode(document.iri) not in set(store.oxigraph.named_graphs())
    store.add(harbin)
    assert set(store) == quads(build_dataset(seeds))


def test_adding_a_plan_already_there_changes_nothing(seeds, built, built_exports, tmp_path):
    store = Store()
    store.replace(built)
    for extraction in seeds:
        assert not store.add(extraction).changed
    assert not store.replace(built).changed
    written = write_exports(store, tmp_path)
    for name in EXPORTS:
        assert written[name].read_bytes() == built_exports[name].read_bytes(), name


def test_the_same_text_under_another_name_adds_only_the_name(seeds):
    plan = by_prefix(seeds, "004")
    copy = dataclasses.replace(plan, document=dataclasses.replace(plan.document, name="copy-of-004.txt"))
    store = Store()
    store.add(plan)
    change = store.add(copy)
    assert (change.deleted, change.inserted) == (0, 2)  # kg:fileName in its graph and in the facts
    assert set(store) == quads(build_dataset([plan, copy]))
    assert store.find("copy-of-004.txt") == store.find(plan.document.name)


def graph_of(extraction) -> str:
    return document_iri(extraction.document.sha256)


def test_add_and_remove_copy_the_text_of_unchanged_graphs_from_the_exports(seeds, built_exports, tmp_path):
    """kg add and kg remove write the exports again; the graphs that did not change are copied
    from the exports already there (a literal changed in one shows it), unless that graph's line
    count there is not the store's: then it is written from the store."""
    harbin, rest = by_prefix(seeds, "001"), [x for x in seeds if not x.document.name.startswith("001")]
    out, store = tmp_path / "exports", Store()
    store.replace(build_dataset(rest))
    write_exports(store, out)
    province, city = by_prefix(rest, "003"), by_prefix(rest, "000")
    trig = (out / "kg.trig").read_text(encoding="utf-8")
    block = trig.index(export._turtle_term(graph_of(province)) + " {")
    title = province.plan.title
    (out / "kg.trig").write_text(trig[:block] + trig[block:].replace(title, "改过的标题", 1), encoding="utf-8")
    lines = (out / "kg.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = next(n for n, line in enumerate(lines) if line.endswith(f" {graph_of(city)} .\n"))
    (out / "kg.nq").write_text("".join(lines[:dropped] + lines[dropped + 1:]), encoding="utf-8")

    store.add(harbin)
    written = write_exports(store, out, {graph_of(harbin)})
    for name in EXPORTS:  # the city's graph, a line short in kg.nq, came from the store
        data = written[name].read_bytes()
        if name == "kg.trig":  # the province's, from kg.trig as it was there
            assert "改过的标题" in data.decode("utf-8")
            data = data.decode("utf-8").replace("改过的标题", title).encode("utf-8")
        assert data == built_exports[name].read_bytes(), name

    (out / "kg.trig").write_bytes(built_exports["kg.trig"].read_bytes())
    store.remove(harbin.document.name)
    written = write_exports(store, out, {graph_of(harbin)})
    expected = write_exports(build_dataset(rest), tmp_path / "rest")
    for name in EXPORTS:
        assert written[name].read_bytes() == expected[name].read_bytes(), name


def test_exports_from_the_store_are_byte_identical_to_the_built_ones(built, built_exports, tmp_path):
    with Store(tmp_path / "store") as store:
        store.replace(built)
        written = write_exports(store, tmp_path / "exports")
    for name in EXPORTS:
        assert written[name].read_bytes() == built_exports[name].read_bytes(), name


def test_offsets_keep_the_datatype_the_ontology_gives_them(built):
    """Oxigraph stores xsd:nonNegativeInteger as xsd:integer; reading restores it."""
    ontology = Graph().parse(ONTOLOGY)
    derived = {ox.NamedNode(str(p)) for p, r in ontology.subject_objects(RDFS.range) if r == XSD.nonNegativeInteger}
    assert set(DERIVED_RANGES) == derived
    store = Store()
    store.replace(built)
    offsets = [q.object for q in store if q.predicate in DERIVED_RANGES]
    assert offsets and {o.datatype.value for o in offsets} == {str(XSD.nonNegativeInteger)}


# --- the store on disk ----------------------------------------------------------------------------------

def test_a_store_persists_and_opens_read_only(built, tmp_path):
    with Store(tmp_path / "store") as store:
        store.replace(built)
    with Store(tmp_path / "store", read_only=True) as store:
        assert set(store) == quads(built)
        rows = list(store.dataset.query("SELECT (COUNT(*) AS ?n) WHERE { ?d a kg:SourceDocument }",
                                        initNs={"kg": str(KG)}))
        assert int(rows[0][0]) == 5
        with pytest.raises(StoreError, match="read-only"):
            store.replace(build_dataset([]))


def test_a_folder_of_other_files_is_not_taken_for_a_store(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(StoreError, match="not an Oxigraph store"):
        Store(tmp_path)
    with pytest.raises(StoreError, match="kg build"):
        Store(tmp_path / "missing", read_only=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_the_store_sits_beside_its_exports_folder(tmp_path):
    assert store_for(tmp_path / "out") == tmp_path / ".kg" / "out"


def test_documents_are_found_by_file_name_iri_or_digest(seeds, built):
    store = Store()
    store.replace(built)
    plan = by_prefix(seeds, "003").document
    found = store.find(plan.name)
    assert found.sha256 == plan.sha256 and found.title.startswith("黑龙江省国民经济和社会发展信息化")
    assert store.find(found.iri) == store.find(f"doc:{plan.sha256[:16]}") == store.find(plan.sha256[:8]) == found
    with pytest.raises(StoreError, match="names no document.*003_5f305f0bec7308a7.txt"):
        store.find("missing.txt")
    with pytest.raises(StoreError, match="names no document"):
        store.find("abc")  # too short to be a digest prefix


# --- the commands ---------------------------------------------------------------------------------------

def test_kg_build_add_remove_and_query(seed_paths, tmp_path, capsys, monkeypatch):
    out, store = tmp_path / "exports", tmp_path / "store"
    two = [p for p in seed_paths if p.name.startswith(("001", "004"))]
    monkeypatch.setattr(cli, "_extractions", _cached_extractions(cli._extractions))
    assert cli.main(["build", "--quiet", "--out", str(out), "--store", str(store), *map(str, two)]) == 0
    built = {name: (out / name).read_bytes() for name in EXPORTS}

    assert not store.exists()  # made from kg.nq by the first command that needs it
    assert cli.main(["add", "--out", str(out), "--store", str(store), str(two[0])]) == 0
    assert "made the store" in (said := capsys.readouterr().err) and "already in the graph, unchanged" in said
    assert {name: (out / name).read_bytes() for name in EXPORTS} == built

    shutil.rmtree(store)  # exports built elsewhere, no store yet: it is made from exports/kg.nq again
    assert cli.main(["add", "--out", str(out), "--store", str(store), str(two[0])]) == 0
    assert "made the store" in (said := capsys.readouterr().err) and "unchanged" in said

    assert cli.main(["remove", "--quiet", "--out", str(out), "--store", str(store), two[0].name]) == 0
    assert cli.main(["query", "--name", "documents", "--data", str(store), "--format", "json"]) == 0
    assert "004_980b2f073a86af9d.txt" in (listed := capsys.readouterr().out) and "001_" not in listed

    assert cli.main(["add", "--out", str(out), "--store", str(store), str(two[0])]) == 0
    assert "made the store" not in capsys.readouterr().err  # the store is marked as holding the new kg.nq
    assert {name: (out / name).read_bytes() for name in EXPORTS} == built

    assert cli.main(["query", "--name", "who-leads", "--param", "name=哈尔滨市电子政务网络平台", "--data", str(store),
                     "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("agencyName,agency,plan,file,sentence")
    assert cli.main(["remove", "--out", str(out), "--store", str(store), "nothing.txt"]) == 1
    assert "names no document" in capsys.readouterr().err


def test_kg_query_makes_the_store_from_kg_nq_the_first_time_and_whenever_kg_nq_changes(
        seed_paths, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first, second = ([str(p)] for p in seed_paths if p.name.startswith(("001", "004")))
    store = tmp_path / ".kg" / "exports"

    def documents() -> tuple[str, str]:
        assert cli.main(["query", "--name", "documents", "--format", "csv"]) == 0
        said = capsys.readouterr()
        return said.out, said.err

    assert cli.main(["build", "--quiet", *first, *second]) == 0 and not store.exists()
    listed, said = documents()
    assert "made the store .kg/exports from exports/kg.nq" in said and "001_" in listed and "004_" in listed
    assert documents() == (listed, "")  # made once
    mark_made_from(store, None)  # as a failed kg add leaves it
    assert "made the store" in documents()[1]

    assert cli.main(["build", "--out", "elsewhere", *first]) == 0
    assert "deleted the store" not in capsys.readouterr().err and store.exists()  # another folder's store
    shutil.copyfile("elsewhere/kg.nq", "exports/kg.nq")  # as a `git pull` of new exports would
    listed, said = documents()
    assert "made the store" in said and "001_" in listed and "004_" not in listed

    assert cli.main(["build", *second]) == 0
    assert "deleted the store .kg/exports" in capsys.readouterr().err and not store.exists()
    listed, said = documents()
    assert "made the store" in said and "001_" not in listed and "004_" in listed


def _cached_extractions(extract):
    """kg.cli._extractions, each file extracted once per test (the pipeline is slow to repeat)."""
    cache: dict = {}

    def cached(paths, quiet=True, workers=1):
        missing = [p for p in paths if p not in cache]
        if missing:
            results, _ = extract(missing, quiet=True)
            cache.update(zip(missing, results))
        return [cache[p] for p in paths], 0

    return cached


# --- the entity network: GraphML, GEXF, CSV ---------------------------------------------------------------

def test_the_network_exports_hold_the_entities_and_relations(built, built_exports):
    facts = built.default_graph
    entities = {str(s) for cls in ("Agency", "Project", "Database", "Platform", "Law")
                for s in facts.subjects(RDF.type, KG[cls])}
    relations = {(str(s), str(o)) for p in RELATION_PROPERTIES.values() for s, o in facts.subject_objects(p)}
    for network in (nx.read_graphml(built_exports["kg.graphml"]), nx.read_gexf(built_exports["kg.gexf"])):
        assert set(network.nodes) == entities
        assert {(u, v) for u, v in network.edges()} == relations
    nodes = list(csv.DictReader(io.StringIO(built_exports["nodes.csv"].read_text(encoding="utf-8"))))
    edges = list(csv.DictReader(io.StringIO(built_exports["edges.csv"].read_text(encoding="utf-8"))))
    assert {row["id"] for row in nodes} == entities
    assert len({row["id"] for row in edges}) == len(edges) == sum(len(list(facts.subject_objects(p)))
                                                                  for p in RELATION_PROPERTIES.values())
    state_council = next(row for row in nodes if row["label"] == "国务院")
    assert (state_council["type"], state_council["jurisdiction"]) == ("Agency", "") and int(state_council["documents"]) >= 2
    assert all(int(row["weight"]) >= 1 for row in edges)
    assert b"lastmodifieddate" not in built_exports["kg.gexf"].read_bytes()
