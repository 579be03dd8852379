"""Words: jieba segmentation that knows the lexicon, with jieba's part-of-speech tags.

Segmenting a whole plan with jieba is the slowest step a Chinese pipeline usually pays
for; infokg only segments the short window left of each head noun, where the left edge of
a name must be found, and caches the windows it has seen.

>>> [w.text for w in default_segmenter().cut("重点建设城市应急指挥系统")]
['重点', '建设', '城市', '应急', '指挥系统']
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import jieba

from . import lexicon

jieba.setLogLevel(logging.WARNING)


@dataclass(frozen=True, slots=True)
class Word:
    start: int
    end: int
    text: str
    pos: str  # jieba's dictionary tag; "" for words it does not know


class Segmenter:
    def __init__(self, extra_words: Iterable[str] = ()):
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()
        for word in extra_words:
            self._tokenizer.add_word(word)
        self._tags = _dictionary_tags()
        self.cut = functools.lru_cache(maxsize=65536)(self._cut)

    def tag(self, word: str) -> str:
        """jieba's part-of-speech tag for a word it knows ("" otherwise)."""
        return self._tags.get(word, "")

    def _cut(self, text: str) -> tuple[Word, ...]:
        words = []
        position = 0
        for piece in self._tokenizer.cut(text, HMM=False):
            end = position + len(piece)
            words.append(Word(position, end, piece, self._tags.get(piece, "")))
            position = end
        return tuple(words)


@functools.cache
def _dictionary_tags() -> dict[str, str]:
    tags = {}
    path = Path(jieba.__file__).parent / "dict.txt"
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    return tags


@functools.cache
def default_segmenter() -> Segmenter:
    """A segmenter that keeps the lexicon's heads, markers, abbreviations and bodies whole."""
    lex = lexicon.load()
    words = set(lex.heads) | set(lex.markers) | set(lex.abbreviations) | set(lex.national_bodies)
    words |= set(lex.templates) | {lexicon.short_division_name(d.name) for d in lex.divisions.values()}
    words |= {d.name for d in lex.divisions.values()}
    words |= {w for w in lex.boundary_words if len(w) > 1} | lex.name_words | lex.generic_names
    return Segmenter(sorted(w for w in words if len(w) > 1))
