"""Segment: split a plan's matching text into sentences and table rows.

Relations need one sentence or one table row as evidence. Plans come as lines of
paragraphs, as task tables (序号, 任务, 牵头单位 …) whose cells are separated by tabs, by
pipes or - after a header row - by runs of blanks, and sometimes flattened to a single
line where runs of blanks separate paragraphs.

>>> [s.kind for s in segment("一、总体要求。建设平台！\\n1\\t任务\\t省通信管理局牵头")]
['sentence', 'sentence', 'row']
"""
from __future__ import annotations

import re
from typing import NamedTuple

_LINE = re.compile(r"^.*$", re.MULTILINE)
# a paragraph runs to three spaces or more: a space counts unless two more follow it (the same
# stretches as (?:(?! {3,}).)+, which looked ahead at every character and took twice as long)
_PARAGRAPH = re.compile(r"(?:[^ \n]++| (?!  ))+")
# A sentence runs to 。！？ and takes a closing quote or bracket that follows.
_SENTENCE = re.compile(r"[^。！？]+(?:[。！？]+[”）]*|$)|[。！？]+")
_HEADER_WORDS = ("序号", "任务", "牵头", "责任单位", "负责单位", "配合单位", "参与单位", "完成时限")


class Segment(NamedTuple):
    """A sentence or a table row (a named tuple: a plan has thousands)."""

    start: int
    end: int
    kind: str  # "sentence" or "row"
    cells: tuple[tuple[int, int], ...] = ()
    header: tuple[str, ...] = ()  # for rows: the column names of their table, if it has them


def segment(text: str) -> list[Segment]:
    segments: list[Segment] = []
    header: tuple[str, ...] = ()
    previous_row = False  # was the line before a row of the same table?
    for line in _LINE.finditer(text):
        if _RULE_ROW.match(line.group()) and "|" in line.group():
            continue  # |---|---| under a header
        cells = _row_cells(text, line.start(), line.end(), bool(header) and previous_row)
        previous_row = bool(cells)
        if cells:
            names = tuple(text[s:e] for s, e in cells)
            if sum(any(w in name for w in _HEADER_WORDS) for name in names) >= 2 and all(len(n) <= 10 for n in names):
                header = names
            segments.append(Segment(cells[0][0], cells[-1][1], "row", cells, header))
            continue
        header = header if not line.group().strip() else ()
        for paragraph in _PARAGRAPH.finditer(text, line.start(), line.end()):
            for sentence in _SENTENCE.finditer(text, paragraph.start(), paragraph.end()):
                start, end = _strip(text, sentence.start(), sentence.end())
                if end > start:
                    segments.append(Segment(start, end, "sentence"))
    return segments


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_RULE_ROW = re.compile(r"^[\s|:：\-—=+]+$")
_SPACED = re.compile(r" {2,}")


def _row_cells(text: str, start: int, end: int, in_table: bool) -> tuple[tuple[int, int], ...]:
    """The cells of a table row, or () for prose. Rows come tab-separated, between pipes
    (| 1 | 任务 | 单位 |), or - inside a table whose header was seen - aligned with spaces."""
    line = text[start:end]
    if "\t" in line:
        return _cells(text, start, end, "\t")
    if _PIPE_ROW.match(line):
        return _cells(text, start, end, "|")
    if len(line) < 400 and len(_SPACED.findall(line.strip())) >= 1 and (in_table or _looks_like_header(line)):
        cells = _cells(text, start, end, _SPACED)
        return cells if len(cells) >= 2 else ()
    return ()


def _looks_like_header(line: str) -> bool:
    parts = _SPACED.split(line.strip())
    return len(parts) >= 3 and sum(any(w in p for w in _HEADER_WORDS) for p in parts) >= 2 and all(len(p) <= 10 for p in parts)


def _cells(text: str, start: int, end: int, separator) -> tuple[tuple[int, int], ...]:
    cells = []
    pattern = separator if isinstance(separator, re.Pattern) else re.compile(re.escape(separator))
    position = start
    for gap in [*pattern.finditer(text, start, end), None]:
        stop = gap.start() if gap else end
        s, e = _strip(text, position, stop)
        if e > s:
            cells.append((s, e))
        position = gap.end() if gap else end
    return tuple(cells)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
