"""Store: the graph in an embedded Oxigraph database, behind rdflib's API, changed in place.

``kg build`` writes the exports only; the store is their index, made from kg.nq the first time
a command needs it (:func:`exports_store`: ``kg query``, ``kg add``, ``kg remove``), and made
again whenever kg.nq is not the file it was made from (a later build, a ``git pull``). ``kg add``
and ``kg remove`` change one document at a time and rewrite the exports from the store, and
``kg query`` asks the store: Oxigraph answers the competency questions in milliseconds where
rdflib's in-memory engine takes seconds (bench/sparql.py). Loading is paid once, by the first
command that needs the store: a build that loaded it too would pay it on every build, and keep
a second core busy doing so. ``Store.dataset`` is the same data as an rdflib ``Dataset``
(through oxrdflib), so code written against rdflib runs on it unchanged.

Where: the store of an exports folder ``DIR`` is ``.kg/DIR`` beside it (``.kg/exports`` for
the default ``exports/``). It is a database, not an export, so it stays out of the exports
folder and out of git (.gitignore has ``.kg/``); ``--store FOLDER`` puts it anywhere else.
``Store()`` without a folder is in memory (tests).

What: a named graph per document is what the store keeps; the default graph is derived from
them one subject at a time (kg.graph.merge_subject). Adding a document replaces its named
graph and recomputes every node either version names; removing one replaces it with nothing.
Each change is one SPARQL update, so it happens entirely or not at all; a document is named by
the digest of its text, so adding one that is already there changes nothing.

Oxigraph keeps a literal of a type derived from xsd:integer as xsd:integer, the same value
(``"5"^^xsd:nonNegativeInteger`` comes back as ``5``); the text offsets are such literals.
Reading quads out of the store (``iter(store)``, hence the exports) gives them back the
datatype the ontology declares, so exports written from the store are byte-identical to
those ``kg build`` writes. SPARQL on the store sees plain integers.

>>> from rdflib import Dataset, URIRef
>>> dataset = Dataset()
>>> _ = dataset.add((URIRef("https://w3id.org/infokg/id/agency/1"), SKOS.prefLabel, Literal("国务院", lang="zh")))
>>> store = Store()
>>> store.replace(dataset).inserted, store.replace(dataset).changed
(1, False)
>>> [str(row[0]) for row in store.dataset.query("SELECT ?name WHERE { ?agency skos:prefLabel ?name }")]
['国务院']
"""
from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from . import ntriples
from .namespace import EXPORT_NAMESPACES, EXPORT_PREFIXES, KG, OA, SKOS, XSD

if TYPE_CHECKING:
    from .extract import Extraction

DEFAULT_GRAPH = ox.DefaultGraph()
LOCK_WAIT_SECONDS = 60  # how long to wait for another kg process to finish writing the store
LOAD_BYTES = 64 << 20  # N-Quads bulk-loaded at once: Oxigraph's memory grows with a load (2 GB for kg.nq at 100x)
MADE_FROM = "made-from.json"  # in a store's folder: the kg.nq the store holds the graph of, as that file was
_FILE_NAME = ox.NamedNode(str(KG.fileName))
_XSD_STRING = ox.NamedNode(str(XSD.string))
_XSD_INTEGER = ox.NamedNode(str(XSD.integer))
# The properties whose values ontology/infokg.ttl types with a datatype Oxigraph does not keep.
DERIVED_RANGES = {ox.NamedNode(str(p)): ox.NamedNode(str(XSD.nonNegativeInteger))
                  for p in (OA.start, OA.end, KG.startOffset, KG.endOffset)}
_DOCUMENTS = """
    SELECT ?document ?sha ?name ?title WHERE {
        ?document a kg:SourceDocument ; kg:sha256 ?sha ; kg:fileName ?name .
        OPTIONAL { ?document dct:title ?title }
    } ORDER BY ?document ?name"""


class StoreError(ValueError):
    """A store that cannot be opened or changed; the message names the folder and what to do.
    A ValueError, so ``kg`` reports it in one line like any other bad input."""


@dataclass(frozen=True)
class StoredDocument:
    """A source document in the store: its IRI, digest, every file name it came as, title."""

    iri: str
    sha256: str
    file_names: tuple[str, ...]
    title: str


@dataclass(frozen=True)
class Change:
    """How many quads an operation deleted and inserted (both 0: nothing changed)."""

    deleted: int = 0
    inserted: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.deleted or self.inserted)


def store_for(out_dir: Path) -> Path:
    """The default store of an exports folder: ``.kg/<its name>`` beside it.

    >>> store_for(Path("exports")).as_posix(), store_for(Path("/tmp/run/out")).as_posix()
    ('.kg/exports', '/tmp/run/.kg/out')
    """
    out_dir = out_dir if out_dir.name else out_dir.resolve()
    return out_dir.parent / ".kg" / out_dir.name


def exports_store(path: Path, nquads: Path, *, read_only: bool = False,
                  say: Callable[[str], None] | None = None) -> Store:
    """The store in ``path``, holding the graph of the export ``nquads`` (kg.nq): made from it
    (into a new folder that then takes the old one's place) when it is missing or was made from
    another version of that file. Without that file the store is taken as it is."""
    path, nquads = Path(path), Path(nquads)
    if nquads.is_file() and made_from(path) != _version(nquads):
        started = time.perf_counter()
        with rebuilding(path) as store:
            loaded = store.load(nquads).inserted
            mark_made_from(store.path, nquads)
        if say:
            say(f"made the store {path} from {nquads}: {loaded:,} quads in {time.perf_counter() - started:.1f} s")
    return Store(path, read_only=read_only)


def made_from(path: Path) -> dict | None:
    """The version of kg.nq the store in ``path`` holds the graph of, if it is known."""
    try:
        return json.loads((Path(path) / MADE_FROM).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def mark_made_from(path: Path, nquads: Path | None) -> None:
    """Record that the store in ``path`` holds the graph of ``nquads`` as that file is now; None:
    that it may not (it is about to change), so that the next command makes it again from kg.nq."""
    stamp = Path(path) / MADE_FROM
    if nquads is None or not Path(nquads).is_file():
        stamp.unlink(missing_ok=True)
        return
    partial = stamp.with_name(f".{MADE_FROM}.{os.getpid()}")
    partial.write_text(json.dumps(_version(nquads)), encoding="utf-8")
    os.replace(partial, stamp)


def _version(nquads: Path) -> dict:
    status = nquads.stat()
    return {"file": str(nquads.resolve()), "size": status.st_size, "mtime_ns": status.st_mtime_ns}


def discard(path: Path) -> bool:
    """Delete the store in ``path``, once no other kg process writes to it (its exports were
    replaced: it would be made again from them). False if there is no store there."""
    path = Path(path)
    if not _is_store(path):
        return False
    old = path.with_name(f".{path.name}.old-{os.getpid()}")
    with Store(path):
        os.replace(path, old)
    shutil.rmtree(old)
    return True


class Store:
    """The graph in Oxigraph: persistent in ``path`` (created if missing), or in memory."""

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False):
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self._ox: ox.Store | None = _open(self.path, read_only)
        self._dataset: Dataset | None = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the database, so another Store (or process) can open the folder: rdflib's
        graphs keep reference cycles to it, and its lock goes only with the last reference."""
        cycles = self._dataset is not None
        self._ox = self._dataset = None
        if cycles:
            gc.collect()

    @property
    def oxigraph(self) -> ox.Store:
        if self._ox is None:
            raise StoreError(f"{self._where()}: the store is closed; open it again with kg.store.Store")
        return self._ox

    @property
    def dataset(self) -> Dataset:
        """The store as an rdflib Dataset: default graph = merged facts, a named graph per
        document. Its queries run in Oxigraph (oxrdflib hands them over)."""
        if self._dataset is None:
            from oxrdflib.store import OxigraphStore  # with rdflib's SPARQL engine: 0.1 s no build needs

            self._dataset = Dataset(store=OxigraphStore(store=self.oxigraph))
            for prefix, iri in EXPORT_PREFIXES.items():
                self._dataset.bind(prefix, iri)
        return self._dataset

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads()

    def quads(self, subject=None, predicate=None, object_=None, graph=None) -> Iterator[ox.Quad]:
        """The quads matching a pattern (None: any), offsets typed as the ontology says."""
        for quad in self.oxigraph.quads_for_pattern(subject, predicate, object_, graph):
            datatype = DERIVED_RANGES.get(quad.predicate)
            if datatype is not None and quad.object.datatype == _XSD_INTEGER:
                quad = ox.Quad(quad.subject, quad.predicate, ox.Literal(quad.object.value, datatype=datatype),
                               quad.graph_name)
            yield quad

    def is_empty(self) -> bool:
        return next(self.oxigraph.quads_for_pattern(None, None, None, None), None) is None

    # --- documents ---------------------------------------------------------------------------------

    def documents(self) -> list[StoredDocument]:
        """Every source document in the store, in IRI order."""
        found: dict[str, dict] = {}
        for row in self.oxigraph.query(_DOCUMENTS, prefixes=EXPORT_NAMESPACES):
            iri = row["document"].value
            entry = found.setdefault(iri, {"sha": row["sha"].value, "names": [], "title": ""})
            entry["names"].append(row["name"].value)
            entry["title"] = row["title"].value if row["title"] is not None else entry["title"]
        return [StoredDocument(iri, e["sha"], tuple(e["names"]), e["title"]) for iri, e in found.items()]

    def find(self, spec: str) -> StoredDocument:
        """The one document ``spec`` names: a file name it came as, its IRI (full or doc:…),
        or the start of its SHA-256 digest (at least 6 hex digits)."""
        documents = self.documents()
        matches = [d for d in documents if _names(spec, d)]
        if len(matches) == 1:
            return matches[0]
        listing = "; ".join(f"{', '.join(d.file_names)} (doc:{d.sha256[:16]})" for d in (matches or documents)[:20])
        if matches:
            raise StoreError(f"{spec!r} names {len(matches)} documents in {self._where()}: {listing}; "
                             "give the digest (doc:…) instead")
        raise StoreError(f"{spec!r} names no document in {self._where()}; it holds: {listing or 'none'}")

    # --- changes -------------------------------------------------------------------------------------

    def replace(self, dataset: Dataset) -> Change:
        """Make the store hold exactly ``dataset``: the difference in
        one transaction, or, into an empty store, a bulk load - ten times faster, and a failure
        leaves nothing to lose (the next build completes it)."""
        if self.is_empty():
            return self._bulk_load(ox_quads(dataset))
        old, new = set(self), set(ox_quads(dataset))
        return self._apply(old - new, new - old)

    def load(self, nquads: Path) -> Change:
        """Fill an empty store from an N-Quads export (kg.nq holds every graph): how a store is
        made from the exports (:func:`exports_store`)."""
        if not self.is_empty():
            raise StoreError(f"{self._where()} is not empty; load {nquads} into a new store")
        self._check_writable()
        try:
            with open(nquads, "rb") as lines:
                while batch := lines.read(LOAD_BYTES):
                    self.oxigraph.bulk_load(batch + lines.readline(), format=ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError) as error:
            raise StoreError(f"{nquads}: cannot be loaded as N-Quads ({error}); rebuild it with `kg build`") from None
        self.oxigraph.optimize()
        return Change(0, len(self.oxigraph))

    def add(self, extraction: Extraction) -> Change:
        """Add (or refresh) one document: its named graph, and the merged facts about every node
        it names. Nothing changes when the same text was added before under the same name."""
        from .graph import document_graph  # here: kg.graph loads the extractor, which `kg query` does without

        document = document_graph(extraction)
        new = set(ntriples.quads(document.nquads()))
        graph = next(iter(new)).graph_name
        kept_names = set(self.quads(graph, _FILE_NAME, None, graph))
        stated = {subject for subject, _, _ in document.facts}
        return self._replace_graph(graph, new | kept_names, {q.subject for q in new if str(q.subject) in stated})

    def remove(self, spec: str) -> tuple[StoredDocument, Change]:
        """Remove the document ``spec`` names (see :meth:`find`) and what only it said."""
        document = self.find(spec)
        return document, self._replace_graph(ox.NamedNode(document.iri), set(), set())

    def _replace_graph(self, graph: ox.NamedNode, new: set[ox.Quad], new_subjects: set) -> Change:
        """Give document ``graph`` the quads ``new`` and rederive the merged facts about the
        nodes its old and new versions name (``new_subjects``: those of the new one's facts)."""
        old = set(self.quads(None, None, None, graph))
        if old == new:
            return Change()
        subjects = new_subjects | {s for s in {q.subject for q in old} if self._in_default_graph(s)}
        by_subject = defaultdict(list)
        for quad in new:
            by_subject[quad.subject].append(quad)
        delete, insert = old - new, new - old
        for subject in subjects:
            current, merged = self._merged(subject, graph, by_subject[subject])
            delete |= current - merged
            insert |= merged - current
        return self._apply(delete, insert, drop=graph if not new else None)

    def _merged(self, subject, graph: ox.NamedNode, new: list[ox.Quad]) -> tuple[set[ox.Quad], set[ox.Quad]]:
        """The default graph's quads about ``subject`` now, and once ``graph`` holds ``new``."""
        from .graph import merge_subject

        current, said = set(), defaultdict(set)
        for quad in (*self.quads(subject), *new):
            if quad.graph_name == DEFAULT_GRAPH:
                current.add(quad)
            elif quad.graph_name != graph or quad in new:
                said[str(quad.graph_name)].add((str(quad.predicate), str(quad.object)))
        merged = set(ntriples.quads(ntriples.lines(merge_subject(str(subject), said))))
        return current, merged

    def _bulk_load(self, quads: Iterable[ox.Quad]) -> Change:
        self._check_writable()
        quads = list(quads)
        self.oxigraph.bulk_extend(quads)
        self.oxigraph.optimize()  # compacts what the bulk load wrote: queries run faster after
        return Change(0, len(quads))

    def _in_default_graph(self, subject) -> bool:
        return next(self.oxigraph.quads_for_pattern(subject, None, None, DEFAULT_GRAPH), None) is not None

    def _apply(self, delete: set[ox.Quad], insert: set[ox.Quad], drop: ox.NamedNode | None = None) -> Change:
        """Delete and insert in one transaction (and drop an emptied document's graph)."""
        if not (delete or insert):
            return Change()
        self._check_writable()
        if not delete:
            self.oxigraph.extend(insert)  # transactional too, and no update text to parse
        else:
            dropped = f" ; DROP SILENT GRAPH {drop}" if drop is not None else ""
            self.oxigraph.update(f"DELETE DATA {{ {_quad_data(delete)} }} ; INSERT DATA {{ {_quad_data(insert)} }}"
                                 + dropped)
        return Change(len(delete), len(insert))

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self._where()} was opened read-only; open it with Store(path) to change it")

    def _where(self) -> str:
        return str(self.path) if self.path is not None else "the in-memory store"


@contextlib.contextmanager
def rebuilding(path: Path) -> Iterator[Store]:
    """A new, empty store that takes the place of the store in ``path`` when the block
    completes; meanwhile that store is held (no other kg process writes to it) and if the
    block fails, it is left as it was. Bulk loads go fastest into an empty store."""
    path = Path(path)
    fresh, old = (path.with_name(f".{path.name}.{kind}-{os.getpid()}") for kind in ("new", "old"))
    with Store(path):
        shutil.rmtree(fresh, ignore_errors=True)
        try:
            with Store(fresh) as store:
                yield store
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
    os.replace(path, old)
    os.replace(fresh, path)
    shutil.rmtree(old)


def _is_store(path: Path) -> bool:
    return (path / "CURRENT").is_file()  # RocksDB's own marker file


def _open(path: Path | None, read_only: bool) -> ox.Store:
    """Oxigraph's store in ``path``; waits while another kg process holds its write lock."""
    if path is None:
        return ox.Store()
    is_store = _is_store(path)
    if read_only:
        if not is_store:
            raise StoreError(f"{path}: no store here; run `kg build` first, or query a file with --data FILE")
        return ox.Store.read_only(str(path))
    if path.exists() and not is_store and (not path.is_dir() or any(path.iterdir())):
        raise StoreError(f"{path}: not an Oxigraph store but a file or a folder of other files; "
                         "give --store a new or empty folder")
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return ox.Store(str(path))
        except OSError as error:
            locked = "lock" in str(error).lower()
            if not locked or time.monotonic() > deadline:
                hint = ("another kg command has been using it for a minute; let it finish" if locked
                        else "check that the folder is writable, or give --store another folder")
                raise StoreError(f"{path}: cannot open the store ({error}); {hint}") from None
            time.sleep(0.2)


def _names(spec: str, document: StoredDocument) -> bool:
    """Does ``spec`` name ``document``: a file name, its IRI, doc:<digest>, or a digest prefix?"""
    local = document.iri.rsplit("/", 1)[-1]
    if spec in document.file_names or spec in (document.iri, f"doc:{local}"):
        return True
    digest = spec.removeprefix("doc:").lower()
    return len(digest) >= 6 and re.fullmatch(r"[0-9a-f]+", digest) is not None and document.sha256.startswith(digest)


def _quad_data(quads: Iterable[ox.Quad]) -> str:
    """``quads`` as the body of INSERT DATA / DELETE DATA (N-Triples terms are SPARQL terms)."""
    graphs: dict = defaultdict(list)
    for quad in quads:
        graphs[quad.graph_name].append(f"{quad.subject} {quad.predicate} {quad.object} .")
    return " ".join(" ".join(lines) if name == DEFAULT_GRAPH else f"GRAPH {name} {{ {' '.join(lines)} }}"
                    for name, lines in graphs.items())


# --- rdflib and Oxigraph terms ------------------------------------------------------------------------

def ox_quads(dataset: Dataset) -> Iterator[ox.Quad]:
    """The quads of an rdflib dataset as Oxigraph quads, each distinct term converted once;
    graph by graph, which is three times faster than ``dataset.quads()``."""
    cache: dict = {}

    def convert(term):
        converted = cache.get(term)
        if converted is None:
            converted = cache[term] = to_ox(term)
        return converted

    for graph in dataset.graphs():
        name = DEFAULT_GRAPH if graph.identifier == DATASET_DEFAULT_GRAPH_ID else convert(graph.identifier)
        for s, p, o in graph:
            yield ox.Quad(convert(s), convert(p), convert(o), name)


def to_ox(term):
    """An rdflib term as Oxigraph's.

    >>> to_ox(Literal("国务院", lang="zh"))
    <Literal value=国务院 language=zh>
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"cannot store {term!r}: not an IRI, literal or blank node")


def from_ox(term):
    """An Oxigraph term as rdflib's, as kg.graph makes them (plain strings without a datatype),
    so that ``to_ox(from_ox(t)) == t``.

    >>> from_ox(ox.Literal("2006", datatype=ox.NamedNode(str(XSD.gYear)))).datatype == XSD.gYear
    True
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"cannot read {term!r} from the store: not an IRI, literal or blank node")
