"""Export: write the dataset as Turtle, TriG, JSON-LD and N-Quads, and its entity network as
GraphML, GEXF and CSV, atomically and byte-stably.

The same dataset always gives the same bytes, so an export can be diffed and cached:
statements are sorted (graph, subject, predicate, object) and pyoxigraph writes them in that
order - deterministic, and at a million quads a matter of seconds where rdflib's Turtle writer
takes about half a minute; most of the time left goes to reading the terms out of rdflib.
N-Quads lines are sorted as bytes. JSON-LD is written here from the same sorted statements:
compacted against an @context of the export prefixes, one node per line. The entity network
(for Gephi and spreadsheets: entities with name, type and jurisdiction, relations weighted by
how many documents state them) is built with networkx in the same order. Every file is first
written next to its destination and renamed into place only when all are complete, so a
failed export leaves the previous files untouched. The source is kg.graph's rdflib dataset or
a kg.store.Store: both give the same bytes.

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

import csv
import functools
import io
import json
import os
from collections import Counter
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterable

import networkx as nx
import pyoxigraph as ox
from networkx.readwrite.gexf import GEXFWriter
from rdflib import Dataset

from .namespace import EXPORT_PREFIXES, KG, RDF, RELATION_PROPERTIES, SKOS, XSD
from .store import DEFAULT_GRAPH, ox_quads

PREFIXES = {prefix: str(namespace) for prefix, namespace in EXPORT_PREFIXES.items()}
_RDF_TYPE = ox.NamedNode(str(RDF.type))
# Sort keys that put these predicates first, in this order (other keys start with "<"): a node's
# type and name, a statement's subject, predicate and object.
_FIRST_PREDICATES = {f"<{p}>": chr(n) for n, p in enumerate(
    (RDF.type, SKOS.prefLabel, RDF.subject, RDF.predicate, RDF.object), start=1)}
_XSD_STRING = ox.NamedNode(str(XSD.string))


def write_exports(source: Dataset | Iterable[ox.Quad], out_dir: Path) -> dict[str, Path]:
    """kg.ttl (facts), kg.trig (all graphs), kg.jsonld (facts), kg.nq (all graphs), and the
    entity network as kg.graphml, kg.gexf, nodes.csv and edges.csv, in ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    quads = sorted_quads(source)
    facts = [q.triple for q in quads if q.graph_name == DEFAULT_GRAPH]
    network = entity_network(quads)
    writers: dict[str, Callable] = {
        "kg.ttl": lambda out: out.write(turtle(facts, ox.RdfFormat.TURTLE)),
        "kg.trig": lambda out: out.write(turtle(quads, ox.RdfFormat.TRIG)),
        "kg.jsonld": lambda out: out.write(jsonld(facts)),
        "kg.nq": lambda out: out.write(sorted_nquads(quads)),
        "kg.graphml": lambda out: nx.write_graphml_xml(network, out, encoding="utf-8", edge_id_from_attribute="id"),
        "kg.gexf": lambda out: out.write(gexf(network)),
        "nodes.csv": lambda out: out.write(nodes_csv(network)),
        "edges.csv": lambda out: out.write(edges_csv(network)),
    }
    return _write_all(out_dir, writers)


def turtle(statements: list, format: ox.RdfFormat) -> bytes:
    """pyoxigraph's Turtle or TriG of ``statements`` (in export order), prefixes in alphabetical order."""
    data = ox.serialize(statements, format=format, prefixes=PREFIXES)
    header = "".join(f"@prefix {prefix}: <{iri}> .\n" for prefix, iri in sorted(PREFIXES.items())).encode()
    if sorted(data[:len(header)].splitlines()) != sorted(header.splitlines()):
        raise RuntimeError(f"pyoxigraph {ox.__version__} no longer starts {format} with one '@prefix p: <iri> .' "
                           "line per prefix; update kg/export.py turtle() to its new header")
    return header + data[len(header):]


def sorted_quads(source: Dataset | Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads of an rdflib dataset, or of a store, in export order: the default graph first,
    then each named graph; within a graph by subject, predicate (rdf:type, skos:prefLabel and
    rdf:subject/predicate/object first) and object, one string sort key per quad."""
    quads = ox_quads(source) if isinstance(source, Dataset) else source
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


def sorted_nquads(quads: Iterable[ox.Quad]) -> bytes:
    """N-Quads with its lines sorted as bytes: an order any line-based tool reproduces."""
    lines = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
    return b"".join(sorted(lines))


# --- JSON-LD -------------------------------------------------------------------------------------

def jsonld(triples: Iterable[ox.Triple]) -> bytes:
    """Compacted JSON-LD of ``triples`` (in export order): one node object per line.

    >>> law = ox.NamedNode("https://w3id.org/infokg/id/law/1")
    >>> jsonld([ox.Triple(law, _RDF_TYPE, ox.NamedNode("https://w3id.org/infokg/def#Law"))]).decode().splitlines()[-2]
    '{"@id": "law:1", "@type": "kg:Law"}'
    """
    nodes: dict[str, dict] = {}
    for triple in triples:
        node = nodes.setdefault(str(triple.subject), {"@id": _compact(triple.subject)})
        if triple.predicate == _RDF_TYPE:
            _append(node, "@type", _compact(triple.object))
        else:
            _append(node, _compact(triple.predicate), _value(triple.object))
    lines = [json.dumps(node, ensure_ascii=False, sort_keys=True) for node in nodes.values()]
    context = json.dumps({"@context": PREFIXES}, ensure_ascii=False, sort_keys=True, indent=1)
    return (context[:-2] + ',\n "@graph": [\n' + ",\n".join(lines) + "\n]}\n").encode("utf-8")


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


def entity_network(quads: list[ox.Quad]) -> nx.MultiDiGraph:
    """The merged entities and the relations between them (``quads`` in export order): a node
    per entity IRI with its name, type, whether it is a plan, its jurisdiction's name (empty:
    national) and how many documents name it; an edge per relation, keyed by its type and
    weighted by how many documents state it.

    >>> a, b = (ox.NamedNode(f"https://w3id.org/infokg/id/agency/{n}") for n in "ab")
    >>> network = entity_network([ox.Quad(a, _RDF_TYPE, ox.NamedNode(str(KG.Agency)), DEFAULT_GRAPH),
    ...                           ox.Quad(a, ox.NamedNode(str(KG.leads)), b, DEFAULT_GRAPH)])
    >>> list(network.edges(keys=True, data="relation"))
    [('https://w3id.org/infokg/id/agency/a', 'https://w3id.org/infokg/id/agency/b', 'leads', 'leads')]
    """
    types, labels, places, plans, documents, stated = {}, {}, {}, set(), Counter(), Counter()
    relations = []
    for quad in quads:
        subject, predicate, object_ = quad.subject.value, quad.predicate, quad.object
        if predicate in _RELATIONS:
            if quad.graph_name == DEFAULT_GRAPH:
                relations.append((subject, _RELATIONS[predicate], object_.value))
            else:
                stated[subject, _RELATIONS[predicate], object_.value] += 1
        elif quad.graph_name != DEFAULT_GRAPH:
            continue
        elif predicate == _RDF_TYPE and object_ in _ENTITY_TYPES:
            types[subject] = _ENTITY_TYPES[object_]
        elif predicate == _RDF_TYPE and object_ == _PLAN:
            plans.add(subject)
        elif predicate == _PREF_LABEL:
            labels[subject] = object_.value
        elif predicate == _JURISDICTION:
            places[subject] = object_.value
        elif predicate == _MENTIONED_IN:
            documents[subject] += 1
    network = nx.MultiDiGraph()
    for node in sorted(types):
        network.add_node(node, label=labels.get(node, ""), type=types[node], plan=node in plans,
                         jurisdiction=labels.get(places.get(node, ""), ""), documents=documents[node])
    for n, (head, relation, tail) in enumerate(sorted(relations)):  # ids: GraphML and Gephi need unique ones
        network.add_edge(head, tail, key=relation, id=f"e{n}", relation=relation, weight=stated[head, relation, tail])
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

def _write_all(out_dir: Path, writers: dict[str, Callable]) -> dict[str, Path]:
    """Write every file under a temporary name in ``out_dir``, then rename them all into place."""
    temporary = {name: out_dir / f".{name}.{os.getpid()}.tmp" for name in writers}
    try:
        for name, write in writers.items():
            with open(temporary[name], "wb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
    except BaseException as exc:
        for path in temporary.values():
            path.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OSError(f"{out_dir}: cannot write the exports ({exc}); check that the folder is writable "
                          "and the disk has room - the exports already there are unchanged") from exc
        raise
    for name, path in temporary.items():
        os.replace(path, out_dir / name)
    return {name: out_dir / name for name in writers}
