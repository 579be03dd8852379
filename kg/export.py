"""Export: write the dataset as Turtle, TriG, JSON-LD and N-Quads, and its entity network as
GraphML, GEXF and CSV, atomically and byte-stably, in memory that does not grow with the graph.

The same dataset always gives the same bytes, so an export can be diffed and cached. Within a
graph, statements are sorted by subject, predicate (rdf:type and skos:prefLabel first) and
object; the default graph (the merged facts) comes first, then each document's named graph in
IRI order. Terms are N-Triples text (kg.ntriples), and Turtle and TriG are written here from
them, byte for byte as pyoxigraph writes them (tests/test_export.py compares the two; a term
this writer does not know how to shorten is handed to pyoxigraph): handing pyoxigraph a
million terms to serialise takes longer than writing them. N-Quads come graph by graph in the
same order, each graph's lines sorted as bytes (``sort`` on a graph's lines reproduces them):
a file sorted as a whole would cost a merge of every line at the end of each build. JSON-LD is
written here, a node per line, compacted against an @context of the export prefixes. The
entity network (for Gephi and spreadsheets: entities with name, type and jurisdiction,
relations weighted by how many documents state them) is gathered from the default graph as
it goes by, and GraphML and GEXF are written as networkx wrote them.

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
import re
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO, Callable, Collection, Iterable, Iterator, Mapping, TypeVar

import pyoxigraph as ox
from rdflib import Dataset

from . import ntriples
from .namespace import EXPORT_NAMESPACES, KG, RDF, RELATION_PROPERTIES, SKOS, XSD
from .ntriples import parts, value
from .store import DEFAULT_GRAPH, Store

T = TypeVar("T")

Triple = tuple[str, str, str]  # N-Triples terms
Place = tuple[int, int]  # (offset, length) of a graph's text in an export file
NETWORK_EXPORTS = ("kg.graphml", "kg.gexf", "nodes.csv", "edges.csv")  # the entity network's files
EXPORTS = ("kg.ttl", "kg.trig", "kg.jsonld", "kg.nq", *NETWORK_EXPORTS)
PREFIXES = EXPORT_NAMESPACES
HEADER = "".join(f"@prefix {prefix}: <{iri}> .\n" for prefix, iri in sorted(PREFIXES.items())).encode()
SUBJECTS_AT_ONCE = 2000  # default-graph subjects written per step
_RDF_TYPE = f"<{RDF.type}>"
# Sort keys that put these predicates first, in this order (other keys start with "<"): a node's
# type and name, a statement's subject, predicate and object.
_FIRST_PREDICATES = {f"<{p}>": chr(n) for n, p in enumerate(
    (RDF.type, SKOS.prefLabel, RDF.subject, RDF.predicate, RDF.object), start=1)}


@dataclass(frozen=True)
class GraphText:
    """One named graph serialised: its TriG block (``doc:… { … }``) and its N-Quads lines
    (sorted as bytes). Made wherever the graph is, so the writer only copies bytes."""

    iri: str  # N-Triples
    trig: bytes
    nquads: bytes


def graph_text(graph: str, triples: Iterable[Triple]) -> GraphText:
    """The named graph ``graph`` of ``triples`` (repeats count once)."""
    ordered = sorted_triples(set(triples))
    return GraphText(graph, f"{_turtle_term(graph)} {{\n{turtle(ordered, indent=chr(9))}}}\n".encode("utf-8"),
                     ntriples.lines(ordered, graph, ordered=True).encode("utf-8"))


def sorted_triples(triples: Iterable[Triple]) -> list[Triple]:
    """``triples`` in export order: by subject, predicate (rdf:type, skos:prefLabel and
    rdf:subject/predicate/object first) and object, one string key per triple."""
    first = _FIRST_PREDICATES
    return sorted(triples, key=lambda t: f"{t[0]}\t{first.get(t[1], t[1])}\t{t[2]}")


# --- Turtle and TriG -----------------------------------------------------------------------------

def turtle(triples: list[Triple], indent: str = "") -> str:
    """Turtle statements of ``triples`` (in export order) as pyoxigraph writes them: a
    subject's predicates joined by ";", a predicate's objects by ",", indented by ``indent``.

    >>> agency = "<https://w3id.org/infokg/id/agency/1>"
    >>> turtle([(agency, _RDF_TYPE, f"<{KG.Agency}>"), (agency, f"<{SKOS.altLabel}>", '"甲"@zh'),
    ...         (agency, f"<{SKOS.altLabel}>", '"乙"@zh')]).splitlines()
    ['agency:1 a kg:Agency ;', '\\tskos:altLabel "甲"@zh , "乙"@zh .']
    """
    out, subject, predicate = [], None, None
    term_of, predicate_of = _turtle_term, _TURTLE_PREDICATES
    for s, p, o in triples:
        if s != subject:
            end = " .\n" if subject is not None else ""  # of the subject before
            out.append(f"{end}{indent}{term_of(s)} {predicate_of[p]} {term_of(o)}")
        elif p != predicate:
            out.append(f" ;\n{indent}\t{predicate_of[p]} {term_of(o)}")
        else:
            out.append(f" , {term_of(o)}")
        subject, predicate = s, p
    if subject is not None:
        out.append(" .\n")
    return "".join(out)


class _Predicates(dict):
    """Predicate -> its Turtle form ("a" for rdf:type), each worked out once: a build
    writes a few dozen predicates a million times."""

    def __missing__(self, term: str) -> str:
        short = self[term] = "a" if term == _RDF_TYPE else _turtle_term(term)
        return short


_TURTLE_PREDICATES = _Predicates()


_INLINE_TYPES = {f"<{XSD[name]}>" for name in ("boolean", "integer", "decimal", "double")}
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
_PREFIX_OF = {namespace: prefix for prefix, namespace in PREFIXES.items()}
# Namespaces that end in "/" or "#" and that no other namespace extends.
_ENDS = {ns for ns in _PREFIX_OF if ns[-1] in "/#" and not any(o != ns and o.startswith(ns) for o in _PREFIX_OF)}


@functools.lru_cache(maxsize=1 << 16)
def _turtle_term(term: str) -> str:
    """A term as pyoxigraph writes it in Turtle: an IRI under the longest export prefix as
    prefix:local, a typed literal's datatype likewise; anything less plain, pyoxigraph's way."""
    if term[0] == "<":
        short = _prefixed(term[1:-1])
    elif term[-1] != ">":  # plain or language-tagged: as in N-Triples
        return term
    else:
        quoted, _, datatype = term.rpartition("^^")
        short = None if datatype in _INLINE_TYPES else _prefixed(datatype[1:-1])
        short = short and f"{quoted}^^{short}"
    return short if short is not None else _oxigraph_turtle(term)


def _prefixed(iri: str) -> str | None:
    """prefix:local under the longest prefix, when the local name needs no escaping; the
    whole IRI when no prefix fits; None when pyoxigraph has to decide."""
    best = _namespace_of(iri)
    if best is None:
        return f"<{iri}>"
    local = iri[len(best):]
    return f"{_PREFIX_OF[best]}:{local}" if not local or _LOCAL_NAME.fullmatch(local) else None


def _namespace_of(iri: str) -> str | None:
    """The longest export namespace ``iri`` is in (None: none)."""
    cut = max(iri.rfind("/"), iri.rfind("#")) + 1
    if iri[:cut] in _ENDS:  # the usual case: no other namespace can be longer
        return iri[:cut]
    return max((namespace for namespace in _PREFIX_OF if iri.startswith(namespace)), key=len, default=None)


def _oxigraph_turtle(term: str) -> str:
    """The term as pyoxigraph writes it, cut out of a one-triple document (for escaped local
    names, numbers and booleans: rules this module does not repeat)."""
    line = f"<urn:infokg:s> <urn:infokg:p> {term} .\n"
    triples = (quad.triple for quad in ntriples.quads(line))
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode("utf-8")
    return data.splitlines()[-1].removeprefix("<urn:infokg:s> <urn:infokg:p> ").removesuffix(" .")


# --- writing -------------------------------------------------------------------------------------

def write_exports(source: Dataset | Store, out_dir: Path, changed: Collection[str] | None = None) -> dict[str, Path]:
    """kg.ttl (facts), kg.trig (all graphs), kg.jsonld (facts), kg.nq (all graphs), and the
    entity network as kg.graphml, kg.gexf, nodes.csv and edges.csv, in ``out_dir``, from a
    store (or an rdflib dataset) read one subject and one named graph at a time.

    ``changed`` (graph IRIs, N-Triples) says that the store's other named graphs are as the
    exports already in ``out_dir`` have them (``kg add``, ``kg remove``): their TriG and
    N-Quads text is copied from there, each graph whose line count there is the store's,
    instead of being read out of the store and serialised again."""
    store = source if isinstance(source, Store) else _in_memory(source)
    out_dir = Path(out_dir)
    kept = _kept_graphs(store, out_dir, changed) if changed is not None else {}
    graphs = heapq.merge(_stored_graphs(store, kept), _exported_graphs(out_dir, kept), key=lambda graph: graph.iri)
    return write_graph(out_dir, _stored_subjects(store), graphs, _stored_statements(store))


def later(function: Callable[..., T], *args) -> Callable[[], T]:
    """What to call for ``function(*args)``, done then, in this process: the plain form of
    kg.build.in_child (see :func:`write_graph`)."""
    return lambda: function(*args)


def write_graph(out_dir: Path, subjects: Iterable[list[Triple]], graphs: Iterable[GraphText],
                stated: Mapping[Triple, int], aside: Callable[..., Callable[[], object]] = later) -> dict[str, Path]:
    """Every export of a graph given as the default graph's triples subject by subject
    (subjects in export order: sorted N-Triples), its named graphs serialised, in IRI order,
    and how many documents state each relation (subject, property, object).

    The entity network's files (GraphML, GEXF, CSV) can be written once the default graph is
    read: ``aside(function, *args)`` takes that work and returns what to call to wait for it.
    By default it is done when waited for, after the named graphs; ``kg build`` with workers passes
    kg.build.in_child, so that a forked process writes them while this one copies the named
    graphs (at 100x the seeds, a second each)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    network = EntityNetwork()
    with _replacing(out_dir, EXPORTS) as out:
        out["kg.ttl"].write(HEADER)
        out["kg.trig"].write(HEADER)
        with JsonLd(out["kg.jsonld"]) as jsonld:
            for chunk in _batches(subjects, SUBJECTS_AT_ONCE):
                triples = [triple for group in chunk for triple in sorted_triples(group)]
                statements = turtle(triples).encode("utf-8")
                out["kg.ttl"].write(statements)
                out["kg.trig"].write(statements)  # the default graph is written in TriG as in Turtle
                out["kg.nq"].write(ntriples.lines(triples, ordered=True).encode("utf-8"))  # subjects come in order
                jsonld.add(triples)
                network.add(triples)
        for file in out.values():
            file.flush()  # nothing buffered that a forked process could write a second time
        network_written = aside(_write_network, out, *network.graph(stated))
        for graph in graphs:
            out["kg.trig"].write(graph.trig)
            out["kg.nq"].write(graph.nquads)
        network_written()
    return {name: out_dir / name for name in EXPORTS}


def _write_network(out: Mapping[str, BinaryIO], nodes: list[tuple[str, dict]],
                   edges: list[tuple[str, str, dict]]) -> None:
    """The entity network's files, flushed: a forked process that wrote them exits without
    flushing what it holds."""
    _write_text(out["kg.graphml"], graphml(nodes, edges))
    _write_text(out["kg.gexf"], gexf(nodes, edges))
    out["nodes.csv"].write(nodes_csv(nodes))
    out["edges.csv"].write(edges_csv(edges))
    for name in NETWORK_EXPORTS:
        out[name].flush()


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


# --- reading a store -----------------------------------------------------------------------------

def _in_memory(dataset: Dataset) -> Store:
    store = Store()
    store.replace(dataset)
    return store


def _stored_subjects(store: Store) -> Iterator[list[Triple]]:
    """The default graph of ``store``, subject by subject in export order."""
    subjects = {quad.subject for quad in store.oxigraph.quads_for_pattern(None, None, None, DEFAULT_GRAPH)}
    for subject in sorted(subjects, key=str):
        yield [_triple(quad) for quad in store.quads(subject, None, None, DEFAULT_GRAPH)]


def _stored_graphs(store: Store, skip: Collection[str] = ()) -> Iterator[GraphText]:
    """The named graphs of ``store`` but those in ``skip``, in IRI order, one at a time."""
    for graph in sorted(store.oxigraph.named_graphs(), key=str):
        if str(graph) not in skip:
            yield graph_text(str(graph), map(_triple, store.quads(None, None, None, graph)))


def _stored_statements(store: Store) -> Counter:
    """How many named graphs (documents) state each relation triple."""
    stated: Counter = Counter()
    for predicate in map(ox.NamedNode, map(value, _RELATIONS)):
        for quad in store.oxigraph.quads_for_pattern(None, predicate, None, None):
            if quad.graph_name != DEFAULT_GRAPH:
                stated[_triple(quad)] += 1
    return stated


# --- the text of earlier exports ------------------------------------------------------------------
_COUNT_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _kept_graphs(store: Store, out_dir: Path, changed: Collection[str]) -> dict[str, tuple[Place, Place]]:
    """The store's named graphs, not ``changed``, that the exports in ``out_dir`` hold as a TriG
    block and as one run of as many N-Quads lines as the store has quads: those whose text is
    kept, with where it is in kg.trig and in kg.nq."""
    nquads, trig = out_dir / "kg.nq", out_dir / "kg.trig"
    if not (nquads.is_file() and trig.is_file()):
        return {}
    stored = {str(row["g"]): int(row["n"].value) for row in store.oxigraph.query(_COUNT_GRAPHS)}
    candidates = [graph for graph in stored if graph not in changed]
    runs = _nquads_runs(nquads, {graph.encode("utf-8"): graph for graph in candidates})
    blocks = _trig_blocks(trig, {_turtle_term(graph).encode("utf-8"): graph for graph in candidates})
    return {graph: (blocks[graph], runs[graph][:2]) for graph in candidates
            if graph in blocks and graph in runs and runs[graph][2] == stored[graph]}


def _graph_in(line: bytes, graphs: Collection[bytes]) -> bytes | None:
    """The graph of an N-Quads line of kg.nq if it is one of ``graphs`` (N-Triples, bytes), else None.
    A named graph's line ends in " <graph> ."; a default graph's line may too, when that IRI is
    its object: then the space before it is the line's second (subject and predicate hold none).

    >>> _graph_in(b'<a> <p> "x <y"^^<t> <g> .\\n', {b"<g>"}), _graph_in(b'<a> <p> "x <y"^^<g> .\\n', {b"<g>"})
    (b'<g>', None)
    >>> _graph_in(b'<a> <p> <o> <g> .\\n', {b"<g>"}), _graph_in(b'<a> <p> <g> .\\n', {b"<g>"})
    (b'<g>', None)
    """
    if not line.endswith(b"> .\n"):
        return None
    start = line.rfind(b" <", 0, -4) + 1  # an IRI holds no space: its "<", if the line ends in one
    last = line[start:-3]
    if not start or last not in graphs or line.find(b" ", line.find(b" ") + 1) == start - 1:
        return None
    return last


def _exported_graphs(out_dir: Path, kept: Mapping[str, tuple[Place, Place]]) -> Iterator[GraphText]:
    """The text of the ``kept`` graphs in the exports in ``out_dir``, in IRI order."""
    if not kept:
        return
    with open(out_dir / "kg.trig", "rb") as trig, open(out_dir / "kg.nq", "rb") as nquads:
        for graph in sorted(kept):
            (block_at, block_size), (run_at, run_size) = kept[graph]
            trig.seek(block_at)
            nquads.seek(run_at)
            yield GraphText(graph, trig.read(block_size), nquads.read(run_size))


def _trig_blocks(path: Path, graphs: Mapping[bytes, str]) -> dict[str, Place]:
    """Where the block (``doc:… {`` to ``}``) of each of ``graphs`` (keyed by their TriG name) is
    in the TriG file at ``path``."""
    places: dict[str, Place] = {}
    offset, graph, start = 0, None, 0
    for line in _lines(path):
        if graph is None and line.endswith(b" {\n") and line[:-3] in graphs:
            graph, start = graphs[line[:-3]], offset
        offset += len(line)
        if graph is not None and line == b"}\n":
            places[graph], graph = (start, offset - start), None
    return places


def _nquads_runs(path: Path, graphs: Mapping[bytes, str]) -> dict[str, tuple[int, int, int]]:
    """Where the lines of each of ``graphs`` (keyed by their N-Triples bytes) are in the N-Quads
    file at ``path``, and how many: (offset, length, lines), for those whose lines are together."""
    runs: dict[str, tuple[int, int, int]] = {}
    scattered: set[str] = set()
    offset = 0
    for line in _lines(path):
        key = _graph_in(line, graphs)
        if key is not None:
            graph = graphs[key]
            start, size, count = runs.get(graph, (offset, 0, 0))
            if start + size != offset:
                scattered.add(graph)
            runs[graph] = (start, size + len(line), count + 1)
        offset += len(line)
    return {graph: run for graph, run in runs.items() if graph not in scattered}


def _lines(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as lines:
        yield from lines


def _triple(quad: ox.Quad) -> Triple:
    return str(quad.subject), str(quad.predicate), str(quad.object)


# --- JSON-LD -------------------------------------------------------------------------------------

class JsonLd:
    """Compacted JSON-LD of the triples added (in export order): one node object per line.

    >>> out = io.BytesIO()
    >>> with JsonLd(out) as jsonld:
    ...     jsonld.add([("<https://w3id.org/infokg/id/law/1>", _RDF_TYPE, f"<{KG.Law}>")])
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

    def add(self, triples: Iterable[Triple]) -> None:
        """Triples grouped by subject; a subject's triples all come in one call."""
        for _, group in itertools.groupby(triples, key=itemgetter(0)):
            self.out.write(self._separator + json.dumps(_node(group), ensure_ascii=False, sort_keys=True).encode("utf-8"))
            self._separator = b",\n"

    def __exit__(self, *_) -> None:
        self.out.write(b"\n]}\n")


def _node(triples: Iterable[Triple]) -> dict:
    node: dict = {}
    for subject, predicate, object_ in triples:
        node.setdefault("@id", _compact(subject))
        if predicate == _RDF_TYPE:
            _append(node, "@type", _compact(object_))
        else:
            _append(node, _compact(predicate), _value(object_))
    return node


def _append(node: dict, key: str, value) -> None:
    if key not in node:
        node[key] = value
    elif isinstance(node[key], list):
        node[key].append(value)
    else:
        node[key] = [node[key], value]


def _value(term: str):
    if term[0] == "<":
        return {"@id": _compact(term)}
    text, language, datatype = parts(term)
    if language:
        return {"@value": text, "@language": language}
    return {"@value": text, "@type": _compact_iri(datatype)} if datatype else text


def _compact(term: str) -> str:
    return _compact_iri(term[1:-1])


@functools.lru_cache(maxsize=1 << 16)
def _compact_iri(iri: str) -> str:
    """prefix:local for an IRI under one of the export prefixes (the longest), else the IRI."""
    best = _namespace_of(iri)
    if best is None or iri[len(best):].startswith("//"):
        return iri
    return f"{_PREFIX_OF[best]}:{iri[len(best):]}"


# --- the entity network ----------------------------------------------------------------------------

_ENTITY_TYPES = {f"<{KG[name]}>": name for name in ("Agency", "Project", "Database", "Platform", "Law")}
_RELATIONS = {f"<{iri}>": name for name, iri in RELATION_PROPERTIES.items()}
_PLAN, _PREF_LABEL = f"<{KG.Plan}>", f"<{SKOS.prefLabel}>"
_JURISDICTION, _MENTIONED_IN = f"<{KG.jurisdiction}>", f"<{KG.mentionedIn}>"
NODE_COLUMNS = ("label", "type", "plan", "jurisdiction", "documents")
EDGE_COLUMNS = ("relation", "weight")


class EntityNetwork:
    """The merged entities and the relations between them, gathered from the default graph's
    triples as they go by: a node per entity IRI with its name, type, whether it is a plan, its
    jurisdiction's name (empty: national) and how many documents name it; an edge per
    relation, with its type and how many documents state it (its weight).

    >>> a, b = "<https://w3id.org/infokg/id/agency/a>", "<https://w3id.org/infokg/id/agency/b>"
    >>> network = EntityNetwork()
    >>> network.add([(a, _RDF_TYPE, f"<{KG.Agency}>"), (b, _RDF_TYPE, f"<{KG.Agency}>"), (a, f"<{KG.leads}>", b)])
    >>> [(head[-1], tail[-1], data["relation"]) for head, tail, data in network.graph({})[1]]
    [('a', 'b', 'leads')]
    """

    def __init__(self):
        self.types, self.labels, self.places, self.plans = {}, {}, {}, set()
        self.documents: Counter = Counter()
        self.relations: list[tuple[str, str, str, Triple]] = []

    def add(self, triples: Iterable[Triple]) -> None:
        for triple in triples:
            subject, predicate, object_ = triple
            if predicate in _RELATIONS:
                self.relations.append((value(subject), _RELATIONS[predicate], value(object_), triple))
            elif predicate == _RDF_TYPE and object_ in _ENTITY_TYPES:
                self.types[value(subject)] = _ENTITY_TYPES[object_]
            elif predicate == _RDF_TYPE and object_ == _PLAN:
                self.plans.add(value(subject))
            elif predicate == _PREF_LABEL:
                self.labels[value(subject)] = value(object_)
            elif predicate == _JURISDICTION:
                self.places[value(subject)] = value(object_)
            elif predicate == _MENTIONED_IN:
                self.documents[value(subject)] += 1

    def graph(self, stated: Mapping[Triple, int]) -> tuple[list[tuple[str, dict]], list[tuple[str, str, dict]]]:
        """The nodes (IRI, attributes) in IRI order and the edges (head, tail, attributes), ids
        ``e0``, ``e1`` … in (head, relation, tail) order and listed head by head, each head's
        tails in the order of their first edge (networkx's order, which the files had before);
        ``stated``: how many documents state each (subject, property, object)."""
        labels, nodes = self.labels, {}
        for node in sorted(self.types):
            nodes[node] = dict(label=labels.get(node, ""), type=self.types[node], plan=node in self.plans,
                               jurisdiction=labels.get(self.places.get(node, ""), ""), documents=self.documents[node])
        adjacency: dict[str, dict[str, list[dict]]] = {node: {} for node in nodes}
        for n, (head, relation, tail, triple) in enumerate(sorted(self.relations, key=itemgetter(0, 1, 2))):
            if head not in nodes or tail not in nodes:
                raise ValueError(f"{head} {relation} {tail}: a relation of something that is not an entity (no "
                                 "kg:Agency, kg:Project … type in the merged graph); check kg/graph.py")
            edge = dict(id=f"e{n}", relation=relation, weight=stated.get(triple, 0))
            adjacency[head].setdefault(tail, []).append(edge)
        edges = [(head, tail, edge) for head, tails in adjacency.items() for tail, kinds in tails.items()
                 for edge in kinds]
        return list(nodes.items()), edges


# --- GraphML, GEXF and CSV -------------------------------------------------------------------------
# Written as networkx wrote them with ElementTree (the same bytes), without building its graph.

_XML = "<?xml version='1.0' encoding='utf-8'?>\n"
_XML_TYPES = {str: "string", bool: "boolean", int: "long"}
_NODE_ATTRIBUTES = (("label", str), ("type", str), ("plan", bool), ("jurisdiction", str), ("documents", int))
_EDGE_ATTRIBUTES = (("id", str), ("relation", str), ("weight", int))
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;",
                            "\t": "&#09;"})


def _attributes(*pairs: tuple[str, object]) -> str:
    return "".join([f' {name}="{str(value).translate(_ATTRIBUTE)}"' for name, value in pairs])


def graphml(nodes: list[tuple[str, dict]], edges: list[tuple[str, str, dict]]) -> Iterator[str]:
    """GraphML, piece by piece: a key per attribute, then the nodes and edges with their data."""
    keys = [("node", name, kind) for name, kind in _NODE_ATTRIBUTES] if nodes else []
    keys += [("edge", name, kind) for name, kind in _EDGE_ATTRIBUTES] if edges else []
    yield (f'{_XML}<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-'
           'instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/'
           'xmlns/1.0/graphml.xsd">\n')
    for n in reversed(range(len(keys))):
        scope, name, kind = keys[n]
        yield f'  <key id="d{n}" for="{scope}" attr.name="{name}" attr.type="{_XML_TYPES[kind]}" />\n'
    if not nodes:
        yield '  <graph edgedefault="directed" />\n</graphml>\n'
        return
    yield '  <graph edgedefault="directed">\n'
    for node, data in nodes:
        yield f'    <node id="{node.translate(_ATTRIBUTE)}">\n'
        yield from (_data(n, data[name]) for n, (name, _) in enumerate(_NODE_ATTRIBUTES))
        yield "    </node>\n"
    first = len(_NODE_ATTRIBUTES)
    for head, tail, data in edges:
        attributes = _attributes(("source", head), ("target", tail), ("id", data["id"]))
        yield f"    <edge{attributes}>\n"
        yield from (_data(first + n, data[name]) for n, (name, _) in enumerate(_EDGE_ATTRIBUTES))
        yield "    </edge>\n"
    yield "  </graph>\n</graphml>\n"


def _data(key: int, value) -> str:
    text = str(value).translate(_TEXT)
    return f'      <data key="d{key}">{text}</data>\n' if text else f'      <data key="d{key}" />\n'


def gexf(nodes: list[tuple[str, dict]], edges: list[tuple[str, str, dict]]) -> Iterator[str]:
    """GEXF 1.2 for Gephi, piece by piece: attributes declared, then nodes (label and attribute
    values) and edges (id, weight, relation); no date stamped on it, so the same graph gives
    the same bytes."""
    yield (f'{_XML}<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n'
           '  <meta>\n    <creator>infokg</creator>\n  </meta>\n  <graph defaultedgetype="directed" mode="static" name="">\n')
    node_attributes = [(name, kind) for name, kind in _NODE_ATTRIBUTES if name != "label"]
    if edges:
        yield '    <attributes mode="static" class="edge">\n'
        for n, name in enumerate(("relation", "networkx_key"), start=len(node_attributes)):
            yield f'      <attribute id="{n}" title="{name}" type="string" />\n'
        yield "    </attributes>\n"
    if nodes:
        yield '    <attributes mode="static" class="node">\n'
        for n, (name, kind) in enumerate(node_attributes):
            yield f'      <attribute id="{n}" title="{name}" type="{_XML_TYPES[kind]}" />\n'
        yield "    </attributes>\n"
    yield "    <nodes>\n" if nodes else "    <nodes />\n"
    for node, data in nodes:
        attributes = _attributes(("id", node), ("label", data["label"]))
        yield f"      <node{attributes}>\n        <attvalues>\n"
        yield from (_attvalue(n, data[name]) for n, (name, _) in enumerate(node_attributes))
        yield "        </attvalues>\n      </node>\n"
    if nodes:
        yield "    </nodes>\n"
    yield "    <edges>\n" if edges else "    <edges />\n"
    first = len(node_attributes)
    for head, tail, data in edges:
        attributes = _attributes(("source", head), ("target", tail), ("id", data["id"]), ("weight", data["weight"]))
        yield (f"      <edge{attributes}>\n        <attvalues>\n{_attvalue(first, data['relation'])}"
               f"{_attvalue(first + 1, data['relation'])}        </attvalues>\n      </edge>\n")
    if edges:
        yield "    </edges>\n"
    yield "  </graph>\n</gexf>\n"


def _attvalue(key: int, value) -> str:
    shown = str(value).lower() if isinstance(value, bool) else value
    return f"          <attvalue{_attributes(('for', key), ('value', shown))} />\n"


def _write_text(out: BinaryIO, pieces: Iterable[str]) -> None:
    """Text given piece by piece, written a few thousand pieces at a time."""
    for batch in _batches(pieces, 4096):
        out.write("".join(batch).encode("utf-8"))


def nodes_csv(nodes: list[tuple[str, dict]]) -> bytes:
    """One row per entity: id (its IRI) and the node attributes."""
    return _csv(("id", *NODE_COLUMNS), ([node, *(data[c] for c in NODE_COLUMNS)] for node, data in nodes))


def edges_csv(edges: list[tuple[str, str, dict]]) -> bytes:
    """One row per relation: its id, source and target IRIs, type and weight."""
    return _csv(("id", "source", "target", *EDGE_COLUMNS), ([data["id"], head, tail, *(data[c] for c in EDGE_COLUMNS)]
                                                            for head, tail, data in edges))


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
