"""Export: write the dataset as Turtle, TriG, JSON-LD and N-Quads, atomically and byte-stably.

The same dataset always gives the same bytes, so an export can be diffed and cached:
statements are sorted (graph, subject, predicate, object) and pyoxigraph writes them in that
order - deterministic, and at a million quads a matter of seconds where rdflib's Turtle writer
takes about half a minute; most of the time left goes to reading the terms out of rdflib.
N-Quads lines are sorted as bytes. JSON-LD is written here from the same sorted statements:
compacted against an @context of the export prefixes, one node per line. Every file is first
written next to its destination and renamed into place only when all four are complete, so a
failed export leaves the previous files untouched.

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

import functools
import json
import os
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from .namespace import EXPORT_PREFIXES, RDF, SKOS, XSD

PREFIXES = {prefix: str(namespace) for prefix, namespace in EXPORT_PREFIXES.items()}
_RDF_TYPE = ox.NamedNode(str(RDF.type))
# Sort keys that put these predicates first, in this order (other keys start with "<"): a node's
# type and name, a statement's subject, predicate and object.
_FIRST_PREDICATES = {f"<{p}>": chr(n) for n, p in enumerate(
    (RDF.type, SKOS.prefLabel, RDF.subject, RDF.predicate, RDF.object), start=1)}
_XSD_STRING = ox.NamedNode(str(XSD.string))


def write_exports(dataset: Dataset, out_dir: Path) -> dict[str, Path]:
    """kg.ttl (facts), kg.trig (all graphs), kg.jsonld (facts) and kg.nq (all graphs) in ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    quads = sorted_quads(dataset)
    facts = [q.triple for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    writers: dict[str, Callable] = {
        "kg.ttl": lambda out: out.write(turtle(facts, ox.RdfFormat.TURTLE)),
        "kg.trig": lambda out: out.write(turtle(quads, ox.RdfFormat.TRIG)),
        "kg.jsonld": lambda out: out.write(jsonld(facts)),
        "kg.nq": lambda out: out.write(sorted_nquads(quads)),
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


def sorted_quads(dataset: Dataset) -> list[ox.Quad]:
    """The dataset's quads as pyoxigraph quads in export order: the default graph first, then
    each named graph; within a graph by subject, predicate (rdf:type, skos:prefLabel and
    rdf:subject/predicate/object first) and object, one string sort key per quad."""
    convert = _converter()
    keyed = []
    for graph in dataset.graphs():  # graph by graph: three times faster than dataset.quads()
        default = graph.identifier == DATASET_DEFAULT_GRAPH_ID
        name, name_key = (ox.DefaultGraph(), "") if default else convert(graph.identifier)
        for s, p, o in graph:
            (subject, s_key), (predicate, p_key), (object_, o_key) = convert(s), convert(p), convert(o)
            key = f"{name_key}\t{s_key}\t{_FIRST_PREDICATES.get(p_key, p_key)}\t{o_key}"
            keyed.append((key, ox.Quad(subject, predicate, object_, name)))
    keyed.sort(key=itemgetter(0))
    return [quad for _, quad in keyed]


def _converter() -> Callable:
    """rdflib term -> (pyoxigraph term, its N-Triples form), each distinct term converted once."""
    cache: dict = {}

    def convert(term):
        converted = cache.get(term)
        if converted is None:
            node = _to_ox(term)
            converted = cache[term] = (node, str(node))
        return converted

    return convert


def _to_ox(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"cannot export {term!r}: not an IRI, literal or blank node")


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
