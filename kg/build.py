"""Build: extract plans in worker processes and stream each plan's graph into the exports,
holding in memory only what the merged facts and the viewer need (``kg build``).

A worker turns one plan into a :class:`Piece`: its named graph already serialised
(kg.export.GraphText, sorted TriG and N-Quads), the facts the merged default graph is made
from, and what the viewer shows - never the Extraction, which costs more to send between
processes than to make. The main process takes the pieces in input order and

* spools each serialised graph to a file, to be copied into the exports in IRI order;
* keeps the facts (kg.graph.MergedFacts: per subject, per document) and the viewer's part.

Then it merges the default graph subject by subject into the exports, while a worker (if there
are any) makes the viewer. The store is not loaded here: it is made from kg.nq when a command
first needs it (kg.store.exports_store).
The output does not depend on the order plans come in or on the number of workers: named
graphs are written in IRI order, the default graph in subject order, the viewer's plans in
file-name order.

Memory holds the facts per subject and the viewer's strings (a fraction of the graph):
about 0.8 GB at 100x the seeds, most of it the extractor's own.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from . import ntriples
from .export import GraphText, graph_text, write_graph
from .extract import extract_path, load_pipeline
from .graph import RELATION_PROPERTIES, MergedFacts, Triple, document_graph
from .ingest import IngestError
from .view import PlanView, cap_note, plan_view, render_viewer, views_graph, write_page

T = TypeVar("T")
AHEAD = 4  # plans handed to each worker before its first result is taken: work queued, memory bounded


@dataclass(frozen=True)
class Piece:
    """What a worker sends back for one plan."""

    name: str  # file name
    graph: GraphText  # its named graph, serialised
    facts: tuple[Triple, ...]  # what the merged default graph takes from it
    view: PlanView
    entities: int
    relations: int


def make_piece(path: Path) -> Piece | IngestError:
    """Extract one plan and make its piece (in a worker process), or the reason it cannot be read."""
    extraction = extract_path(path)
    if isinstance(extraction, IngestError):
        return extraction
    document = document_graph(extraction)
    return Piece(extraction.document.name, graph_text(document.iri, (*document.facts, *document.provenance)),
                 document.facts, plan_view(extraction), len(extraction.entities), len(extraction.relations))


class Extracting:
    """Pieces of ``paths`` in input order: made here for one worker, else in worker processes
    that start (fork) when the block is entered."""

    def __init__(self, paths: list[Path], workers: int):
        self.paths, self.workers = paths, workers
        self._pool: ProcessPoolExecutor | None = None
        self._pending: deque = deque()
        self._next = iter(paths)

    def __enter__(self) -> Extracting:
        if self.workers > 1 and len(self.paths) > 1:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=load_pipeline)
            self._fill()
        return self

    def __exit__(self, *_) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def __iter__(self) -> Iterator[Piece | IngestError]:
        if self._pool is None:
            yield from map(make_piece, self._next)
            return
        while self._pending:
            piece = self._pending.popleft().result()
            self._fill()
            yield piece

    def aside(self, function: Callable[..., T], *args) -> Callable[[], T]:
        """``function(*args)`` in a worker process, if there are any, while this one goes on;
        call what this returns for the result (made then, here, if there are none)."""
        if self._pool is None:
            return lambda: function(*args)
        return self._pool.submit(function, *args).result

    def _fill(self) -> None:
        while len(self._pending) < AHEAD * self.workers:
            path = next(self._next, None)
            if path is None:
                return
            self._pending.append(self._pool.submit(make_piece, path))


class _Spool:
    """The serialised named graphs, in a temporary file in ``folder`` as they come, given
    back in IRI order."""

    def __init__(self, folder: Path):
        self._file = tempfile.TemporaryFile(prefix=".kg-build-", dir=folder)
        self._at: dict[str, list[tuple[int, int, int]]] = {}

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *_) -> None:
        self._file.close()

    def add(self, graph: GraphText) -> None:
        start = self._file.seek(0, os.SEEK_END)
        self._file.write(graph.trig)
        self._file.write(graph.nquads)
        self._at.setdefault(graph.iri, []).append((start, len(graph.trig), len(graph.nquads)))

    def graphs(self) -> Iterator[GraphText]:
        """Every graph, in IRI order. Files with the same text are one document, one graph:
        the union of theirs."""
        for iri in sorted(self._at):
            places = self._at[iri]
            if len(places) > 1:
                yield graph_text(iri, self._triples(places))
                continue
            (start, trig, nquads), = places
            self._file.seek(start)
            yield GraphText(iri, self._file.read(trig), self._file.read(nquads))

    def _triples(self, places: list[tuple[int, int, int]]) -> Iterator[Triple]:
        """The triples of the graphs spooled at ``places``."""
        for start, trig, nquads in places:
            self._file.seek(start + trig)
            for quad in ntriples.quads(self._file.read(nquads).decode("utf-8")):
                yield str(quad.subject), str(quad.predicate), str(quad.object)


def build(paths: list[Path], out_dir: Path, workers: int = 1,
          say: Callable[[str], None] | None = None) -> tuple[dict[str, Path], int]:
    """Extract ``paths`` and write the exports and the viewer: the files written and how many
    plans could not be read (each reported on stderr). ``say`` gets progress lines."""
    failures, started = 0, time.perf_counter()
    merged, views = MergedFacts(), []
    beside = Path(out_dir).resolve().parent  # the spool's disk: the exports' own, not /tmp's
    beside.mkdir(parents=True, exist_ok=True)
    with Extracting(paths, workers) as pieces, _Spool(beside) as spool:
        for n, piece in enumerate(pieces, 1):
            if isinstance(piece, IngestError):
                print(f"kg: error: {piece}", file=sys.stderr)
                failures += 1
                continue
            spool.add(piece.graph)
            merged.add(piece.graph.iri, piece.facts)
            views.append(piece.view)
            if say:
                say(f"[{n}/{len(paths)}] {piece.name}: {piece.entities} entities, {piece.relations} relations "
                    f"({time.perf_counter() - started:.1f} s)")
        if not views:
            raise ValueError("no plan could be read; nothing was written")
        viewer = pieces.aside(viewer_page, views)  # made while the exports are written, given a worker
        stated = merged.stated(set(RELATION_PROPERTIES.values()))
        written = write_graph(out_dir, merged.subjects(), spool.graphs(), stated)
        del merged, views  # memory peaks here at large sizes: keep only what the viewer needs
        page, note = viewer()
    written["viewer"] = write_page(page, out_dir / "viewer.html")
    if say and note:
        say(f"viewer.html shows {note}; the exports hold them all")
    return written, failures


def viewer_page(views: list[PlanView]) -> tuple[str, str]:
    """The viewer page of these plans, and what it leaves out ("" if nothing)."""
    graph = views_graph(views)
    return render_viewer(graph), cap_note(graph)
