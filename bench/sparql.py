"""SPARQL speed: the competency questions (queries/*.rq) on a graph of about a million quads,
in the embedded store (Oxigraph, on disk) and in rdflib's in-memory store, in the same run.

The graph is the seed plans plus synthetic variants of them (:func:`variants`): each variant is
a seed's extraction moved to another jurisdiction and five-year period, its local names
rewritten (哈尔滨市信息产业局 -> 大庆市信息产业局) and so its local entities new nodes, while
national bodies, laws and programmes stay one node across all plans - the shape a real corpus
of plans gives, not a duplicate of the seeds. Both engines answer through kg.query.run_query,
the path ``kg query`` takes, so the times include turning results into rows.

Run ``python -m bench.sparql`` (``--help`` for the size and repeats); it prints a table and
writes bench/results/sparql.json. Targets: the store's median at least 20 times rdflib's, and
every question under 100 ms on the store. An rdflib query that runs past ``--rdflib-timeout``
is stopped and counted at the timeout, which makes its speed-up a lower bound.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import platform
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

RESULTS = Path(__file__).resolve().parent / "results" / "sparql.json"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PERIODS = ("十一五", "十二五", "十三五", "十四五")
# Provinces the variants move to, and how many of each one's prefectures: plans of one province
# at several levels and periods, as a province's archive of plans would have.
PROVINCES = ("230000", "130000", "370000", "210000", "220000", "410000", "320000", "510000")
PREFECTURES_PER_PROVINCE = 4
TARGET_SPEEDUP = 20
TARGET_STORE_MS = 100


# --- the graph -----------------------------------------------------------------------------------------

def variants(seeds: list, copies: int) -> list:
    """``copies`` synthetic variants of every seed extraction (see the module docstring): the
    n-th variant of a seed moves it to the n-th place of its level (PROVINCES, or their first
    prefectures), and the periods turn so that a place comes back in another period; each
    variant's text gets a line naming it, so its digest and document IRI are its own."""
    from kg import lexicon

    divisions = lexicon.load().divisions
    places = {"province": list(PROVINCES),
              "prefecture": [code for province in PROVINCES for code in sorted(
                  c for c, d in divisions.items() if d.parent == province and d.level == "prefecture"
              )[:PREFECTURES_PER_PROVINCE]]}
    made = []
    for n in range(copies):
        for seed in seeds:
            level = seed.plan.jurisdiction.level
            if level in places:
                here = places[level]
                period = PERIODS[(n + 1 + n // len(here)) % len(PERIODS)]
                made.append(_moved(seed, here[n % len(here)], period, n))
    return made


def _moved(seed, code: str, period: str, n: int):
    """The seed extraction as if it were the plan of division ``code`` for ``period``."""
    from kg import lexicon
    from kg.extract import Extraction
    from kg.plan import PERIOD_START, jurisdiction_of

    divisions = lexicon.load().divisions
    old, new = _chain(divisions, seed.plan.jurisdiction.code), _chain(divisions, code)
    codes = dict(zip(old, new))
    renames = [(divisions[a].name, divisions[b].name) for a, b in codes.items()]
    renames += [(lexicon.short_division_name(a), lexicon.short_division_name(b)) for a, b in renames]
    renames.append((seed.plan.period, period))

    def rename(text: str) -> str:
        for before, after in renames:
            if before:
                text = text.replace(before, after)
        return text

    def rekey(key: str) -> str:
        kind, scope, name = key.split("|", 2)
        return f"{kind}|{codes.get(scope, scope)}|{rename(name)}"

    line = f"\n（合成样本 {n}：{divisions[code].name}{period}）"
    document = dataclasses.replace(seed.document, name=f"variant-{n:03d}-{code}-{seed.document.name}",
                                   text=seed.document.text + line, norm=seed.document.norm + line)
    shift = PERIOD_START[period] - PERIOD_START.get(seed.plan.period, PERIOD_START[period])
    plan = dataclasses.replace(seed.plan, title=rename(seed.plan.title), jurisdiction=jurisdiction_of(code),
                               period=period, year=(seed.plan.year or PERIOD_START[period]) + shift)
    entities = [dataclasses.replace(e, key=rekey(e.key), name=rename(e.name), aliases=[rename(a) for a in e.aliases],
                                    scope=codes.get(e.scope, e.scope)) for e in seed.entities]
    relations = [dataclasses.replace(r, head=rekey(r.head), tail=rekey(r.tail)) for r in seed.relations]
    return Extraction(document, plan, entities, relations)


def _chain(divisions: dict, code: str) -> list[str]:
    """``code`` and the codes above it, from the province down."""
    chain = []
    while code:
        chain.append(code)
        code = divisions[code].parent
    return chain[::-1]


def quad_count(dataset) -> int:
    return sum(len(graph) for graph in dataset.graphs())


def copies_for(seeds: list, quads: int) -> int:
    """How many variants of each seed make a graph of at least about ``quads`` quads."""
    from kg.graph import build_dataset

    per_round = quad_count(build_dataset(seeds))
    return max(0, math.ceil(quads / per_round) - 1)


# --- timing ------------------------------------------------------------------------------------------

class _Timeout(BaseException):
    """Not an Exception: kg.query.run_query turns those into "the query cannot be run"."""


def _timed(run: Callable[[], object], repeats: int, timeout: float) -> tuple[float, int, bool]:
    """Median milliseconds of ``repeats`` runs (after one warm-up), the number of rows, and
    whether it was stopped at ``timeout`` seconds (then the time is the timeout)."""

    def stop(*_):
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, stop)
    times, rows = [], 0
    try:
        for attempt in range(repeats + 1):
            signal.setitimer(signal.ITIMER_REAL, timeout)
            started = time.perf_counter()
            try:
                rows = len(run()[1])
            except _Timeout:
                return timeout * 1000, rows, True
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            elapsed = time.perf_counter() - started
            if attempt:
                times.append(elapsed * 1000)
            if elapsed * (repeats - attempt) > timeout:  # slow: the runs so far will do
                break
    finally:
        signal.signal(signal.SIGALRM, previous)
    return statistics.median(times or [elapsed * 1000]), rows, False


def measure(extractions: list | None = None, quads: int = 1_000_000, repeats: int = 5,
            rdflib_timeout: float = 60.0, store_dir: Path | None = None, report=None) -> dict:
    """Build the graph (the seed plans, or ``extractions``, and variants up to about ``quads``),
    load it into the store and into rdflib, run every competency question on both, and return
    the sizes, per-question medians and speed-ups as a dict (what bench/results/sparql.json holds).
    ``report`` is called with a progress line now and then."""
    from kg.extract import extract_paths
    from kg.graph import build_dataset
    from kg.query import named_queries, run_query
    from kg.store import Store

    report = report or (lambda line: None)
    seeds = extractions if extractions is not None else list(extract_paths(sorted(SEEDS.glob("*.txt"))))
    copies = copies_for(seeds, quads)
    started = time.perf_counter()
    dataset = build_dataset(seeds + variants(seeds, copies))
    graph = {"quads": quad_count(dataset), "documents": len(seeds) * (copies + 1), "variants_per_seed": copies,
             "build_s": round(time.perf_counter() - started, 2)}
    report(f"graph: {graph['quads']:,} quads, {graph['documents']} documents ({graph['build_s']} s)")
    with tempfile.TemporaryDirectory(dir=store_dir) as folder, Store(Path(folder) / "store") as store:
        started = time.perf_counter()
        store.replace(dataset)
        graph["store_load_s"] = round(time.perf_counter() - started, 2)
        report(f"store loaded ({graph['store_load_s']} s)")
        results = []
        for query in named_queries():
            store_ms, rows, _ = _timed(lambda: run_query(store.dataset, query.text), repeats, rdflib_timeout)
            rdflib_ms, rdflib_rows, timed_out = _timed(lambda: run_query(dataset, query.text), repeats, rdflib_timeout)
            results.append({"query": query.name, "rows": rows, "store_ms": round(store_ms, 2),
                            "rdflib_ms": round(rdflib_ms, 1), "rdflib_timed_out": timed_out,
                            "rdflib_rows_agree": timed_out or rdflib_rows == rows,
                            "speedup": round(rdflib_ms / max(store_ms, 1e-3), 1)})
            report(_row(results[-1]))
    return {"graph": graph, "queries": results, "summary": _summary(results), "environment": _environment(),
            "settings": {"repeats": repeats, "rdflib_timeout_s": rdflib_timeout}}


def _summary(results: list[dict]) -> dict:
    store = [r["store_ms"] for r in results]
    rdflib = [r["rdflib_ms"] for r in results]
    speedup = statistics.median(rdflib) / max(statistics.median(store), 1e-3)
    return {"store_median_ms": round(statistics.median(store), 2), "store_max_ms": round(max(store), 2),
            "rdflib_median_ms": round(statistics.median(rdflib), 1),
            "median_speedup": round(speedup, 1),
            "median_of_speedups": round(statistics.median(r["speedup"] for r in results), 1),
            "rdflib_timeouts": sum(r["rdflib_timed_out"] for r in results),
            "speedup_target_met": speedup >= TARGET_SPEEDUP,
            "store_under_100ms": max(store) < TARGET_STORE_MS}


def _environment() -> dict:
    import pyoxigraph
    import rdflib

    return {"python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__,
            "machine": platform.machine(), "system": platform.system()}


# --- output ------------------------------------------------------------------------------------------

def _row(result: dict) -> str:
    rdflib = f"{'>' if result['rdflib_timed_out'] else ''}{result['rdflib_ms']:,.1f}"
    return (f"{result['query']:<34} {result['rows']:>6} {result['store_ms']:>9.2f} {rdflib:>11} "
            f"{('≥' if result['rdflib_timed_out'] else '') + format(result['speedup'], ',.0f') + '×':>9}")


def table(measured: dict) -> str:
    """The measurements as a plain-text table."""
    graph, summary = measured["graph"], measured["summary"]
    lines = [f"graph: {graph['quads']:,} quads in {graph['documents']} documents "
             f"(seeds + {graph['variants_per_seed']} variants each); store load {graph['store_load_s']} s",
             f"{'question':<34} {'rows':>6} {'store ms':>9} {'rdflib ms':>11} {'speed-up':>9}"]
    lines += [_row(r) for r in measured["queries"]]
    lines.append(f"median: store {summary['store_median_ms']} ms, rdflib {summary['rdflib_median_ms']:,} ms, "
                 f"{summary['median_speedup']:,}× (target {TARGET_SPEEDUP}×: "
                 f"{'met' if summary['speedup_target_met'] else 'NOT met'}); slowest on the store "
                 f"{summary['store_max_ms']} ms (target < {TARGET_STORE_MS} ms: "
                 f"{'met' if summary['store_under_100ms'] else 'NOT met'}); rdflib stopped at the timeout "
                 f"{summary['rdflib_timeouts']} times")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sparql", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quads", type=int, default=1_000_000, help="about how many quads (default 1,000,000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per question and engine (default 5)")
    parser.add_argument("--rdflib-timeout", type=float, default=60.0, metavar="S",
                        help="stop an rdflib query after S seconds (default 60)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS})")
    args = parser.parse_args(argv)
    measured = measure(quads=args.quads, repeats=args.repeats, rdflib_timeout=args.rdflib_timeout,
                       report=lambda line: print(line, file=sys.stderr, flush=True))
    print(table(measured))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(measured, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
