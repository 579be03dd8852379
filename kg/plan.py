"""What a plan says about itself: title, jurisdiction, five-year period and year.

The jurisdiction decides canonical names (市政府 in Harbin's plan is 哈尔滨市人民政府) and
which entities are local; it is read from the title and the opening lines, using the
table of China's administrative divisions in ``data/divisions.tsv``.

>>> info = describe("哈尔滨市电子政务发展规划\\n“十一五”期间，我市……")
>>> info.title, info.jurisdiction.name, info.jurisdiction.at("province"), info.period
('哈尔滨市电子政务发展规划', '哈尔滨市', '黑龙江省', '十一五')
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from . import lexicon

NATIONAL = "national"
_PLAN_WORDS = re.compile(r"规划|纲要|计划|方案|意见|规定|办法|要点|战略")
_NATIONAL_WORDS = re.compile(r"国家|全国|中华人民共和国|中央|国务院|部")
_PERIOD = re.compile(r"(十[一二三四五六七八九]五)|第(十[一二三四五六七八九])个五年")
_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
PERIOD_START = {"十五": 2001, "十一五": 2006, "十二五": 2011, "十三五": 2016, "十四五": 2021, "十五五": 2026}


@dataclass(frozen=True)
class Jurisdiction:
    name: str  # "" for national plans
    level: str  # national | province | prefecture | county
    code: str = ""
    chain: tuple[tuple[str, str], ...] = ()  # (level, name) from the province down

    def at(self, level: str) -> str | None:
        """The name of this jurisdiction, or of the one containing it, at ``level``."""
        return dict(self.chain).get(level)

    @property
    def is_national(self) -> bool:
        return self.level == NATIONAL


NATIONAL_JURISDICTION = Jurisdiction("", NATIONAL)


@dataclass(frozen=True)
class PlanInfo:
    title: str
    title_span: tuple[int, int]
    jurisdiction: Jurisdiction
    period: str = ""
    year: int | None = None
    divisions_seen: tuple[str, ...] = field(default_factory=tuple)


def describe(text: str) -> PlanInfo:
    """Title, jurisdiction, period and year of the plan whose matching text is ``text``."""
    title, span = find_title(text)
    jurisdiction = find_jurisdiction(text, title)
    period_match = _PERIOD.search(title) or _PERIOD.search(text[:3000])
    period = ""
    if period_match:
        period = period_match.group(1) or f"{period_match.group(2)}五"
    return PlanInfo(title, span, jurisdiction, period, _year(text, period))


def find_title(text: str) -> tuple[str, tuple[int, int]]:
    """The plan's title: the first short line near the top that names a plan."""
    first = None
    for n, m in enumerate(re.finditer(r"[^\n]+", text)):
        if n > 40:
            break
        start, end = m.start(), m.end()
        while start < end and text[start].isspace():
            start += 1
        # a flattened plan: the title ends where the first run of blanks starts
        run = re.search(r" {3,}", text[start:end])
        if run:
            end = start + run.start()
        while end > start and text[end - 1].isspace():
            end -= 1
        line = text[start:end]
        if not line:
            continue
        first = first or (line, (start, end))
        if len(line) <= 60 and _PLAN_WORDS.search(line) and not re.search(r"[，。：；]", line):
            return line.strip("《》"), (start + line.startswith("《"), end - line.endswith("》"))
    return first if first else ("", (0, 0))


@functools.cache
def _division_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """One regex over all division names; short names of provinces and prefectures too."""
    lex = lexicon.load()
    names: dict[str, str] = {}
    for division in lex.divisions.values():
        names.setdefault(division.name, division.code)
        if division.level in ("province", "prefecture"):
            short = lexicon.short_division_name(division.name)
            if short != division.name:
                names.setdefault(short, division.code)
    return lexicon.words_regex(names), names


def find_jurisdiction(text: str, title: str) -> Jurisdiction:
    pattern, codes = _division_pattern()
    match = pattern.search(title)
    if match:
        return jurisdiction_of(codes[match.group()], text)
    if _NATIONAL_WORDS.search(title):
        return NATIONAL_JURISDICTION
    counts = Counter(m.group() for m in pattern.finditer(text[:20000]))
    for name, _ in counts.most_common():
        division = lexicon.load().divisions[codes[name]]
        if division.level != "county":
            return jurisdiction_of(division.code, text)
    return NATIONAL_JURISDICTION


def jurisdiction_of(code: str, text: str = "") -> Jurisdiction:
    """The jurisdiction with adcode ``code``; among divisions of the same name, the one
    whose parent the text mentions."""
    lex = lexicon.load()
    division = lex.divisions[code]
    namesakes = lex.divisions_by_name.get(division.name, [division])
    if len(namesakes) > 1 and text:
        for candidate in namesakes:
            parent = lex.division_parent(candidate)
            if parent and lexicon.short_division_name(parent.name) in text:
                division = candidate
                break
    chain = []
    node: lexicon.Division | None = division
    while node is not None:
        chain.append((node.level, node.name))
        node = lex.division_parent(node)
    return Jurisdiction(division.name, division.level, division.code, tuple(reversed(chain)))


def _year(text: str, period: str) -> int | None:
    """The year of the plan's signature date (at its top or bottom), else its period's first year."""
    dates = _DATE.findall(text[:1500]) or _DATE.findall(text[-600:])
    if dates:
        return int(dates[0])
    return PERIOD_START.get(period)
