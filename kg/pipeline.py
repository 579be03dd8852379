"""The extractor as a spaCy pipeline: one registered component per stage.

The pipeline is assembled from ``data/pipeline.cfg`` (``spacy.blank("zh")`` with
character tokens, then plan → segmenter → recogniser → resolver → relator). Results ride on
the ``Doc``: ``doc.spans["infokg"]`` holds the mentions (label = entity type,
``span._.entity_key`` = the entity), ``doc._.entities`` and ``doc._.relations`` the rest.

>>> nlp = load_pipeline()
>>> doc = process(nlp, document_from_text("a.txt", "黑龙江省信息化规划\\n省通信管理局牵头实施“宽带龙江”战略。"))
>>> [(s.text, s.label_) for s in doc.spans["infokg"]][1:]
[('省通信管理局', 'Agency'), ('“宽带龙江”战略', 'Project')]
>>> [e.name for e in doc._.entities][1]
'黑龙江省通信管理局'
>>> doc.spans["infokg"][1]._.entity_key == doc._.entities[1].key
True
>>> [(r.type, r.rule) for r in doc._.relations]
[('leads', 'agency-leads')]
"""
from __future__ import annotations

import contextlib
import functools
import gc
from pathlib import Path
from typing import Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from . import lexicon
from .ingest import Document, document_from_text
from .plan import describe
from .recognise import recognise
from .relate import relate
from .resolve import resolve
from .segment import segment
from .words import default_segmenter

__all__ = ["load_pipeline", "process", "make_doc", "document_from_text"]

CONFIG = lexicon.DATA_DIR / "pipeline.cfg"
SPANS_KEY = "infokg"

for _name in ("source", "plan", "segments", "mentions", "entities", "relations", "entity_keys"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def _entity_key(span: Span) -> str | None:
    """The key of the entity a mention span names, looked up in ``doc._.entity_keys``: one
    dict for the Doc instead of a value set on every span (three microseconds a span)."""
    keys = span.doc._.entity_keys
    return keys.get((span.start_char, span.end_char, span.label_)) if keys else None


if not Span.has_extension("entity_key"):
    Span.set_extension("entity_key", getter=_entity_key)


def text_of(doc: Doc) -> str:
    """The Doc's text; kept on the Doc by ``process`` because spaCy rebuilds ``doc.text``
    from its tokens (one per character here) on every access."""
    return doc.user_data.get("text") or doc.text


class PlanReader:
    """Title, jurisdiction, period and year of the plan (``doc._.plan``)."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.plan = describe(text_of(doc))
        return doc


class Segmenter:
    """Sentences and table rows (``doc._.segments``)."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.segments = segment(text_of(doc))
        return doc


class Recogniser:
    """Entity mentions (``doc._.mentions`` and the span group ``doc.spans["infokg"]``)."""

    def __init__(self, entity_types: list[str]):
        self.entity_types = frozenset(entity_types)
        self.lex = lexicon.load()
        self.segmenter = default_segmenter()  # jieba's dictionary, loaded with the pipeline

    def __call__(self, doc: Doc) -> Doc:
        mentions = [m for m in recognise(text_of(doc), doc._.plan.title_span, self.lex, self.segmenter)
                    if m.type in self.entity_types]
        doc._.mentions = mentions
        doc.spans[SPANS_KEY] = _spans(doc, [m for m in mentions if not m.expanded])
        return doc


def _spans(doc: Doc, mentions: list) -> list[Span]:
    """The mentions as spans. With one token per character (the pipeline's tokenizer) a
    character offset is a token index, and making the span directly costs half what
    ``char_span``'s search does; any other tokenizer gets the spans that cover the mentions."""
    if len(doc) == len(text_of(doc)):
        return [Span(doc, m.start, m.end, label=m.type) for m in mentions]
    return [doc.char_span(m.start, m.end, label=m.type, alignment_mode="expand") for m in mentions]


class Resolver:
    """Entities with canonical names and aliases (``doc._.entities``)."""

    def __call__(self, doc: Doc) -> Doc:
        source: Document | None = doc._.source
        original = source.text if source else None
        to_original = source.to_original if source else None
        doc._.entities = resolve(text_of(doc), doc._.mentions, doc._.plan, original, to_original)
        doc._.entity_keys = {(m.start, m.end, m.type): e.key for e in doc._.entities for m in e.mentions
                             if not m.expanded}
        return doc


class Relator:
    """Relations with their evidence (``doc._.relations``)."""

    def __init__(self, relation_types: list[str]):
        self.relation_types = frozenset(relation_types)

    def __call__(self, doc: Doc) -> Doc:
        relations = relate(text_of(doc), doc._.segments, doc._.entities, doc._.plan)
        doc._.relations = [r for r in relations if r.type in self.relation_types]
        return doc


class CharTokenizer:
    """One token per character, like spaCy's Chinese "char" segmenter, built directly:
    spaCy's own path re-aligns words and spaces and costs more than the whole extractor.
    Tokens are given as string-store ids, each character's looked up once per process:
    hashing every character of every plan anew was most of the cost of making the Doc."""

    def __init__(self, vocab):
        self.vocab = vocab
        self._ids = _CharIds(vocab.strings)

    def __call__(self, text: str) -> Doc:
        return Doc(self.vocab, words=list(map(self._ids.__getitem__, text)), spaces=[False] * len(text))


class _CharIds(dict):
    """Character -> its id in the string store, added on first use."""

    def __init__(self, strings):
        super().__init__()
        self.strings = strings

    def __missing__(self, char: str) -> int:
        self[char] = self.strings.add(char)
        return self[char]


@spacy.registry.tokenizers("infokg.char_tokenizer")
def make_char_tokenizer():
    return lambda nlp: CharTokenizer(nlp.vocab)


@Language.factory("infokg_plan")
def make_plan_reader(nlp: Language, name: str) -> PlanReader:
    return PlanReader()


@Language.factory("infokg_segmenter")
def make_segmenter(nlp: Language, name: str) -> Segmenter:
    return Segmenter()


@Language.factory("infokg_recogniser", default_config={"entity_types": ["Agency", "Project", "Database", "Platform", "Law"]})
def make_recogniser(nlp: Language, name: str, entity_types: list[str]) -> Recogniser:
    return Recogniser(entity_types)


@Language.factory("infokg_resolver")
def make_resolver(nlp: Language, name: str) -> Resolver:
    return Resolver()


@Language.factory("infokg_relator", default_config={"relation_types": ["leads", "participates-in", "depends-on", "integrates", "based-on", "issued-by", "part-of"]})
def make_relator(nlp: Language, name: str, relation_types: list[str]) -> Relator:
    return Relator(relation_types)


MAX_PLAN_CHARS = 100_000_000  # what one Doc may hold: a plan of 100 million characters


@functools.cache
def load_pipeline(config: Path | str = CONFIG) -> Language:
    """The extractor assembled from a spaCy config file.

    What is loaded by then - spaCy, the lexicon, jieba's dictionary, some 100k objects -
    lives as long as the process, so it is moved out of the garbage collector's
    generations (``gc.freeze``): extraction makes the collector run a full collection every
    few dozen plans, and walking all of that again each time took a fifth of the extraction
    time where it was measured. No collection comes first: loading leaves some 170 objects
    of garbage, and a collection walks the dictionary's half a million entries (50 ms)."""
    nlp = spacy.util.load_model_from_config(spacy.util.load_config(config), auto_fill=True, validate=True)
    # spaCy refuses texts over a million characters, a guard for parsers and NER models that
    # need memory per token pair; a character tokenizer and these components need none
    nlp.max_length = MAX_PLAN_CHARS
    gc.freeze()
    return nlp


def process(nlp: Language, document: Document) -> Doc:
    """Run the pipeline over one plan; the Doc's text is the plan's matching text."""
    with fewer_young_collections():
        doc = make_doc(nlp, document)
        for _, component in nlp.pipeline:
            doc = component(doc)
    return doc


def make_doc(nlp: Language, document: Document) -> Doc:
    """The Doc of one plan before any component: its tokens, the plan it comes from and its
    matching text (what ``process`` starts from, and what a timing of each component needs)."""
    doc = nlp.make_doc(document.norm)
    doc._.source = document
    doc.user_data["text"] = document.norm
    return doc


YOUNG_COLLECTION_EVERY = 20_000  # allocations, while a plan is processed (Python's default: 700)


@contextlib.contextmanager
def fewer_young_collections() -> Iterator[None]:
    """The garbage collector's young collections made rarer while the block runs.

    A plan makes hundreds of thousands of short-lived tuples (words, spans, matches), almost
    all freed by their reference counts before any collection could find them; at the
    default threshold the collector still ran every 700 allocations and walked what was
    alive then: 19 ms of every 270 ms of extraction where it was measured, 8 ms at this
    threshold. The thresholds are as they were once the block is left (a collector
    switched off stays off)."""
    before = gc.get_threshold()
    if before[0]:
        gc.set_threshold(max(before[0], YOUNG_COLLECTION_EVERY), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
