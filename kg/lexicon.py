"""Knowledge as data: the word lists and tables under ``kg/data``.

Every list the extractor consults lives in a plain text file next to this module, so a
reader can correct a head noun or add an abbreviation without touching code. Files are
read once per process.

>>> lex = load()
>>> lex.heads["平台"].type
'Platform'
>>> "建设" in lex.boundary_words
True
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

DATA_DIR = Path(__file__).parent / "data"


class Affixes:
    """The longest member of a word set that starts or ends a string, found with one set
    lookup per word length (a few), not one comparison per word (thousands).

    >>> Affixes(["哈尔滨", "哈尔滨市"]).prefix("哈尔滨市信息产业局")
    '哈尔滨市'
    """

    def __init__(self, words):
        self.words = frozenset(w for w in words if w)
        self._lengths = sorted({len(w) for w in self.words}, reverse=True)
        # the first and last characters of the words, as many as the shortest word has: most
        # strings asked about start (or end) with none of them, and are answered at once
        self._shortest = min(self._lengths, default=0)
        self._openings = frozenset(w[:self._shortest] for w in self.words)
        self._endings = frozenset(w[len(w) - self._shortest:] for w in self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.words

    def prefix(self, text: str) -> str:
        if text[:self._shortest] not in self._openings:
            return ""
        for n in self._lengths:
            if n <= len(text) and text[:n] in self.words:
                return text[:n]
        return ""

    def prefixes(self, text: str) -> list[str]:
        """Every member that starts ``text``, longest first.

        >>> Affixes(["中共", "中共中央", "国务院"]).prefixes("中共中央网络安全和信息化委员会")
        ['中共中央', '中共']
        """
        if text[:self._shortest] not in self._openings:
            return []
        return [text[:n] for n in self._lengths if n <= len(text) and text[:n] in self.words]

    def suffix(self, text: str) -> str:
        if text[len(text) - self._shortest:] not in self._endings:
            return ""
        for n in self._lengths:
            if n <= len(text) and text[-n:] in self.words:
                return text[-n:]
        return ""


def words_regex(words: Iterable[str]) -> re.Pattern[str]:
    """One regex for a set of words that matches, at each position, the longest of them that
    starts there (as an alternation sorted longest first does), built as a trie: the engine
    follows one branch per character instead of trying every word in turn.

    >>> words_regex(["哈尔滨", "哈尔滨市", "大庆市"]).findall("哈尔滨市和大庆市、哈尔滨")
    ['哈尔滨市', '大庆市', '哈尔滨']
    """
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    return re.compile(_trie_pattern(trie))


def _trie_pattern(node: dict) -> str:
    """The longer words below a node are tried first; where one ends, stopping is optional."""
    branches = [re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


@dataclass(frozen=True)
class Head:
    text: str
    type: str
    condition: str  # "-", "quoted", "legal", "scoped" or "specific" (see heads.tsv)


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str  # province | prefecture | county
    parent: str  # adcode of the parent division, "" for provinces


@dataclass(frozen=True)
class Marker:
    text: str
    level: str
    kind: str  # "own" (我市), "whole" (全市) or "part" (市); see jurisdiction_markers.tsv

    @property
    def whole(self) -> bool:
        return self.kind == "whole"


@dataclass(frozen=True, eq=False)  # hashed by identity: one lexicon per process
class Lexicon:
    heads: dict[str, Head]
    boundary_words: frozenset[str]
    boundary_pos: frozenset[str]
    generic_names: frozenset[str]
    generic_modifiers: frozenset[str]  # evaluative and domain words (see generic.txt)
    evaluative: frozenset[str]
    generic_suffixes: tuple[str, ...]
    right_context: dict[str, frozenset[str]]  # head -> following words that cancel it
    national_bodies: dict[str, str]  # any surface form -> canonical name
    abbreviations: dict[str, list[tuple[str, str]]]  # short -> [(full, level or "")]
    markers: dict[str, Marker]
    templates: dict[str, str]
    divisions: dict[str, Division]  # by adcode
    divisions_by_name: dict[str, list[Division]]
    division_names: Affixes  # full names, and short names of provinces and prefectures
    ambiguous_divisions: frozenset[str]  # names that read more often as ordinary words
    legal_cues: frozenset[str]
    scope_words: dict[str, str]  # word -> "national" | "local"
    name_prefixes: frozenset[str]
    programmes: dict[str, tuple[str, str]]  # prefix -> (type, when)
    official_names: dict[str, str]
    not_heads: frozenset[str]
    classifiers: frozenset[str]
    head_verbs: frozenset[str]
    name_words: frozenset[str]
    not_markers: frozenset[str]
    head_synonyms: tuple[tuple[str, ...], ...]
    head_continuations: frozenset[str]
    modifier_synonyms: tuple[tuple[str, ...], ...]
    national_programmes: frozenset[str]

    def division_parent(self, division: Division) -> Division | None:
        return self.divisions.get(division.parent)


def data_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a data file, stripped of trailing blanks."""
    path = DATA_DIR / name
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if line and not line.lstrip().startswith("#"):
            lines.append(line)
    return lines


def data_rows(name: str) -> list[list[str]]:
    return [line.split("\t") for line in data_lines(name)]


def _sections(name: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in data_lines(name):
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            continue
        sections.setdefault(current, []).append(line.strip())
    return sections


def short_division_name(name: str) -> str:
    """黑龙江省 -> 黑龙江, 哈尔滨市 -> 哈尔滨, 广西壮族自治区 -> 广西 (names of 2+ chars only).

    >>> short_division_name("内蒙古自治区")
    '内蒙古'
    >>> short_division_name("宾县")
    '宾县'
    """
    for suffix in DIVISION_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


DIVISION_SUFFIXES = (
    "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "自治县",
    "地区", "省", "市", "县", "区", "盟", "旗",
)


def _names_of(division: Division) -> tuple[str, ...]:
    if division.level == "county":
        return (division.name,)
    return division.name, short_division_name(division.name)


@functools.cache
def load() -> Lexicon:
    heads = {row[0]: Head(row[0], row[1], row[2] if len(row) > 2 else "-") for row in data_rows("heads.tsv")}
    generic = _sections("generic.txt")
    national: dict[str, str] = {}
    for row in data_rows("national_bodies.tsv"):
        for surface in row:
            national.setdefault(surface, row[0])
    abbreviations: dict[str, list[tuple[str, str]]] = {}
    for row in data_rows("abbreviations.tsv"):
        abbreviations.setdefault(row[0], []).append((row[1], row[2] if len(row) > 2 else ""))
    markers = {row[0]: Marker(*row[:3]) for row in data_rows("jurisdiction_markers.tsv")}
    templates = {row[0]: row[1] for row in data_rows("name_templates.tsv")}
    divisions = {row[0]: Division(*row[:3], row[3] if len(row) > 3 else "") for row in data_rows("divisions.tsv")}
    ambiguous = frozenset(data_lines("ambiguous_divisions.txt"))
    by_name: dict[str, list[Division]] = {}
    for division in divisions.values():
        by_name.setdefault(division.name, []).append(division)
    return Lexicon(
        heads=heads,
        boundary_words=frozenset(w.strip() for w in data_lines("boundary.txt")),
        boundary_pos=frozenset(w.strip() for w in data_lines("boundary_pos.txt")),
        generic_names=frozenset(generic.get("names", [])),
        generic_modifiers=frozenset(generic.get("modifiers", []) + generic.get("evaluative", [])),
        evaluative=frozenset(generic.get("evaluative", [])),
        generic_suffixes=tuple(generic.get("modifier_suffixes", [])),
        right_context={row[0]: frozenset(row[1].split()) for row in data_rows("right_context.tsv")},
        national_bodies=national,
        abbreviations=abbreviations,
        markers=markers,
        templates=templates,
        divisions=divisions,
        divisions_by_name=by_name,
        division_names=Affixes(n for d in divisions.values() for n in _names_of(d)
                               if len(n) >= 2 and n not in ambiguous),
        ambiguous_divisions=ambiguous,
        legal_cues=frozenset(data_lines("legal_cues.txt")),
        scope_words={row[0]: row[1] for row in data_rows("scope_words.txt")},
        name_prefixes=frozenset(data_lines("name_prefixes.txt")),
        programmes={row[0]: (row[1], row[2]) for row in data_rows("programmes.tsv")},
        official_names={row[0]: row[1] for row in data_rows("official_names.tsv")},
        not_heads=frozenset(data_lines("not_heads.txt")),
        classifiers=frozenset(data_lines("classifiers.txt")),
        head_verbs=frozenset(data_lines("head_verbs.txt")),
        name_words=frozenset(data_lines("name_words.txt")),
        not_markers=frozenset(data_lines("not_markers.txt")),
        head_synonyms=tuple(tuple(row) for row in data_rows("head_synonyms.tsv")),
        head_continuations=frozenset(data_lines("head_continuations.txt")),
        modifier_synonyms=tuple(tuple(row) for row in data_rows("modifier_synonyms.tsv")),
        national_programmes=frozenset(data_lines("national_programmes.txt")),
    )
