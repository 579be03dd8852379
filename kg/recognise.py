"""Recognise: find where the plan names an agency, project, database, platform or law.

Names in plans are noun phrases that end in a head noun of their type (…平台, …数据库,
…工程, …局, …办法) and start after the verb, adverb or function word that governs them
(重点建设|城市应急指挥系统). The recogniser anchors on heads (``data/heads.tsv``), walks left
over jieba words until a boundary word (``data/boundary.txt``) or part of speech, and then
handles what a head alone cannot: book titles (《》, nested 〈〉, 印发…的通知), quoted
programme names (“数字图书馆”), national bodies, lists that share a prefix
(省工信委、财政厅) and lists that share a head (人力资源、城市规划等数据库).

All offsets here are into the matching text (see :mod:`kg.ingest`).

>>> [(m.surface, m.type) for m in recognise("重点建设城市应急指挥系统和数字城市管理系统。")]
[('城市应急指挥系统', 'Platform'), ('数字城市管理系统', 'Platform')]
"""
from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
from dataclasses import dataclass
from typing import NamedTuple

from . import lexicon
from .lexicon import Lexicon
from .words import Segmenter, Word, default_segmenter, make_word

ENTITY_TYPES = ("Agency", "Project", "Database", "Platform", "Law")

# A name never crosses these; quotes are not among them (“金盾”工程 is one name).
_DELIMITERS = frozenset("，。；：、！？（）《》〈〉\n\t …—-·")
_DELIMITER = re.compile("[" + re.escape("".join(sorted(_DELIMITERS))) + "]")
_COORDINATORS = frozenset({"和", "与", "及", "以及", "或"})
_QUOTED = re.compile(r"“[^“”\n]{1,24}”")
_TITLE = re.compile(r"《([^《》\n]{1,150})》")
_NESTED_TITLE = re.compile(r"〈([^〈〉]{2,120})〉")
_DOC_NUMBER = re.compile(r"\s*（\s*([\u4e00-\u9fff]{1,12}〔\s*\d{4}\s*〕\s*\d+\s*号)\s*）")
_INNER_LAW = re.compile(r"(?:印发|转发|发布|颁布|公布)(?P<law>[^〈〉]{2,80}?)的(?:通知|决定|批复|函)$")
_ISSUER_END = re.compile(r"关于|印发|转发")
_ACRONYM = re.compile(r"^（([A-Za-z][A-Za-z0-9/\-]{1,15})）")
_SHORT_FORM = re.compile(r"^（(?:以下)?简称[“]?([^（）”]{2,16})[”]?）")
_PLATFORM_TITLE_CONTEXT = re.compile(r"^为(?:门户网站|网站|门户|平台)")
_MAX_NAME = 32
_ORG_REACH = 16  # how far before a scope word a name may take in a jurisdiction and 中共 (see _org_prefix)
_EDGES_KEPT = 1 << 16  # left edges, and names, cached (see _Walker.left_edge); each cache is emptied when full
_START, _END = operator.attrgetter("start"), operator.attrgetter("end")  # bisect keys over words


class Mention(NamedTuple):
    """A stretch of the matching text that names an entity. A named tuple, like a Word:
    a plan has thousands, and a frozen dataclass takes three times as long to make."""

    start: int
    end: int
    type: str
    rule: str
    surface: str  # the name as the text writes it (for expanded names: item + shared head)
    expanded: bool = False  # built from a coordination ellipsis; the span shows the item
    inherited: str = ""  # jurisdiction marker carried over from an earlier list item
    aliases: tuple[str, ...] = ()
    doc_number: str = ""
    national_hint: bool = False  # a title the plan calls national (国家《…》)


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    type: str
    rule: str
    generic: bool = False
    aliases: tuple[str, ...] = ()
    doc_number: str = ""
    head: str = ""
    derived_from_title: bool = False
    needs_scope: bool = False  # an office head without a jurisdiction (see heads.tsv: scoped)


def recognise(text: str, plan_title_span: tuple[int, int] | None = None,
              lex: Lexicon | None = None, segmenter: Segmenter | None = None) -> list[Mention]:
    """All entity mentions in ``text``, ordered by position."""
    lex = lex or lexicon.load()
    segmenter = segmenter or default_segmenter()
    walker = _Walker(text, lex, segmenter)
    titles = _titles(text, walker)
    title_spans = [(c.start, c.end) for c in titles if not c.derived_from_title]
    candidates = list(titles)
    if plan_title_span and plan_title_span[1] > plan_title_span[0]:
        start, end = plan_title_span
        if not any(s <= start and end <= e for s, e in title_spans):
            candidates.append(_Candidate(start, end, "Law", "plan-title"))
            title_spans.append((start, end))
    candidates += _quoted(text, walker)
    candidates += _headed(text, walker, sorted(title_spans))
    candidates += _national_bodies(text, lex)
    titled = _Occupied(title_spans)
    candidates = [c for c in candidates
                  if c.derived_from_title or c.rule in ("title", "plan-title") or not titled.overlaps(c.start, c.end)]
    generic = [c for c in candidates if c.generic]
    kept = _select(_scope_in_lists(text, [c for c in candidates if not c.generic]))
    kept = _attach_aliases(text, kept)
    mentions = [Mention(c.start, c.end, c.type, c.rule, text[c.start:c.end], aliases=c.aliases,
                        doc_number=c.doc_number, national_hint=_called_national(text, c, lex)) for c in kept]
    mentions = _inherit_list_prefixes(text, mentions, lex)
    mentions = _shared_prefixes(text, kept, generic, mentions, walker)
    mentions += _division_governments(text, mentions, lex)
    mentions += _expand_ellipses(text, kept + generic, walker, lex, mentions)
    return sorted(mentions, key=lambda m: (m.start, m.end, m.type))


# --- the left walk ----------------------------------------------------------------------

class _Walker:
    """Finds the left edge of a name that ends with a head noun."""

    def __init__(self, text: str, lex: Lexicon, segmenter: Segmenter):
        self.text = text
        self.lex = lex
        self.segmenter = segmenter
        self.heads = _head_pattern(lex)
        self.divisions = lex.division_names
        self.nonlegal_heads, self.bodies, self.party_prefixes, self.org_prefixes, self.agency_heads = _walk_words(lex)
        self._name_end = 0
        self._head = ""
        self._clause: tuple[int, list[Word]] = (-1, [])  # the last clause segmented: (start, words)
        self._last_clause: tuple[int, int, str, str] = (0, -1, "", "")  # see clause_around
        # where the delimiters are, so that finding a clause's edges is a binary search
        self._delimiters = [m.start() for m in _DELIMITER.finditer(text)]
        self.candidates = _candidates(lex, segmenter)  # see _candidate_for_head

    def words(self, start: int, end: int) -> list[Word]:
        """jieba words of text[start:end], with each quoted phrase kept as one word."""
        words: list[Word] = []
        position = start
        for quote in _QUOTED.finditer(self.text, start, end):
            words += self._cut(position, quote.start())
            words.append(Word(quote.start(), quote.end(), quote.group(), "quoted"))
            position = quote.end()
        words += self._cut(position, end)
        return words

    def clause_words(self, start: int, end: int) -> list[Word]:
        """The words of the clause around [start, end) that lie within it: each clause is
        segmented once for all the heads it holds. Heads are walked in text order, so only
        the last clause is kept; keeping every clause of a plan until the end made the
        garbage collector run several times as often."""
        first = self._delimiter_before(start) + 1
        if first != self._clause[0]:
            self._clause = (first, self.words(first, self._delimiter_from(end)))
        words = self._clause[1]
        return words[bisect.bisect_left(words, start, key=_START):bisect.bisect_right(words, end, key=_END)]

    def _cut(self, start: int, end: int) -> list[Word]:
        if end <= start:
            return []
        return [make_word((s + start, e + start, text, pos)) for s, e, text, pos in self.segmenter.cut(self.text[start:end])]

    def clause_around(self, start: int, end: int) -> tuple[int, int, str, str]:
        """Where the clause that holds text[start:end] starts and ends, its text and the
        character before it. Heads are asked about in text order, several to a clause, so
        the last clause is kept and given again (its text a string whose hash is known)."""
        clause = self._last_clause
        if clause[0] <= start and end <= clause[1]:
            return clause
        first, last = self._delimiter_before(start) + 1, self._delimiter_from(end)
        clause = (first, last, self.text[first:last], self.text[first - 1:first])
        if _DELIMITERS.isdisjoint(self.text[start:end]):  # then any stretch within the clause has this one
            self._last_clause = clause
        return clause

    def clause_start(self, position: int, limit: int = _MAX_NAME) -> int:
        """Where the clause before ``position`` starts, at most ``limit`` characters back."""
        return max(position - limit, self._delimiter_before(position) + 1)

    def clause_end(self, position: int, limit: int = 4) -> int:
        """Where the clause after ``position`` ends, at most ``limit`` characters on."""
        return min(position + limit, self._delimiter_from(position))

    def _delimiter_before(self, position: int) -> int:
        """The last delimiter before ``position`` (-1 if none)."""
        k = bisect.bisect_left(self._delimiters, position)
        return self._delimiters[k - 1] if k else -1

    def _delimiter_from(self, position: int) -> int:
        """The first delimiter at or after ``position`` (the end of the text if none)."""
        k = bisect.bisect_left(self._delimiters, position)
        return self._delimiters[k] if k < len(self._delimiters) else len(self.text)

    def left_edge(self, head_start: int, head_end: int, head: str, head_type: str,
                  verb_in_name: bool = True) -> tuple[int, list[Word], Word] | None:
        """Start of the name whose head spans [head_start, head_end), the words left of its
        head word, and the head word (指挥系统 for 系统); None when the head does not end a
        word (网 in 网上, 部 in 部门, 战略 in 战略目标).

        The walk reads only the head's clause, so its result is cached by the clause's text:
        plans repeat their phrasing, and so do plans of one series. (A jurisdiction or 中共
        that ``_org_prefix`` takes in is in the clause too: no such word holds a delimiter.
        A walk that ended before the clause all the same would not be cached.) Keying on the
        clause alone, not on the clause and the 16 characters before it, halved the walks
        on reworded plans."""
        offset, _, clause, _ = self.clause_around(head_start, head_end)
        key = (clause, head_start - offset, head_end - offset, head, head_type, verb_in_name)
        edges = _edges(self.lex, self.segmenter)
        if key in edges:
            return _restored(edges[key], offset)
        edge = self.walk_left(head_start, head_end, head, head_type, verb_in_name)
        if len(edges) >= _EDGES_KEPT:
            edges.clear()
        if edge is None or edge[0] >= offset:
            edges[key] = _stored(edge, offset)
        return edge

    def walk_left(self, head_start: int, head_end: int, head: str, head_type: str,
                  verb_in_name: bool = True) -> tuple[int, list[Word], Word] | None:
        """The walk ``left_edge`` caches."""
        words = self._split_continuation(self.clause_words(self.clause_start(head_start), self.clause_end(head_end)),
                                         head_end)
        last = bisect.bisect_left(words, head_end, key=_END)  # words tile the clause: ends ascend
        if last == len(words) or words[last].end != head_end or not self._head_word_ok(words[last], head):
            return None
        following = self.text[head_end:self.clause_end(head_end, 6)]
        if following.startswith(_right_context(self.lex).get(head, ())):
            return None  # 战略机遇期, 中心城市: the head modifies what follows
        words = words[: last + 1]
        self._name_end = head_end
        self._head = head
        index = bisect.bisect_right(words, head_start, key=_END)
        head_word = Word(words[index].start, head_end, self.text[words[index].start:head_end], words[index].pos)
        opener = self._boundary_opener(head_word, head, head_type)
        if opener:  # 利用网络 as one word: the name starts after 利用
            head_word = Word(opener, head_end, self.text[opener:head_end], "")
            return head_word.start, [], head_word
        start = head_word.start
        modifiers: list[Word] = []
        soft_cut: tuple[int, int, str] | None = None  # where to cut if a soft stop was passed, and why
        stopped_by = "start"
        next_to_head = True  # is the word directly left of the head (or of verbs chained to it)?
        for i in range(index - 1, -1, -1):
            word = words[i]
            verdict = self._verdict(word, words, i, next_to_head and verb_in_name, head_type)
            if verdict in ("stop", "delimiter"):
                stopped_by = verdict
                break
            if verdict in ("soft", "count") and soft_cut is None:
                soft_cut = (start, len(modifiers), verdict)
            start = word.start
            modifiers.insert(0, word)
            if verdict == "scope":
                start = self._org_prefix(word)
                stopped_by = "scope"
                break
            next_to_head = next_to_head and (word.text in self.lex.head_verbs or word.text in _COORDINATORS)
        # a single-character verb survives up to a clause edge (、网络扶智工程); a count only
        # up to a jurisdiction (哈尔滨市区两级平台…, not 两个政务信息网站)
        multi_char_scope = stopped_by == "scope" and len(modifiers[0].text) > 1
        if soft_cut and (stopped_by == "stop" or (soft_cut[2] == "count" and not multi_char_scope)):
            start, keep, _ = soft_cut
            modifiers = modifiers[len(modifiers) - keep:] if keep else []
        while modifiers and modifiers[0].text in _COORDINATORS:
            modifiers.pop(0)
            start = modifiers[0].start if modifiers else head_word.start
        if head_type != "Law" and head_end - start > _MAX_NAME_OTHER:
            return None
        return start, modifiers, head_word

    def _split_continuation(self, words: list[Word], head_end: int) -> list[Word]:
        """试点工作 -> 试点 | 工作: a head glued to a word that continues it."""
        i = bisect.bisect_right(words, head_end, key=_END)  # the one word that may hold head_end
        if i < len(words):
            word = words[i]
            if word.start < head_end < word.end and self.text[head_end:word.end] in self.lex.head_continuations:
                inner = Word(word.start, head_end, self.text[word.start:head_end], word.pos)
                after = Word(head_end, word.end, self.text[head_end:word.end], "")
                return words[:i] + [inner, after] + words[i + 1:]
        return words

    def _head_word_ok(self, word: Word, head: str) -> bool:
        """Is the word that ends with the head a name's end (指挥系统, 海事局), not a common
        word that happens to end in the head's character (部署, 联网, 内部)?"""
        if word.pos == "quoted":
            return True
        if word.text in self.lex.boundary_words:
            return False
        if len(word.text) > len(head):
            if len(_not_heads(self.lex).suffix(word.text)) > len(head):
                return False  # 部署, 战略部署
            return word.pos[:1] not in ("v", "f", "d", "a", "m", "p", "c", "u", "r")
        return True

    def _boundary_opener(self, head_word: Word, head: str, head_type: str) -> int | None:
        """Where the name starts inside a head word that opens with a boundary word
        (利用网络, 各级党委); an office keeps a verb-like opener (组织部)."""
        inner = self.inner_words(head_word, head)
        if not inner or len(inner[0].text) < 2 or inner[0].text in self.lex.head_verbs or not self.is_boundary(inner[0]):
            return None
        if head_type == "Agency" and inner[0].pos.startswith("v"):
            return None
        return inner[0].end

    def inner_words(self, head_word: Word, head: str) -> list[Word]:
        """The part of a head word before its head, as words: 省公安厅 -> 省, 公安."""
        if len(head_word.text) <= len(head) or head_word.pos == "quoted":
            return []
        return self._cut(head_word.start, head_word.end - len(head))

    def _verdict(self, word: Word, words: list[Word], i: int, next_to_head: bool, head_type: str) -> str:
        lex = self.lex
        text = word.text
        if word.pos == "quoted" or text in lex.name_words:
            return "take"
        if self.is_scope(text):
            if len(text) == 1 and i > 0 and self._ordinary(words[i - 1]):
                return "take"  # 区 in 哈尔滨市区两级平台: part of 市区, not a district
            return "scope"
        if text in "“”" or not _DELIMITERS.isdisjoint(text) or text.isspace():
            return "delimiter"
        if text in _COORDINATORS:
            return "take" if self._joins_modifiers(word, head_type, self._name_end) else "stop"
        if next_to_head and text in lex.head_verbs and head_type != "Agency" and not (
                i > 0 and words[i - 1].text.endswith(self.agency_heads)):
            return "take"  # 宽带网络建设工程, 社会信用信息发布系统; not 办事处|建设|政府门户网站
        if head_type == "Law" and (text == "关于" or self._inside_about(word)):
            return "take"  # 国家关于电子政务建设指导意见, 中俄关于协作推进…发展的联合声明
        if head_type == "Agency" and text.endswith(self._head) and len(text) > len(self._head):
            return "stop"  # 中共中央办公厅国务院办公厅: two bodies side by side
        if _is_count(text, lex) or (text in lex.classifiers and i > 0 and _is_numeral(words[i - 1].text)):
            return "count"
        if self.is_boundary(word):
            return "stop"
        if head_type == "Agency" and word.pos == "v":
            return "stop"
        if len(text) == 1 and word.pos.startswith("v"):
            return "soft"  # 网络扶智工程: 扶 ends the name only if a boundary word lies beyond it
        return "take"

    def _inside_about(self, word: Word) -> bool:
        """Is the word between 关于 and 的 in a law's name (关于|协作推进…发展|的联合声明)?"""
        clause = self.text[self.clause_start(word.start):self._name_end]
        offset = word.start - self.clause_start(word.start)
        about, of = clause.rfind("关于", 0, offset + 1), clause.find("的", offset)
        return about >= 0 and of >= 0 and about <= offset

    def is_scope(self, text: str) -> bool:
        lex = self.lex
        return text in lex.markers or text in lex.templates or text in self.divisions or text in lex.scope_words

    def is_boundary(self, word: Word) -> bool:
        lex = self.lex
        text = word.text
        if text in lex.boundary_words or word.pos in lex.boundary_pos or _is_count(text, lex):
            return True
        if text[:1] in ("各", "每") and len(text) > 1:
            return True  # 各领域, 各市: a quantifier glued to its noun
        for k in range(1, len(text) - 1):
            head, tail = text[:k], text[k:]
            if tail in lex.boundary_words and (head in lex.boundary_words or self.segmenter.tag(head) in ("d", "ad")):
                return True  # 全面实施, 紧紧围绕: an adverb glued to a governing verb
        return False

    def _ordinary(self, word: Word) -> bool:
        """Would the walk take this word as plain name material?"""
        text = word.text
        if word.pos == "quoted" or text in self.divisions:
            return True
        return not (self.is_boundary(word) or not _DELIMITERS.isdisjoint(text) or text in "“”"
                    or text in _COORDINATORS)

    def _joins_modifiers(self, word: Word, head_type: str, name_end: int) -> bool:
        """Does 和/与/及 join two modifiers of one name (自然资源和空间地理基础信息数据库) rather
        than two names (政务视频会议系统和数字城市管理系统)?"""
        if word.text not in ("和", "与", "及") or head_type == "Law":
            return False
        right = self.text[word.end:name_end].replace("“", "").replace("”", "")
        if right in self.nonlegal_heads or (word.text != "与" and right in self.lex.generic_names):
            return False  # 网络和系统, 涉密程度和应用系统: the right part stands alone
        left = self.text[self.clause_start(word.start):word.start]
        if not left or "等" in left or left.endswith(self.bodies):
            return False
        conjunct = ""
        for w in reversed(self._cut(word.start - len(left), word.start)):
            if w.text in _COORDINATORS or self.is_scope(w.text) or (
                    self.is_boundary(w) and w.text not in self.lex.head_verbs):
                break
            conjunct = w.text + conjunct
        head = next((h for h in self.nonlegal_heads if conjunct.endswith(h)), None)
        if head and conjunct not in _ABSTRACT_HEADS:
            return False  # the left part is a name of its own (…数据库和镜像站点, 政府及…)
        return 0 < len(conjunct) <= 10

    def _org_prefix(self, word: Word) -> int:
        """Extend over the jurisdiction and 中共 written before a party body (中共黑龙江省委…),
        or over a national body written before a local branch (人民银行哈尔滨中心支行)."""
        start = word.start
        before = self.text[max(0, start - _ORG_REACH):start]
        after_division = word.text in self.divisions
        if word.text in self.lex.templates or word.text in self.lex.markers:
            division = self.divisions.suffix(before)
            if division:
                start -= len(division)
                before = before[: len(before) - len(division)]
        prefixes = self.org_prefixes if after_division else self.party_prefixes
        for prefix in prefixes:
            if before.endswith(prefix):
                return start - len(prefix)
        return start


@functools.cache
def _candidates(lex: Lexicon, segmenter: Segmenter) -> dict[tuple, tuple | None]:
    """Names already found with this lexicon and segmenter, by clause and head (see
    ``_candidate_for_head``), as plain tuples with offsets from the clause's start."""
    return {}


_NOT_SEEN = object()


def _candidate_stored(candidate: _Candidate | None, offset: int) -> tuple | None:
    if candidate is None:
        return None
    return (candidate.start - offset, candidate.end - offset, candidate.type, candidate.head,
            candidate.generic, candidate.needs_scope)


def _candidate_at(stored: tuple | None, offset: int) -> _Candidate | None:
    if stored is None:
        return None
    start, end, entity_type, head, generic, needs_scope = stored
    return _Candidate(start + offset, end + offset, entity_type, "head", generic=generic, head=head,
                      needs_scope=needs_scope)


@functools.cache
def _edges(lex: Lexicon, segmenter: Segmenter) -> dict[tuple, tuple | None]:
    """Left edges already walked with this lexicon and segmenter, by clause and head, with
    offsets from the start of the clause's context and words as plain tuples (which the
    garbage collector stops tracking: a cache of named tuples would be walked at every
    full collection)."""
    return {}


def _stored(edge: tuple[int, list[Word], Word] | None, offset: int) -> tuple | None:
    """A left edge (start, words left of the head word, head word) as the cache keeps it."""
    if edge is None:
        return None
    start, modifiers, head_word = edge
    return (start - offset, tuple((w.start - offset, w.end - offset, w.text, w.pos) for w in modifiers),
            (head_word.start - offset, head_word.end - offset, head_word.text, head_word.pos))


def _restored(stored: tuple | None, offset: int) -> tuple[int, list[Word], Word] | None:
    """A cached left edge, back at ``offset``."""
    if stored is None:
        return None
    start, modifiers, (s, e, t, p) = stored
    return (start + offset, [make_word((ms + offset, me + offset, mt, mp)) for ms, me, mt, mp in modifiers],
            make_word((s + offset, e + offset, t, p)))


@functools.cache
def _not_heads(lex: Lexicon) -> lexicon.Affixes:
    return lexicon.Affixes(lex.not_heads)


@functools.cache
def _right_context(lex: Lexicon) -> dict[str, tuple[str, ...]]:
    """Head -> the following words that cancel it, as a tuple for ``str.startswith``."""
    return {head: tuple(words) for head, words in lex.right_context.items()}


@functools.cache
def _walk_words(lex: Lexicon) -> tuple[tuple[str, ...], ...]:
    """Word lists the walk tries longest first (non-legal heads, national bodies, party
    prefixes, organisation prefixes) and the agency heads: sorted once, not per walker."""
    nonlegal_heads = tuple(sorted((h for h, v in lex.heads.items() if v.condition != "legal"), key=len, reverse=True))
    bodies = tuple(sorted(lex.national_bodies, key=len, reverse=True))
    party_prefixes = tuple(sorted(lex.name_prefixes, key=len, reverse=True))
    org_prefixes = tuple(sorted(lex.name_prefixes | {b for b in lex.national_bodies if len(b) > 1},
                                key=len, reverse=True))
    agency_heads = tuple(h for h, v in lex.heads.items() if v.type == "Agency")
    return nonlegal_heads, bodies, party_prefixes, org_prefixes, agency_heads


def _is_count(text: str, lex: Lexicon) -> bool:
    """两个, 四级, 43个: a numeral with a measure word."""
    return len(text) >= 2 and text[-1] in lex.classifiers and all(c in _NUMERALS for c in text[:-1])


_NUMERALS = frozenset("0123456789一二三四五六七八九十百千万两几多数若干")


def _is_numeral(text: str) -> bool:
    return bool(text) and all(c in _NUMERALS for c in text)
_MAX_NAME_OTHER = 24
_ABSTRACT_HEADS = frozenset({"网络"})  # heads that are also abstract nouns (网络和信息安全…工程)


@functools.cache
def _head_pattern(lex: Lexicon) -> re.Pattern[str]:
    return lexicon.words_regex(lex.heads)


# --- recognisers --------------------------------------------------------------------------

def _headed(text: str, walker: _Walker, title_spans: list[tuple[int, int]]) -> list[_Candidate]:
    """Names anchored on a head noun; generic ones are kept (flagged) for ellipsis. Heads
    inside titles (``title_spans``, sorted), and heads whose condition cannot hold, are
    skipped before the walk."""
    lex = walker.lex
    found = []
    spans, last = title_spans, -1  # the last title that starts before the head: heads come in order
    for match in walker.heads.finditer(text):
        head = lex.heads[match.group()]
        start, end = match.span()
        while last + 1 < len(spans) and spans[last + 1][0] < end:
            last += 1
        if last >= 0 and spans[last][1] > start:
            continue  # inside a title (as titles.overlaps, without a search for every head)
        possible = _CONDITIONS.get(head.condition)
        if possible and not possible(text, start, lex):
            continue
        candidate = _candidate_for_head(text, walker, start, end, head)
        if candidate:
            found.append(candidate)
    return found


def _candidate_for_head(text: str, walker: _Walker, head_start: int, head_end: int,
                        head: lexicon.Head, verb_in_name: bool = True) -> _Candidate | None:
    """The name the head ends, or None. Cached like its left edge (``_Walker.left_edge``), by
    the head's clause and the character before it (a list's 、): what is done after the walk
    reads only the name and the character before it, except a legal head's cue (up to 40
    characters back) and a project's shared 建设工程 (the item before a 、), not cached."""
    offset, _, clause, before = walker.clause_around(head_start, head_end)
    key = (before, clause, head_start - offset, head_end - offset, head.text, verb_in_name)
    candidates = walker.candidates
    stored = candidates.get(key, _NOT_SEEN)
    if stored is not _NOT_SEEN:
        return _candidate_at(stored, offset)
    candidate = _find_candidate(text, walker, head_start, head_end, head, verb_in_name)
    if len(candidates) >= _EDGES_KEPT:
        candidates.clear()
    reads_before = head.condition == "legal" or (head.type == "Project" and key[0] == "、")
    if not reads_before and (candidate is None or candidate.start >= offset):
        candidates[key] = _candidate_stored(candidate, offset)
    return candidate


def _find_candidate(text: str, walker: _Walker, head_start: int, head_end: int,
                    head: lexicon.Head, verb_in_name: bool) -> _Candidate | None:
    """The work ``_candidate_for_head`` caches."""
    lex = walker.lex
    edge = walker.left_edge(head_start, head_end, head.text, head.type, verb_in_name)
    if edge is None:
        return None
    start, modifiers, head_word = edge
    if head.type != "Agency":
        start, modifiers = _after_owner_list(text, start, modifiers, head_word, walker)
    name = text[start:head_end]
    inner = _shared_construction(text, walker, start, head_end, head) if head.type == "Project" else None
    if inner:
        return inner
    if head.condition == "quoted" and not any(w.pos == "quoted" for w in modifiers) and not name.endswith("”"):
        return None
    if head.condition == "legal" and not _legal_context(text, start, lex):
        return None
    candidate = _Candidate(start, head_end, _type_by_prefix(name, head.type, lex), "head", head=head.text)
    candidate.generic = _is_generic(name, modifiers, head_word, head, walker)
    candidate.needs_scope = head.condition == "scoped" and not _has_scope(name, lex)
    return candidate


def _shared_construction(text: str, walker: _Walker, start: int, end: int, head: lexicon.Head) -> _Candidate | None:
    """空间地理信息公共服务平台和应急预案管理系统建设工程: 建设工程 is shared by the listed
    systems; the second item is the system, not a project."""
    if start == 0 or text[start - 1] not in "和及与、" or not text[start:end].endswith("建设工程"):
        return None
    before = text[walker.clause_start(start - 1):start - 1]
    inner_end = end - len("建设工程")
    kinds = walker.lex.heads
    left = next((h for h in walker.nonlegal_heads if before.endswith(h)), None)
    right = next((h for h in walker.nonlegal_heads if text[start:inner_end].endswith(h)), None)
    if not left or not right or kinds[left].type not in ("Platform", "Database") or kinds[right].type not in ("Platform", "Database"):
        return None
    return _candidate_for_head(text, walker, inner_end - len(right), inner_end, kinds[right])


def _after_owner_list(text: str, start: int, modifiers: list[Word], head_word: Word, walker: _Walker):
    """市委、市人大…和市检察院政务网络: the agencies own the network; the name starts after
    the last of them (and may then be generic)."""
    if start == 0 or text[start - 1] not in "、和及与" or not modifiers:
        return start, modifiers
    for k, word in enumerate(modifiers[:3]):
        if word.text.endswith(walker.agency_heads):
            rest = modifiers[k + 1:]
            return (rest[0].start if rest else head_word.start), rest
    return start, modifiers


def _legal_context(text: str, start: int, lex: Lexicon) -> bool:
    clause = start
    while clause > 0 and start - clause < 40 and text[clause - 1] not in "，。；：！？\n\t":
        clause -= 1
    before = text[clause:start]
    return any(cue in before for cue in lex.legal_cues)


def _quote_before(text: str, head_start: int, lex: Lexicon) -> bool:
    return "”" in text[max(0, head_start - 2):head_start]


# A cheap look before the walk, for the heads whose condition may not hold: a legal head needs
# a legal cue in its clause, a quoted one a quote just before it.
_CONDITIONS = {"legal": _legal_context, "quoted": _quote_before}


def _type_by_prefix(name: str, head_type: str, lex: Lexicon) -> str:
    """“智慧法院” is a programme, “电子税务局” a platform: quoted names typed by their first word."""
    if not name.startswith("“"):
        return head_type
    bare = name.strip("“”")
    for prefix, (entity_type, when) in lex.programmes.items():
        if bare.startswith(prefix) and (when == "quoted" or head_type == "Agency"):
            return entity_type
    return head_type


_PERIOD_WORD = re.compile(r"^“?十[一二三四五六七八九]五”?$")


def _is_generic(name: str, modifiers: list[Word], head_word: Word, head: lexicon.Head, walker: _Walker) -> bool:
    """A name needs a distinguishing modifier: 重点业务系统, 各级政府, 全省网络 and 发展互联网
    are not names."""
    lex = walker.lex
    form = name.replace("“", "").replace("”", "")
    if form in lex.generic_names or len(form) < 2:
        return True
    if form in lex.abbreviations or form in lex.national_bodies or form in lex.templates:
        return False  # 外办, 国务院 (法院 alone needs a jurisdiction: see heads.tsv, scoped)
    bare_head = head_word.text.strip("“”")
    if bare_head not in lex.generic_names and bare_head != head.text:
        modifiers = modifiers + walker.inner_words(head_word, head.text)  # 省公安厅: 省 and 公安
    if not modifiers:
        return True
    scope = [w for w in modifiers if _is_scope_word(w.text, lex)]
    rest = [w for w in modifiers if not _is_scope_word(w.text, lex)]
    own = all(w.text in lex.markers and lex.markers[w.text].kind != "part" for w in scope)
    verbs = 0
    while verbs < len(rest) and (rest[verbs].text in lex.boundary_words or rest[verbs].text in lex.head_verbs):
        verbs += 1
    if rest and verbs == len(rest) and head.type != "Agency":
        after = walker.text[rest[-1].end:head_word.end].strip("“”")
        if after == head.text or after in lex.generic_names:
            return True  # 黑龙江建设网络, 三大支撑平台: verbs and a bare head
    if rest and bare_head in lex.generic_names and all(w.pos == "v" or w.text in lex.boundary_words for w in rest):
        return True  # 掌握网络: a verb and a generic object
    if scope and not own:
        return False  # 市政府门户网站, 省电子政务网络, 国务院: the jurisdiction distinguishes
    remainder = form[len("".join(w.text for w in scope)):] if scope else form
    if not rest or remainder in lex.generic_names or len(form) == 2:
        return True
    if scope:
        return False  # 全省政务云平台: the province-wide one, unless the rest is a bare generic name
    if head.condition == "specific":
        return False
    governed = rest
    while governed and governed[0].pos == "v" and governed[0].text not in lex.head_verbs:
        governed = governed[1:]  # 发展互联网, 打击网络: a verb and its generic object
    if governed and governed is not rest:
        tail = walker.text[governed[0].start:head_word.end].replace("“", "").replace("”", "")
        if tail in lex.generic_names:
            return True
    if not all(_generic_word(w.text, lex) for w in rest):
        return False
    return (any(w.text in lex.evaluative or _PERIOD_WORD.match(w.text) for w in rest)
            or sum(len(w.text) for w in rest) <= 4)


def _generic_word(word: str, lex: Lexicon) -> bool:
    return (word in lex.generic_modifiers or (len(word) >= 3 and word.endswith(lex.generic_suffixes))
            or bool(_PERIOD_WORD.match(word)) or word in _COORDINATORS)


def _is_scope_word(word: str, lex: Lexicon) -> bool:
    return (word in lex.markers or word in lex.templates or word in lex.scope_words
            or word in lex.division_names or word in lex.name_prefixes)


def _explicit_scope(name: str, lex: Lexicon) -> bool:
    """Does the name say whose it is (a jurisdiction, a national prefix, a national body)?"""
    bare = name.strip("“”")
    return bare in lex.national_bodies or bool(_scope_prefixes(lex).prefix(bare) or lex.division_names.prefix(bare))


def _has_scope(name: str, lex: Lexicon) -> bool:
    """Does the name carry its jurisdiction, or is it a known body or abbreviation?"""
    bare = name.strip("“”")
    if bare in lex.national_bodies or bare in lex.abbreviations or bare in lex.templates:
        return True
    return bool(_scope_prefixes(lex).prefix(bare) or lex.division_names.prefix(bare))


@functools.cache
def _scope_prefixes(lex: Lexicon) -> lexicon.Affixes:
    """Words that open a name and say whose it is: markers, templates, national scope words,
    中共, and national bodies (人民银行哈尔滨中心支行)."""
    words = set(lex.markers) | set(lex.templates) | set(lex.scope_words) | lex.name_prefixes
    return lexicon.Affixes(words | {b for b in lex.national_bodies if len(b) >= 3})


def _quoted(text: str, walker: _Walker) -> list[_Candidate]:
    """Quoted names: “天网工程” (a head inside the quotes), “数字图书馆” (a programme word)."""
    lex = walker.lex
    found = []
    for match in _QUOTED.finditer(text):
        inner = match.group()[1:-1]
        if walker.heads.match(text, match.end()) or not _DELIMITERS.isdisjoint(inner) or inner in lex.generic_names:
            continue  # “金盾”工程: the head walk takes the quote with it; “数字鸿沟” names nothing
        programme = next((p for p, (_, when) in lex.programmes.items() if when == "quoted" and inner.startswith(p)), None)
        if programme and len(inner) > len(programme):
            found.append(_Candidate(match.start(), match.end(), lex.programmes[programme][0], "quoted"))
            continue
        head = next((lex.heads[h] for h in _heads_ending(inner, lex)), None)
        if not head or head.condition == "legal" or len(inner) <= len(head.text):
            continue
        kind = _type_by_prefix(match.group(), head.type, lex)
        if kind == "Agency":
            continue  # offices are not quoted: “一网通办” is a slogan (“电子税务局” is a platform)
        inside = _Walker(inner, lex, walker.segmenter)
        edge = inside.left_edge(len(inner) - len(head.text), len(inner), head.text, head.type)
        if edge is None or edge[0] != 0 or _is_generic(inner, edge[1], edge[2], head, inside):
            continue  # the quoted phrase is not itself a name (“一号一窗一网”)
        candidate = _candidate_for_head(text, walker, match.end() - 1 - len(head.text), match.end(), head,
                                        verb_in_name=False)
        if candidate is None or candidate.start > match.start():
            candidate = _Candidate(match.start(), match.end(), head.type, "quoted")
        candidate.type = kind
        candidate.rule = "quoted"
        candidate.needs_scope = False
        candidate.generic = False
        if candidate.start < match.start():
            candidate.aliases = (inner,)
        found.append(candidate)
    return found


def _heads_ending(form: str, lex: Lexicon) -> list[str]:
    """The heads the form ends with, longest first (at most one of each length)."""
    heads = lex.heads
    return [form[-n:] for n in _head_lengths(lex) if n <= len(form) and form[-n:] in heads]


@functools.cache
def _head_lengths(lex: Lexicon) -> tuple[int, ...]:
    return tuple(sorted({len(h) for h in lex.heads}, reverse=True))


def _national_bodies(text: str, lex: Lexicon) -> list[_Candidate]:
    pattern = _national_pattern(lex)
    return [_Candidate(m.start(), m.end(), "Agency", "national") for m in pattern.finditer(text)]


@functools.cache
def _national_pattern(lex: Lexicon) -> re.Pattern[str]:
    return lexicon.words_regex(n for n in lex.national_bodies if len(n) >= 3)


def _titles(text: str, walker: _Walker) -> list[_Candidate]:
    """Book titles: the title itself, titles nested in it, the document it issues,
    the bodies that issue it, and its document number."""
    lex = walker.lex
    found = []
    for match in _TITLE.finditer(text):
        start, end = match.start(1), match.end(1)
        inner = match.group(1)
        number = _DOC_NUMBER.match(text, match.end())
        entity_type = _title_type(inner, text[match.end():match.end() + 8], lex)
        found.append(_Candidate(start, end, entity_type, "title", doc_number=number.group(1) if number else ""))
        for nested in _NESTED_TITLE.finditer(text, start, end):
            found.append(_Candidate(nested.start(1), nested.end(1), _title_type(nested.group(1), "", lex),
                                    "title", derived_from_title=True))
            found += _issuers(text, walker, nested.start(1), nested.end(1))
        inner_law = _INNER_LAW.search(inner)
        if inner_law and "〈" not in inner_law.group("law"):
            law = inner_law.group("law")
            if _heads_ending(law, lex) or law.endswith(("战略", "计划")):
                found.append(_Candidate(start + inner_law.start("law"), start + inner_law.end("law"), "Law",
                                        "title", derived_from_title=True))
        found += _issuers(text, walker, start, end)
    return found


def _title_type(inner: str, after: str, lex: Lexicon) -> str:
    if _PLATFORM_TITLE_CONTEXT.match(after):
        return "Platform"
    heads = _heads_ending(inner, lex)
    if heads and lex.heads[heads[0]].type in ("Platform", "Database"):
        return lex.heads[heads[0]].type
    return "Law"


def _issuers(text: str, walker: _Walker, start: int, end: int) -> list[_Candidate]:
    """Agencies named at the start of a title, before 关于/印发/转发."""
    cut = _ISSUER_END.search(text, start, end)
    if not cut or cut.start() == start:
        return []
    found = []
    for match in walker.heads.finditer(text, start, cut.start()):
        head = walker.lex.heads[match.group()]
        if head.type != "Agency" or (match.end() < cut.start() and text[match.end()] not in "、和及"):
            continue
        candidate = _candidate_for_head(text, walker, match.start(), match.end(), head)
        if candidate and candidate.start >= start and not candidate.generic:
            candidate.derived_from_title = True
            candidate.needs_scope = False
            found.append(candidate)
    national = _national_pattern(walker.lex)
    for match in national.finditer(text, start, cut.start()):
        if not any(c.start <= match.start() < c.end for c in found):
            found.append(_Candidate(match.start(), match.end(), "Agency", "national", derived_from_title=True))
    return found


def _called_national(text: str, candidate: _Candidate, lex: Lexicon) -> bool:
    """国家《国民经济和社会发展第十三个五年规划纲要》: a title the plan calls national."""
    if candidate.rule != "title" or candidate.start < 2 or text[candidate.start - 1] != "《":
        return False
    before = text[max(0, candidate.start - 9):candidate.start - 1]
    return any(before.endswith(w) for w, scope in lex.scope_words.items() if scope == "national")


class _Occupied:
    """Stretches of text already taken, none overlapping another: a sorted list, so asking
    whether a candidate overlaps one costs a binary search, not a scan of all of them."""

    def __init__(self, spans=()):
        self.spans: list[tuple[int, int]] = sorted(spans)

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect.bisect_left(self.spans, (end, end)) - 1
        return k >= 0 and self.spans[k][1] > start

    def add(self, start: int, end: int) -> None:
        bisect.insort(self.spans, (start, end))


_RULE_PRIORITY = {"title": 0, "plan-title": 0, "quoted": 1, "head": 2, "national": 3}


def _select(candidates: list[_Candidate]) -> list[_Candidate]:
    """Resolve overlaps: every title stays; elsewhere the longest name wins."""
    kept = [c for c in candidates if c.rule in ("title", "plan-title") or c.derived_from_title]
    taken = _Occupied((c.start, c.end) for c in kept if not c.derived_from_title)
    others = sorted((c for c in candidates if not (c.rule in ("title", "plan-title") or c.derived_from_title)),
                    key=lambda c: (-(c.end - c.start), _RULE_PRIORITY[c.rule], c.start))
    for candidate in others:
        if not taken.overlaps(candidate.start, candidate.end):
            kept.append(candidate)
            taken.add(candidate.start, candidate.end)
    unique = {(c.start, c.end, c.type): c for c in kept}
    return sorted(unique.values(), key=lambda c: (c.start, c.end))


def _attach_aliases(text: str, kept: list[_Candidate]) -> list[_Candidate]:
    """An acronym or short form in brackets right after a name is an alias of it."""
    for candidate in kept:
        tail = text[candidate.end:candidate.end + 24]
        match = _ACRONYM.match(tail) or _SHORT_FORM.match(tail)
        if match:
            candidate.aliases = candidate.aliases + (match.group(1),)
    return kept


# --- lists ----------------------------------------------------------------------------------

# Between two items of one list: a separator, or a separator around one item the
# recogniser did not take (省科技厅、公安厅、旅游发展委、邮政管理局).
_LIST_GAP = re.compile(r"^(?:[、和及与]|以及|、[^、，。；：\s]{1,8}、)$")


def _list_runs(text: str, items: list, entity_type: str) -> list[list]:
    """Runs of mentions of one type separated only by 、和及与."""
    runs: list[list] = []
    for item in sorted((m for m in items if m.type == entity_type), key=lambda m: m.start):
        if runs and _LIST_GAP.match(text[runs[-1][-1].end:item.start]):
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _scope_in_lists(text: str, candidates: list[_Candidate]) -> list[_Candidate]:
    """Keep an office without a jurisdiction (财政厅) only in a list with offices that
    have one (省工信委、财政厅、发改委); 阳光政府 alone is not an office."""
    rescued = set()
    for run in _list_runs(text, candidates, "Agency"):
        if any(not c.needs_scope for c in run):
            rescued.update(id(c) for c in run)
    return [c for c in candidates if not c.needs_scope or id(c) in rescued]


def _inherit_list_prefixes(text: str, mentions: list[Mention], lex: Lexicon) -> list[Mention]:
    """省工信委、财政厅、发改委: the later items take the first item's 省."""
    inherited: dict[int, str] = {}
    for run in _list_runs(text, mentions, "Agency"):
        marker = ""
        for mention in run:
            own = _leading_marker(mention.surface, lex)
            if own:
                marker = own
            elif marker and not _explicit_scope(mention.surface, lex):
                inherited[id(mention)] = marker
    return [m._replace(inherited=inherited[id(m)]) if id(m) in inherited else m for m in mentions]


def _leading_marker(surface: str, lex: Lexicon) -> str:
    """The level marker a name starts with: 省 for 省委网信办 and 省发改委."""
    templates, markers = _openers_longest_first(lex)
    if not surface.startswith(_opener_words(lex)):
        return ""  # most names: one test for all the openers
    for short, full in templates:
        if surface.startswith(short) and "{" in full:
            level = full[full.index("{") + 1:full.index("}")]
            return next(m for m, v in lex.markers.items() if v.level == level and not v.whole)
    return next((m for m in markers if surface.startswith(m)), "")


@functools.cache
def _opener_words(lex: Lexicon) -> tuple[str, ...]:
    return tuple(lex.templates) + tuple(lex.markers)


@functools.cache
def _openers_longest_first(lex: Lexicon) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """Name templates (short form, full form) and level markers, longest first."""
    return (tuple(sorted(lex.templates.items(), key=lambda kv: -len(kv[0]))),
            tuple(sorted(lex.markers, key=len, reverse=True)))


def _shared_prefixes(text: str, kept: list[_Candidate], generic: list[_Candidate], mentions: list[Mention],
                     walker: _Walker) -> list[Mention]:
    """对俄跨境电子商务综合服务平台、支付平台、通关平台: the short items share the first
    item's opening (对俄跨境电子商务支付平台)."""
    prefixes: dict[int, tuple[str, str, str]] = {}  # end of an item -> (prefix, type, head)
    by_span = {(m.start, m.end): m for m in mentions}
    result = list(mentions)
    for candidate in sorted(kept + generic, key=lambda c: c.start):
        if candidate.rule != "head" or candidate.type == "Agency" or not candidate.head:
            continue
        shared = prefixes.get(candidate.start - 1) if text[candidate.start - 1:candidate.start] == "、" else None
        short = candidate.end - candidate.start <= len(candidate.head) + 2
        if shared and short and shared[1:] == (candidate.type, candidate.head):
            surface = text[candidate.start:candidate.end]
            own = by_span.get((candidate.start, candidate.end))
            expanded = Mention(candidate.start, candidate.end, candidate.type, "list-prefix", shared[0] + surface,
                               expanded=own is None, aliases=(surface,))
            result = [m for m in result if m is not own] + [expanded]
            prefixes[candidate.end] = shared
        elif not candidate.generic:
            prefix = _opening(text, candidate, walker)
            if prefix:
                prefixes[candidate.end] = (prefix, candidate.type, candidate.head)
    return result


def _opening(text: str, candidate: _Candidate, walker: _Walker) -> str:
    """A name without its head and the generic words before it: 对俄跨境电子商务综合服务平台
    -> 对俄跨境电子商务."""
    return _opening_of(text[candidate.start:candidate.end - len(candidate.head)], walker.lex, walker.segmenter)


@functools.lru_cache(maxsize=1 << 14)
def _opening_of(stem: str, lex: Lexicon, segmenter: Segmenter) -> str:
    """``_opening`` of a name whose part before the head is ``stem`` (cached: a plan names
    the same things again and again)."""
    words = _Walker(stem, lex, segmenter).words(0, len(stem))
    while words and (words[-1].text in lex.generic_modifiers or words[-1].text in lex.head_verbs):
        words.pop()
    return stem[:words[-1].end] if len(words) >= 2 else ""


def _division_governments(text: str, mentions: list[Mention], lex: Lexicon) -> list[Mention]:
    """In a list of agencies, a bare city or county name stands for its government
    (省发改委牵头，哈尔滨市、大庆市等按职责分工负责)."""
    found: list[Mention] = []
    agencies = [m for m in mentions if m.type == "Agency"]
    for run in _division_runs(text, lex):
        first, last = run[0], run[-1]
        after = text[last[1]:last[1] + 8]
        beside_agency = any(m.end == first[0] - 1 or m.start == last[1] + 1 for m in agencies
                            if text[m.end:m.end + 1] == "、" or text[m.start - 1:m.start] == "、")
        if not beside_agency and not _UNIT_CUE.match(after):
            continue
        for s, e in run:
            if not any(m.start < e and s < m.end for m in mentions):
                found.append(Mention(s, e, "Agency", "division", text[s:e] + "人民政府", aliases=(text[s:e],)))
    return found


_UNIT_CUE = re.compile(r"^等?(?:按职责|牵头|负责|配合|参与|协助)")
_DIVISION_LIKE = re.compile(r"[\u4e00-\u9fff]{1,9}?(?:自治州|自治县|地区|市|县|区|旗|盟|州)(?=[、等，按牵负配和及])")
_DIVISION_ENDING = re.compile(r"(?:自治州|自治县|地区|市|县|区|旗|盟|州)(?=[、等，按牵负配和及])")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _division_like(text: str):
    """The matches of ``_DIVISION_LIKE`` in ``text``, searched for only in the runs of Han
    characters that hold a division ending before a list mark: a match is such a run's
    stretch, and trying every character of the plan as the start of one is slow."""
    searched = 0  # end of the last run searched
    for ending in _DIVISION_ENDING.finditer(text):
        if ending.start() < searched:
            continue
        start, end = ending.start(), ending.end()
        while start > 0 and _HAN.match(text, start - 1):
            start -= 1
        while end < len(text) and _HAN.match(text, end):
            end += 1
        yield from _DIVISION_LIKE.finditer(text, start, end + 1)
        searched = end


@functools.cache
def _province_names(lex: Lexicon) -> frozenset[str]:
    return frozenset(d.name for d in lex.divisions.values() if d.level == "province")


def _division_runs(text: str, lex: Lexicon) -> list[list[tuple[int, int]]]:
    """Runs of city or county names that stand alone between 、 (or a clause edge)."""
    runs: list[list[tuple[int, int]]] = []
    provinces = _province_names(lex)
    for match in _division_like(text):
        s, e = match.start(), match.end()
        while s < e and (text[s:e] not in lex.division_names or text[s:e] in provinces):
            s += 1  # the match may open with the end of the clause before the name
        if e - s < 2 or (s and text[s - 1] not in "、，：\t；"):
            continue
        if runs and runs[-1][-1][1] == s - 1 and text[s - 1] == "、":
            runs[-1].append((s, e))
        else:
            runs.append([(s, e)])
    return runs


def _expand_ellipses(text: str, candidates: list[_Candidate], walker: _Walker, lex: Lexicon,
                     mentions: list[Mention]) -> list[Mention]:
    """人力资源、环境资源、城市规划等数据库 names three databases; each item takes the head."""
    found = []
    named = _Cover((m.start, m.end) for m in mentions)
    agencies = _Cover((m.start, m.end) for m in mentions if m.type == "Agency")
    for phrase in candidates:
        if phrase.rule != "head" or phrase.type in ("Agency",) or phrase.start == 0 or text[phrase.start - 1] != "等":
            continue
        same_type_heads = _heads_of_type(lex, phrase.type)
        shared = _strip_leading(text[phrase.start:phrase.end], lex)
        items = _list_items(text, phrase.start - 1, walker)
        owners = sum(1 for s, e in items if agencies.contains(s, e))
        if not items or owners * 2 >= len(items):
            continue  # 党委、人大、政府…等多系统: the items are the owners, not the systems
        for s, e in items:
            item = text[s:e]
            if item.endswith(same_type_heads) or named.contains(s, e):
                continue  # a full name in the list, recognised on its own
            aliases = (item + shared,) if shared != phrase.head else ()
            found.append(Mention(s, e, phrase.type, "ellipsis", item + phrase.head, expanded=True, aliases=aliases))
    return found


class _Cover:
    """Stretches of text, asked whether one of them contains a given stretch: sorted by
    start, with the furthest end reached so far, so each question is a binary search."""

    def __init__(self, spans):
        spans = sorted(spans)
        self.starts = [s for s, _ in spans]
        self.reach = list(itertools.accumulate((e for _, e in spans), max))

    def contains(self, start: int, end: int) -> bool:
        k = bisect.bisect_right(self.starts, start)
        return k > 0 and self.reach[k - 1] >= end


@functools.cache
def _heads_of_type(lex: Lexicon, entity_type: str) -> tuple[str, ...]:
    return tuple(h for h, v in lex.heads.items() if v.type == entity_type)


def _strip_leading(phrase: str, lex: Lexicon) -> str:
    """重点业务系统 -> 业务系统: the shared head without its evaluative opener."""
    for word in ("重点", "重大", "主要", "多个", "一批", "各类", "相关"):
        if phrase.startswith(word) and len(phrase) - len(word) >= 2:
            return phrase[len(word):]
    return phrase


def _list_items(text: str, list_end: int, walker: _Walker) -> list[tuple[int, int]]:
    """Items of the 、-separated list that ends at ``list_end`` (the 等)."""
    items: list[tuple[int, int]] = []
    end = list_end
    while end > 0:
        start = end
        while start > 0 and text[start - 1] not in _DELIMITERS:
            start -= 1
        if start > 0 and text[start - 1] == "、" and 2 <= end - start <= 12 and "的" not in text[start:end]:
            items += [(s, e) for s, e in _split_yiji(text, start, end)]
            end = start - 1
            continue
        # the first item: its left edge is where the walk would stop
        edge = end
        for word in reversed(walker.words(max(start, end - 14), end)):
            if _is_count(word.text, walker.lex) or _is_numeral(word.text) or word.text in walker.lex.classifiers:
                break  # 一批科研基础设施…: the count opens the list
            if word.pos in walker.lex.boundary_pos or word.pos.startswith("u"):
                edge = end  # …的立案管理: the item is cut by a function word, not a clean edge
                break
            if word.text in walker.lex.boundary_words or word.text in walker.lex.markers or word.text == "以及":
                break
            edge = word.start
        if end - edge >= 2:
            items.append((edge, end))
        break
    return sorted(items)


def _split_yiji(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """An item may hide two: 气象信息以及希望工程."""
    cut = text.find("以及", start, end)
    if cut == -1:
        return [(start, end)]
    return [(s, e) for s, e in ((start, cut), (cut + 2, end)) if e - s >= 2]
