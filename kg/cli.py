"""The ``kg`` command: build the graph's exports, change them a plan at a time through the store
made from them (``add``, ``remove``), extract, query, evaluate and view.

Every subcommand explains its options with ``kg CMD --help``. Unreadable inputs are reported
one line each on stderr (file and reason) while the other documents are still processed;
the exit status is then 1.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import gc
import json
import os
import sys
import textwrap
import time
from pathlib import Path
from typing import Iterable, Sequence

from .ingest import IngestError

SEEDS = Path("seeds")
EXPORTS = Path("exports")
STORE_HELP = ("store folder, made from the exports' kg.nq when first needed (default: .kg/<name of the exports "
              "folder> beside it, .kg/exports for exports/)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except BrokenPipeError:  # the reader went away (`kg query … | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (OSError, ValueError) as error:  # a file that cannot be read or written, bad input (and
        # the store's, the viewer's and the report's own errors, which are ValueErrors)
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
                                description="Extract every plan and write exports/kg.ttl, kg.trig, kg.jsonld, kg.nq, "
                                            "kg.graphml, kg.gexf, nodes.csv, edges.csv, and viewer.html "
                                            "(byte-identical for the same inputs, in any order). Plans stream "
                                            "through: memory holds only the merged facts and the viewer. The "
                                            "store of the earlier exports is deleted: `kg query`, `add` and "
                                            "`remove` make it again from kg.nq when they first need it.")
    build.add_argument("inputs", nargs="*", type=Path, metavar="INPUT",
                       help="plan files or folders of *.txt plans (default: seeds/)")
    _store_options(build)
    build.add_argument("--workers", type=int, default=1, metavar="N",
                       help="extract in N processes (default 1); the output is the same")
    build.set_defaults(run=_build)

    extract = commands.add_parser("extract", help="print what each plan states, one JSON object per line",
                                  description="Print one JSON object per document (the shape of OUTPUT.md): "
                                              "entities with names, aliases and mention offsets, relations with "
                                              "evidence offsets into the text as decoded from the file.")
    extract.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="plan files or folders of *.txt plans")
    extract.add_argument("--format", choices=("json", "table"), default="json",
                         help="json: JSON Lines (default); table: a readable listing")
    extract.set_defaults(run=_extract)

    add = commands.add_parser("add", help="add plans to the stored graph and rewrite the exports",
                              description="Extract each plan and add it to the store: its named graph, and the "
                                          "merged facts about everything it names (the same graph `kg build` of "
                                          "all the plans gives). Then rewrite the exports from the store. A plan "
                                          "already there (the same text under the same name) changes nothing; "
                                          "viewer.html is not rewritten (run `kg view`).")
    add.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="plan files or folders of *.txt plans")
    _store_options(add)
    add.set_defaults(run=_add)

    remove = commands.add_parser("remove", help="remove plans from the stored graph and rewrite the exports",
                                 description="Remove each document, and what only it said, from the store; "
                                             "then rewrite the exports from the store. DOC is a file name the "
                                             "document was added as, its IRI (doc:… or in full) or the start of "
                                             "its SHA-256 digest; `kg query --name documents` lists them.")
    remove.add_argument("documents", nargs="+", metavar="DOC", help="the documents to remove")
    _store_options(remove)
    remove.set_defaults(run=_remove)

    query = commands.add_parser("query", help="run SPARQL over the built graph",
                                description="Run a SPARQL SELECT or ASK query (text, a .rq file, or a named "
                                            "competency question from queries/) over the graph, provenance "
                                            "included (named graphs per document). Asks the store of exports/, "
                                            "made from exports/kg.nq the first time after a build.")
    query.add_argument("sparql", nargs="?", metavar="SPARQL_OR_FILE", help="a query, or the path of a file holding one")
    query.add_argument("--name", metavar="NAME", help="run the competency question queries/NAME.rq")
    query.add_argument("--list", action="store_true", help="list the competency questions and their parameters")
    query.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                       help="give a parameter (a one-row VALUES of the query) this value; repeatable")
    query.add_argument("--queries", type=Path, metavar="DIR", help="folder of named queries (default: queries/)")
    query.add_argument("--data", type=Path, metavar="FILE_OR_STORE",
                       help="graph to query: a store folder, or a .trig, .nq, .ttl or .jsonld file (default: "
                            "the store of exports/, .kg/exports, made from exports/kg.nq if need be)")
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


def _store_options(command: argparse.ArgumentParser) -> None:
    """--out, --store and --quiet, as every command that changes the stored graph takes them."""
    command.add_argument("--out", type=Path, default=EXPORTS, metavar="DIR", help="exports folder (default: exports/)")
    command.add_argument("--store", type=Path, metavar="DIR", help=STORE_HELP)
    command.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


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
    from .build import build
    from .store import discard, store_for

    paths = expand_inputs(args.inputs or [SEEDS])
    if args.workers < 1:
        raise ValueError(f"--workers {args.workers}: give 1 or more processes")
    say = None if args.quiet else lambda line: print(line, file=sys.stderr)
    written, failures = build(paths, args.out, args.workers, say)
    store = args.store or store_for(args.out)
    if discard(store) and say:
        say(f"deleted the store {store} of the earlier exports: kg query, add and remove make it again from kg.nq")
    if say:
        for path in written.values():
            say(f"wrote {path}")
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
    from .query import QUERIES, load_graph, named_queries, named_query, run_query, with_params
    from .store import Store, exports_store, store_for

    folder = args.queries or QUERIES
    if args.list:
        _print_queries(named_queries(folder), args.format)
        return 0
    if (args.name is None) == (args.sparql is None):
        raise ValueError("give either a query (SPARQL_OR_FILE) or --name NAME; `kg query --list` shows the names")
    text = named_query(args.name, folder).text if args.name else _query_text(args.sparql)
    text = with_params(text, dict(_param(p) for p in args.param))
    data = args.data
    if data is None:
        with exports_store(store_for(EXPORTS), EXPORTS / "kg.nq", read_only=True,
                           say=lambda line: print(f"kg: {line}", file=sys.stderr)) as store:
            columns, rows = run_query(store.dataset, text)
    elif data.is_dir():
        with Store(data, read_only=True) as store:
            columns, rows = run_query(store.dataset, text)
    elif data.is_file():
        columns, rows = run_query(load_graph(data), text)
    else:
        raise FileNotFoundError(f"{data}: no graph to query; give a store folder or a graph file")
    _print_rows(columns, rows, args.format)
    return 0


def _print_queries(queries: list, form: str) -> None:
    """The named questions: a block each (name, parameters with defaults, question), or rows."""
    rows = [[q.name, " ".join(f"{k}={v}" for k, v in q.params.items()), q.question] for q in queries]
    if form != "table":
        _print_rows(["name", "parameters", "question"], rows, form)
        return
    for name, params, question in rows:
        print(f"{name}" + (f"  ({params})" if params else ""))
        print(textwrap.fill(question, width=100, initial_indent="    ", subsequent_indent="    "))


def _query_text(sparql: str) -> str:
    """The query itself, or the text of the file it names."""
    candidate = Path(sparql)
    if len(sparql) < 255 and candidate.suffix in (".rq", ".sparql") or (len(sparql) < 255 and candidate.is_file()):
        if not candidate.is_file():
            raise FileNotFoundError(f"{candidate}: no such query file")
        return candidate.read_text(encoding="utf-8")
    return sparql


def _param(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise ValueError(f"--param {text}: write it as NAME=VALUE, e.g. --param name=国务院")
    return name, value


def _add(args: argparse.Namespace) -> int:
    from .export import write_exports
    from .graph import document_iri

    results, failures = _extractions(expand_inputs(args.inputs), quiet=args.quiet)
    with _store(args) as store:
        changed = set()
        for result in results:
            change = store.add(result)
            if change.changed:
                changed.add(document_iri(result.document.sha256))
            _say(args, f"{result.document.name}: " + (f"added ({change.inserted} quads in, {change.deleted} out)"
                                                      if change.changed else "already in the graph, unchanged"))
        if changed:
            for path in write_exports(store, args.out, changed).values():
                _say(args, f"wrote {path}")
    return 1 if failures else 0


def _remove(args: argparse.Namespace) -> int:
    from .export import write_exports
    from .ntriples import iri

    with _store(args) as store:
        documents = [store.find(spec) for spec in args.documents]  # every DOC must name one before any goes
        for document in {d.iri: d for d in documents}.values():
            _, change = store.remove(document.iri)
            _say(args, f"removed {', '.join(document.file_names)} (doc:{document.sha256[:16]}, {change.deleted} quads out, "
                       f"{change.inserted} in)")
        for written in write_exports(store, args.out, {iri(d.iri) for d in documents}).values():
            _say(args, f"wrote {written}")
    return 0


@contextlib.contextmanager
def _store(args: argparse.Namespace):
    """The store of ``--store`` or of the exports folder, holding the graph of the exports' kg.nq
    (made from it if need be, so that no plan before is lost), to change and then write the
    exports from. Until they are written, the store is marked as holding no export's graph: if
    the command fails in between, the next one makes it again from kg.nq."""
    from .store import exports_store, mark_made_from, store_for

    exported = args.out / "kg.nq"
    with exports_store(args.store or store_for(args.out), exported, say=lambda line: _say(args, line)) as store:
        mark_made_from(store.path, None)
        yield store
        mark_made_from(store.path, exported)


def _say(args: argparse.Namespace, line: str) -> None:
    if not args.quiet:
        print(line, file=sys.stderr)


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
    from .report import write_report
    from .view import viewer_graph

    results, failures = _extractions(expand_inputs(args.inputs or [SEEDS]))
    if not results:
        print("kg: error: no plan could be read; nothing was written", file=sys.stderr)
        return 1
    path = write_report(viewer_graph(results), args.out)
    print(f"wrote {path}", file=sys.stderr)
    return 1 if failures else 0


def run() -> None:
    """The ``kg`` command: :func:`main`, then an exit that skips the interpreter's last full
    garbage collection. That collection walks every object still alive - spaCy, rdflib, the
    lexicon, the extractor's caches - to free what the ending process would free anyway:
    0.35 s of every command here."""
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
