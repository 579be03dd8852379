"""Segment: split a plan's matching text into sentences and table rows.

Relations need one sentence or one table row as evidence. Plans come as lines of
paragraphs, as task tables whose cells are separated by tabs (序号, 任务, 牵头单位 …), and
sometimes flattened to a single line where runs of blanks separate paragraphs.

>>> [s.kind for s in segment("一、总体要求。建设平台！\\n1\\t任务\\t省通信管理局牵头")]
['sentence', 'sentence', 'row']
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_LINE = re.compile(r"[^\n]+")
_PARAGRAPH = re.compile(r"(?:(?! {3,}).)+")
# A sentence runs to 。！？ and takes a closing quote or bracket that follows.
_SENTENCE = re.compile(r"[^。！？]+(?:[。！？]+[”）]*|$)|[。！？]+")
_HEADER_WORDS = ("序号", "任务", "牵头", "责任单位", "负责单位", "配合单位", "参与单位", "完成时限")


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    kind: str  # "sentence" or "row"
    cells: tuple[tuple[int, int], ...] = ()
    header: tuple[str, ...] = ()  # for rows: the column names of their table, if it has them


def segment(text: str) -> list[Segment]:
    segments: list[Segment] = []
    header: tuple[str, ...] = ()
    for line in _LINE.finditer(text):
        if "\t" in line.group():
            cells = _cells(text, line.start(), line.end())
            names = tuple(text[s:e] for s, e in cells)
            if sum(any(w in name for w in _HEADER_WORDS) for name in names) >= 2 and all(len(n) <= 10 for n in names):
                header = names
            if cells:
                segments.append(Segment(cells[0][0], cells[-1][1], "row", cells, header))
            continue
        header = header if not line.group().strip() else ()
        for paragraph in _PARAGRAPH.finditer(text, line.start(), line.end()):
            for sentence in _SENTENCE.finditer(text, paragraph.start(), paragraph.end()):
                start, end = _strip(text, sentence.start(), sentence.end())
                if end > start:
                    segments.append(Segment(start, end, "sentence"))
    return segments


def _cells(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    cells = []
    position = start
    for piece in text[start:end].split("\t"):
        s, e = _strip(text, position, position + len(piece))
        if e > s:
            cells.append((s, e))
        position += len(piece) + 1
    return tuple(cells)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
