"""The viewer: the graph it shows, the page it writes, and that page in headless Chromium
with every network request refused."""
from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import networkx as nx
import pytest

from bench.build import synthetic_graph
from kg.extract import Extraction
from kg.ingest import IngestError, document_from_text
from kg.namespace import entity_iri
from kg.plan import NATIONAL_JURISDICTION, PlanInfo
from kg.recognise import Mention
from kg.relate import Relation
from kg.resolve import Entity
from kg.view import ViewError, cap_note, layout, render_viewer, shown, viewer_graph, write_viewer

XSS = "<img src=x onerror=alert(1)>"
XSS_ALIAS = "</script><script>alert(2)</script>"
XSS_PLAN = "<b onmouseover=alert(3)>规划</b>"


# --- building blocks -----------------------------------------------------------------------

def _entity(key: str, name: str, aliases=()) -> Entity:
    entity_type, scope, _ = key.split("|")
    mention = Mention(0, len(name), entity_type, "test", name)
    return Entity(key, entity_type, name, list(aliases), [mention], scope)


def _extraction(name: str, text: str, title: str, entities, relations, period: str = "十三五") -> Extraction:
    plan = PlanInfo(title, (0, 0), NATIONAL_JURISDICTION, period)
    return Extraction(document_from_text(name, text), plan, entities, relations)


def _xss_extractions() -> list[Extraction]:
    """Two plans naming the same hostile entity; one relation whose evidence is hostile too."""
    text = f"{XSS}依托 国家 数据共享交换平台。"
    bad = f"Platform|national|{XSS}"
    hub = "Platform|<svg onload=alert(4)>|国家数据共享交换平台"
    first = _extraction("a.txt", text, XSS_PLAN, [_entity(bad, XSS, [XSS_ALIAS]), _entity(hub, "国家数据共享交换平台")],
                        [Relation("depends-on", bad, hub, (0, len(document_from_text("a.txt", text).norm)), "test")])
    second = _extraction("b.txt", "另一个规划", "另一个规划", [_entity(bad, XSS, ["恶意平台"])], [], period="十一五")
    return [first, second]


@pytest.fixture(scope="module")
def seeds_graph(seed_extractions) -> nx.MultiDiGraph:
    """The seeds' graph; ``seed_extractions`` (conftest) runs extract_paths once per session."""
    errors = [r for r in seed_extractions if isinstance(r, IngestError)]
    assert not errors, errors
    return viewer_graph(seed_extractions)


@pytest.fixture(scope="module")
def seeds_page(seeds_graph, tmp_path_factory) -> Path:
    return write_viewer(seeds_graph, tmp_path_factory.mktemp("viewer") / "seeds.html", title="infokg seeds")


@pytest.fixture(scope="module")
def xss_graph() -> nx.MultiDiGraph:
    return viewer_graph(_xss_extractions())


@pytest.fixture(scope="module")
def xss_page(xss_graph, tmp_path_factory) -> Path:
    return write_viewer(xss_graph, tmp_path_factory.mktemp("viewer") / "xss.html", title=XSS)


# --- the graph -----------------------------------------------------------------------------

def test_same_key_in_two_plans_is_one_node(xss_graph):
    node = xss_graph.nodes[str(entity_iri(f"Platform|national|{XSS}"))]
    assert node["name"] == XSS
    assert node["aliases"] == [XSS_ALIAS, "恶意平台"]
    assert node["plans"] == [XSS_PLAN, "另一个规划"]
    assert node["documents"] == ["a.txt", "b.txt"]
    assert node["periods"] == ["十三五", "十一五"]
    assert node["jurisdiction"] == "national"
    assert xss_graph.number_of_nodes() == 2


def test_evidence_is_the_original_text(xss_graph):
    (_, _, data), = xss_graph.edges(data=True)
    # the matching text drops the stray spaces of "依托 国家 数据"; evidence keeps them
    assert data["evidence"] == [(XSS_PLAN, f"{XSS}依托 国家 数据共享交换平台。")]
    assert data["type"] == "depends-on"


def test_seed_graph_joins_plans(seeds_graph):
    many = [d for _, d in seeds_graph.nodes(data=True) if len(d["plans"]) > 1]
    assert many, "some entity (a national body) should be named by several seed plans"
    for head, tail, kind, data in seeds_graph.edges(keys=True, data=True):
        assert kind == data["type"] and data["evidence"], (head, tail, kind)
        assert all(plan and text for plan, text in data["evidence"])


def test_relation_to_unknown_entity_names_the_document():
    text = "规划"
    orphan = Relation("leads", "Agency|national|甲", "Project|national|乙", (0, 2), "test")
    with pytest.raises(ViewError, match=r"^x\.txt: .*re-run the extraction"):
        viewer_graph([_extraction("x.txt", text, "规划", [_entity("Agency|national|甲", "甲")], [orphan])])


# --- the page ------------------------------------------------------------------------------

def test_page_is_self_contained(seeds_page):
    html = seeds_page.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?\s*(?:https?:)?//", html, re.I)
    assert "<link" not in html
    assert "default-src 'none'" in html.replace("&#39;", "'")


def test_page_bytes_are_deterministic(seeds_graph, seeds_page, tmp_path):
    again = write_viewer(seeds_graph, tmp_path / "again.html", title="infokg seeds")
    assert again.read_bytes() == seeds_page.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["again.html"]  # no partial file left


def test_document_strings_never_appear_as_markup(xss_graph):
    html = render_viewer(xss_graph, title=XSS)
    for hostile in (XSS, XSS_ALIAS, XSS_PLAN, "<svg onload"):
        assert hostile not in html
    assert html.count("</script>") == 6  # four data blocks, vis-network, the viewer: none closed early


def test_unwritable_path_names_the_file(xss_graph, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ViewError, match=r"file/viewer\.html: cannot write the viewer"):
        write_viewer(xss_graph, blocker / "viewer.html")


def test_empty_graph_still_makes_a_page(tmp_path):
    assert "kg-nodes\">[]<" in write_viewer(nx.MultiDiGraph(), tmp_path / "empty.html").read_text(encoding="utf-8")


def test_a_graph_too_large_to_show_keeps_its_best_connected_entities():
    graph = synthetic_graph(60, 40)
    part = shown(graph, limit=20)
    kept, degree = set(part.nodes), dict(graph.degree())
    assert len(kept) == 20 and min(degree[n] for n in kept) >= max(degree[n] for n in graph if n not in kept)
    assert all(part.nodes[n] == graph.nodes[n] for n in kept)
    assert set(part.edges(keys=True)) == {(u, v, k) for u, v, k in graph.edges(keys=True) if u in kept and v in kept}
    assert cap_note(graph, 20) == "the 20 best-connected of 60 entities" and cap_note(graph) == ""
    page = render_viewer(graph, "infokg", limit=20)
    assert "infokg · the 20 best-connected of 60 entities" in page
    assert page == render_viewer(part, "infokg · the 20 best-connected of 60 entities")


def test_layout_is_deterministic_and_spread():
    graph = synthetic_graph(600, 1200)  # one big part: the numpy layout, not networkx's
    first, second = layout(graph), layout(graph)
    assert first == second and set(first) == set(graph)
    assert len(set(first.values())) == len(first)


# --- in Chromium ---------------------------------------------------------------------------

CHROMIUM = os.environ.get("INFOKG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                  "--no-first-run", "--disable-component-update", "--disable-sync",
                  "--host-resolver-rules=MAP * ~NOTFOUND"]  # should a request slip past the route: no DNS


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}; run scripts/install-browser.sh (or set INFOKG_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Chromium is here but the playwright client is not; run scripts/install-browser.sh")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, args=CHROMIUM_FLAGS,
            headless=True, viewport={"width": 1600, "height": 1000}, accept_downloads=True)
        yield context
        context.close()


class Viewer:
    """A viewer page whose every non-file request is refused and recorded."""

    def __init__(self, context, path: Path):
        self.refused: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "blob:")) else self.refused.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        start = time.perf_counter()
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-ready]", timeout=120_000)
        self.wall_seconds = time.perf_counter() - start
        self.ready_ms = int(self.page.get_attribute("body", "data-ready"))

    def _route(self, route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def click_node(self, node_id: int) -> None:
        """Click on a node as a reader would: centre it, zoomed in, then click the canvas."""
        self.js("id => infokg.network.moveTo({position: infokg.network.getPositions([id])[id], scale: 1.5})", node_id)
        self._click_canvas_at(self.js("id => infokg.network.canvasToDOM(infokg.network.getPositions([id])[id])", node_id))

    def click_edge(self, edge_id: int) -> None:
        middle = self.js("""id => { const e = infokg.edges.get(id), p = infokg.network.getPositions([e.from, e.to]);
            const m = {x: (p[e.from].x + p[e.to].x) / 2, y: (p[e.from].y + p[e.to].y) / 2};
            infokg.network.moveTo({position: m, scale: 1.5}); return infokg.network.canvasToDOM(m); }""", edge_id)
        self._click_canvas_at(middle)

    def _click_canvas_at(self, point) -> None:
        box = self.page.locator("#network").bounding_box()
        self.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])

    def panel(self) -> str:
        return self.page.inner_text("#panel")

    def visible_nodes(self) -> set[int]:
        return set(self.js("infokg.nodes.get({filter: n => !n.hidden}).map(n => n.id)"))

    def assert_clean(self) -> None:
        assert self.refused == [], f"requests left the page: {self.refused}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"


@pytest.fixture
def seeds_viewer(browser, seeds_page):
    viewer = Viewer(browser, seeds_page)
    yield viewer
    viewer.assert_clean()
    viewer.page.close()


@pytest.fixture
def xss_viewer(browser, xss_page):
    viewer = Viewer(browser, xss_page)
    yield viewer
    viewer.assert_clean()
    viewer.page.close()


def _page_index(graph: nx.MultiDiGraph) -> dict[str, int]:
    """Node ids in the page: positions in sorted order of the graph's node ids."""
    return {node: i for i, node in enumerate(sorted(graph))}


def test_harness_notices_requests(browser, xss_page):
    """The checks below mean something: a request from the page is refused and seen."""
    viewer = Viewer(browser, xss_page)
    viewer.js("""() => { fetch("https://example.com/x").catch(() => null);
                         document.body.append(Object.assign(new Image(), {src: "https://example.com/x.png"})); }""")
    viewer.page.wait_for_timeout(300)
    assert viewer.refused or any("example.com" in e for e in viewer.errors)
    viewer.page.close()


def test_seeds_viewer_loads_offline(seeds_viewer, seeds_graph, seeds_page, tmp_path_factory):
    assert seeds_viewer.js("infokg.nodes.length") == seeds_graph.number_of_nodes()
    assert seeds_viewer.js("infokg.edges.length") == seeds_graph.number_of_edges()
    assert seeds_viewer.page.inner_text("#title") == "infokg seeds"
    legend = seeds_viewer.page.inner_text("details[data-facet=types]")
    assert all(t in legend for t in {d["type"] for _, d in seeds_graph.nodes(data=True)})
    shot = tmp_path_factory.mktemp("screenshots") / "seeds.png"
    seeds_viewer.page.screenshot(path=str(shot))
    print(f"\nseeds viewer: {seeds_page.stat().st_size / 1e6:.2f} MB, {seeds_viewer.ready_ms} ms to first drawing,"
          f" screenshot {shot}")
    seeds_viewer.assert_clean()


def test_search_selects_by_name_and_alias(seeds_viewer, seeds_graph):
    index = _page_index(seeds_graph)
    node, data = next((n, d) for n, d in sorted(seeds_graph.nodes(data=True))
                      if d["aliases"] and len(d["name"]) >= 6 and d["type"] == "Agency")
    search = seeds_viewer.page.locator("#search")
    search.fill(data["name"])
    assert data["name"] in seeds_viewer.page.inner_text("#search-results")
    search.press("Enter")
    assert seeds_viewer.js("infokg.network.getSelectedNodes()") == [index[node]]
    assert seeds_viewer.page.inner_text("#panel h2") == data["name"]
    alias_owners = [n for n, d in seeds_graph.nodes(data=True) if data["aliases"][0] in (d["name"], *d["aliases"])]
    search.fill(data["aliases"][0])
    search.press("Enter")
    assert seeds_viewer.js("infokg.network.getSelectedNodes()")[0] in {index[n] for n in alias_owners}


def test_clicking_a_node_shows_its_evidence(seeds_viewer, seeds_graph):
    index = _page_index(seeds_graph)
    # the related node farthest from any other, so the click cannot land on a neighbour
    target = seeds_viewer.js("""() => {
        const pos = infokg.network.getPositions(), ids = Object.keys(pos).map(Number);
        const related = new Set(infokg.edges.get().flatMap(e => [e.from, e.to]));
        let best = null, room = -1;
        for (const id of related) {
            let near = Infinity;
            for (const o of ids) if (o !== id) near = Math.min(near, Math.hypot(pos[o].x - pos[id].x, pos[o].y - pos[id].y));
            if (near > room) { room = near; best = id; }
        }
        return best; }""")
    node = next(n for n, i in index.items() if i == target)
    seeds_viewer.click_node(target)
    assert seeds_viewer.js("infokg.network.getSelectedNodes()") == [target]
    panel = seeds_viewer.panel()
    assert seeds_graph.nodes[node]["name"] in panel
    relations = [*seeds_graph.out_edges(node, data=True), *seeds_graph.in_edges(node, data=True)]
    plan, sentence = relations[0][2]["evidence"][0]
    assert sentence in panel and plan in panel


def test_clicking_an_edge_shows_its_evidence(seeds_viewer, seeds_graph):
    index = _page_index(seeds_graph)
    simple = nx.Graph(seeds_graph)
    head, tail, kind, data = next((h, t, k, d) for h, t, k, d in sorted(seeds_graph.edges(keys=True, data=True))
                                  if simple.degree(h) == 1 and simple.degree(t) == 1)
    edge_id = seeds_viewer.js("([h, t]) => infokg.edges.get({filter: e => e.from === h && e.to === t})[0].id",
                              [index[head], index[tail]])
    seeds_viewer.click_edge(edge_id)
    panel = seeds_viewer.panel()
    assert kind in panel and data["evidence"][0][1] in panel


def test_type_filter_hides_that_type(seeds_viewer, seeds_graph):
    index = _page_index(seeds_graph)
    platforms = {index[n] for n, d in seeds_graph.nodes(data=True) if d["type"] == "Platform"}
    box = seeds_viewer.page.locator("details[data-facet=types] label", has_text="Platform").locator("input")
    box.uncheck()
    assert seeds_viewer.visible_nodes() == set(index.values()) - platforms
    kept = sum(1 for h, t in seeds_graph.edges() if index[h] not in platforms and index[t] not in platforms)
    status = seeds_viewer.page.inner_text("#status")
    assert f"{len(index) - len(platforms)} of {len(index)} entities, {kept} of" in status
    box.check()
    assert seeds_viewer.visible_nodes() == set(index.values())


def test_focus_shows_the_neighbourhood(seeds_viewer, seeds_graph):
    index = _page_index(seeds_graph)
    hub = max(sorted(seeds_graph), key=seeds_graph.degree)
    undirected = nx.Graph(seeds_graph)
    seeds_viewer.js("id => infokg.selectNode(id, true)", index[hub])
    for hops in (1, 2):
        seeds_viewer.page.select_option("#focus", str(hops))
        expected = {index[n] for n in nx.single_source_shortest_path_length(undirected, hub, cutoff=hops)}
        assert seeds_viewer.visible_nodes() == expected
    seeds_viewer.page.select_option("#focus", "0")
    assert len(seeds_viewer.visible_nodes()) == seeds_graph.number_of_nodes()


def test_export_png(seeds_viewer):
    with seeds_viewer.page.expect_download() as download:
        seeds_viewer.page.click("#export")
    assert download.value.suggested_filename == "infokg_seeds.png"
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_hostile_names_render_as_text(xss_viewer, xss_graph):
    page = xss_viewer.page
    assert page.inner_text("#title") == XSS
    assert page.title() == XSS
    page.locator("#search").fill("<img")
    assert XSS in page.inner_text("#search-results")
    page.locator("#search").press("Enter")
    assert page.inner_text("#panel h2") == XSS
    panel = xss_viewer.panel()
    assert XSS_ALIAS in panel and XSS_PLAN in panel and f"{XSS}依托 国家" in panel
    assert "<svg onload=alert(4)>" in page.inner_text("#filters")
    node = xss_viewer.js("infokg.network.getSelectedNodes()[0]")
    page.wait_for_timeout(600)  # selecting focuses the node with a 300 ms animation; its zoom hides tooltips
    point = xss_viewer.js("id => infokg.network.canvasToDOM(infokg.network.getPositions([id])[id])", node)
    box = page.locator("#network").bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_selector("#tooltip:not([hidden])")
    assert XSS in page.inner_text("#tooltip")
    assert page.evaluate("document.querySelectorAll('img, svg, b').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 6


def test_large_graph_time_to_interactive(browser, tmp_path, record_property):
    """Not a timed assertion: measures and reports how soon 5,000 nodes and 15,000 edges
    are drawn and answer a selection."""
    graph = synthetic_graph(5000, 15000)
    start = time.perf_counter()
    path = write_viewer(graph, tmp_path / "large.html", title="5k")
    build = time.perf_counter() - start
    viewer = Viewer(browser, path)
    assert viewer.js("infokg.nodes.length") == 5000 and viewer.js("infokg.edges.length") == 15000
    response = viewer.js("""() => { const t = performance.now(); infokg.selectNode(1234, true);
        return performance.now() - t; }""")
    viewer.page.screenshot(path=str(tmp_path / "large.png"))
    viewer.assert_clean()
    size = path.stat().st_size
    print(f"\n5k/15k viewer: build {build:.1f} s, {size / 1e6:.1f} MB, first drawing {viewer.ready_ms} ms after navigation,"
          f" load wall {viewer.wall_seconds:.1f} s, selection {response:.0f} ms")
    for name, value in (("build_s", build), ("bytes", size), ("ready_ms", viewer.ready_ms), ("select_ms", response)):
        record_property(name, value)
    viewer.page.close()
