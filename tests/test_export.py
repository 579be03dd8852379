"""The exports' own writers against the libraries whose bytes they reproduce: N-Triples terms
as Oxigraph escapes them, Turtle and TriG as pyoxigraph writes them, GraphML and GEXF as
networkx writes them - on the awkward cases the seed plans do not have."""
from __future__ import annotations

import doctest
import io

import networkx as nx
import pyoxigraph as ox
import pytest
from networkx.readwrite.gexf import GEXFWriter

import kg.export
import kg.ntriples
from kg.export import PREFIXES, EntityNetwork, gexf, graph_text, graphml, sorted_triples, turtle
from kg.namespace import KG, SKOS, XSD
from kg.ntriples import literal, parts, value

ODD_TEXTS = ["", "plain", '他说"好"', "a\\b", "line\nbreak\r\ttab", "\x00\x01\x1f\x7f", "\ufffe\uffff\u2028",
             "emoji 🙂", "<b>&amp;</b>", " leading and trailing "]


def test_doctests():
    assert doctest.testmod(kg.export).failed == 0
    assert doctest.testmod(kg.ntriples).failed == 0


def test_literals_are_escaped_as_oxigraph_escapes_them():
    """Every code point: what kg.ntriples writes is what pyoxigraph writes, and reads back."""
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        text = chr(code)
        assert literal(text) == str(ox.Literal(text)), hex(code)
    for text in ODD_TEXTS:
        assert literal(text, language="zh") == str(ox.Literal(text, language="zh"))
        typed = ox.Literal(text, datatype=ox.NamedNode(str(XSD.token)))
        assert literal(text, datatype=str(XSD.token)) == str(typed)
        assert value(str(typed)) == text and parts(str(typed)) == (text, "", str(XSD.token))
        assert parts(literal(text, language="zh")) == (text, "zh", "") and parts(literal(text)) == (text, "", "")


ODD_IRIS = ["https://w3id.org/infokg/id/agency/0a1b", "https://w3id.org/infokg/def#Agency", "https://w3id.org/infokg/id/x",
            "https://w3id.org/infokg/id/agency/a.b", "https://w3id.org/infokg/id/agency/b.", "https://w3id.org/infokg/id/law/-b",
            "https://w3id.org/infokg/id/law/b%20c", "https://w3id.org/infokg/id/law/b:c", "https://w3id.org/infokg/id/law/中文",
            "https://w3id.org/infokg/id/law/", "http://example.org/elsewhere", "https://w3id.org/infokg/id/doc/sub/x"]
ODD_OBJECTS = [*(f"<{iri}>" for iri in ODD_IRIS), *(literal(t) for t in ODD_TEXTS), literal("x", language="zh"),
               literal("2006", datatype=str(XSD.gYear)), literal("true", datatype=str(XSD.boolean)),
               literal("1", datatype=str(XSD.boolean)), literal("5", datatype=str(XSD.integer)),
               literal("05", datatype=str(XSD.integer)), literal("1.5", datatype=str(XSD.decimal)),
               literal("1e3", datatype=str(XSD.double)), literal("7", datatype=str(XSD.nonNegativeInteger))]


def _oxigraph(triples: list[tuple[str, str, str]], graph: str = "") -> bytes:
    line = "".join(f"{s} {p} {o} {graph} .\n" if graph else f"{s} {p} {o} .\n" for s, p, o in triples)
    quads = list(kg.ntriples.quads(line))
    if graph:
        return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    return ox.serialize([q.triple for q in quads], format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def _without_prefixes(data: bytes) -> bytes:
    return b"".join(line for line in data.splitlines(keepends=True) if not line.startswith(b"@prefix"))


@pytest.mark.parametrize("subject", [f"<{iri}>" for iri in ODD_IRIS])
def test_turtle_and_trig_are_written_as_pyoxigraph_writes_them(subject):
    label, alt = f"<{SKOS.prefLabel}>", f"<{SKOS.altLabel}>"
    triples = sorted_triples({(subject, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{KG.Agency}>"),
                              (subject, label, literal("名", language="zh")),
                              *((subject, alt, o) for o in ODD_OBJECTS),
                              (f"<{ODD_IRIS[0]}>", f"<{KG.leads}>", subject)})
    assert turtle(triples).encode() == _without_prefixes(_oxigraph(triples))
    graph = "<https://w3id.org/infokg/id/doc/0123456789abcdef>"
    assert graph_text(graph, triples).trig == _without_prefixes(_oxigraph(triples, graph))
    assert graph_text(graph, triples).nquads == b"".join(sorted(ox.serialize(
        kg.ntriples.quads("".join(f"{s} {p} {o} {graph} .\n" for s, p, o in triples)),
        format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)))


@pytest.mark.parametrize("relations", [True, False])
@pytest.mark.parametrize("labels", [["国务院", 'a&b<c>"d"', "line\nbreak\ttab\r", ""], []])
def test_graphml_and_gexf_are_written_as_networkx_writes_them(labels, relations):
    network = EntityNetwork()
    nodes = [f"<https://w3id.org/infokg/id/agency/{n}>" for n in range(len(labels))]
    network.add([(node, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{KG.Agency}>") for node in nodes])
    network.add([(node, f"<{SKOS.prefLabel}>", literal(label, language="zh")) for node, label in zip(nodes, labels)])
    if relations and nodes:
        network.add([(nodes[-1], f"<{KG.leads}>", nodes[0]), (nodes[0], f"<{KG.partOf}>", nodes[-1]),
                     (nodes[0], f"<{KG.leads}>", nodes[-1])])
    listed, edges = network.graph({})
    reference = nx.MultiDiGraph()
    reference.add_nodes_from(listed)
    in_id_order = sorted(edges, key=lambda edge: int(edge[2]["id"][1:]))  # as kg.export made the network before
    reference.add_edges_from((head, tail, data["relation"], data) for head, tail, data in in_id_order)
    out = io.BytesIO()
    nx.write_graphml_xml(reference, out, encoding="utf-8", edge_id_from_attribute="id")
    assert "".join(graphml(listed, edges)).encode() == out.getvalue()
    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    writer.xml.find("meta").attrib.pop("lastmodifieddate")
    writer.xml.find("meta").find("creator").text = "infokg"
    writer.add_graph(reference)
    out = io.BytesIO()
    writer.write(out)
    assert "".join(gexf(listed, edges)).encode() == out.getvalue()
