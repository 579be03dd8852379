"""Query: SPARQL over the built graph (a store or a graph file), results as plain rows; and the
named competency questions in ``queries/``.

A named question is a .rq file whose header comments say what it answers. Its parameters are
its one-value ``VALUES ?name { default }`` clauses: ``with_params`` puts another value in place
of the default, in the default's form (a literal keeps its language tag, an IRI stays an IRI),
so the file stays plain SPARQL that any tool can run as it is.

>>> from rdflib import Dataset
>>> data = Dataset(default_union=True)
>>> _ = data.parse(data='<https://w3id.org/infokg/id/a> <http://www.w3.org/2004/02/skos/core#prefLabel> "国务院"@zh .', format="nt")
>>> run_query(data, "SELECT ?name WHERE { ?x skos:prefLabel ?name }")
(['name'], [['国务院']])
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.query import Result

from .namespace import PREFIXES

# plain strings: pyoxigraph (behind a store's rdflib Dataset) takes no rdflib namespace objects
_PREFIXES = {prefix: str(iri) for prefix, iri in PREFIXES.items()}
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
        result: Result = graph.query(sparql, initNs=_PREFIXES)
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


# --- named questions ---------------------------------------------------------------------------------

QUERIES = Path(__file__).resolve().parent.parent / "queries"
_VALUES = re.compile(r"VALUES\s*(\?\w+|\(\s*(?:\?\w+\s*)+\))\s*\{([^{}]*)\}", re.IGNORECASE)
_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"(@[A-Za-z0-9-]+|\^\^\S+)?')
_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>|[A-Za-z][\w.-]*:[^\s<>\"{}|^`\\(),;]*")
_TERM = re.compile(rf"\s*({_LITERAL.pattern}|{_IRI.pattern})\s*")


@dataclass(frozen=True)
class NamedQuery:
    """A competency question: file name without .rq, text, header comment, parameters."""

    name: str
    text: str
    question: str
    params: dict[str, str]  # parameter -> its default, as the file writes it


def named_queries(folder: Path = QUERIES) -> list[NamedQuery]:
    """Every question in ``folder``, by name."""
    paths = sorted(Path(folder).glob("*.rq"))
    if not paths:
        raise FileNotFoundError(f"{folder}: no *.rq queries here; give --queries DIR")
    return [_read(path) for path in paths]


def named_query(name: str, folder: Path = QUERIES) -> NamedQuery:
    """The question called ``name`` (its file is ``name.rq`` in ``folder``)."""
    path = Path(folder) / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(q.name for q in named_queries(folder))
        raise FileNotFoundError(f"{path}: no query called {name!r}; `kg query --list` shows them: {known}")
    return _read(path)


def _read(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line.lstrip("#").strip())
    params = {name: text[start:end] for name, (start, end) in _params(text).items()}
    return NamedQuery(path.stem, text, " ".join(header).strip(), params)


def _params(text: str) -> dict[str, tuple[int, int]]:
    """Each parameter of ``text`` and where its default is: the variables of a one-row VALUES
    (``VALUES ?x { t }`` or ``VALUES (?x ?y) { (t u) }``) whose values are IRIs or literals.

    >>> sorted(_params('VALUES (?a ?b) { ("x"@zh kg:leads) } VALUES ?c { 1 2 }'))
    ['a', 'b']
    """
    found = {}
    for match in _VALUES.finditer(text):
        names = re.findall(r"\?(\w+)", match.group(1))
        start, end = match.span(2)
        if match.group(1).startswith("("):  # one row, in parentheses
            row = re.fullmatch(r"\s*\((.*)\)\s*", match.group(2), re.DOTALL)
            if row is None:
                continue
            start, end = match.start(2) + row.start(1), match.start(2) + row.end(1)
        terms, position = [], start
        while position < end and (term := _TERM.match(text, position, end)):
            terms.append(term.span(1))
            position = term.end()
        if position == end and len(terms) == len(names):
            found.update(zip(names, terms))
    return found


def with_params(text: str, values: dict[str, str]) -> str:
    """``text`` with each named parameter's default replaced by the value given for it.

    >>> with_params('SELECT * { VALUES ?name { "国务院"@zh } ?x skos:prefLabel ?name }', {"name": '财政部'})
    'SELECT * { VALUES ?name { "财政部"@zh } ?x skos:prefLabel ?name }'
    >>> with_params('VALUES (?name ?relation) { ("甲"@zh kg:leads) }', {"relation": "kg:dependsOn"})
    'VALUES (?name ?relation) { ("甲"@zh kg:dependsOn) }'
    """
    found = _params(text)
    for name in values:
        if name not in found:
            known = ", ".join(sorted(found)) or "none"
            raise ValueError(f"the query has no parameter {name!r} (a variable of a one-row VALUES); "
                             f"its parameters: {known}")
    for name in sorted(values, key=lambda n: found[n][0], reverse=True):
        start, end = found[name]
        text = text[:start] + _term(name, values[name], text[start:end]) + text[end:]
    return text


def _term(name: str, value: str, default: str) -> str:
    """``value`` written as SPARQL in the form of ``default``: a literal with the same language
    tag or datatype, or an IRI (``<…>``, ``prefix:local`` or a bare http(s) IRI)."""
    literal = _LITERAL.fullmatch(default)
    if literal:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        return f'"{escaped}"{literal.group(1) or ""}'
    if re.match(r"https?://", value):
        value = f"<{value}>"
    if not _IRI.fullmatch(value):
        raise ValueError(f"--param {name}={value}: give an IRI (<…>, prefix:name or http…) like the default {default}")
    return value
