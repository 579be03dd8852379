"""The ``kg`` command: build the graph, extract, query, evaluate and view.

Every subcommand explains its options with ``kg CMD --help``. Unreadable inputs are reported
one line each on stderr (file and reason) while the other documents are still processed;
the exit status is then 1.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import Iterable, Sequence

from .ingest import IngestError

SEEDS = Path("seeds")
EXPORTS = Path("exports")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    from .view import ViewError

    try:
        return args.run(args)
    except (FileNotFoundError, ValueError, IsADirectoryError, ViewError) as error:
        print(f"kg: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="infokg: a knowledge graph of China's informatization plans. Reads plans (plain text in "
                    "UTF-8, GB18030, Big5 or UTF-16), finds agencies, projects, databases, platforms and laws "
                    "and how they relate, and writes an RDF graph, exports and an interactive viewer.",
    )
    commands = parser.add_subparsers(title="commands", metavar="CMD")

    build = commands.add_parser("build", help="extract plans and write the graph, exports and viewer",
                                description="Extract every plan and write exports/kg.ttl, kg.trig, kg.jsonld, "
                                            "kg.nq and viewer.html (byte-identical for the same inputs).")
    build.add_argument("inputs", nargs="*", type=Path, metavar="INPUT",
                       help="plan files or folders of *.txt plans (default: seeds/)")
    build.add_argument("--out", type=Path, default=EXPORTS, metavar="DIR", help="output folder (default: exports/)")
    build.add_argument("--workers", type=int, default=1, metavar="N",
                       help="extract in N processes (default 1); the output is the same")
    build.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    build.set_defaults(run=_build)

    extract = commands.add_parser("extract", help="print what each plan states, one JSON object per line",
                                  description="Print one JSON object per document (the shape of OUTPUT.md): "
                                              "entities with names, aliases and mention offsets, relations with "
                                              "evidence offsets into the text as decoded from the file.")
    extract.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="plan files or folders of *.txt plans")
    extract.add_argument("--format", choices=("json", "table"), default="json",
                         help="json: JSON Lines (default); table: a readable listing")
    extract.set_defaults(run=_extract)

    query = commands.add_parser("query", help="run SPARQL over the built graph",
                                description="Run a SPARQL SELECT or ASK query (text or a .rq file) over the "
                                            "graph, provenance included (named graphs per document).")
    query.add_argument("sparql", metavar="SPARQL_OR_FILE", help="a query, or the path of a file holding one")
    query.add_argument("--data", type=Path, default=EXPORTS / "kg.trig", metavar="FILE",
                       help="graph to query: .trig, .nq, .ttl or .jsonld (default: exports/kg.trig)")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    query.set_defaults(run=_query)

    evaluate = commands.add_parser("eval", help="score extraction against gold annotations",
                                   description="Score entities and relations against gold files with the rules of "
                                               "ANNOTATION.md: core and strict precision, recall and F1 per type, "
                                               "and canonical-name accuracy.")
    evaluate.add_argument("gold", type=Path, metavar="GOLD_DIR", help="folder of gold JSON files")
    evaluate.add_argument("inputs", nargs="*", type=Path, metavar="INPUT",
                          help="plan files or folders (default: the files the gold names, from seeds/)")
    evaluate.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    evaluate.add_argument("--errors", type=int, default=0, metavar="N",
                          help="also list up to N missed and N spurious items of each kind")
    evaluate.set_defaults(run=_eval)

    view = commands.add_parser("view", help="write the interactive HTML graph",
                               description="Write one self-contained HTML file (no network needed) showing "
                                           "the graph: search, filters, evidence for every relation.")
    view.add_argument("inputs", nargs="*", type=Path, metavar="INPUT",
                      help="plan files or folders of *.txt plans (default: seeds/)")
    view.add_argument("--out", type=Path, default=EXPORTS / "viewer.html", metavar="FILE",
                      help="HTML file to write (default: exports/viewer.html)")
    view.set_defaults(run=_view)

    report = commands.add_parser("report", help="write the HTML report of analytics over the graph",
                                 description="Write one self-contained HTML file (no network needed) analysing "
                                             "the graph: who leads, platform and database hubs, dependency "
                                             "chains, communities, what each plan contains and what plans "
                                             "share, each with a plot and a table (byte-identical for the same "
                                             "inputs).")
    report.add_argument("inputs", nargs="*", type=Path, metavar="INPUT",
                        help="plan files or folders of *.txt plans (default: seeds/)")
    report.add_argument("--out", type=Path, default=EXPORTS / "report.html", metavar="FILE",
                        help="HTML file to write (default: exports/report.html)")
    report.set_defaults(run=_report)
    return parser


# --- inputs -------------------------------------------------------------------------------

def expand_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Files as given; folders stand for the *.txt files inside them, in name order."""
    paths: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found = sorted(item.glob("*.txt"))
            if not found:
                print(f"kg: warning: {item}: folder has no *.txt plans", file=sys.stderr)
            paths += found
        else:
            paths.append(item)
    return paths


def _extractions(paths: list[Path], quiet: bool = True, workers: int = 1) -> tuple[list, int]:
    """Extract every readable plan; report the others. Returns (extractions, failures)."""
    from .extract import extract_paths

    results, failures = [], 0
    started = time.perf_counter()
    for n, result in enumerate(extract_paths(paths, workers=workers), 1):
        if isinstance(result, IngestError):
            print(f"kg: error: {result}", file=sys.stderr)
            failures += 1
            continue
        results.append(result)
        if not quiet:
            print(f"[{n}/{len(paths)}] {result.document.name}: {len(result.entities)} entities, "
                  f"{len(result.relations)} relations ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return results, failures


# --- commands -------------------------------------------------------------------------------

def _build(args: argparse.Namespace) -> int:
    from .export import write_exports
    from .graph import build_dataset
    from .view import viewer_graph, write_viewer

    paths = expand_inputs(args.inputs or [SEEDS])
    if args.workers < 1:
        raise ValueError(f"--workers {args.workers}: give 1 or more processes")
    results, failures = _extractions(paths, quiet=args.quiet, workers=args.workers)
    if not results:
        print("kg: error: no plan could be read; nothing was written", file=sys.stderr)
        return 1
    dataset = build_dataset(results)
    written = write_exports(dataset, args.out)
    written["viewer"] = write_viewer(viewer_graph(results), args.out / "viewer.html")
    if not args.quiet:
        for path in written.values():
            print(f"wrote {path}", file=sys.stderr)
    return 1 if failures else 0


def _extract(args: argparse.Namespace) -> int:
    from .extract import as_json, extract_paths

    failures = 0
    for result in extract_paths(expand_inputs(args.paths)):
        if isinstance(result, IngestError):
            print(f"kg: error: {result}", file=sys.stderr)
            failures += 1
            continue
        if args.format == "json":
            print(json.dumps(as_json(result), ensure_ascii=False), flush=True)
        else:
            _print_table(as_json(result))
    return 1 if failures else 0


def _print_table(output: dict) -> None:
    names = {e["id"]: e["name"] for e in output["entities"]}
    print(f"== {output['document']}: {len(output['entities'])} entities, {len(output['relations'])} relations")
    for entity in output["entities"]:
        aliases = f"  (= {'; '.join(entity['aliases'])})" if entity["aliases"] else ""
        print(f"  {entity['type']:<9}{entity['name']}{aliases}")
    for relation in output["relations"]:
        print(f"  {names[relation['head']]} --{relation['type']}--> {names[relation['tail']]}")


def _query(args: argparse.Namespace) -> int:
    from .query import load_graph, run_query

    text = args.sparql
    candidate = Path(text)
    if len(text) < 255 and candidate.suffix in (".rq", ".sparql") or (len(text) < 255 and candidate.is_file()):
        if not candidate.is_file():
            raise FileNotFoundError(f"{candidate}: no such query file")
        text = candidate.read_text(encoding="utf-8")
    if not args.data.is_file():
        raise FileNotFoundError(f"{args.data}: no graph to query; run `kg build` first or give --data FILE")
    columns, rows = run_query(load_graph(args.data), text)
    _print_rows(columns, rows, args.format)
    return 0


def _print_rows(columns: list[str], rows: list[list[str]], form: str) -> None:
    if form == "json":
        print(json.dumps([dict(zip(columns, row)) for row in rows], ensure_ascii=False, indent=1))
    elif form == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        widths = [max([_width(c)] + [_width(r[i]) for r in rows]) for i, c in enumerate(columns)]
        print(" | ".join(_pad(c, w) for c, w in zip(columns, widths)))
        print("-+-".join("-" * w for w in widths))
        for row in rows:
            print(" | ".join(_pad(v, w) for v, w in zip(row, widths)))
        print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _width(text: str) -> int:
    """Display width: Chinese characters take two columns."""
    return sum(2 if "\u2e80" <= c <= "\uffef" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _eval(args: argparse.Namespace) -> int:
    from .evaluate import as_json as score_json
    from .evaluate import load_gold, report, score
    from .extract import as_json

    gold = load_gold(args.gold)
    if args.inputs:
        paths = expand_inputs(args.inputs)
    else:
        paths = [SEEDS / g["document"] for g in gold]
    results, failures = _extractions(paths)
    predictions = [as_json(r) for r in results]
    core, strict = score(gold, predictions), score(gold, predictions, strict=True)
    if args.format == "json":
        print(json.dumps(score_json(core, strict), ensure_ascii=False, indent=1))
    else:
        print(report(core, strict))
        if args.errors:
            _print_errors(core, args.errors)
    return 1 if failures else 0


def _print_errors(core, limit: int) -> None:
    errors = core.errors
    sections = [
        ("missed entities", [f"{d}: {g['type']} {g['name']}" for d, g in errors.missed_entities]),
        ("spurious entities", [f"{d}: {p['type']} {p['name']}" for d, p in errors.spurious_entities]),
        ("canonical names (predicted / gold)", [f"{d}: {p} / {g}" for d, p, g in errors.wrong_names]),
        ("missed relations", [f"{d}: {t} {h} -> {tl}" for d, t, h, tl in errors.missed_relations]),
        ("spurious relations", [f"{d}: {t} {h} -> {tl}" for d, t, h, tl in errors.spurious_relations]),
    ]
    for title, items in sections:
        print(f"\n{title}: {len(items)}")
        for item in items[:limit]:
            print(f"  {item}")


def _view(args: argparse.Namespace) -> int:
    from .view import viewer_graph, write_viewer

    results, failures = _extractions(expand_inputs(args.inputs or [SEEDS]))
    if not results:
        print("kg: error: no plan could be read; nothing was written", file=sys.stderr)
        return 1
    path = write_viewer(viewer_graph(results), args.out)
    print(f"wrote {path}", file=sys.stderr)
    return 1 if failures else 0


def _report(args: argparse.Namespace) -> int:
    from .report import ReportError, write_report
    from .view import viewer_graph

    results, failures = _extractions(expand_inputs(args.inputs or [SEEDS]))
    if not results:
        print("kg: error: no plan could be read; nothing was written", file=sys.stderr)
        return 1
    try:
        path = write_report(viewer_graph(results), args.out)
    except ReportError as error:
        print(f"kg: error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
