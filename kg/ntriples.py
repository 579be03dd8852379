"""Terms as N-Triples text: ``<iri>``, ``"text"``, ``"text"@zh``, ``"text"^^<datatype>``.

The graph (kg.graph) is made of these strings, and the exports are written from them
(kg.export): a build makes a few hundred thousand terms, and a string costs a fraction of an
rdflib or pyoxigraph term to make, to hash and to sort - pyoxigraph takes microseconds to
check a term it is handed. The escaping is Oxigraph's own, so a line of these terms is the line
pyoxigraph would write, and Oxigraph reads them back (:func:`quads`) as the terms they name.

>>> literal('他说"好"\\n', language="zh")
'"他说\\\\"好\\\\"\\\\n"@zh'
>>> value(literal('他说"好"\\n', language="zh"))
'他说"好"\\n'
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator

import pyoxigraph as ox

# What Oxigraph escapes in a quoted string (tests/test_graph.py checks every code point).
_ESCAPES = {**{c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)},
            0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
_ESCAPED = re.compile("[" + "".join(map(re.escape, map(chr, _ESCAPES))) + "]")  # looking costs a sixth of translating
_UNESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SHORT = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "'": "'", "\\": "\\"}


def iri(text: str) -> str:
    return f"<{text}>"


def literal(text: str, language: str = "", datatype: str = "") -> str:
    """A literal: plain (xsd:string), language-tagged, or typed (``datatype`` an IRI's text)."""
    quoted = f'"{text.translate(_ESCAPES)}"' if _ESCAPED.search(text) else f'"{text}"'
    if language:
        return f"{quoted}@{language}"
    return f"{quoted}^^<{datatype}>" if datatype else quoted


def value(term: str) -> str:
    """The text of a literal, or of an IRI."""
    if term[0] == "<":
        return term[1:-1]
    text = term[1:term.rindex('"')]
    return _UNESCAPE.sub(_unescape, text) if "\\" in text else text


def parts(term: str) -> tuple[str, str, str]:
    """A literal's text, language and datatype IRI ("" when it has none: a plain literal)."""
    end = term.rindex('"')
    tail = term[end + 1:]
    text = value(term[:end + 1])
    if tail.startswith("@"):
        return text, tail[1:], ""
    return text, "", tail[3:-1] if tail else ""


def _unescape(match: re.Match) -> str:
    code = match.group(1) or match.group(2)
    return chr(int(code, 16)) if code else _SHORT[match.group(3)]


def lines(triples: Iterable[tuple[str, str, str]], graph: str = "", ordered: bool = False) -> str:
    """N-Quads lines of ``triples`` in ``graph`` (N-Triples lines for the default graph);
    ``ordered``: sorted, which is also their order as UTF-8 bytes (the exports' order).

    >>> lines([("<b>", "<p>", '"乙"'), ("<a>", "<p>", '"甲"')], "<g>", ordered=True)
    '<a> <p> "甲" <g> .\\n<b> <p> "乙" <g> .\\n'
    """
    end = f" {graph} .\n" if graph else " .\n"
    made = [f"{s} {p} {o}{end}" for s, p, o in triples]
    if ordered:
        made.sort()
    return "".join(made)


def quads(text: str) -> Iterator[ox.Quad]:
    """N-Quads text as Oxigraph's quads."""
    return ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
