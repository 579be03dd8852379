"""Words: jieba segmentation that knows the lexicon, with jieba's part-of-speech tags.

Segmenting a whole plan with jieba is the slowest step a Chinese pipeline usually pays
for; infokg only segments the short window left of each head noun, where the left edge of
a name must be found, and caches the windows it has seen.

>>> [w.text for w in default_segmenter().cut("重点建设城市应急指挥系统")]
['重点建设', '城市', '应急', '指挥系统']
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import logging
import math
import os
import pickle
import re
from pathlib import Path
from typing import Iterable, NamedTuple

import ahocorasick

from . import lexicon

_ASCII = re.compile(r"[a-zA-Z0-9]+")


class Word(NamedTuple):
    """A word: offsets, text and jieba's dictionary tag ("" for words it does not know).
    A named tuple: millions are made, and a frozen dataclass costs several times more."""

    start: int
    end: int
    text: str
    pos: str


# make_word((start, end, text, pos)): a Word made by tuple.__new__ directly, without the
# named tuple's constructor, a Python function that costs as much as the tuple itself.
make_word = functools.partial(tuple.__new__, Word)
_NO_ENTRY = (0, None, "")  # what the dictionary gives for a string that is no word of it


class Segmenter:
    """jieba's dictionary segmentation (its DAG and most-probable route, without HMM),
    run directly: the same words as ``jieba.cut(text, HMM=False)`` for the short windows
    infokg segments, without the per-call layers that cost more than the work itself.

    The dictionary is an Aho-Corasick automaton of the words written backwards: one pass
    of it over a window read backwards gives every dictionary word in the window, those
    starting last first, which is the order jieba's route is scored in (right to left)."""

    def __init__(self, extra_words: Iterable[str] = (), dropped_words: Iterable[str] = ()):
        self._words, self._unknown = prepared_dictionary(tuple(extra_words), tuple(dropped_words))
        self.cut = functools.lru_cache(maxsize=65536)(self._cut)

    def tag(self, word: str) -> str:
        """jieba's part-of-speech tag for a word it knows ("" otherwise)."""
        return self._words.get(word[::-1], _NO_ENTRY)[2]

    def _cut(self, text: str) -> tuple[Word, ...]:
        words = []
        start = 0
        for end, tag in self._route(text):
            piece = text[start:end]
            if len(piece) == 1 and piece.isascii() and piece.isalnum() and words and _ASCII.fullmatch(words[-1].text):
                words[-1] = Word(words[-1].start, end, words[-1].text + piece, "")  # 12358, HLJCORS
            else:
                words.append(make_word((start, end, piece, tag)))
            start = end
        return tuple(words)

    def _route(self, text: str) -> list[tuple[int, str]]:
        """Word ends, with their tags, along the most probable segmentation (jieba's get_DAG
        and calc): from each position, the word whose log-probability plus the best score
        after it is highest (the longest on a tie); a character that starts no word is a word
        of count 1."""
        n, unknown = len(text), self._unknown
        score, end, tag = [0.0] * (n + 1), list(range(1, n + 2)), [None] * n
        scored = n  # the positions from here on have their best score
        for backwards_end, (length, p, word_tag) in self._words.iter(text[::-1]):
            if p is None:  # tagged, but no word of jieba's dictionary (count 0, or dropped)
                continue
            i = n - 1 - backwards_end  # where the word starts
            if i < scored:  # the first word starting at i: the positions up to it start none
                while scored > i + 1:
                    scored -= 1
                    score[scored] = unknown + score[scored + 1]
                scored = i
                s = p + score[i + length]
            else:
                s = p + score[i + length]
                if s < score[i] or (s == score[i] and i + length < end[i]):
                    continue
            score[i], end[i], tag[i] = s, i + length, word_tag
        route, i = [], 0
        while i < n:
            route.append((end[i], self.tag(text[i]) if tag[i] is None else tag[i]))
            i = end[i]
        return route


# jieba itself is imported only to make a dictionary: importing it imports pkg_resources,
# a tenth of a second of every run that loads a dictionary already made
JIEBA_CODE = Path(importlib.util.find_spec("jieba").origin)  # its Tokenizer, which makes the dictionary
JIEBA_DICT = JIEBA_CODE.parent / "dict.txt"
AUTOMATON_CODE = Path(ahocorasick.__file__)  # its pickles are its own


def cache_dir() -> Path:
    """Where derived data is kept between runs: ``$XDG_CACHE_HOME/infokg`` (~/.cache/infokg)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "infokg"


KEPT_DICTIONARIES = 4  # prepared dictionaries the cache keeps: the most recently used
DICTIONARY_LAYOUT = "4"  # of the cached file: raised when _make_dictionary lays it out otherwise


def prepared_dictionary(extra_words: tuple[str, ...], dropped_words: tuple[str, ...]) -> tuple[ahocorasick.Automaton, float]:
    """jieba's dictionary with ``extra_words`` added and ``dropped_words`` taken out, as an
    automaton of the words written backwards, each giving (its length, its log-probability or
    None if it is no word of the dictionary, its tag or ""); and the log-probability of a
    character the dictionary does not know.

    Made once and kept in :func:`cache_dir`, keyed by the contents of jieba's dictionary and
    code, of the automaton's library, and by the word lists (so every checkout and virtualenv
    with the same ones shares one file): making it (jieba's own cache, then some thousand
    ``add_word``, the tags from ``dict.txt``, then the automaton) takes sixteen times as long
    as loading it, and every process that extracts pays for it. Each file is about 24 MB;
    when one is made, all but the ``KEPT_DICTIONARIES`` most recently used are deleted."""
    made_from = (DICTIONARY_LAYOUT, str(pickle.HIGHEST_PROTOCOL), *map(_file_digest, (JIEBA_CODE, JIEBA_DICT, AUTOMATON_CODE)),
                 *extra_words, "", *dropped_words)
    key = hashlib.sha256("\n".join(made_from).encode("utf-8")).hexdigest()[:16]
    path = cache_dir() / f"words-{key}.pickle"
    try:
        prepared = pickle.loads(path.read_bytes())
    except Exception:  # not made yet, or unreadable (a damaged pickle raises many kinds): make it again
        pass
    else:
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: the modification time orders the files for pruning
        return prepared
    prepared = _make_dictionary(extra_words, dropped_words)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, path)
        _prune(path.parent)
    except OSError:  # a read-only home: every run makes the dictionary, nothing else changes
        with contextlib.suppress(OSError):
            partial.unlink()
    return prepared


def _file_digest(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _prune(folder: Path) -> None:
    """Delete all but the ``KEPT_DICTIONARIES`` most recently used dictionaries in ``folder``
    (and any of an older layout)."""
    def used(path: Path) -> float:
        with contextlib.suppress(OSError):
            return path.stat().st_mtime
        return 0.0

    for stale in folder.glob("words-*.marshal"):
        with contextlib.suppress(OSError):
            stale.unlink()
    for stale in sorted(folder.glob("words-*.pickle"), key=used, reverse=True)[KEPT_DICTIONARIES:]:
        with contextlib.suppress(OSError):
            stale.unlink()


def _make_dictionary(extra_words: tuple[str, ...], dropped_words: tuple[str, ...]) -> tuple[ahocorasick.Automaton, float]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in extra_words:
        tokenizer.add_word(word)
    for word in dropped_words:
        tokenizer.del_word(word)
    tags, names = {}, {}  # one object per tag name: pickled once, referred to after
    with JIEBA_DICT.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) == 3:
                tags[parts[0]] = names.setdefault(parts[2], parts[2])
    log_total = math.log(tokenizer.total)  # jieba's calc: log(count) - log(total), count 1 if unknown
    automaton = ahocorasick.Automaton()
    for word, count in tokenizer.FREQ.items():  # every word of dict.txt, and every prefix of one
        tag = tags.get(word, "")
        if count or tag:
            automaton.add_word(word[::-1], (len(word), math.log(count) - log_total if count else None, tag))
    automaton.make_automaton()
    return automaton, math.log(1) - log_total


@functools.cache
def default_segmenter() -> Segmenter:
    """A segmenter that keeps the lexicon's heads, markers, abbreviations and bodies whole."""
    lex = lexicon.load()
    words = set(lex.heads) | set(lex.markers) | set(lex.abbreviations) | set(lex.national_bodies)
    words |= set(lex.templates) | {lexicon.short_division_name(d.name) for d in lex.divisions.values()}
    words |= {d.name for d in lex.divisions.values()}
    words |= {w for w in lex.boundary_words if len(w) > 1} | lex.name_words | lex.generic_names
    return Segmenter(sorted(w for w in words - lex.ambiguous_divisions if len(w) > 1), sorted(lex.ambiguous_divisions))
