"""``python -m bench``: run the benchmarks, print one table, write it as JSON.

    python -m bench                       # sizes 1, 10, 100; every section
    python -m bench --quick               # sizes 1, 2; one copy and one round for throughput, one for parallel
    python -m bench --sizes 1,10 --skip sparql,viewer --json /tmp/bench.json

Sections: throughput (extractor vs references), build (kg build per size, one worker),
parallel (one vs two workers on each size from 10× up, or on the largest), sparql
(bench/sparql.py, when present) and viewer (Chromium, when installed). A section that cannot
run is listed as skipped with the reason; one that fails is listed with its error and the exit
status is 1.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

from . import build, corpus, throughput

SECTIONS = ("throughput", "build", "parallel", "sparql", "viewer")
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


class Skip(Exception):
    """A section that cannot run here; the message says why."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    unknown = set(args.skip) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"bench: --skip {','.join(sorted(unknown))}: sections are {','.join(SECTIONS)}")
    args.sizes = args.sizes or ([1, 2] if args.quick else [1, 10, 100])
    report = {"machine": _machine(), "options": _options(args), "results": {}, "skipped": {}, "errors": {}, "table": []}
    with tempfile.TemporaryDirectory(prefix="infokg-bench-") as work:
        for name in SECTIONS:
            _section(name, args, Path(work), report)
    _print_table(report["table"])
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.json}", file=sys.stderr)
    return 1 if report["errors"] else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Benchmark infokg: extraction "
                                     "throughput, the build at growing corpus sizes, parallel builds, SPARQL "
                                     "and the viewer. Prints one table and writes it as JSON.")
    parser.add_argument("--quick", action="store_true",
                        help="sizes 1,2 unless --sizes; one copy and one round for throughput, one round for parallel")
    parser.add_argument("--sizes", type=_numbers, help="corpus sizes, in seed copies (default 1,10,100)")
    parser.add_argument("--skip", type=lambda s: [x for x in s.split(",") if x], default=[],
                        help=f"sections to leave out, comma-separated: {','.join(SECTIONS)}")
    parser.add_argument("--json", type=Path, default=RESULTS, metavar="PATH",
                        help="where to write the results (default: bench/results/latest.json)")
    parser.add_argument("--seeds", type=Path, default=corpus.SEEDS, metavar="DIR",
                        help="seed plans the corpora are made from (default: seeds/)")
    parser.add_argument("--seed", type=int, default=0, help="corpus RNG seed (default 0)")
    return parser


def _numbers(text: str) -> list[int]:
    sizes = sorted({int(x) for x in text.split(",") if x})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError(f"{text}: give sizes of 1 or more, e.g. 1,10,100")
    return sizes


def _machine() -> dict:
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


def _options(args: argparse.Namespace) -> dict:
    return {"quick": args.quick, "sizes": args.sizes, "skip": args.skip, "seeds": str(args.seeds), "seed": args.seed}


def _section(name: str, args: argparse.Namespace, work: Path, report: dict) -> None:
    """Run one section into the report: its results and rows, or why it was skipped or failed."""
    try:
        if name in args.skip:
            raise Skip("left out with --skip")
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        result, rows = RUNNERS[name](args, work, report["results"])
    except Skip as reason:
        report["skipped"][name] = str(reason)
        rows = [("skipped", str(reason), "", "")]
    except Exception as error:  # one failing section should not lose the others' numbers
        report["errors"][name] = f"{type(error).__name__}: {error}"
        rows = [("error", report["errors"][name].splitlines()[0], "", "")]
    else:
        report["results"][name] = result
    report["table"] += [[name, *row] for row in rows]


def _throughput(args, work, done):
    result = throughput.run(args.seeds, copies=1 if args.quick else 3, seed=args.seed,
                            rounds=1 if args.quick else 3)
    return result, throughput.rows(result)


def _build(args, work, done):
    result = build.scaling(args.sizes, work, args.seeds, args.seed)
    return result, build.rows(result)


def _parallel(args, work, done):
    if (os.cpu_count() or 1) < 2:
        raise Skip("one CPU: nothing to run in parallel")
    sizes = [size for size in args.sizes if size >= 10] or [max(args.sizes)]
    results = [build.parallel(size, work, args.seeds, args.seed, rounds=1 if args.quick else 2) for size in sizes]
    result = {"sizes": results, "identical": all(r["identical"] for r in results)}
    return result, [row for r in results for row in build.parallel_rows(r)]


def _sparql(args, work, done):
    if importlib.util.find_spec("bench.sparql") is None:
        raise Skip("bench/sparql.py is not there yet")
    from . import sparql

    result = sparql.measure()
    return result, _flat_rows(result)


def _flat_rows(result: dict, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """Rows for a section whose shape this runner does not know: one per number or text."""
    rows = []
    for key, value in result.items():
        if isinstance(value, dict):
            rows += _flat_rows(value, f"{prefix}{key} ")
        elif isinstance(value, float):
            rows.append((f"{prefix}{key}", f"{value:,.3g}", "", ""))
        elif isinstance(value, (int, str, bool)):
            rows.append((f"{prefix}{key}", str(value), "", ""))
    return rows


def _viewer(args, work, done):
    missing = build.viewer_missing()
    if missing:
        raise Skip(missing)
    pages = {}
    if "parallel" in done:
        smallest = done["parallel"]["sizes"][0]
        pages[f"viewer.html of the {smallest['size']}× build"] = Path(smallest["viewer"])
    result = build.viewer(work, pages)
    return result, build.viewer_rows(result)


RUNNERS = {"throughput": _throughput, "build": _build, "parallel": _parallel, "sparql": _sparql, "viewer": _viewer}


def _print_table(rows: list[list[str]]) -> None:
    header = ["section", "measurement", "result", "target", "met"]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip())


if __name__ == "__main__":
    sys.exit(main())
