"""View: one self-contained HTML page for exploring what the plans state.

The page is made with pyvis and the template in ``templates/``; vis-network, the data and
the page's own script are all inline and a Content-Security-Policy forbids every request,
so the file opens from disk, offline, and cannot leak what a reader looks at. Positions
are computed here (physics is off in the page), so thousands of nodes are interactive at
once and the same graph always gives the same bytes.

>>> from kg.ingest import document_from_text
>>> from kg.extract import extract_document
>>> graph = viewer_graph([extract_document(document_from_text("a.txt", "哈尔滨市电子政务发展规划\\n市信息产业局牵头。"))])
>>> sorted(data["name"] for _, data in graph.nodes(data=True))
['哈尔滨市信息产业局', '哈尔滨市电子政务发展规划']
"""
from __future__ import annotations

import base64
import hashlib
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, NamedTuple

import networkx as nx
import numpy as np
import pyvis
from pyvis.network import Network

from . import lexicon
from .namespace import entity_iri
from .plan import PERIOD_START
from .recognise import ENTITY_TYPES
from .relate import RELATION_TYPES

if TYPE_CHECKING:
    from .extract import Extraction

TEMPLATES = Path(__file__).parent / "templates"
VIS_JS = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
NATIONAL = "national"

# Colour-blind-safe (Okabe-Ito, Tableau) colours; each type also has its own shape.
ENTITY_STYLES = {
    "Agency": ("#0072b2", "dot"),
    "Project": ("#e69f00", "diamond"),
    "Database": ("#009e73", "square"),
    "Platform": ("#cc79a7", "hexagon"),
    "Law": ("#d55e00", "triangle"),
}
RELATION_COLOURS = {
    "leads": "#4e79a7",
    "participates-in": "#a0cbe8",
    "depends-on": "#e15759",
    "integrates": "#59a14f",
    "based-on": "#b07aa1",
    "issued-by": "#f28e2b",
    "part-of": "#9c755f",
}
_SPARE_COLOURS = ("#76b7b2", "#edc948", "#ff9da7", "#bab0ac", "#8cd17d", "#86bcb6")

SPACING = 80  # typical pixels from a node to its nearest neighbour
STRETCH = 1.8  # across: labels are wider than they are tall
GAP = (210, 80)  # pixels between packed parts: labels run sideways, so wider across
SEED = 7
ASPECT = 1.6  # of the packed whole: about a screen's
_NX_LIMIT = 500  # networkx's spring layout needs scipy from this size on; ours does not
# The most entities a page shows: the size it stays interactive at (tests/test_view.py), and the
# layout of a connected part takes time with the square of its size.
MAX_NODES = 5000


class ViewError(ValueError):
    """The viewer could not be written; the message names the file and what to do. A
    ValueError, so that the command line reports it without importing the viewer first."""


# --- the graph ---------------------------------------------------------------------------

class EntityView(NamedTuple):
    node: str  # its IRI
    name: str
    type: str
    aliases: tuple[str, ...]
    jurisdiction: str  # "national" or the division's name
    mentions: int


class RelationView(NamedTuple):
    head: str
    tail: str
    type: str
    evidence: str  # the sentence, in the plan's own text


@dataclass(frozen=True)
class PlanView:
    """What one plan adds to the viewer: a few strings per entity and relation, small enough
    for a build's worker process to send back instead of the extraction."""

    document: str  # file name
    sha256: str
    plan: str  # title, else file name
    period: str
    entities: tuple[EntityView, ...]
    relations: tuple[RelationView, ...]


def plan_view(extraction: Extraction) -> PlanView:
    """The viewer's part of one extraction. Evidence is the plan's own text (the matching
    text may lack spaces and use other punctuation)."""
    document = extraction.document
    entities = tuple(EntityView(str(entity_iri(e.key)), e.name, e.type, tuple(e.aliases),
                                _jurisdiction(e.scope, extraction), len(e.mentions)) for e in extraction.entities)
    listed = {e.key for e in extraction.entities}
    relations = []
    for relation in extraction.relations:
        for key in (relation.head, relation.tail):
            if key not in listed:
                raise ViewError(f"{document.name}: a {relation.type} relation names {key}, "
                                "which the extraction does not list; re-run the extraction")
        start, stop = document.to_original(*relation.evidence)
        relations.append(RelationView(str(entity_iri(relation.head)), str(entity_iri(relation.tail)), relation.type,
                                      document.text[start:stop].strip()))
    return PlanView(document.name, document.sha256, extraction.plan.title or document.name, extraction.plan.period,
                    entities, tuple(relations))


def viewer_graph(extractions: Iterable[Extraction]) -> nx.MultiDiGraph:
    """Entities and relations of all plans (see :func:`views_graph`)."""
    return views_graph(map(plan_view, extractions))


def views_graph(views: Iterable[PlanView]) -> nx.MultiDiGraph:
    """Entities and relations of all plans: one node per entity key across plans, one edge
    per (relation type, head, tail) with every sentence that states it. Plans are taken in
    file-name order, whatever order they come in, so names and lists read the same each time."""
    nodes: dict[str, dict] = {}
    edges: dict[tuple[str, str, str], dict] = {}
    periods: dict[str, str] = {}
    for view in sorted(views, key=lambda v: (v.document, v.sha256)):
        periods[view.plan] = view.period
        for entity in view.entities:
            _add_entity(nodes, entity, view)
        for relation in view.relations:
            edges.setdefault((relation.head, relation.tail, relation.type), {})[view.plan, relation.evidence] = None
    graph = nx.MultiDiGraph(plan_periods=periods)
    for node, data in nodes.items():
        graph.add_node(node, **{field: list(v) if isinstance(v, dict) else v for field, v in data.items()})
    for (head, tail, kind), evidence in edges.items():
        graph.add_edge(head, tail, key=kind, type=kind, evidence=list(evidence))
    return graph


def _add_entity(nodes: dict[str, dict], entity: EntityView, view: PlanView) -> None:
    """Name, type and jurisdiction as the first plan gives them; aliases, plans, documents and
    periods gathered in order (dicts as ordered sets: a national body is in every plan)."""
    data = nodes.get(entity.node)
    if data is None:
        data = nodes[entity.node] = dict(name=entity.name, type=entity.type, aliases={}, plans={}, documents={},
                                         jurisdiction=entity.jurisdiction, periods={}, mentions=0)
    for alias in (entity.name, *entity.aliases):
        if alias != data["name"]:
            data["aliases"][alias] = None
    for field, value in (("plans", view.plan), ("documents", view.document), ("periods", view.period)):
        if value:
            data[field][value] = None
    data["mentions"] += entity.mentions


def _jurisdiction(scope: str, extraction: Extraction) -> str:
    """The name of an entity's jurisdiction: "national" or its division's name."""
    if scope == NATIONAL:
        return NATIONAL
    if scope == extraction.plan.jurisdiction.code:
        return extraction.plan.jurisdiction.name
    division = lexicon.load().divisions.get(scope)
    return division.name if division else scope


# --- the page ----------------------------------------------------------------------------

def write_viewer(graph: nx.MultiDiGraph, path: Path | str, title: str = "infokg") -> Path:
    """Write the viewer of ``graph`` to ``path`` whole or not at all (a reader never
    opens half a page); the same graph and title give the same bytes."""
    return write_page(render_viewer(graph, title), path)


def write_page(page: str, path: Path | str, what: str = "the viewer", error: type[Exception] = ViewError) -> Path:
    """Write a rendered page (:func:`render_viewer`, kg.report's) to ``path``, whole or not at
    all; ``error`` says which page could not be written."""
    path = Path(path)
    data = page.encode("utf-8")
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as failure:
        if partial.exists():
            partial.unlink()
        raise error(f"{path}: cannot write {what} ({failure.strerror}); choose a folder you can write to") from None
    return path


def render_viewer(graph: nx.MultiDiGraph, title: str = "infokg", limit: int = MAX_NODES) -> str:
    """The viewer page as text; a graph of more than ``limit`` entities is cut down
    (:func:`shown`) and the title says so."""
    note = cap_note(graph, limit)
    if note:
        graph, title = shown(graph, limit), f"{title} · {note}"
    nodes = sorted(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    facets = _facets(graph)
    at = {name: {value: i for i, value in enumerate(values)} for name, values in facets.items()}
    positions = layout(graph)
    degree = dict(graph.degree())
    net = Network(height="100%", width="100%", directed=True, heading=title, cdn_resources="in_line")
    # the items pyvis's add_node and add_edge make, made here: those search every node added
    # before for each node and edge (time quadratic in the graph)
    net.nodes = [{"id": index[node], **_node_item(node, graph.nodes[node], positions[node], degree[node], at)}
                 for node in nodes]
    net.edges = [{"from": index[head], "to": index[tail], "arrows": "to", **_edge_item(number, kind, data, parallel, at)}
                 for number, (head, tail, kind, data, parallel) in enumerate(_edges(graph))]
    net.options = _options(graph.number_of_edges())
    net.set_template_dir(str(TEMPLATES), "viewer.html")
    # tojson still escapes < > & ' (no "</script>" can close a data block); Chinese stays as is
    net.templateEnv.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    scripts = {"vis_js": VIS_JS.read_text(encoding="utf-8"),
               "app_js": (TEMPLATES / "viewer.js").read_text(encoding="utf-8")}
    net.templateEnv.globals.update(scripts, css=(TEMPLATES / "viewer.css").read_text(encoding="utf-8"),
                                   csp=_csp(scripts.values()), meta=_meta(graph, title, facets, at))
    return net.generate_html()


def cap_note(graph: nx.MultiDiGraph, limit: int = MAX_NODES) -> str:
    """What the page leaves out of ``graph``: "" when it shows every entity."""
    total = graph.number_of_nodes()
    return "" if total <= limit else f"the {limit:,} best-connected of {total:,} entities"


def shown(graph: nx.MultiDiGraph, limit: int = MAX_NODES) -> nx.MultiDiGraph:
    """The ``limit`` best-connected entities of ``graph`` (most relations, then most mentions,
    then IRI) and the relations among them, in the order ``graph`` has them."""
    degree = graph.degree()
    ranked = sorted(graph.nodes(data="mentions", default=0), key=lambda item: (-degree[item[0]], -item[1], item[0]))
    keep = {node for node, _ in ranked[:limit]}
    part = nx.MultiDiGraph(**graph.graph)
    part.add_nodes_from((node, data) for node, data in graph.nodes(data=True) if node in keep)
    part.add_edges_from((head, tail, kind, data) for head, tail, kind, data in graph.edges(keys=True, data=True)
                        if head in keep and tail in keep)
    return part


def _facets(graph: nx.MultiDiGraph) -> dict[str, list[str]]:
    """The values the page filters on, in reading order."""
    nodes = [data for _, data in graph.nodes(data=True)]
    evidence = [plan for _, _, data in graph.edges(data=True) for plan, _ in data.get("evidence", [])]
    return {
        "types": _in_order({d.get("type", "Entity") for d in nodes}, ENTITY_TYPES),
        "relations": _in_order({kind for _, _, kind in graph.edges(keys=True)}, RELATION_TYPES),
        "plans": sorted({p for d in nodes for p in d.get("plans", [])} | set(evidence)),
        "jurisdictions": _in_order({d.get("jurisdiction", NATIONAL) for d in nodes}, (NATIONAL,)),
        "periods": _in_order({p for d in nodes for p in d.get("periods", [])}, tuple(PERIOD_START)),
    }


def _in_order(values: set[str], known: tuple[str, ...]) -> list[str]:
    """Known values in their canonical order, then the rest alphabetically."""
    return sorted(values, key=lambda v: (known.index(v) if v in known else len(known), v))


def _style(entity_type: str, at) -> tuple[str, str]:
    """Colour and shape of a type; types the project does not know yet get spare colours."""
    if entity_type in ENTITY_STYLES:
        return ENTITY_STYLES[entity_type]
    return _SPARE_COLOURS[at["types"][entity_type] % len(_SPARE_COLOURS)], "star"


def _relation_colour(kind: str, at) -> str:
    return RELATION_COLOURS.get(kind) or _SPARE_COLOURS[at["relations"][kind] % len(_SPARE_COLOURS)]


def _node_item(node: str, data: dict, position: tuple[int, int], degree: int, at) -> dict:
    """A vis node; the short keys carry what the page filters on and shows: type (t),
    jurisdiction (j), plans (p), periods (r), aliases (a), mentions (m)."""
    entity_type = data.get("type", "Entity")
    colour, shape = _style(entity_type, at)
    return {
        "label": data.get("name", node), "x": position[0], "y": position[1], "color": colour, "shape": shape,
        "size": round(9 + 3 * math.sqrt(degree), 1), "iri": node,
        "t": at["types"][entity_type],
        "j": at["jurisdictions"][data.get("jurisdiction", NATIONAL)],
        "p": [at["plans"][p] for p in data.get("plans", [])],
        "r": [at["periods"][p] for p in data.get("periods", [])],
        "a": list(data.get("aliases", [])),
        "m": data.get("mentions", 0),
    }


def _edges(graph: nx.MultiDiGraph):
    """Edges in a stable order, each with its rank among edges joining the same two nodes
    (drawn as arcs of growing curvature, so parallel relations do not hide each other)."""
    seen: dict[frozenset, int] = {}
    for head, tail, kind in sorted(graph.edges(keys=True)):
        pair = frozenset((head, tail))
        seen[pair] = seen.get(pair, -1) + 1
        yield head, tail, kind, graph.edges[head, tail, kind], seen[pair]


def _edge_item(number: int, kind: str, data: dict, parallel: int, at) -> dict:
    """A vis edge: relation type (rt) and evidence (ev) as [plan, sentence] pairs."""
    evidence = data.get("evidence", [])
    item = {
        "id": number, "color": _relation_colour(kind, at), "rt": at["relations"][kind],
        "width": min(1 + 0.5 * max(len(evidence) - 1, 0), 4),
        "ev": [[at["plans"][plan], text] for plan, text in evidence],
    }
    if parallel:
        item["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": round(0.2 * parallel, 2)}
    return item


def _options(edges: int) -> dict:
    """vis-network options: fixed positions, no physics, straight edges (fast with 15k);
    with many edges, zooming and dragging draw the nodes alone."""
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 150, "multiselect": False,
                        "hideEdgesOnDrag": True, "hideEdgesOnZoom": edges > 5000,
                        "keyboard": {"enabled": True, "bindToWindow": False}},
        "nodes": {"borderWidth": 1, "font": {"size": 14, "face": "system-ui, 'Noto Sans CJK SC', sans-serif"},
                  "widthConstraint": {"maximum": 200}},
        "edges": {"smooth": False, "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                  "selectionWidth": 2, "hoverWidth": 1,
                  "font": {"size": 11, "align": "middle", "face": "system-ui, sans-serif"}},
    }


def _meta(graph: nx.MultiDiGraph, title: str, facets: dict[str, list[str]], at) -> dict:
    types = [dict(zip(("name", "colour", "shape"), (t, *_style(t, at)))) for t in facets["types"]]
    relations = [{"name": r, "colour": _relation_colour(r, at)} for r in facets["relations"]]
    periods = graph.graph.get("plan_periods", {})
    return {"title": title, "types": types, "relations": relations, "plans": facets["plans"],
            "jurisdictions": facets["jurisdictions"], "periods": facets["periods"],
            "planPeriods": [at["periods"].get(periods.get(plan, ""), -1) for plan in facets["plans"]]}


def _csp(scripts) -> str:
    """Only the page's own two scripts run, and nothing may be fetched from anywhere."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
            "base-uri 'none'; form-action 'none'")


# --- layout ------------------------------------------------------------------------------

def layout(graph: nx.MultiDiGraph) -> dict[str, tuple[int, int]]:
    """Pixel positions: each connected part laid out on its own, then parts packed in rows,
    largest first, so entities without relations line up instead of scattering."""
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes))
    simple.add_edges_from((u, v) for u, v in graph.edges() if u != v)

    def order(part: list[str]):
        first = graph.nodes[part[0]]
        return -len(part), first.get("type", ""), first.get("name", ""), part[0]

    parts = sorted((sorted(c) for c in nx.connected_components(simple)), key=order)
    placed = [_part_layout(simple, part) for part in parts]
    return _pack(placed)


def _ordered_subgraph(graph: nx.Graph, nodes: list[str]) -> nx.Graph:
    """A copy of the part with nodes and edges in sorted order: a subgraph view iterates
    over a set, whose order changes from process to process, and so would the layout."""
    part = nx.Graph()
    part.add_nodes_from(nodes)
    part.add_edges_from(sorted(tuple(sorted(e)) for e in graph.subgraph(nodes).edges()))
    return part


def _part_layout(graph: nx.Graph, nodes: list[str]) -> dict[str, np.ndarray]:
    """One connected part of ``graph``, scaled so that a node's nearest neighbour is typically
    SPACING away (hubs pull a force layout into a tight core, and a fixed extent would crush
    it), then stretched across so that side-by-side labels overlap less."""
    if len(nodes) == 1:  # most parts of a large graph: no subgraph to make
        return {nodes[0]: np.zeros(2)}
    part = _ordered_subgraph(graph, nodes)
    if len(nodes) < _NX_LIMIT:
        placed = nx.spring_layout(part, seed=SEED, method="force")
        xy = np.array([placed[node] for node in nodes])
    else:
        at = {node: i for i, node in enumerate(nodes)}
        edges = np.array([(at[u], at[v]) for u, v in part.edges()], dtype=np.intp)
        xy = _spread(len(nodes), edges[:, 0], edges[:, 1])
    xy = (xy - xy.mean(axis=0)) * (SPACING / max(_median_nearest(xy), 1e-9))
    return dict(zip(nodes, xy * (STRETCH, 1)))


def _median_nearest(xy: np.ndarray, chunk: int = 1000) -> float:
    """The median distance from a node to its nearest neighbour, in row blocks."""
    x, y = xy[:, 0], xy[:, 1]
    nearest = []
    for a in range(0, len(xy), chunk):
        d = (x[a:a + chunk, None] - x) ** 2 + (y[a:a + chunk, None] - y) ** 2
        d[np.arange(len(d)), np.arange(a, a + len(d))] = np.inf
        nearest.append(d.min(axis=1))
    return float(np.sqrt(np.median(np.concatenate(nearest))))


def _spread(n: int, src: np.ndarray, dst: np.ndarray, iterations: int = 50, chunk: int = 1000) -> np.ndarray:
    """Fruchterman-Reingold with numpy alone, repulsion computed in row blocks: memory
    stays O(chunk·n) where networkx's dense form needs O(n²) and its sparse form scipy."""
    rng = np.random.default_rng(SEED)
    x, y = rng.random(n, dtype=np.float32), rng.random(n, dtype=np.float32)
    k2 = np.float32(1 / n)
    k = np.sqrt(k2)
    step, cooling = 0.1, 0.1 / (iterations + 1)
    for _ in range(iterations):
        fx, fy = np.empty(n, np.float32), np.empty(n, np.float32)
        for a in range(0, n, chunk):
            dx, dy = x[a:a + chunk, None] - x, y[a:a + chunk, None] - y
            w = dx * dx + dy * dy
            np.maximum(w, 1e-6, out=w)
            np.divide(k2, w, out=w)
            fx[a:a + chunk], fy[a:a + chunk] = np.einsum("ij,ij->i", dx, w), np.einsum("ij,ij->i", dy, w)
        dx, dy = x[src] - x[dst], y[src] - y[dst]
        pull = np.sqrt(dx * dx + dy * dy) / k
        fx -= np.bincount(src, dx * pull, n) - np.bincount(dst, dx * pull, n)
        fy -= np.bincount(src, dy * pull, n) - np.bincount(dst, dy * pull, n)
        length = np.maximum(np.sqrt(fx * fx + fy * fy), 1e-6)
        x += fx * step / length
        y += fy * step / length
        step -= cooling
    return np.column_stack([x, y]).astype(np.float64)


def _pack(parts: list[dict[str, np.ndarray]]) -> dict[str, tuple[int, int]]:
    """Shelf packing: parts left to right in rows, the whole about a screen's shape."""
    if not parts:
        return {}
    boxes = []
    for part in parts:
        xy = np.array(list(part.values()))
        low, high = xy.min(axis=0), xy.max(axis=0)
        boxes.append((low, high - low))
    area = sum((w + GAP[0]) * (h + GAP[1]) for _, (w, h) in boxes)
    width = max(math.sqrt(area * ASPECT), max(w for _, (w, _) in boxes))
    positions: dict[str, tuple[int, int]] = {}
    x = y = row = 0.0
    for part, (low, (w, h)) in zip(parts, boxes):
        if x > 0 and x + w > width:
            x, y, row = 0.0, y + row + GAP[1], 0.0
        for node, (px, py) in part.items():
            positions[node] = (round(x + px - low[0]), round(y + py - low[1]))
        x += w + GAP[0]
        row = max(row, h)
    return positions
