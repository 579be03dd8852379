"""Report: analytics over the graph, as one page someone can look at.

Each analysis is a plain function over the graph of :func:`kg.view.viewer_graph` that
returns plain data, nodes as the graph's node ids (names are in ``graph.nodes[n]["name"]``).
:func:`write_report` puts them on one self-contained HTML page: each section a plot (SVG
drawn by matplotlib, inline as a data URI) and a table; the stylesheet is inline and a
Content-Security-Policy forbids every request, so the file opens offline. Every string
from the plans is escaped, and the same graph always gives the same bytes.

>>> graph = nx.MultiDiGraph()
>>> graph.add_node("a", name="市信息产业局", type="Agency")
>>> graph.add_node("p", name="数字哈尔滨工程", type="Project")
>>> graph.add_edge("a", "p", key="leads")
'leads'
>>> agencies_by_leads(graph)
[('a', 1, 0)]
"""
from __future__ import annotations

import base64
import functools
import io
import warnings
from collections import Counter
from pathlib import Path

import jinja2
import matplotlib
import matplotlib.style
import networkx as nx
import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure

from .plan import PERIOD_START
from .recognise import ENTITY_TYPES
from .relate import RELATION_TYPES
from .view import ENTITY_STYLES, NATIONAL, RELATION_COLOURS, TEMPLATES, write_page

SEED = 7
TOP = 20  # rows per table and bars per plot
# A platform that integrates a database waits on it as much as one that depends on it.
RELIES_ON = ("depends-on", "integrates")
# Installed by scripts/install-browser.sh (Debian fonts-noto-cjk); never downloaded.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP", "Source Han Sans SC",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback", "Noto Serif CJK SC")
SERIES_COLOURS = {**{t: c for t, (c, _) in ENTITY_STYLES.items()}, **RELATION_COLOURS}
STEP = " → "
CYCLE = " ⇄ "


class ReportError(ValueError):
    """The report could not be written; the message names the file and what to do. A
    ValueError, so that ``kg`` reports it in one line like any other."""


# --- who leads ---------------------------------------------------------------------------

def agencies_by_leads(graph: nx.MultiDiGraph) -> list[tuple[str, int, int]]:
    """Agencies with how many things they lead and take part in, most leads first: whom
    the plans hold to account. One count per relation, however many sentences state it."""
    leads, joins = Counter(), Counter()
    for head, _, kind in graph.edges(keys=True):
        if graph.nodes[head].get("type") == "Agency":
            if kind == "leads":
                leads[head] += 1
            elif kind == "participates-in":
                joins[head] += 1
    rows = [(node, leads[node], joins[node]) for node in leads.keys() | joins.keys()]
    return sorted(rows, key=lambda row: (-row[1], -row[2], *_order(graph, row[0])))


# --- hubs --------------------------------------------------------------------------------

def hubs(graph: nx.MultiDiGraph, types=("Platform", "Database")) -> list[tuple[str, int, float, float]]:
    """Entities of ``types`` as (node, degree, PageRank, betweenness), highest PageRank
    first: what the plans keep building on.

    PageRank follows the relations' direction, so a platform ranks high when projects
    depend on it and agencies take part in it. Degree (distinct entities related either
    way) and betweenness (normalised share of shortest paths through it) use the undirected
    projection: a broker between two parts of the graph counts whichever way relations run.

    >>> graph = nx.MultiDiGraph([("p", "x", "depends-on"), ("q", "x", "depends-on")])
    >>> nx.set_node_attributes(graph, {"p": "Project", "q": "Project", "x": "Platform"}, "type")
    >>> [(node, degree, betweenness) for node, degree, _, betweenness in hubs(graph)]
    [('x', 2, 1.0)]
    """
    ranks = pagerank(graph)
    simple = _projection(graph)
    between = nx.betweenness_centrality(simple)
    rows = [(node, simple.degree(node), ranks[node], between[node])
            for node, data in graph.nodes(data=True) if data.get("type") in types]
    return sorted(rows, key=lambda row: (-row[2], -row[1], *_order(graph, row[0])))


def pagerank(graph: nx.MultiDiGraph, alpha: float = 0.85, tol: float = 1e-10, max_iter: int = 500) -> dict[str, float]:
    """PageRank with networkx's conventions (an entity with no outgoing relation links to
    every entity), parallel relations counting once; numpy alone, as networkx's own needs
    scipy, which infokg does without.

    >>> ranks = pagerank(nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "a")]))
    >>> [round(ranks[node], 4) for node in "abc"]
    [0.3333, 0.3333, 0.3333]
    """
    nodes = sorted(graph)
    if not nodes:
        return {}
    at = {node: i for i, node in enumerate(nodes)}
    links = np.array(sorted({(at[u], at[v]) for u, v in graph.edges()}), dtype=np.intp).reshape(-1, 2)
    src, dst = links[:, 0], links[:, 1]
    n = len(nodes)
    out = np.bincount(src, minlength=n)
    dangling = out == 0
    share = 1 / np.maximum(out, 1)
    x = np.full(n, 1 / n)
    for _ in range(max_iter):
        previous = x
        x = alpha * (np.bincount(dst, (x * share)[src], n) + x[dangling].sum() / n) + (1 - alpha) / n
        if np.abs(x - previous).sum() < n * tol:
            break
    return dict(zip(nodes, x.tolist()))


# --- dependencies ------------------------------------------------------------------------

def dependency_chains(graph: nx.MultiDiGraph, relations=RELIES_ON) -> list[list[tuple[str, ...]]]:
    """The longest chain of reliance (head relies on tail) from each thing nothing relies
    on, longest first: how far a delay at the far end would travel. Entities that rely on
    each other in a cycle are condensed into one step, a tuple of their nodes; every other
    step is a tuple of one node.

    >>> graph = nx.MultiDiGraph([("a", "b", "depends-on"), ("b", "c", "depends-on"), ("x", "b", "integrates")])
    >>> dependency_chains(graph)
    [[('a',), ('b',), ('c',)], [('x',), ('b',), ('c',)]]
    """
    relies = nx.DiGraph()
    relies.add_edges_from(sorted((u, v) for u, v, kind in graph.edges(keys=True) if kind in relations and u != v))
    dag = nx.condensation(relies)
    step = {c: tuple(sorted(dag.nodes[c]["members"])) for c in dag}
    longest: dict[int, list[int]] = {}
    for c in reversed(list(nx.topological_sort(dag))):
        below = [longest[s] for s in dag.successors(c)]
        longest[c] = [c, *min(below, key=lambda chain: (-len(chain), [step[s] for s in chain]), default=[])]
    chains = [[step[s] for s in longest[c]] for c in dag if dag.in_degree(c) == 0]
    return sorted(chains, key=lambda chain: (-len(chain), chain))


def impact_of(graph: nx.MultiDiGraph, node: str, relations=RELIES_ON) -> set[str]:
    """Everything that relies on ``node``, directly or through others: what its delay would reach.

    >>> graph = nx.MultiDiGraph([("a", "b", "depends-on"), ("b", "c", "integrates"), ("c", "d", "leads")])
    >>> sorted(impact_of(graph, "c"))
    ['a', 'b']
    """
    return nx.ancestors(nx.subgraph_view(graph, filter_edge=lambda u, v, kind: kind in relations), node)


# --- communities -------------------------------------------------------------------------

def communities(graph: nx.MultiDiGraph, seed: int = SEED) -> list[list[str]]:
    """Groups of entities more related among themselves than to the rest: Louvain on the
    undirected projection, weighted by how many relations join two entities, with a fixed
    seed. Entities without relations are left out. Largest group first; members by degree,
    then type and name."""
    simple = _projection(graph)
    simple.remove_nodes_from(list(nx.isolates(simple)))
    # integer labels: set order inside Louvain, hence the grouping, does not depend on string hashing
    numbered = nx.convert_node_labels_to_integers(simple, label_attribute="node")
    found = nx.community.louvain_communities(numbered, weight="weight", seed=seed)
    groups = [sorted((numbered.nodes[i]["node"] for i in group),
                     key=lambda node: (-simple.degree(node), *_order(graph, node))) for group in found]
    return sorted(groups, key=lambda group: (-len(group), *_order(graph, group[0])))


# --- plans -------------------------------------------------------------------------------

def plan_order(graph: nx.MultiDiGraph) -> list[str]:
    """Every plan the graph knows of, by period (earliest first), then title.

    >>> plan_order(nx.MultiDiGraph(plan_periods={"乙规划": "十三五", "甲规划": "十一五"}))
    ['甲规划', '乙规划']
    """
    periods = graph.graph.get("plan_periods", {})
    named = set(periods)
    named.update(plan for _, data in graph.nodes(data=True) for plan in data.get("plans", []))
    named.update(plan for _, _, data in graph.edges(data=True) for plan, _ in data.get("evidence", []))
    return sorted(named, key=lambda plan: (PERIOD_START.get(periods.get(plan, ""), 9999), plan))


def distributions(graph: nx.MultiDiGraph) -> dict[str, dict[str, Counter]]:
    """For each plan, its entities per type (``"types"``) and its relations per type
    (``"relations"``; a relation is a plan's when one of the plan's sentences states it):
    what each plan is about."""
    types = {plan: Counter() for plan in plan_order(graph)}
    relations = {plan: Counter() for plan in types}
    for _, data in graph.nodes(data=True):
        for plan in data.get("plans", []):
            types[plan][data.get("type", "Entity")] += 1
    for _, _, kind, data in graph.edges(keys=True, data=True):
        for plan in {plan for plan, _ in data.get("evidence", [])}:
            relations[plan][kind] += 1
    return {"types": types, "relations": relations}


def shared_between_plans(graph: nx.MultiDiGraph) -> tuple[list[str], list[list[int]]]:
    """Plans in :func:`plan_order` and, for each two, how many entities both name (on the
    diagonal: how many each names): where plans overlap.

    >>> graph = nx.MultiDiGraph()
    >>> graph.add_nodes_from([("x", {"plans": ["甲", "乙"]}), ("y", {"plans": ["甲"]})])
    >>> shared_between_plans(graph)
    (['乙', '甲'], [[1, 1], [1, 2]])
    """
    plans = plan_order(graph)
    at = {plan: i for i, plan in enumerate(plans)}
    matrix = [[0] * len(plans) for _ in plans]
    for _, data in graph.nodes(data=True):
        named = [at[plan] for plan in data.get("plans", [])]
        for i in named:
            for j in named:
                matrix[i][j] += 1
    return plans, matrix


def most_cited(graph: nx.MultiDiGraph, types=("Law",), jurisdiction: str = NATIONAL) -> list[tuple[str, list[str]]]:
    """Entities of ``types`` and ``jurisdiction`` with the plans that name them, most plans
    first: the national documents (or bodies) that plans at every level refer to."""
    rows = [(node, sorted(data.get("plans", []))) for node, data in graph.nodes(data=True)
            if data.get("type") in types and data.get("jurisdiction") == jurisdiction and data.get("plans")]
    return sorted(rows, key=lambda row: (-len(row[1]), *_order(graph, row[0])))


def persisted(graph: nx.MultiDiGraph, from_period: str = "十一五", to_period: str = "十三五") -> list[str]:
    """Entities that plans of both periods name, by type then name: what outlived a
    five-year plan.

    >>> graph = nx.MultiDiGraph()
    >>> graph.add_nodes_from([("x", {"periods": ["十一五", "十三五"]}), ("y", {"periods": ["十三五"]})])
    >>> persisted(graph)
    ['x']
    """
    both = {from_period, to_period}
    return sorted((node for node, data in graph.nodes(data=True) if both <= set(data.get("periods", []))),
                  key=lambda node: _order(graph, node))


def _projection(graph: nx.MultiDiGraph) -> nx.Graph:
    """The undirected simple graph, weight = relations joining two entities; nodes and
    edges in sorted order, so what iterates over it does so in the same order each time."""
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph))
    weights = Counter(tuple(sorted((u, v))) for u, v in graph.edges() if u != v)
    simple.add_weighted_edges_from((u, v, w) for (u, v), w in sorted(weights.items()))
    return simple


def _order(graph: nx.MultiDiGraph, node: str) -> tuple:
    """Sort key: type in the project's order, then name, then node id."""
    data = graph.nodes[node]
    kind = data.get("type", "")
    return ENTITY_TYPES.index(kind) if kind in ENTITY_TYPES else len(ENTITY_TYPES), data.get("name", node), node


# --- the page ----------------------------------------------------------------------------

def write_report(graph: nx.MultiDiGraph, path: Path | str, title: str = "infokg report") -> Path:
    """Write the report on ``graph`` to ``path`` whole or not at all; the same graph and
    title give the same bytes."""
    return write_page(render_report(graph, title), path, "the report", ReportError)


def render_report(graph: nx.MultiDiGraph, title: str = "infokg report") -> str:
    """The report page as text."""
    plans = plan_order(graph)
    label = {plan: f"P{i}" for i, plan in enumerate(plans, 1)}
    counts = distributions(graph)
    font = cjk_font()
    with matplotlib.style.context("default"), matplotlib.rc_context(_plot_style(font)), warnings.catch_warnings():
        if font is None:  # Chinese is drawn as boxes, as the page says; one warning per glyph helps no one
            warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        sections = [_leaders(graph), _hubs(graph), _dependencies(graph), _communities(graph),
                    _distributions(graph, label, counts), _across_plans(graph, label)]
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                     keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    return environment.get_template("report.html").render(
        title=title, css=(TEMPLATES / "report.css").read_text(encoding="utf-8"), font=font,
        entities=graph.number_of_nodes(), relations=graph.number_of_edges(),
        plans=_plans_table(graph, label, counts), sections=sections)


@functools.cache
def cjk_font() -> str | None:
    """The first font matplotlib knows that draws Chinese, or None (plots then show boxes
    where Chinese should be, and the page says which package to install)."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _plot_style(font: str | None) -> dict:
    """Fixed style; a fixed salt and no date make the SVG bytes depend on the data alone."""
    return {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "font.size": 9,
            "svg.fonttype": "path", "svg.hashsalt": "infokg", "axes.spines.top": False,
            "axes.spines.right": False, "axes.unicode_minus": False}


def _plans_table(graph: nx.MultiDiGraph, label: dict[str, str], counts: dict) -> dict:
    periods = graph.graph.get("plan_periods", {})
    rows = [(label[plan], plan, periods.get(plan, ""), sum(counts["types"][plan].values()),
             sum(counts["relations"][plan].values())) for plan in label]
    return _table("The plans; plots name them by their label", ("label", "plan", "period", "entities", "relations"),
                  rows, numeric=(3, 4))


def _leaders(graph: nx.MultiDiGraph) -> dict:
    top = agencies_by_leads(graph)[:TOP]
    rows = [(i, _name(graph, node), graph.nodes[node].get("jurisdiction", ""), leads, joins)
            for i, (node, leads, joins) in enumerate(top, 1)]
    figures = []
    if top:
        figure = _bars([_short(_name(graph, node)) for node, *_ in top],
                       {"leads": [row[1] for row in top], "participates-in": [row[2] for row in top]},
                       "relations")
        figures.append(_image(figure, "Bars: the agencies that lead the most, with what they take part in"))
    return _section("leaders", "Who leads",
                    f"Agencies by how many projects, platforms and documents they lead (leads relations), then by "
                    f"how many they take part in (participates-in); top {TOP}.",
                    figures, [_table(f"Agencies by leads, top {TOP}", ("#", "agency", "jurisdiction", "leads",
                                                                        "participates in"), rows, numeric=(0, 3, 4))])


def _hubs(graph: nx.MultiDiGraph) -> dict:
    top = hubs(graph)[:TOP]
    rows = [(i, _name(graph, node), graph.nodes[node]["type"], degree, f"{rank:.4f}", f"{between:.4f}")
            for i, (node, degree, rank, between) in enumerate(top, 1)]
    figures = []
    if top:
        series = {kind: [rank if graph.nodes[node]["type"] == kind else 0 for node, _, rank, _ in top]
                  for kind in ("Platform", "Database")}
        figures.append(_image(_bars([_short(_name(graph, node)) for node, *_ in top], series, "PageRank"),
                              "Bars: platforms and databases by PageRank"))
    return _section("hubs", "Platform and database hubs",
                    "PageRank follows the relations' direction: a platform ranks high when projects depend on it, "
                    "platforms integrate it or agencies take part in it. Degree (distinct entities related either "
                    "way) and betweenness (normalised share of shortest paths through it) are computed on the "
                    f"undirected projection of the whole graph. Top {TOP} by PageRank.",
                    figures, [_table(f"Platforms and databases by PageRank, top {TOP}",
                                     ("#", "entity", "type", "degree", "PageRank", "betweenness"), rows,
                                     numeric=(0, 3, 4, 5))])


def _dependencies(graph: nx.MultiDiGraph) -> dict:
    chains = dependency_chains(graph)[:TOP]
    chain_rows = [(i, len(chain), STEP.join(CYCLE.join(_name(graph, n) for n in step) for step in chain))
                  for i, chain in enumerate(chains, 1)]
    databases = sorted(((node, impact_of(graph, node)) for node, data in graph.nodes(data=True)
                        if data.get("type") == "Database"), key=lambda row: (-len(row[1]), *_order(graph, row[0])))
    reached = [(node, sorted(reach, key=lambda n: _order(graph, n))) for node, reach in databases if reach][:TOP]
    reach_rows = [(i, _name(graph, node), len(reach), _names(graph, reach))
                  for i, (node, reach) in enumerate(reached, 1)]
    figures = []
    if reached:
        figure = _bars([_short(_name(graph, node)) for node, _ in reached],
                       {"Database": [len(reach) for _, reach in reached]}, "entities relying on it, directly or not")
        figures.append(_image(figure, "Bars: databases by how many entities rely on them"))
    return _section("dependencies", "Dependency chains",
                    f"A relies on B when A {' or '.join(RELIES_ON)} B. Chains start at something nothing relies on "
                    f"and follow the longest way down; entities relying on each other in a cycle are one step "
                    f"(joined by {CYCLE.strip()}). A database's reach is everything that relies on it, directly "
                    "or through others: what its delay would hold up.",
                    figures, [_table(f"Databases by reach, top {TOP}", ("#", "database", "reach", "relying on it"),
                                     reach_rows, numeric=(0, 2)),
                              _table(f"Longest chains, top {TOP}", ("#", "steps", "chain"), chain_rows,
                                     numeric=(0, 1))])


def _communities(graph: nx.MultiDiGraph) -> dict:
    groups = communities(graph)[:TOP]
    labels = [f"C{i} {_short(_name(graph, group[0]), 10)}" for i, group in enumerate(groups, 1)]
    mix = [Counter(graph.nodes[node].get("type", "Entity") for node in group) for group in groups]
    kinds = [kind for kind in ENTITY_TYPES if any(counts[kind] for counts in mix)]
    rows = [(f"C{i}", len(group), ", ".join(f"{kind} {counts[kind]}" for kind in kinds if counts[kind]),
             _names(graph, group, 8)) for i, (group, counts) in enumerate(zip(groups, mix), 1)]
    figures = []
    if groups:
        figure = _bars(labels, {kind: [counts[kind] for counts in mix] for kind in kinds}, "entities")
        figures.append(_image(figure, "Stacked bars: the largest communities by entity type"))
    return _section("communities", "Communities",
                    f"Louvain communities (networkx, seed {SEED}) of the undirected projection, weighted by how "
                    "many relations join two entities; entities without relations are left out. Largest "
                    f"{TOP}, members by degree.",
                    figures, [_table(f"Communities, largest {TOP}", ("#", "size", "types", "members"), rows,
                                     numeric=(1,))])


def _distributions(graph: nx.MultiDiGraph, label: dict[str, str], counts: dict) -> dict:
    tables, figures = [], []
    merged = {"types": Counter(data.get("type", "Entity") for _, data in graph.nodes(data=True)),
              "relations": Counter(kind for _, _, kind in graph.edges(keys=True))}
    for part, known, noun in (("types", ENTITY_TYPES, "entities"), ("relations", RELATION_TYPES, "relations")):
        per_plan = counts[part]
        kinds = [k for k in known if merged[part][k]] + sorted(set(merged[part]) - set(known))
        rows = [(f"{label[plan]} {plan}", *(c[k] for k in kinds), sum(c.values())) for plan, c in per_plan.items()]
        rows.append(("all plans, merged", *(merged[part][k] for k in kinds), sum(merged[part].values())))
        tables.append(_table(f"{noun.capitalize()} by type, per plan", ("plan", *kinds, "total"), rows,
                             numeric=range(1, len(kinds) + 2)))
        if per_plan and kinds:
            series = {k: [per_plan[plan][k] for plan in per_plan] for k in kinds}
            figure = _bars([label[plan] for plan in per_plan], series, noun, horizontal=False)
            figures.append(_image(figure, f"Stacked columns: each plan's {noun} by type"))
    return _section("distributions", "Types and relations per plan",
                    "How many entities of each type each plan names and how many relations of each type its "
                    "sentences state; the last row counts the merged graph, where an entity named by several "
                    "plans counts once.", figures, tables)


def _across_plans(graph: nx.MultiDiGraph, label: dict[str, str]) -> dict:
    plans, matrix = shared_between_plans(graph)
    figures = []
    if plans:
        figures.append(_image(_heatmap([label[plan] for plan in plans], matrix),
                              "Heat map: entities shared by each two plans"))
    shared = _table("Entities both plans name (diagonal: all the plan names)", ("plan", *(label[p] for p in plans)),
                    [(f"{label[plan]} {plan}", *row) for plan, row in zip(plans, matrix)],
                    numeric=range(1, len(plans) + 1))
    cited = [_table(f"National {plural} named by the most plans, top {TOP}", ("#", noun, "plans", "named by"),
                    [(i, _name(graph, node), len(named), " ".join(label[p] for p in named))
                     for i, (node, named) in enumerate(most_cited(graph, types)[:TOP], 1)], numeric=(0, 2))
             for noun, plural, types in (("document", "documents", ("Law",)), ("body", "bodies", ("Agency",)))]
    periods = sorted({p for p in graph.graph.get("plan_periods", {}).values() if p in PERIOD_START},
                     key=PERIOD_START.get)
    tables = [shared, *cited]
    note = ("Entities count as shared when plans name the same entity (same type, jurisdiction and canonical name).")
    if len(periods) > 1:
        first, last = periods[0], periods[-1]
        kept = persisted(graph, first, last)
        tables.append(_table(f"Named by plans of both {first} and {last}", ("#", "entity", "type", "plans"),
                             [(i, _name(graph, node), graph.nodes[node].get("type", ""),
                               " ".join(label[p] for p in plans if p in graph.nodes[node]["plans"]))
                              for i, node in enumerate(kept, 1)], numeric=(0,)))
        note += f" What persisted: entities named by {first} plans and by {last} plans."
    return _section("across-plans", "Across plans", note, figures, tables)


# --- building blocks ---------------------------------------------------------------------

def _section(anchor: str, title: str, note: str, figures: list[dict], tables: list[dict]) -> dict:
    return {"id": anchor, "title": title, "note": note, "figures": figures, "tables": tables}


def _table(caption: str, columns, rows, numeric=()) -> dict:
    """Cells as (value, numeric): numeric columns are aligned right."""
    numeric = set(numeric)
    return {"caption": caption, "columns": [(column, i in numeric) for i, column in enumerate(columns)],
            "rows": [[(cell, i in numeric) for i, cell in enumerate(row)] for row in rows]}


def _name(graph: nx.MultiDiGraph, node: str) -> str:
    return graph.nodes[node].get("name", node)


def _names(graph: nx.MultiDiGraph, nodes: list[str], limit: int = 12) -> str:
    """The first names of a list, and how many more there are."""
    shown = "、".join(_name(graph, node) for node in nodes[:limit])
    return shown + (f" … and {len(nodes) - limit} more" if len(nodes) > limit else "")


def _short(text: str, limit: int = 16) -> str:
    """A label that fits beside a bar.

    >>> _short("黑龙江省国民经济和社会发展信息化规划", 8)
    '黑龙江省国民经…'
    """
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _bars(labels: list[str], series: dict[str, list[float]], axis: str, horizontal: bool = True) -> Figure:
    """Stacked bars, one per label (the first on top, or leftmost); a legend when there are several series."""
    series = {name: np.asarray(values, dtype=float) for name, values in series.items() if any(values)}
    at = np.arange(len(labels))
    size = (8, 0.9 + 0.26 * len(labels)) if horizontal else (max(4.0, 1.5 + 0.8 * len(labels)), 4)
    figure = Figure(figsize=size, layout="constrained")
    axes = figure.subplots()
    base = np.zeros(len(labels))
    for name, values in series.items():
        colour = SERIES_COLOURS.get(name)
        if horizontal:
            axes.barh(at, values, left=base, color=colour, label=name)
        else:
            axes.bar(at, values, bottom=base, color=colour, label=name)
        base += values
    if horizontal:
        axes.set_yticks(at, labels)
        axes.invert_yaxis()
        axes.set_xlabel(axis)
    else:
        axes.set_xticks(at, labels)
        axes.set_ylabel(axis)
    if len(series) > 1:
        axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    return figure


def _heatmap(labels: list[str], matrix: list[list[int]]) -> Figure:
    """Counts in every cell; colour for the shared counts alone, as each plan's own total
    (the diagonal, grey) would wash the others out."""
    values = np.array(matrix, dtype=float)
    shared = np.ma.masked_array(values, mask=np.eye(len(labels), dtype=bool))
    high = max(shared.max() if shared.count() else 0, 1)
    figure = Figure(figsize=(2.2 + 0.7 * len(labels), 1.2 + 0.6 * len(labels)), layout="constrained")
    axes = figure.subplots()
    image = axes.imshow(shared, cmap=matplotlib.colormaps["Blues"].with_extremes(bad="#e8e8e8"), vmin=0, vmax=high)
    axes.set_xticks(range(len(labels)), labels)
    axes.set_yticks(range(len(labels)), labels)
    for (i, j), value in np.ndenumerate(values):
        light = i != j and value > high / 2
        axes.text(j, i, f"{value:.0f}", ha="center", va="center", color="white" if light else "black")
    figure.colorbar(image, ax=axes, label="entities named by both plans")
    return figure


def _image(figure: Figure, alt: str) -> dict:
    """The figure as an SVG data URI: inline, and its ids cannot clash with another plot's."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "infokg"})
    return {"src": "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"), "alt": alt}
