"""The report: each analysis on a small graph whose answer follows from its construction,
then the seeds' report as a page (parses, fetches nothing, same bytes every time)."""
from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import networkx as nx
import pytest

import kg.report
from kg.cli import main
from kg.ingest import IngestError
from kg.report import (ReportError, agencies_by_leads, communities, dependency_chains, distributions, hubs,
                       impact_of, most_cited, pagerank, persisted, plan_order, render_report, shared_between_plans,
                       write_report)
from kg.view import viewer_graph

from conftest import SEEDS

XSS = "<img src=x onerror=alert(1)>"
XSS_PLAN = "<b onmouseover=alert(3)>规划</b>"
SECTIONS = ("Who leads", "Platform and database hubs", "Dependency chains", "Communities",
            "Types and relations per plan", "Across plans")


def _graph(nodes, edges, plan_periods=None) -> nx.MultiDiGraph:
    """nodes: (id, type, plans, periods, jurisdiction); edges: (head, tail, relation, plans)."""
    graph = nx.MultiDiGraph(plan_periods=plan_periods or {})
    for node, kind, plans, periods, jurisdiction in nodes:
        graph.add_node(node, name=node, type=kind, aliases=[], plans=list(plans), documents=[],
                       jurisdiction=jurisdiction, periods=list(periods), mentions=1)
    for head, tail, kind, plans in edges:
        graph.add_edge(head, tail, key=kind, type=kind, evidence=[(plan, f"{head}{kind}{tail}。") for plan in plans])
    return graph


def _simple(types: dict[str, str], edges) -> nx.MultiDiGraph:
    """One plan, local entities; edges as (head, tail, relation)."""
    return _graph([(n, t, ["甲规划"], ["十一五"], "哈尔滨市") for n, t in types.items()],
                  [(h, t, k, ["甲规划"]) for h, t, k in edges], {"甲规划": "十一五"})



# --- the analyses --------------------------------------------------------------------------

def test_agencies_ranked_by_leads_then_participation():
    graph = _simple({"A": "Agency", "B": "Agency", "C": "Agency", "D": "Agency", "X": "Platform",
                     "p1": "Project", "p2": "Project", "p3": "Project"},
                    [("A", "p1", "leads"), ("A", "p2", "leads"), ("A", "p3", "participates-in"),
                     ("B", "p1", "leads"), ("B", "p2", "participates-in"), ("B", "p3", "participates-in"),
                     ("C", "p1", "participates-in"), ("X", "p1", "leads"), ("D", "p1", "depends-on")])
    # X leads but is no agency; D only depends on something
    assert agencies_by_leads(graph) == [("A", 2, 1), ("B", 1, 2), ("C", 0, 1)]


def test_pagerank_solves_the_equations():
    # a -> b, b dangling (links to all): a = .15/2 + .85·b/2, a + b = 1  =>  b = .925/1.425
    graph = nx.MultiDiGraph([("a", "b", "depends-on"), ("a", "b", "integrates")])  # parallel: one link
    ranks = pagerank(graph)
    assert ranks["b"] == pytest.approx(0.925 / 1.425, abs=1e-8)
    assert ranks["a"] == pytest.approx(0.5 / 1.425, abs=1e-8)
    assert pagerank(nx.MultiDiGraph()) == {}


def test_hubs_rank_platforms_and_databases():
    graph = _simple({"p1": "Project", "p2": "Project", "p3": "Project", "X": "Platform", "D": "Database"},
                    [("p1", "X", "depends-on"), ("p2", "X", "depends-on"), ("p3", "X", "depends-on"),
                     ("X", "D", "integrates")])
    # n = 5, D dangling: p = .03 + .17d; x = .03 + .17d + .85·3p; d = .03 + .17d + .85x
    # => x = .1065 + .6035d, d = .120525 / .317025
    d = 0.120525 / 0.317025
    x = 0.1065 + 0.6035 * d
    # undirected: X joins D and the three projects; every path between two of those runs through X: 6 of 6
    assert hubs(graph) == [("D", 1, pytest.approx(d, abs=1e-8), 0.0), ("X", 4, pytest.approx(x, abs=1e-8), 1.0)]
    assert [node for node, *_ in hubs(graph, types=("Project",))] == ["p1", "p2", "p3"]


def _chains_graph() -> nx.MultiDiGraph:
    """a→b→c→d; e and f depend on each other, f on c; g integrates h; i leads a."""
    types = {n: "Platform" for n in "abcdefg"} | {"h": "Database", "i": "Agency"}
    return _simple(types, [("a", "b", "depends-on"), ("b", "c", "depends-on"), ("c", "d", "depends-on"),
                           ("e", "f", "depends-on"), ("f", "e", "depends-on"), ("f", "c", "depends-on"),
                           ("g", "h", "integrates"), ("i", "a", "leads")])


def test_dependency_chains_condense_cycles():
    graph = _chains_graph()
    assert dependency_chains(graph) == [[("a",), ("b",), ("c",), ("d",)], [("e", "f"), ("c",), ("d",)],
                                        [("g",), ("h",)]]
    assert dependency_chains(graph, relations=("depends-on",)) == [[("a",), ("b",), ("c",), ("d",)],
                                                                   [("e", "f"), ("c",), ("d",)]]
    assert dependency_chains(nx.MultiDiGraph()) == []


def test_impact_of_follows_reliance_backwards():
    graph = _chains_graph()
    assert impact_of(graph, "d") == {"a", "b", "c", "e", "f"}  # not i: leading is not relying
    assert impact_of(graph, "e") == {"f"}
    assert impact_of(graph, "h") == {"g"}
    assert impact_of(graph, "h", relations=("depends-on",)) == set()


def test_communities_split_two_triangles():
    types = {n: "Platform" for n in "abcxyzq"}
    graph = _simple(types, [("a", "b", "integrates"), ("b", "c", "integrates"), ("c", "a", "integrates"),
                            ("x", "y", "integrates"), ("y", "z", "integrates"), ("z", "x", "integrates"),
                            ("c", "x", "depends-on")])
    # q has no relation: in no community; members by degree (c and x join the triangles), then name
    assert communities(graph) == [["c", "a", "b"], ["x", "y", "z"]]


def test_distributions_count_per_plan():
    graph = _graph([("A", "Agency", ["甲", "乙"], ["十一五", "十三五"], "national"),
                    ("p", "Project", ["甲"], ["十一五"], "哈尔滨市"),
                    ("X", "Platform", ["乙"], ["十三五"], "黑龙江省")],
                   [("A", "p", "leads", ["甲", "甲"]), ("A", "X", "participates-in", ["乙"]),
                    ("X", "p", "depends-on", ["甲", "乙"])],
                   {"乙": "十三五", "甲": "十一五"})
    assert plan_order(graph) == ["甲", "乙"]  # 十一五 before 十三五
    counts = distributions(graph)
    assert counts["types"] == {"甲": {"Agency": 1, "Project": 1}, "乙": {"Agency": 1, "Platform": 1}}
    # a relation stated twice in a plan counts once there
    assert counts["relations"] == {"甲": {"leads": 1, "depends-on": 1}, "乙": {"participates-in": 1, "depends-on": 1}}


def test_shared_between_plans_and_what_persisted():
    graph = _graph([("国务院", "Agency", ["甲", "乙", "丙"], ["十一五", "十三五"], "national"),
                    ("电子签名法", "Law", ["甲", "乙"], ["十一五"], "national"),
                    ("信访条例", "Law", ["丙"], ["十三五"], "national"),
                    ("市规划", "Law", ["甲", "乙", "丙"], ["十一五", "十三五"], "哈尔滨市"),
                    ("市平台", "Platform", ["甲"], ["十一五"], "哈尔滨市")],
                   [], {"甲": "十一五", "乙": "十一五", "丙": "十三五"})
    plans, matrix = shared_between_plans(graph)
    assert plans == ["乙", "甲", "丙"]  # 十一五 ones by title, then 十三五
    assert matrix == [[3, 3, 2],
                      [3, 4, 2],
                      [2, 2, 3]]
    # local 市规划 is named by three plans but is not national
    assert most_cited(graph) == [("电子签名法", ["乙", "甲"]), ("信访条例", ["丙"])]
    assert most_cited(graph, types=("Agency",)) == [("国务院", ["丙", "乙", "甲"])]
    assert persisted(graph, "十一五", "十三五") == ["国务院", "市规划"]  # Agency before Law
    assert persisted(graph, "十三五", "十四五") == []


# --- the page ------------------------------------------------------------------------------

class _Page(HTMLParser):
    """Headings, resource references, figures and tables of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.headings: list[str] = []
        self.references: list[str] = []
        self.tags: list[str] = []
        self._heading = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.references += [value for name, value in attrs if name in ("src", "href", "srcset", "action", "data")]
        if tag == "h2":
            self._heading = ""

    def handle_data(self, data):
        if self._heading is not None:
            self._heading += data

    def handle_endtag(self, tag):
        if tag == "h2":
            self.headings.append(self._heading.strip())
            self._heading = None


@pytest.fixture(scope="module")
def seeds_graph(seed_extractions) -> nx.MultiDiGraph:
    assert not [r for r in seed_extractions if isinstance(r, IngestError)]
    return viewer_graph(seed_extractions)


@pytest.fixture(scope="module")
def seeds_report(seeds_graph, tmp_path_factory):
    return write_report(seeds_graph, tmp_path_factory.mktemp("report") / "report.html", title="infokg seeds")


def test_seeds_report_is_a_page_with_every_section(seeds_report):
    page = _Page(seeds_report.read_text(encoding="utf-8"))
    assert page.headings == [f"{i}. {title}" for i, title in enumerate(SECTIONS, 1)]
    assert page.tags.count("img") >= len(SECTIONS) and page.tags.count("table") > len(SECTIONS)


def test_seeds_report_fetches_nothing(seeds_report):
    html = seeds_report.read_text(encoding="utf-8")
    page = _Page(html)
    assert page.references and all(ref.startswith(("data:image/svg+xml;base64,", "#")) for ref in page.references)
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"@import|url\(", html)
    assert "default-src 'none'" in html
    for ref in page.references:
        if ref.startswith("data:"):
            svg = base64.b64decode(ref.split(",", 1)[1]).decode("utf-8")
            assert not re.search(r"""(?:href|src)\s*=\s*["']\s*(?!#|data:)|url\(\s*['"]?\s*(?!#)""", svg)


def test_seeds_report_bytes_are_deterministic(seeds_graph, seeds_report, tmp_path):
    again = write_report(seeds_graph, tmp_path / "again.html", title="infokg seeds")
    assert again.read_bytes() == seeds_report.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["again.html"]  # no partial file left


def test_seeds_say_what_their_text_says(seeds_graph):
    name = {node: data["name"] for node, data in seeds_graph.nodes(data=True)}
    # 党中央、国务院 in the Hebei and Liaocheng plans, 国务院关于… in Heilongjiang's
    cited = {name[node]: plans for node, plans in most_cited(seeds_graph, types=("Agency",))}
    assert len(cited["国务院"]) > 1
    assert "国务院" in {name[node] for node in persisted(seeds_graph, "十一五", "十三五")}
    # 省委网信办 is the lead unit of many rows of the Heilongjiang plan's task tables
    leads = {name[node]: count for node, count, _ in agencies_by_leads(seeds_graph)}
    assert leads["黑龙江省委网信办"] >= 10


def test_document_strings_never_appear_as_markup():
    graph = _graph([(XSS, "Agency", [XSS_PLAN], ["十一五"], "national"),
                    ("平台", "Platform", [XSS_PLAN], ["十一五"], "national")],
                   [(XSS, "平台", "leads", [XSS_PLAN])], {XSS_PLAN: "十一五"})
    html = render_report(graph, title=XSS)
    for hostile in (XSS, XSS_PLAN, "<b "):
        assert hostile not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.filterwarnings("error")
def test_without_a_chinese_font_the_page_says_so(monkeypatch):
    monkeypatch.setattr(kg.report, "cjk_font", lambda: None)
    html = render_report(_chains_graph())
    assert "fonts-noto-cjk" in html


def test_empty_graph_still_makes_a_page():
    assert _Page(render_report(nx.MultiDiGraph())).headings[0] == "1. Who leads"


def test_unwritable_path_names_the_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ReportError, match=r"file/report\.html: cannot write the report"):
        write_report(nx.MultiDiGraph(), blocker / "report.html")


def test_kg_report_command(tmp_path, capsys):
    out = tmp_path / "out" / "report.html"
    assert main(["report", str(SEEDS / "001_9c71054b8b1dc762.txt"), "--out", str(out)]) == 0
    assert "哈尔滨市电子政务发展规划" in out.read_text(encoding="utf-8")
    assert f"wrote {out}" in capsys.readouterr().err
