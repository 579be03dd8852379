"""The end-to-end build (``kg build``, ingest → exports) at growing corpus sizes, with one
and two workers, and the viewer page it writes, opened in Chromium.

Each build runs as its own process, as a user runs it, so interpreter start, imports and
model loading are paid as they would be; its peak RSS and CPU time are read from ``wait4``
on that process, which covers it and its worker processes (the largest RSS of them, the sum of
their CPU time), not the runner. CPU time over wall time is how many cores the build kept busy;
2 ÷ that number at one worker bounds what two workers on two cores can gain.
"""
from __future__ import annotations

import filecmp
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import corpus

TARGET_CHARS_PER_S = 300_000  # one worker, 10×
TARGET_LINEARITY = 1.1  # time(100×) ≤ 11 × time(10×): at most 1.1× the size ratio
TARGET_RSS_MB = 1024  # at 100×
TARGET_SPEEDUP = 1.7  # two workers on two cores


def build(inputs: Path, out: Path, workers: int = 1) -> dict:
    """Run ``kg build`` once; wall time, the process tree's peak RSS and CPU time, and the
    phases its progress lines time."""
    command = [sys.executable, "-m", "kg.cli", "build", "--workers", str(workers), "--out", str(out), str(inputs)]
    with tempfile.TemporaryFile() as progress:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=progress)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        progress.seek(0)
        lines = progress.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}:\n{lines[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime  # the process and its waited-for workers, all threads
    return {"workers": workers, "wall_s": wall, "cpu_s": cpu, "cores_busy": cpu / wall,
            "peak_rss_mb": usage.ru_maxrss / 1024, "phases_s": phases(lines, wall)}


_PLAN_DONE = re.compile(r"^\[\d+/\d+\] .*\((\d+\.\d+) s\)$", re.MULTILINE)
_EXPORTS_DONE = re.compile(r"^exports written \((\d+\.\d+) s\)$", re.MULTILINE)
_VIEWER_DONE = re.compile(r"^viewer written \((\d+\.\d+) s\)", re.MULTILINE)


def phases(progress: str, wall: float) -> dict[str, float] | None:
    """Where a build's wall time went, read from its progress lines (times since the build
    started, to a tenth of a second): start-up (Python, imports; and exit), until the first
    plan is done (the pipeline loaded, in each worker, and one plan), the other plans, the
    exports, and the wait for the viewer. None if the lines are not there."""
    plans = [float(t) for t in _PLAN_DONE.findall(progress)]
    exports, viewer = _EXPORTS_DONE.search(progress), _VIEWER_DONE.search(progress)
    if not plans or not exports or not viewer:
        return None
    exports_done, viewer_done = float(exports.group(1)), float(viewer.group(1))
    return {"start": wall - viewer_done, "first_plan": plans[0], "other_plans": plans[-1] - plans[0],
            "exports": exports_done - plans[-1], "viewer": viewer_done - exports_done}


def phase_note(run: dict) -> str:
    """The phases of a run as a short text ("" if unknown)."""
    if not run.get("phases_s"):
        return ""
    return " · ".join(f"{name.replace('_', ' ')} {seconds:.1f}" for name, seconds in run["phases_s"].items()) + " s"


def scaling(sizes: list[int], work: Path, seeds: Path = corpus.SEEDS, seed: int = 0) -> dict:
    """One single-worker build per corpus size, and how time grows between the two largest."""
    runs = []
    for size in sizes:
        paths = corpus.generate(size, work / f"corpus-{size}", seeds, seed)
        chars = sum(len(p.read_text(encoding="utf-8")) for p in paths)
        run = build(work / f"corpus-{size}", work / f"out-{size}")
        runs.append({"size": size, "files": len(paths), "chars": chars, **run, "chars_per_s": chars / run["wall_s"]})
        shutil.rmtree(work / f"out-{size}")
    return {"runs": runs, "linearity": _linearity(runs)}


def _linearity(runs: list[dict]) -> dict | None:
    """time ratio over size ratio between the two largest sizes (1.0 is linear)."""
    if len(runs) < 2:
        return None
    small, large = sorted(runs, key=lambda r: r["size"])[-2:]
    time_ratio = large["wall_s"] / small["wall_s"]
    size_ratio = large["size"] / small["size"]
    return {"from": small["size"], "to": large["size"], "time_ratio": time_ratio, "size_ratio": size_ratio,
            "met": time_ratio <= TARGET_LINEARITY * size_ratio}


def parallel(size: int, work: Path, seeds: Path = corpus.SEEDS, seed: int = 0, rounds: int = 2) -> dict:
    """One and two workers on the same corpus, taking turns for ``rounds`` rounds, each
    keeping its fastest run (this machine's speed drifts by a third within a minute): speed-up,
    and whether the outputs are the same bytes."""
    inputs = work / f"corpus-{size}"
    if not inputs.is_dir():
        corpus.generate(size, inputs, seeds, seed)
    one, two = work / f"out-{size}-w1", work / f"out-{size}-w2"
    turns = [[build(inputs, one, 1), build(inputs, two, 2)] for _ in range(rounds)]
    runs = [{**min(each, key=lambda run: run["wall_s"]), "all_wall_s": [run["wall_s"] for run in each]}
            for each in zip(*turns)]
    names = sorted(p.name for p in one.iterdir())
    different = [n for n in names if not (two / n).is_file() or not filecmp.cmp(one / n, two / n, shallow=False)]
    speedup = runs[0]["wall_s"] / runs[1]["wall_s"]
    return {"size": size, "rounds": rounds, "runs": runs, "speedup": speedup, "met": speedup >= TARGET_SPEEDUP,
            "speedup_bound": 2 / runs[0]["cores_busy"],
            "files_compared": names, "identical": not different, "different": different,
            "viewer": str(one / "viewer.html")}


def rows(result: dict) -> list[tuple[str, str, str, str]]:
    """Table rows for the scaling section: (measurement, result, target, met)."""
    table = []
    for run in result["runs"]:
        target, met = "", ""
        if run["size"] == 10:
            target, met = f"≥ {TARGET_CHARS_PER_S:,} chars/s", _yes(run["chars_per_s"] >= TARGET_CHARS_PER_S)
        if run["size"] == 100:
            target, met = f"≤ {TARGET_RSS_MB:,} MB", _yes(run["peak_rss_mb"] <= TARGET_RSS_MB)
        table.append((f"{run['size']}× ({run['files']} plans, {run['chars']:,} chars), 1 worker",
                      f"{run['wall_s']:.1f} s · {run['chars_per_s']:,.0f} chars/s · {run['peak_rss_mb']:,.0f} MB"
                      f" · {run['cores_busy']:.2f} cores",
                      target, met))
        table.append((f"{run['size']}×, where the time went", phase_note(run), "", ""))
    linear = result["linearity"]
    if linear:
        table.append((f"time({linear['to']}×) / time({linear['from']}×)", f"{linear['time_ratio']:.2f}",
                      f"≤ {TARGET_LINEARITY * linear['size_ratio']:g}", _yes(linear["met"])))
    return table


def parallel_rows(result: dict) -> list[tuple[str, str, str, str]]:
    fastest = f", fastest of {result['rounds']}" if result["rounds"] > 1 else ""
    table = []
    for run in result["runs"]:
        workers = f"{result['size']}×, {run['workers']} worker{'s' if run['workers'] > 1 else ''}"
        table.append((workers + fastest,
                       f"{run['wall_s']:.1f} s · {run['cpu_s']:.1f} CPU s ({run['cores_busy']:.2f} cores) · "
                       f"{run['peak_rss_mb']:,.0f} MB peak per process"
                       + (f" (runs: {', '.join(f'{wall:.1f}' for wall in run['all_wall_s'])} s)" if fastest else ""), "", ""))
        table.append((f"{workers}, where the time went", phase_note(run), "", ""))
    table.append(("speed-up bound on 2 cores (2 ÷ cores busy at 1 worker)", f"{result['speedup_bound']:.2f}×", "", ""))
    table.append(("speed-up, 2 workers", f"{result['speedup']:.2f}×", f"≥ {TARGET_SPEEDUP:g}×", _yes(result["met"])))
    same = "identical" if result["identical"] else f"differ: {', '.join(result['different'])}"
    table.append((f"outputs ({len(result['files_compared'])} files) 1 vs 2 workers", same, "identical",
                  _yes(result["identical"])))
    return table


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


# --- the viewer ------------------------------------------------------------------------------

CHROMIUM = os.environ.get("INFOKG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                  "--no-first-run", "--disable-component-update", "--disable-sync",
                  "--host-resolver-rules=MAP * ~NOTFOUND"]
SYNTHETIC = "synthetic 5k nodes / 15k edges"


def viewer_missing() -> str | None:
    """Why the viewer cannot be measured here, or None."""
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (scripts/install-browser.sh, or set INFOKG_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "no playwright client (scripts/install-browser.sh)"
    return None


def viewer(work: Path, pages: dict[str, Path] | None = None) -> dict:
    """Time to interactive of a synthetic 5,000-node, 15,000-edge page (the size tests/test_view.py
    measures) and of any ``pages`` given, such as the viewer a build wrote."""
    from playwright.sync_api import sync_playwright

    from kg.view import write_viewer

    start = time.perf_counter()
    synthetic = write_viewer(synthetic_graph(5000, 15000), work / "viewer-5k.html", title="5k")
    written = time.perf_counter() - start
    pages = {SYNTHETIC: synthetic, **(pages or {})}
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(work / "chromium-profile"), executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True,
            viewport={"width": 1600, "height": 1000})
        loads = {name: _load(context, path) for name, path in pages.items()}
        context.close()
    loads[SYNTHETIC]["write_s"] = written
    return {"pages": loads}


def _load(context, path: Path) -> dict:
    """Open the page offline; when it first drew, how long the load took, and a selection."""
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    start = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready]", timeout=300_000)
    wall = time.perf_counter() - start
    nodes, edges = page.evaluate("[infokg.nodes.length, infokg.edges.length]")
    select_ms = page.evaluate("""n => { const t = performance.now(); infokg.selectNode(n, true);
        return performance.now() - t; }""", nodes // 2)
    result = {"nodes": nodes, "edges": edges, "bytes": path.stat().st_size,
              "ready_ms": int(page.get_attribute("body", "data-ready")), "load_wall_s": wall, "select_ms": select_ms}
    page.close()
    return result


def synthetic_graph(nodes: int, edges: int, seed: int = 1):
    """A graph shaped like kg.view.viewer_graph's, of any size (the viewer benchmark and tests/test_view.py)."""
    import networkx as nx
    from kg.relate import RELATION_TYPES
    from kg.view import ENTITY_STYLES

    rng = random.Random(seed)
    types, plans = list(ENTITY_STYLES), [f"规划{i}" for i in range(40)]
    graph = nx.MultiDiGraph()
    for i in range(nodes):
        graph.add_node(f"n{i:05d}", name=f"实体{i}号平台", type=rng.choice(types), aliases=[f"别名{i}"],
                       plans=rng.sample(plans, 2), jurisdiction=rng.choice(["national", "哈尔滨市", "河北省"]),
                       periods=[rng.choice(["十一五", "十三五"])], mentions=1)
    made = 0  # counted here: MultiDiGraph.number_of_edges() walks every node
    while made < edges:
        head, tail = rng.sample(range(nodes), 2)
        kind = rng.choice(RELATION_TYPES)
        if not graph.has_edge(f"n{head:05d}", f"n{tail:05d}", kind):
            graph.add_edge(f"n{head:05d}", f"n{tail:05d}", key=kind, type=kind,
                           evidence=[(rng.choice(plans), f"第{head}号建设依托第{tail}号。")])
            made += 1
    return graph


def viewer_rows(result: dict) -> list[tuple[str, str, str, str]]:
    return [(f"{name} ({page['nodes']:,} nodes, {page['edges']:,} edges, {page['bytes'] / 1e6:.1f} MB)",
             f"first drawing {page['ready_ms']:,} ms · load {page['load_wall_s']:.1f} s · select {page['select_ms']:.0f} ms",
             "", "") for name, page in result["pages"].items()]
