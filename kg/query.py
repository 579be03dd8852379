"""Query: SPARQL over a built graph file, results as plain rows.

>>> from rdflib import Dataset
>>> data = Dataset(default_union=True)
>>> _ = data.parse(data='<https://w3id.org/infokg/id/a> <http://www.w3.org/2004/02/skos/core#prefLabel> "国务院"@zh .', format="nt")
>>> run_query(data, "SELECT ?name WHERE { ?x skos:prefLabel ?name }")
(['name'], [['国务院']])
"""
from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.query import Result

from .namespace import PREFIXES

_FORMATS = {".trig": "trig", ".nq": "nquads", ".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld"}


def load_graph(path: Path) -> Dataset:
    """The graph in ``path`` (TriG, N-Quads, Turtle or JSON-LD). The default graph holds the
    merged facts; each document's statements and evidence are in its named graph (GRAPH ?doc)."""
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: unknown graph format; give a .trig, .nq, .ttl, .nt or .jsonld file")
    dataset = Dataset()
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    try:
        dataset.parse(path, format=fmt)
    except Exception as error:  # rdflib raises parser-specific errors
        raise ValueError(f"{path}: cannot be parsed as {fmt} ({error}); rebuild it with `kg build`") from None
    return dataset


def run_query(graph: Dataset, sparql: str) -> tuple[list[str], list[list[str]]]:
    """Columns and rows of a SELECT (or ASK) query; prefixes of kg.namespace are predefined."""
    try:
        result: Result = graph.query(sparql, initNs=PREFIXES)
    except Exception as error:  # pyparsing and rdflib raise many kinds; all mean "bad query"
        raise ValueError(f"the query cannot be run: {error}") from None
    if result.type == "ASK":
        return ["ask"], [[str(bool(result.askAnswer)).lower()]]
    if result.type != "SELECT":
        raise ValueError("only SELECT and ASK queries print as rows; use SELECT")
    columns = [str(v) for v in result.vars]
    rows = [[_show(graph, value) for value in row] for row in result]
    return columns, rows


def _show(graph: Dataset, value) -> str:
    if value is None:
        return ""
    if isinstance(value, Literal):
        return str(value)
    if isinstance(value, URIRef):
        return graph.namespace_manager.normalizeUri(value) if "#" in value else str(value)
    if isinstance(value, BNode):
        return f"_:{value}"
    return str(value)
