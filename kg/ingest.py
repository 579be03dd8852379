"""Ingest: read a plan from disk, decode it, and build the text the extractor matches on.

Plans arrive as UTF-8 (with or without BOM), GB18030/GBK, Big5 or UTF-16, in simplified or
traditional characters, with full-width or ASCII punctuation and with stray spaces from PDF
extraction. The extractor works on one *matching text* in which all of that is folded into
one spelling; an :class:`OffsetMap` takes every position in it back to the original text,
which is what users read and what every offset in the output points into.

>>> doc = document_from_text("x.txt", "建设市电子政务\u3000外网(HLJ)")
>>> doc.norm
'建设市电子政务外网（HLJ）'
>>> start, end = doc.to_original(2, 9)
>>> doc.text[start:end]
'市电子政务\u3000外网'
"""
from __future__ import annotations

import bisect
import codecs
import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import charset_normalizer


class IngestError(Exception):
    """A file that cannot be read as a plan; the message names the file and what to do."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason

    def __reduce__(self):  # travels between worker processes with its two parts
        return IngestError, (self.path, self.reason)


@dataclass(frozen=True)
class OffsetMap:
    """Maps positions in the matching text back to the original text.

    The matching text differs from the original only by deleted characters (stray
    spaces); ``deleted_before[k]`` characters were removed before matching position
    ``positions[k]``.
    """

    positions: tuple[int, ...] = ()
    deleted_before: tuple[int, ...] = ()

    def start(self, i: int) -> int:
        k = bisect.bisect_right(self.positions, i)
        return i + (self.deleted_before[k - 1] if k else 0)

    def end(self, i: int) -> int:
        return self.start(i - 1) + 1 if i > 0 else 0


@dataclass(frozen=True)
class Document:
    name: str
    text: str  # as decoded from the file
    norm: str  # the matching text
    offsets: OffsetMap = field(default_factory=OffsetMap)
    encoding: str = "utf-8"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        return self.offsets.start(start), self.offsets.end(end)


# --- decoding ---------------------------------------------------------------------------

_CANDIDATE_ENCODINGS = ["gb18030", "big5", "utf_16_le", "utf_16_be"]


def decode(data: bytes, path: Path | str = "<bytes>") -> tuple[str, str]:
    """Decode a plan's bytes; returns (text, encoding name)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise IngestError(path, f"starts with a UTF-16 byte-order mark but is not valid UTF-16 ({exc.reason} at byte {exc.start}); re-save it as UTF-8") from None
    if not data.strip():
        raise IngestError(path, "is empty; give a plan's text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = f"{exc.reason} at byte {exc.start}"
    best = charset_normalizer.from_bytes(data, cp_isolation=_CANDIDATE_ENCODINGS).best()
    if best is not None:
        text = str(best)
        if _looks_like_chinese(text):
            return text, best.encoding
    raise IngestError(
        path,
        f"cannot decode: not UTF-8 ({utf8_error}) and not GB18030, Big5 or UTF-16 text; "
        "re-save it as UTF-8",
    )


def _looks_like_chinese(text: str) -> bool:
    sample = text[:5000]
    han = sum(1 for c in sample if "\u4e00" <= c <= "\u9fff")
    bad = sum(1 for c in sample if unicodedata.category(c) in ("Co", "Cs", "Cn") or c == "\ufffd")
    return han >= max(1, len(sample) // 10) and bad <= len(sample) // 100


def read_document(path: Path | str) -> Document:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(path, "no such file; check the path") from None
    except IsADirectoryError:
        raise IngestError(path, "is a folder; give the plan files inside it") from None
    except OSError as exc:
        raise IngestError(path, f"cannot be read ({exc.strerror})") from None
    text, encoding = decode(data, path)
    return document_from_text(path.name, text, encoding)


def document_from_text(name: str, text: str, encoding: str = "utf-8") -> Document:
    norm, offsets = normalise(text)
    return Document(name=name, text=text, norm=norm, offsets=offsets, encoding=encoding)


# --- normalisation ----------------------------------------------------------------------

# Punctuation folded to one spelling after NFKC (which already turns full-width forms
# into ASCII): the matching text uses Chinese punctuation throughout.
_PUNCTUATION = {
    ",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）",
    "[": "〔", "]": "〕", "【": "〔", "】": "〕", "［": "〔", "］": "〕",
    "「": "“", "」": "”", "『": "“", "』": "”", "‘": "“", "’": "”",
    "<": "〈", ">": "〉", "•": "·", "・": "·", "‧": "·",
    "\u3000": " ", "\xa0": " ",
}


@functools.cache
def _traditional_to_simplified() -> dict[str, str]:
    table = {}
    source = resources.files("opencc") / "dictionary" / "TSCharacters.txt"
    for line in source.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1:
            simplified = parts[1].split(" ")[0]
            if len(simplified) == 1:
                table[parts[0]] = simplified
    return table


@functools.cache
def fold_char(c: str) -> str:
    folded = unicodedata.normalize("NFKC", c)
    if len(folded) != 1:
        folded = c  # expansions (… → ...) would shift offsets; keep the character
    folded = _PUNCTUATION.get(folded, folded)
    return _traditional_to_simplified().get(folded, folded)


# Runs of one or two blanks between Chinese characters are PDF extraction artefacts
# (前　　言, 电子 政务); longer runs separate paragraphs in plans flattened to one line.
_STRAY_SPACES = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”《》]) {1,2}(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”《》])")
_ASCII_QUOTES = re.compile(r'"([^"\n]{0,80})"')


def normalise(text: str) -> tuple[str, OffsetMap]:
    """The matching text of ``text`` and the map back to it."""
    table = {ord(c): fold_char(c) for c in set(text)}
    folded = text.translate(table)
    folded = _ASCII_QUOTES.sub(lambda m: f"“{m.group(1)}”", folded)
    pieces, positions, deleted = [], [], []
    last, removed = 0, 0
    for m in _STRAY_SPACES.finditer(folded):
        pieces.append(folded[last:m.start()])
        removed += m.end() - m.start()
        positions.append(m.end() - removed)
        deleted.append(removed)
        last = m.end()
    if not positions:
        return folded, OffsetMap()
    pieces.append(folded[last:])
    return "".join(pieces), OffsetMap(tuple(positions), tuple(deleted))
