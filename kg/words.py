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
import marshal
import math
import os
import re
from pathlib import Path
from typing import Iterable, NamedTuple

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
_NOT_A_PREFIX = object()  # what the dictionary gives for a string no word starts with


class Segmenter:
    """jieba's dictionary segmentation (its DAG and most-probable route, without HMM),
    run directly: the same words as ``jieba.cut(text, HMM=False)`` for the short windows
    infokg segments, without the per-call layers that cost more than the work itself."""

    def __init__(self, extra_words: Iterable[str] = (), dropped_words: Iterable[str] = ()):
        self._log_p, self._unknown, self._tags = prepared_dictionary(tuple(extra_words), tuple(dropped_words))
        self.cut = functools.lru_cache(maxsize=65536)(self._cut)

    def tag(self, word: str) -> str:
        """jieba's part-of-speech tag for a word it knows ("" otherwise)."""
        return self._tags.get(word, "")

    def _cut(self, text: str) -> tuple[Word, ...]:
        words = []
        start = 0
        for end in self._route(text):
            piece = text[start:end]
            if len(piece) == 1 and piece.isascii() and piece.isalnum() and words and _ASCII.fullmatch(words[-1].text):
                words[-1] = Word(words[-1].start, end, words[-1].text + piece, "")  # 12358, HLJCORS
            else:
                words.append(make_word((start, end, piece, self._tags.get(piece, ""))))
            start = end
        return tuple(words)

    def _route(self, text: str) -> list[int]:
        """Word ends along the most probable segmentation (jieba's get_DAG and calc): from
        each position, the word whose log-probability plus the best score after it is
        highest (the longest on a tie); a character that starts no word is a word of count 1."""
        log_p, n = self._log_p.get, len(text)
        score, end = [0.0] * (n + 1), [0] * (n + 1)
        for i in range(n - 1, -1, -1):
            best, stop = None, i + 1
            p = log_p(text[i], _NOT_A_PREFIX)
            while p is not _NOT_A_PREFIX:
                if p is not None:  # text[i:stop] is a word, not only the start of some
                    s = p + score[stop]
                    if best is None or s >= best:
                        best, end[i] = s, stop
                if stop == n:
                    break
                stop += 1
                p = log_p(text[i:stop], _NOT_A_PREFIX)
            if best is None:
                best, end[i] = self._unknown + score[i + 1], i + 1
            score[i] = best
        route, i = [], 0
        while i < n:
            i = end[i]
            route.append(i)
        return route


# jieba itself is imported only to make a dictionary: importing it imports pkg_resources,
# a tenth of a second of every run that loads a dictionary already made
JIEBA_CODE = Path(importlib.util.find_spec("jieba").origin)  # its Tokenizer, which makes the dictionary
JIEBA_DICT = JIEBA_CODE.parent / "dict.txt"


def cache_dir() -> Path:
    """Where derived data is kept between runs: ``$XDG_CACHE_HOME/infokg`` (~/.cache/infokg)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "infokg"


KEPT_DICTIONARIES = 4  # prepared dictionaries the cache keeps: the most recently used
DICTIONARY_LAYOUT = "3"  # of the cached file: raised when _make_dictionary lays it out otherwise


def prepared_dictionary(extra_words: tuple[str, ...], dropped_words: tuple[str, ...]) -> tuple[dict, float, dict]:
    """jieba's prefix dictionary with ``extra_words`` added and ``dropped_words`` taken out, as
    each word's log-probability (None for a prefix that is no word), the log-probability of a
    character it does not know, and its words' tags.

    Made once and kept in :func:`cache_dir`, keyed by the contents of jieba's dictionary and code and
    the word lists (so every checkout and virtualenv with the same jieba and lexicon shares one
    file): making it (jieba's own cache, then some thousand ``add_word``, then the tags from
    ``dict.txt``) takes three times as long as loading it, and every process that extracts
    pays for it. Each file is about 13 MB; when one is made, all but the
    ``KEPT_DICTIONARIES`` most recently used are deleted."""
    made_from = (DICTIONARY_LAYOUT, str(marshal.version), *map(_file_digest, (JIEBA_CODE, JIEBA_DICT)),
                 *extra_words, "", *dropped_words)
    key = hashlib.sha256("\n".join(made_from).encode("utf-8")).hexdigest()[:16]
    path = cache_dir() / f"words-{key}.marshal"
    try:
        prepared = marshal.loads(path.read_bytes())  # marshal.load(file) reads piecemeal: 2.5 times slower
    except (OSError, EOFError, ValueError, TypeError):  # not made yet, or unreadable: make it again
        pass
    else:
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: the modification time orders the files for pruning
        return prepared
    prepared = _make_dictionary(extra_words, dropped_words)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(marshal.dumps(prepared))
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
    """Delete all but the ``KEPT_DICTIONARIES`` most recently used dictionaries in ``folder``."""
    def used(path: Path) -> float:
        with contextlib.suppress(OSError):
            return path.stat().st_mtime
        return 0.0

    for stale in sorted(folder.glob("words-*.marshal"), key=used, reverse=True)[KEPT_DICTIONARIES:]:
        with contextlib.suppress(OSError):
            stale.unlink()


def _make_dictionary(extra_words: tuple[str, ...], dropped_words: tuple[str, ...]) -> tuple[dict, float, dict]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in extra_words:
        tokenizer.add_word(word)
    for word in dropped_words:
        tokenizer.del_word(word)
    # the tags' words and names are the very objects of the prefix dictionary and of one
    # another, which marshal writes once and refers to after: the file loads a fifth faster
    freq, names, tags = tokenizer.FREQ, {}, {}
    words = {word: word for word in freq}
    with JIEBA_DICT.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) == 3:
                tags[words.get(parts[0], parts[0])] = names.setdefault(parts[2], parts[2])
    log_total = math.log(tokenizer.total)  # jieba's calc: log(count) - log(total), count 1 if unknown
    log_p = {word: math.log(count) - log_total if count else None for word, count in freq.items()}
    return log_p, math.log(1) - log_total, tags


@functools.cache
def default_segmenter() -> Segmenter:
    """A segmenter that keeps the lexicon's heads, markers, abbreviations and bodies whole."""
    lex = lexicon.load()
    words = set(lex.heads) | set(lex.markers) | set(lex.abbreviations) | set(lex.national_bodies)
    words |= set(lex.templates) | {lexicon.short_division_name(d.name) for d in lex.divisions.values()}
    words |= {d.name for d in lex.divisions.values()}
    words |= {w for w in lex.boundary_words if len(w) > 1} | lex.name_words | lex.generic_names
    return Segmenter(sorted(w for w in words - lex.ambiguous_divisions if len(w) > 1), sorted(lex.ambiguous_divisions))
