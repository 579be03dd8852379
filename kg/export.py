"""Export: write the dataset as Turtle, TriG, JSON-LD and N-Quads, and its entity network as
GraphML, GEXF and CSV, atomically and byte-stably, in memory that does not grow with the graph.

The same dataset always gives the same bytes, so an export can be diffed and cached. Within a
graph, statements are sorted by subject, predicate (rdf:type and skos:prefLabel first) and
object, and pyoxigraph writes them in that order; the default graph (the merged facts) comes
first, then each document's named graph in IRI order. N-Quads lines are sorted as bytes, in
memory up to a budget and beyond it in sorted runs on disk merged at the end. JSON-LD is
written here, a node per line, compacted against an @context of the export prefixes. The
entity network (for Gephi and spreadsheets: entities with name, type and jurisdiction,
relations weighted by how many documents state them) is gathered from the default graph as
it goes by and written with networkx.

The writer takes the default graph subject by subject and each named graph already
serialised (:class:`GraphText`): ``kg build`` serialises each document's graph in the worker
process that extracted it and merges the default graph in memory (kg.build); a store, or an
rdflib dataset, is read one subject and one named graph at a time (:func:`write_exports`).
Both give the same bytes. Every file is first written next to its destination and renamed
into place only when all are complete, so a failed export leaves the previous files untouched.

>>> import tempfile
>>> from rdflib import Dataset, Literal, URIRef
>>> dataset = Dataset()
>>> _ = dataset.add((URIRef("https://w3id.org/infokg/id/agency/1"), SKOS.prefLabel, Literal("国务院", lang="zh")))
>>> with tempfile.TemporaryDirectory() as folder:
...     paths = write_exports(dataset, Path(folder))
...     paths["kg.ttl"].read_text(encoding="utf-8").splitlines()[-1]
'agency:1 skos:prefLabel "国务院"@zh .'
"""
from __future__ import annotations

import contextlib
import csv
import functools
import heapq
import io
import itertools
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Mapping

import networkx as nx
import pyoxigraph as ox
from networkx.readwrite.gexf import GEXFWriter
from rdflib import Dataset

from .namespace import EXPORT_PREFIXES, KG, RDF, RELATION_PROPERTIES, SKOS, XSD
from .store import DEFAULT_GRAPH, Store

EXPORTS = ("kg.ttl", "kg.trig", "kg.jsonld", "kg.nq", "kg.graphml", "kg.gexf", "nodes.csv", "edges.csv")
PREFIXES = {prefix: str(namespace) for prefix, namespace in EXPORT_PREFIXES.items()}
HEADER = "".join(f"@prefix {prefix}: <{iri}> .\n" for prefix, iri in sorted(PREFIXES.items())).encode()
SUBJECTS_AT_ONCE = 2000  # default-graph subjects serialised per call: fewer calls, bounded memory
RUN_BYTES = 64 << 20  # N-Quads sorted in memory up to this much, beyond it in runs on disk
_RDF_TYPE = ox.NamedNode(str(RDF.type))
# Sort keys that put these predicates first, in this order (other keys start with "<"): a node's
# type and name, a statement's subject, predicate and object.
_FIRST_PREDICATES = {f"<{p}>": chr(n) for n, p in enumerate(
    (RDF.type, SKOS.prefLabel, RDF.subject, RDF.predicate, RDF.object), start=1)}
_XSD_STRING = ox.NamedNode(str(XSD.string))


@dataclass(frozen=True)
class GraphText:
    """One named graph serialised: its TriG block (``doc:… { … }``) and its N-Quads lines,
    each in export order. Made wherever the graph is, so the writer only copies bytes."""

    iri: str
    trig: bytes
    nquads: bytes


def graph_text(graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> GraphText:
    """The named graph ``graph`` of ``quads`` (which all belong to it; repeats count once)."""
    ordered = sorted_quads(set(quads))
    nquads = ox.serialize(ordered, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
    return GraphText(graph.value, _body(ox.serialize(ordered, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)),
                     b"".join(sorted(nquads)))


def sorted_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """``quads`` in export order: by graph (the default graph first), subject, predicate (rdf:type,
    skos:prefLabel and rdf:subject/predicate/object first) and object, one string key per quad."""
    cache: dict = {}

    def text(term) -> str:  # its N-Triples form, made once per distinct term
        shown = cache.get(term)
        if shown is None:
            shown = cache[term] = str(term)
        return shown

    keyed = []
    for quad in quads:
        name = "" if quad.graph_name == DEFAULT_GRAPH else text(quad.graph_name)
        predicate = text(quad.predicate)
        key = f"{name}\t{text(quad.subject)}\t{_FIRST_PREDICATES.get(predicate, predicate)}\t{text(quad.object)}"
        keyed.append((key, quad))
    keyed.sort(key=itemgetter(0))
    return [quad for _, quad in keyed]


def subject_key(subject: ox.NamedNode) -> str:
    """The order of subjects in the exports (their N-Triples form)."""
    return str(subject)


# --- writing -------------------------------------------------------------------------------------

def write_exports(source: Dataset | Store, out_dir: Path) -> dict[str, Path]:
    """kg.ttl (facts), kg.trig (all graphs), kg.jsonld (facts), kg.nq (all graphs), and the
    entity network as kg.graphml, kg.gexf, nodes.csv and edges.csv, in ``out_dir``, from a
    store (or an rdflib dataset) read one subject and one named graph at a time."""
    store = source if isinstance(source, Store) else _in_memory(source)
    return write_graph(out_dir, _stored_subjects(store), _stored_graphs(store), _stored_statements(store))


def write_graph(out_dir: Path, subjects: Iterable[list[ox.Triple]], graphs: Iterable[GraphText],
                stated: Mapping[tuple, int]) -> dict[str, Path]:
    """Every export of a graph given as the default graph's triples subject by subject
    (subjects in :func:`subject_key` order), its named graphs serialised, in IRI order, and how
    many documents state each relation (subject, property, object)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    network = EntityNetwork()
    with _replacing(out_dir, EXPORTS) as out, tempfile.TemporaryDirectory(prefix=".kg-nq-", dir=out_dir) as runs:
        nquads = SortedLines(Path(runs))
        out["kg.ttl"].write(HEADER)
        out["kg.trig"].write(HEADER)
        with JsonLd(out["kg.jsonld"]) as jsonld:
            for chunk in _batches(subjects, SUBJECTS_AT_ONCE):
                triples = [triple for group in chunk for triple in _in_order(group)]
                turtle = _body(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES))
                out["kg.ttl"].write(turtle)
                out["kg.trig"].write(turtle)  # the default graph is written in TriG as in Turtle
                nquads.add(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
                jsonld.add(triples)
                network.add(triples)
        for graph in graphs:
            out["kg.trig"].write(graph.trig)
            nquads.add(graph.nquads)
        nquads.write(out["kg.nq"])
        entities = network.graph(stated)
        nx.write_graphml_xml(entities, out["kg.graphml"], encoding="utf-8", edge_id_from_attribute="id")
        out["kg.gexf"].write(gexf(entities))
        out["nodes.csv"].write(nodes_csv(entities))
        out["edges.csv"].write(edges_csv(entities))
    return {name: out_dir / name for name in EXPORTS}


def _in_order(triples: list[ox.Triple]) -> list[ox.Triple]:
    """One subject's triples in export order."""
    return [quad.triple for quad in sorted_quads(ox.Quad(*triple, DEFAULT_GRAPH) for triple in triples)]


def _body(data: bytes) -> bytes:
    """pyoxigraph's Turtle or TriG without the prefix lines it starts with (:data:`HEADER`
    holds them, in alphabetical order, once per file)."""
    if not data:
        return data
    header = data[:len(HEADER)]
    if header.count(b"\n") != HEADER.count(b"\n") or sorted(header.splitlines()) != sorted(HEADER.splitlines()):
        raise RuntimeError(f"pyoxigraph {ox.__version__} no longer starts Turtle and TriG with one "
                           "'@prefix p: <iri> .' line per prefix; update kg/export.py _body() to its new header")
    return data[len(HEADER):]


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


# --- reading a store -----------------------------------------------------------------------------

def _in_memory(dataset: Dataset) -> Store:
    store = Store()
    store.replace(dataset)
    return store


def _stored_subjects(store: Store) -> Iterator[list[ox.Triple]]:
    """The default graph of ``store``, subject by subject in export order."""
    subjects = {quad.subject for quad in store.oxigraph.quads_for_pattern(None, None, None, DEFAULT_GRAPH)}
    for subject in sorted(subjects, key=subject_key):
        yield [quad.triple for quad in store.quads(subject, None, None, DEFAULT_GRAPH)]


def _stored_graphs(store: Store) -> Iterator[GraphText]:
    """The named graphs of ``store``, in IRI order, one at a time."""
    for graph in sorted(store.oxigraph.named_graphs(), key=str):
        yield graph_text(graph, store.quads(None, None, None, graph))


def _stored_statements(store: Store) -> Counter:
    """How many named graphs (documents) state each relation triple."""
    stated: Counter = Counter()
    for predicate in _RELATIONS:
        for quad in store.oxigraph.quads_for_pattern(None, predicate, None, None):
            if quad.graph_name != DEFAULT_GRAPH:
                stated[quad.triple.subject, predicate, quad.object] += 1
    return stated


# --- N-Quads -------------------------------------------------------------------------------------

class SortedLines:
    """Lines to write sorted as bytes (kg.nq, an order any line-based tool reproduces): sorted
    in memory up to ``budget`` bytes, beyond that in sorted runs in ``folder`` that are merged
    as they are written, so memory stays bounded however many lines there are.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     lines, out = SortedLines(Path(folder), budget=4), io.BytesIO()
    ...     lines.add(b"c\\na\\n"); lines.add(b"d\\nb\\n"); lines.write(out)
    ...     out.getvalue()
    b'a\\nb\\nc\\nd\\n'
    """

    def __init__(self, folder: Path, budget: int = RUN_BYTES):
        self.folder, self.budget = folder, budget
        self._lines: list[bytes] = []
        self._size = 0
        self._runs: list[Path] = []

    def add(self, text: bytes) -> None:
        """Lines ending in a newline."""
        self._lines += text.splitlines(keepends=True)
        self._size += len(text)
        if self._size > self.budget:
            self._spill()

    def _spill(self) -> None:
        run = self.folder / f"run-{len(self._runs)}.nq"
        self._lines.sort()
        with open(run, "wb") as out:
            out.writelines(self._lines)
        self._runs.append(run)
        self._lines, self._size = [], 0

    def write(self, out: BinaryIO) -> None:
        self._lines.sort()
        with contextlib.ExitStack() as stack:
            runs = [stack.enter_context(open(run, "rb")) for run in self._runs]
            out.writelines(heapq.merge(*runs, self._lines) if runs else self._lines)


# --- JSON-LD -------------------------------------------------------------------------------------

class JsonLd:
    """Compacted JSON-LD of the triples added (in export order): one node object per line.

    >>> law = ox.NamedNode("https://w3id.org/infokg/id/law/1")
    >>> out = io.BytesIO()
    >>> with JsonLd(out) as jsonld:
    ...     jsonld.add([ox.Triple(law, _RDF_TYPE, ox.NamedNode("https://w3id.org/infokg/def#Law"))])
    >>> out.getvalue().decode().splitlines()[-2]
    '{"@id": "law:1", "@type": "kg:Law"}'
    """

    def __init__(self, out: BinaryIO):
        self.out = out
        self._separator = b""

    def __enter__(self) -> JsonLd:
        context = json.dumps({"@context": PREFIXES}, ensure_ascii=False, sort_keys=True, indent=1)
        self.out.write((context[:-2] + ',\n "@graph": [\n').encode("utf-8"))
        return self

    def add(self, triples: Iterable[ox.Triple]) -> None:
        """Triples grouped by subject; a subject's triples all come in one call."""
        for _, group in itertools.groupby(triples, key=lambda t: t.subject):
            self.out.write(self._separator + json.dumps(_node(group), ensure_ascii=False, sort_keys=True).encode("utf-8"))
            self._separator = b",\n"

    def __exit__(self, *_) -> None:
        self.out.write(b"\n]}\n")


def _node(triples: Iterable[ox.Triple]) -> dict:
    node: dict = {}
    for triple in triples:
        node.setdefault("@id", _compact(triple.subject))
        if triple.predicate == _RDF_TYPE:
            _append(node, "@type", _compact(triple.object))
        else:
            _append(node, _compact(triple.predicate), _value(triple.object))
    return node


def _append(node: dict, key: str, value) -> None:
    if key not in node:
        node[key] = value
    elif isinstance(node[key], list):
        node[key].append(value)
    else:
        node[key] = [node[key], value]


def _value(term):
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype == _XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": _compact(term.datatype)}
    return {"@id": _compact(term)}


def _compact(term) -> str:
    return _compact_iri(term.value)


@functools.lru_cache(maxsize=1 << 16)
def _compact_iri(iri: str) -> str:
    """prefix:local for an IRI under one of the export prefixes (the longest), else the IRI."""
    best = max((ns for ns in _NAMESPACES if iri.startswith(ns)), key=len, default=None)
    if best is None or iri[len(best):].startswith("//"):
        return iri
    return f"{_NAMESPACES[best]}:{iri[len(best):]}"


_NAMESPACES = {namespace: prefix for prefix, namespace in PREFIXES.items()}


# --- the entity network ----------------------------------------------------------------------------

_ENTITY_TYPES = {ox.NamedNode(str(KG[name])): name for name in ("Agency", "Project", "Database", "Platform", "Law")}
_RELATIONS = {ox.NamedNode(str(iri)): name for name, iri in RELATION_PROPERTIES.items()}
_PLAN, _PREF_LABEL = ox.NamedNode(str(KG.Plan)), ox.NamedNode(str(SKOS.prefLabel))
_JURISDICTION, _MENTIONED_IN = ox.NamedNode(str(KG.jurisdiction)), ox.NamedNode(str(KG.mentionedIn))
NODE_COLUMNS = ("label", "type", "plan", "jurisdiction", "documents")
EDGE_COLUMNS = ("relation", "weight")


class EntityNetwork:
    """The merged entities and the relations between them, gathered from the default graph's
    triples as they go by: a node per entity IRI with its name, type, whether it is a plan, its
    jurisdiction's name (empty: national) and how many documents name it; an edge per
    relation, keyed by its type and weighted by how many documents state it.

    >>> a, b = (ox.NamedNode(f"https://w3id.org/infokg/id/agency/{n}") for n in "ab")
    >>> network = EntityNetwork()
    >>> network.add([ox.Triple(a, _RDF_TYPE, ox.NamedNode(str(KG.Agency))), ox.Triple(a, ox.NamedNode(str(KG.leads)), b)])
    >>> list(network.graph({}).edges(keys=True, data="relation"))
    [('https://w3id.org/infokg/id/agency/a', 'https://w3id.org/infokg/id/agency/b', 'leads', 'leads')]
    """

    def __init__(self):
        self.types, self.labels, self.places, self.plans = {}, {}, {}, set()
        self.documents: Counter = Counter()
        self.relations: list[tuple[str, str, str, tuple]] = []

    def add(self, triples: Iterable[ox.Triple]) -> None:
        for triple in triples:
            subject, predicate, object_ = triple.subject.value, triple.predicate, triple.object
            if predicate in _RELATIONS:
                self.relations.append((subject, _RELATIONS[predicate], object_.value,
                                       (triple.subject, predicate, object_)))
            elif predicate == _RDF_TYPE and object_ in _ENTITY_TYPES:
                self.types[subject] = _ENTITY_TYPES[object_]
            elif predicate == _RDF_TYPE and object_ == _PLAN:
                self.plans.add(subject)
            elif predicate == _PREF_LABEL:
                self.labels[subject] = object_.value
            elif predicate == _JURISDICTION:
                self.places[subject] = object_.value
            elif predicate == _MENTIONED_IN:
                self.documents[subject] += 1

    def graph(self, stated: Mapping[tuple, int]) -> nx.MultiDiGraph:
        """The network; ``stated``: how many documents state each (subject, property, object)."""
        network = nx.MultiDiGraph()
        labels = self.labels
        for node in sorted(self.types):
            network.add_node(node, label=labels.get(node, ""), type=self.types[node], plan=node in self.plans,
                             jurisdiction=labels.get(self.places.get(node, ""), ""), documents=self.documents[node])
        ordered = sorted(self.relations, key=itemgetter(0, 1, 2))
        for n, (head, relation, tail, triple) in enumerate(ordered):  # ids: GraphML and Gephi need unique ones
            network.add_edge(head, tail, key=relation, id=f"e{n}", relation=relation, weight=stated.get(triple, 0))
        return network


def gexf(network: nx.MultiDiGraph) -> bytes:
    """GEXF 1.2 for Gephi, without the date (and networkx version) networkx stamps on it."""
    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    meta = writer.xml.find("meta")
    meta.attrib.pop("lastmodifieddate", None)
    meta.find("creator").text = "infokg"
    writer.add_graph(network)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def nodes_csv(network: nx.MultiDiGraph) -> bytes:
    """One row per entity: id (its IRI) and the node attributes."""
    return _csv(("id", *NODE_COLUMNS), ([node, *(data[c] for c in NODE_COLUMNS)]
                                        for node, data in network.nodes(data=True)))


def edges_csv(network: nx.MultiDiGraph) -> bytes:
    """One row per relation: its id, source and target IRIs, type and weight."""
    return _csv(("id", "source", "target", *EDGE_COLUMNS), ([data["id"], head, tail, *(data[c] for c in EDGE_COLUMNS)]
                                                            for head, tail, data in network.edges(data=True)))


def _csv(header: tuple[str, ...], rows: Iterable[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([str(v).lower() if isinstance(v, bool) else v for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


# --- atomic writing ------------------------------------------------------------------------------

@contextlib.contextmanager
def _replacing(out_dir: Path, names: Iterable[str]) -> Iterator[dict[str, BinaryIO]]:
    """Files to write, open under temporary names in ``out_dir``, renamed into place together
    when the block completes; if it fails, they are removed and the files there stay as they were."""
    temporary = {name: out_dir / f".{name}.{os.getpid()}.tmp" for name in names}
    files: dict[str, BinaryIO] = {}
    try:
        for name, path in temporary.items():
            files[name] = open(path, "wb")
        yield files
        for out in files.values():
            out.flush()
            os.fsync(out.fileno())
            out.close()
    except BaseException as exc:
        for out in files.values():
            out.close()
        for path in temporary.values():
            path.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OSError(f"{out_dir}: cannot write the exports ({exc}); check that the folder is writable "
                          "and the disk has room - the exports already there are unchanged") from exc
        raise
    for name, path in temporary.items():
        os.replace(path, out_dir / name)
