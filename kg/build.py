"""Build: extract plans in worker processes and stream each plan's graph into the exports,
holding in memory only what the merged facts and the viewer need (``kg build``).

A worker turns one plan into a :class:`Piece`: its named graph serialised (kg.export.GraphText,
sorted TriG and N-Quads) and appended to the worker's own file in the build's spool folder,
the facts the merged default graph is made from, and what the viewer shows - never the
Extraction, nor the graph's text, which cost more to send between processes than to make.
The main process takes the pieces in input order and keeps the facts
(kg.graph.MergedFacts: per subject, per document), the viewer's part, and where each graph's
text was spooled.

Then it merges the default graph subject by subject into the exports, copying the spooled
graphs in IRI order, while (with workers) a process forked for it makes the viewer from what
this one holds, nothing sent, and another writes the entity network's files. The store is
not loaded here: it is made from kg.nq when a command first needs it
(kg.store.exports_store).
The output does not depend on the order plans come in or on the number of workers: named
graphs are written in IRI order, the default graph in subject order, the viewer's plans in
file-name order.

Memory holds the facts per subject and the viewer's strings (a fraction of the graph):
about 0.7 GB at 100x the seeds, most of it the extractor's own.
"""
from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import shutil
import socket
import sys
import tempfile
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, TypeVar

from . import ntriples
from .export import GraphText, graph_text, later, write_graph
from .extract import extract_path, load_pipeline
from .graph import RELATION_PROPERTIES, MergedFacts, Triple, document_graph
from .ingest import IngestError
from .view import PlanView, cap_note, plan_view, render_viewer, views_graph, write_page

T = TypeVar("T")
AHEAD = 4  # plans handed to each worker before its first result is taken: work queued, memory bounded


@dataclass(frozen=True)
class Spooled:
    """Where one named graph's text lies: its TriG block, then its N-Quads, in a spool file."""

    iri: str  # N-Triples
    file: str  # the file's name in the spool folder
    start: int
    trig: int  # bytes
    nquads: int


@dataclass(frozen=True)
class Piece:
    """What a worker sends back for one plan."""

    name: str  # file name
    graph: Spooled  # where its named graph's text was spooled
    facts: tuple[Triple, ...]  # what the merged default graph takes from it
    view: PlanView
    entities: int
    relations: int


class SpoolFile:
    """One process's spool file: the named graphs it serialised, one after another."""

    def __init__(self, folder: Path):
        self.name = f"{os.getpid()}.graphs"
        self._file = open(Path(folder) / self.name, "ab")

    def add(self, graph: GraphText) -> Spooled:
        start = self._file.tell()
        self._file.write(graph.trig)
        self._file.write(graph.nquads)
        self._file.flush()  # another process reads it
        return Spooled(graph.iri, self.name, start, len(graph.trig), len(graph.nquads))

    def close(self) -> None:
        self._file.close()


def make_piece(path: Path, spool: SpoolFile) -> Piece | IngestError:
    """Extract one plan and make its piece, or the reason it cannot be read."""
    extraction = extract_path(path)
    if isinstance(extraction, IngestError):
        return extraction
    document = document_graph(extraction)
    spooled = spool.add(graph_text(document.iri, (*document.facts, *document.provenance)))
    return Piece(extraction.document.name, spooled, document.facts, plan_view(extraction),
                 len(extraction.entities), len(extraction.relations))


NO_FULL_COLLECTION = 1 << 30  # gc's third threshold: young collections between full ones


@contextlib.contextmanager
def full_collections_spared() -> Iterator[None]:
    """The garbage collector's full collections put off while the block runs.

    What a build keeps - the merged facts, the viewer's part, the extractor's caches - grows
    to millions of objects and lives until the exports are written, and every full collection
    walks all of it again: 28 of them took 5.2 s of a 39 s build at 100x. A plan leaves no
    cycles behind (``gc.collect()`` after each finds none), so young collections are enough."""
    before = _put_off_full_collections()
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _put_off_full_collections() -> tuple[int, int, int]:
    """Raise gc's third threshold out of reach; the thresholds it had."""
    before = gc.get_threshold()
    gc.set_threshold(*before[:2], NO_FULL_COLLECTION)
    return before


_worker_spool: SpoolFile | None = None  # a worker process's own (set as it starts)


def _start_worker(folder: Path) -> None:
    global _worker_spool
    load_pipeline()
    _worker_spool = SpoolFile(folder)
    _put_off_full_collections()  # as full_collections_spared does: a forked worker inherits it, a spawned one not


def _piece_in_worker(path: Path) -> Piece | IngestError:
    return make_piece(path, _worker_spool)


class Extracting:
    """Pieces of ``paths`` in input order, their graphs spooled in ``folder``: made here for
    one worker, else in worker processes that start (fork) when the block is entered."""

    def __init__(self, paths: list[Path], workers: int, folder: Path):
        self.paths, self.workers, self.folder = paths, workers, folder
        self._pool: ProcessPoolExecutor | None = None
        self._pending: deque = deque()
        self._next = iter(paths)

    @property
    def parallel(self) -> bool:
        return self.workers > 1 and len(self.paths) > 1

    def __enter__(self) -> Extracting:
        if self.parallel:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_start_worker,
                                             initargs=(self.folder,))
            self._fill()
        return self

    def __exit__(self, *_) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def __iter__(self) -> Iterator[Piece | IngestError]:
        if self._pool is None:
            spool = SpoolFile(self.folder)
            try:
                yield from (make_piece(path, spool) for path in self._next)
            finally:
                spool.close()
            return
        while self._pending:
            piece = self._pending.popleft().result()
            self._fill()
            yield piece

    def _fill(self) -> None:
        while len(self._pending) < AHEAD * self.workers:
            path = next(self._next, None)
            if path is None:
                return
            self._pending.append(self._pool.submit(_piece_in_worker, path))


class _SpooledGraphs:
    """The named graphs the extracting processes spooled in ``folder``, given back in IRI order."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._at: dict[str, list[Spooled]] = {}
        self._files: dict[str, BinaryIO] = {}

    def __enter__(self) -> _SpooledGraphs:
        return self

    def __exit__(self, *_) -> None:
        for file in self._files.values():
            file.close()

    def add(self, graph: Spooled) -> None:
        self._at.setdefault(graph.iri, []).append(graph)

    def graphs(self) -> Iterator[GraphText]:
        """Every graph, in IRI order. Files with the same text are one document, one graph:
        the union of theirs."""
        for iri in sorted(self._at):
            places = self._at[iri]
            if len(places) > 1:
                yield graph_text(iri, self._triples(places))
                continue
            file = self._seek(places[0])
            yield GraphText(iri, file.read(places[0].trig), file.read(places[0].nquads))

    def _triples(self, places: list[Spooled]) -> Iterator[Triple]:
        """The triples of the graphs spooled at ``places``."""
        for place in places:
            file = self._seek(place)
            file.seek(place.trig, os.SEEK_CUR)
            for quad in ntriples.quads(file.read(place.nquads).decode("utf-8")):
                yield str(quad.subject), str(quad.predicate), str(quad.object)

    def _seek(self, place: Spooled) -> BinaryIO:
        file = self._files.get(place.file)
        if file is None:
            file = self._files[place.file] = open(self.folder / place.file, "rb")
        file.seek(place.start)
        return file


def build(paths: list[Path], out_dir: Path, workers: int = 1,
          say: Callable[[str], None] | None = None) -> tuple[dict[str, Path], int]:
    """Extract ``paths`` and write the exports and the viewer: the files written and how many
    plans could not be read (each reported on stderr). ``say`` gets progress lines."""
    out_dir = Path(out_dir)
    made = _exports_folder(out_dir)
    try:
        return _build(paths, out_dir, workers, say)
    except BaseException:
        if made:
            with contextlib.suppress(OSError):
                out_dir.rmdir()  # made for this build and still empty: nothing is left behind
        raise


def _exports_folder(out_dir: Path) -> bool:
    """Make the exports folder if it is missing (and say whether it was), before any plan is
    extracted: a wrong ``--out`` fails at once, not after the extraction."""
    if out_dir.is_dir():
        return False
    try:
        out_dir.mkdir(parents=True)
    except OSError as error:
        raise OSError(f"{out_dir}: cannot make the exports folder here ({error.strerror}); "
                      "give --out a folder (it is made if missing)") from None
    return True


def _build(paths: list[Path], out_dir: Path, workers: int, say: Callable[[str], None] | None) -> tuple[dict[str, Path], int]:
    failures, started = 0, time.perf_counter()

    def clock() -> str:
        """Time since the build started, for progress lines (bench/build.py reads them)."""
        return f"{time.perf_counter() - started:.1f} s"

    merged, views = MergedFacts(), []
    beside = out_dir.resolve().parent  # the spool's disk: the exports' own, not /tmp's
    _remove_abandoned_spools(beside)
    with (tempfile.TemporaryDirectory(prefix=_spool_prefix(), dir=beside) as folder, _SpooledGraphs(Path(folder)) as spool,
          full_collections_spared()):
        with Extracting(paths, workers, Path(folder)) as pieces:
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
                        f"({clock()})")
        if not views:
            raise ValueError("no plan could be read; nothing was written")
        # with workers, the viewer and the entity network's files are made by processes of their
        # own while the exports are written; else here, after them
        aside = in_child if pieces.parallel else later
        viewer = aside(viewer_page, views)
        stated = merged.stated(set(RELATION_PROPERTIES.values()))
        written = write_graph(out_dir, merged.subjects(), spool.graphs(), stated, aside=aside)
        if say:
            say(f"exports written ({clock()})")
        del merged  # memory peaks here at large sizes
        page, note = viewer()
    written["viewer"] = write_page(page, out_dir / "viewer.html")
    if say:
        say(f"viewer written ({clock()})" + (f": it shows {note}; the exports hold them all" if note else ""))
    return written, failures


SPOOL_PREFIX = ".kg-build-"  # then the host, the building process's id and a random part


def _host_spools() -> str:
    """The start of this host's spool folders' names."""
    return f"{SPOOL_PREFIX}{socket.gethostname()}-"


def _spool_prefix() -> str:
    return f"{_host_spools()}{os.getpid()}-"


def _remove_abandoned_spools(folder: Path) -> None:
    """Remove the spool folders in ``folder`` of builds on this host whose process is gone. A
    build removes its own as it ends, but one that is killed (SIGKILL, power loss) cannot, and
    at 100x the seeds a spool holds a gigabyte. Spools of other hosts (a shared disk) and of
    running builds are left alone; where a process's existence cannot be asked (not POSIX),
    nothing is removed."""
    if os.name != "posix":
        return
    host = _host_spools()
    for spool in folder.glob(f"{glob_escape(host)}*-*"):
        pid = spool.name[len(host):].split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(spool, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's
        return True
    return True


def viewer_page(views: list[PlanView]) -> tuple[str, str]:
    """The viewer page of these plans, and what it leaves out ("" if nothing)."""
    graph = views_graph(views)
    return render_viewer(graph), cap_note(graph)


def in_child(function: Callable[..., T], *args) -> Callable[[], T]:
    """``function(*args)`` in a process forked from this one, which takes the arguments as
    they are in memory (nothing is pickled but the result), while this one goes on. Call
    what this returns for the result; it raises what ``function`` raised. Where processes
    cannot fork (Windows), it is made here when the result is asked for."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return later(function, *args)
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_send_result, args=(sending, function, args), daemon=True)
    child.start()
    sending.close()

    def result() -> T:
        try:
            done, value = receiving.recv()
        except EOFError:
            child.join()
            raise RuntimeError(f"the process making {function.__name__} ended (exit code {child.exitcode}) "
                               "without a result") from None
        child.join()
        receiving.close()
        if not done:
            raise value
        return value

    return result


def _send_result(sending, function: Callable, args: tuple) -> None:
    try:
        sending.send((True, function(*args)))
    except BaseException as failure:  # the parent raises it
        sending.send((False, failure))
