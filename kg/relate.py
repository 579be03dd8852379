"""Relate: typed, directed relations between the entities of one plan, with evidence.

Cue words and patterns live in ``data/relations/<type>.toml``. Each sentence is matched
with every entity mention replaced by one placeholder character, so a pattern reads like
the plan: ``{rely}{NEAR}(?P<tail>{ES}){GAP}{build}{NEAR}(?P<head>{ES})`` is "依托 Y … 建设 X";
a list in a named group distributes (one cue over five systems gives five relations).
Task tables (序号 | 任务 | 牵头单位 …) and the structure of titles (中共中央办公厅、国务院办公厅
关于…的通知) are read directly. Every relation carries its sentence or table row.

>>> from kg.plan import describe
>>> from kg.recognise import recognise
>>> from kg.resolve import resolve
>>> from kg.segment import segment
>>> text = "规划\\n充分利用企业基础信息共享平台，整合企业信用数据，建立联合征信平台。"
>>> plan = describe(text)
>>> entities = resolve(text, recognise(text), plan)
>>> [(r.type, r.head.split("|")[-1], r.tail.split("|")[-1]) for r in relate(text, segment(text), entities, plan)]
[('depends-on', '联合征信平台', '企业基础信息共享平台')]
"""
from __future__ import annotations

import bisect
import functools
import re
import tomllib
from dataclasses import dataclass

from . import lexicon
from .plan import PlanInfo
from .recognise import Mention
from .resolve import Entity
from .segment import Segment

RELATION_TYPES = ("leads", "participates-in", "depends-on", "integrates", "based-on", "issued-by", "part-of")
_MARK = 0xE000
_ENTITY = "[\ue000-\uf8ff]"
_PLACEHOLDERS = {
    "E": _ENTITY,
    "ES": f"{_ENTITY}(?:(?:、|和|及|与|以及|或)?{_ENTITY})*",
    "NEAR": "[^。；\t\ue000-\uf8ff]{0,20}?",
    "MID": "[^。；\t\ue000-\uf8ff]{1,20}?",
    "GAP": "[^。\t]*?",
    "SPAN": "[^。；\t]{1,80}?",
}
_DOC_NUMBER_AFTER = re.compile(r"》?\s*（[^（）]{0,16}〔\s*\d{4}\s*〕[^（）]{0,6}号）")


@dataclass(frozen=True)
class Relation:
    type: str
    head: str  # entity key
    tail: str
    evidence: tuple[int, int]  # the sentence or table row, as offsets into the matching text
    rule: str


@dataclass(frozen=True)
class _Pattern:
    name: str
    regex: re.Pattern[str]
    head_is_plan: bool
    head_types: frozenset[str] | None  # narrower than the relation's, for this pattern


@dataclass(frozen=True)
class _Spec:
    type: str
    head_types: frozenset[str]
    tail_types: frozenset[str]
    same_type: bool
    patterns: tuple[_Pattern, ...]
    plan_subject_cue: re.Pattern[str] | None  # a word that makes the plan a pattern's subject (本规划)
    table: dict


@functools.cache
def load_specs() -> tuple[_Spec, ...]:
    """The relation patterns of ``data/relations``, compiled."""
    folder = lexicon.DATA_DIR / "relations"
    shared = tomllib.loads((folder / "_words.toml").read_text(encoding="utf-8")).get("words", {})
    specs = []
    for name in RELATION_TYPES:
        path = folder / f"{name}.toml"
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        words = {**shared, **data.get("words", {})}
        cues = data.get("plan_subject_cues", [])
        patterns = tuple(
            _Pattern(p["name"], _compile(p["regex"], words, path), p.get("head") == "plan",
                     frozenset(p["head_types"]) if "head_types" in p else None)
            for p in data.get("patterns", [])
        )
        specs.append(_Spec(data["type"], frozenset(data["head_types"]), frozenset(data["tail_types"]),
                           data.get("same_type", False), patterns, lexicon.words_regex(cues) if cues else None,
                           data.get("table", {})))
    return tuple(specs)


def _compile(template: str, words: dict[str, list[str]], path) -> re.Pattern[str]:
    def expand(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in _PLACEHOLDERS:
            return _PLACEHOLDERS[key]
        if key.startswith("NO_") and key[3:] in words:
            # any stretch of the sentence in which none of the words occurs (shortest first)
            return f"(?:(?!{alternation(key[3:])})[^。\t])*?"
        if key not in words:
            raise ValueError(f"{path}: pattern {template!r} uses {{{key}}}, which is neither a placeholder "
                             f"({', '.join(_PLACEHOLDERS)}) nor a word list of the file or _words.toml")
        return alternation(key)

    def alternation(key: str) -> str:
        return "(?:" + "|".join(map(re.escape, sorted(words[key], key=len, reverse=True))) + ")"

    try:
        return re.compile(re.sub(r"\{(\w+)\}", expand, template))
    except re.error as exc:
        raise ValueError(f"{path}: pattern {template!r} is not a valid regular expression ({exc})") from None


def relate(text: str, segments: list[Segment], entities: list[Entity], plan: PlanInfo) -> list[Relation]:
    """All relations the plan states, each with the segment that states it."""
    by_mention = {id(m): e for e in entities for m in e.mentions}
    plan_entity = next((e for e in entities if any(m.rule == "plan-title" for m in e.mentions)), None)
    mentions = sorted((m for e in entities for m in e.mentions), key=lambda m: (m.start, -m.end))
    starts = [m.start for m in mentions]
    specs = {s.type: s for s in load_specs()}
    found: list[Relation] = []
    for seg in segments:
        first, last = bisect.bisect_left(starts, seg.start), bisect.bisect_left(starts, seg.end)
        inside = [m for m in mentions[first:last] if m.end <= seg.end]
        if not inside:
            continue
        pieces = [(s, e) for s, e in seg.cells] if seg.kind == "row" else [(seg.start, seg.end)]
        stated_here = len(found)  # relations before this index come from earlier segments
        for start, end in pieces:
            found += _match_patterns(text, start, end, seg, inside, by_mention, plan_entity, specs)
        if seg.kind == "row":
            found += _task_row(text, seg, inside, by_mention, specs)
        found += _title_issuers(seg, inside, by_mention, specs["issued-by"])
        found += _nested_issuers(found[stated_here:], seg, inside, by_mention, specs["issued-by"])
        found += _signature(text, seg, inside, by_mention, plan_entity, specs["issued-by"])
    return _unique(found)


def _outermost(mentions: list[Mention], start: int, end: int) -> list[Mention]:
    """The mentions within [start, end) that no other one of them holds. ``mentions`` are in
    (start, -end) order, so one is held by an earlier one exactly when it ends no later than
    the furthest any chosen one reaches."""
    chosen: list[Mention] = []
    reach = -1
    for m in mentions:
        if start <= m.start and m.end <= end and m.end > reach:
            chosen.append(m)
            reach = m.end
    return chosen


def _mask(text: str, start: int, end: int, mentions: list[Mention]) -> tuple[str, list[Mention]]:
    """The stretch with each mention (with its 《》 and document number) as one character."""
    parts: list[str] = []
    order: list[Mention] = []
    position = start
    for m in _outermost(mentions, start, end):
        s, e = m.start, m.end
        if s > start and text[s - 1] == "《" and e < end and text[e] == "》":
            s, e = s - 1, e + 1
            number = _DOC_NUMBER_AFTER.match(text, e)
            if number and number.end() <= end:
                e = number.end()
        if s < position:
            continue
        parts.append(text[position:s])
        parts.append(chr(_MARK + len(order)))
        order.append(m)
        position = e
    parts.append(text[position:end])
    return "".join(parts), order


def _match_patterns(text, start, end, seg, mentions, by_mention, plan_entity, specs) -> list[Relation]:
    """Relations the patterns read in text[start:end]. A relation joins two entities of the
    stretch, or the plan and one: patterns are not tried where that cannot be.

    What the patterns find depends only on the masked stretch, the type of each entity in it
    and which of them are one entity (and, for patterns about the plan, on the plan entity and
    its cue words), so it is kept by those: plans written from one model repeat their
    sentences with other names, which the mask hides."""
    masked, order = _mask(text, start, end, mentions)
    if not order:
        return []
    entities = [by_mention[id(m)] for m in order] + ([plan_entity] if plan_entity else [])
    first: dict[str, int] = {}
    shape = tuple((e.type, first.setdefault(e.key, i)) for i, e in enumerate(entities))
    stretch = text[start:end]
    cues = () if plan_entity is None else tuple(
        kind for kind, spec in specs.items() if spec.plan_subject_cue and spec.plan_subject_cue.search(stretch))
    key = (masked, shape, cues)
    read = _READ.get(key)
    if read is None:
        if len(_READ) >= _READ_KEPT:
            _READ.clear()
        found = _pattern_relations(masked, order, cues, (seg.start, seg.end), by_mention, plan_entity, specs)
        read = _READ[key] = tuple((r.type, first[r.head], first[r.tail], r.rule) for r in found)
    evidence = (seg.start, seg.end)
    return [Relation(kind, entities[head].key, entities[tail].key, evidence, rule) for kind, head, tail, rule in read]


_READ: dict[tuple, tuple] = {}  # what _match_patterns found, by masked stretch and entity shape
_READ_KEPT = 1 << 16  # emptied when full


def _pattern_relations(masked, order, cues, evidence, by_mention, plan_entity, specs) -> list[Relation]:
    """The work ``_match_patterns`` keeps; ``cues`` are the relation types whose patterns
    about the plan may be tried (the plan is known and the stretch has their cue word)."""
    found = []
    for spec in specs.values():
        for pattern in spec.patterns:
            if pattern.head_is_plan:
                if spec.type not in cues:
                    continue
            elif len(order) < 2:
                continue  # one entity: its head and tail would be the same
            position = 0
            while (match := pattern.regex.search(masked, position)) is not None:
                heads = [plan_entity] if pattern.head_is_plan else _entities(match, "head", order, by_mention)
                if pattern.head_types is not None:
                    heads = [h for h in heads if h.type in pattern.head_types]
                tails = _entities(match, "tail", order, by_mention)
                pairs = _pairs(spec, heads, tails, evidence, pattern.name)
                found += pairs
                # a match of the wrong types (A负责建设…，B: two agencies) must not hide the one
                # that starts inside it (B负责建设Y): search again from its next character
                position = match.end() if pairs else match.start() + 1
    return found


def _entities(match: re.Match[str], role: str, order: list[Mention], by_mention) -> list[Entity]:
    """The entities in every group named role… (head, head2 …) of a match."""
    found = []
    for name, group in match.groupdict().items():
        if name.startswith(role) and group:
            found += [by_mention[id(order[ord(c) - _MARK])] for c in group if _MARK <= ord(c) < _MARK + len(order)]
    return found


def _pairs(spec: _Spec, heads, tails, evidence, rule) -> list[Relation]:
    found = []
    for head in heads:
        for tail in tails:
            if head is None or tail is None or head.key == tail.key:
                continue
            if head.type not in spec.head_types or tail.type not in spec.tail_types:
                continue
            if spec.same_type and head.type != tail.type:
                continue
            found.append(Relation(spec.type, head.key, tail.key, evidence, rule))
    return found


def _task_row(text: str, seg: Segment, mentions, by_mention, specs) -> list[Relation]:
    """序号 | 任务 | 牵头单位 | 责任单位: leads for the leading units, participates-in for the
    partners, to every project, platform and database of the task cell."""
    table = specs["leads"].table
    cells = list(seg.cells)
    header = list(seg.header) if len(seg.header) == len(cells) else []
    roles = [_column_role(header[i] if header else "", table) for i in range(len(cells))]
    if not header:  # no header: the last cell names the units, the cells before it the task
        roles = ["task"] * (len(cells) - 1) + ["units"]
    works = [e for e in _entities_in(mentions, by_mention, [c for c, r in zip(cells, roles) if r == "task"], False)
             if e.type in ("Project", "Platform", "Database")]
    if not works:
        return []
    leaders: list[Entity] = []
    partners: list[Entity] = []
    for (s, e), role in zip(cells, roles):
        if role == "task":
            continue
        lead_part, partner_part = _split_units(text, s, e, table, role)
        leaders += [a for a in _entities_in(mentions, by_mention, [lead_part], True) if a not in leaders]
        partners += [a for a in _entities_in(mentions, by_mention, [partner_part], True) if a not in partners]
    evidence = (seg.start, seg.end)
    return (_pairs(specs["leads"], leaders, works, evidence, "task-table")
            + _pairs(specs["participates-in"], partners, works, evidence, "task-table"))


def _column_role(column: str, table: dict) -> str:
    if any(w in column for w in table["partner_columns"]):
        return "partners"
    if any(w in column for w in table["lead_columns"]):
        return "leads"
    if any(w in column for w in table["task_columns"]):
        return "task"
    return "units"


def _entities_in(mentions, by_mention, spans, agencies: bool) -> list[Entity]:
    found: list[Entity] = []
    for s, e in spans:
        for m in _outermost(mentions, s, e):
            entity = by_mention[id(m)]
            if (entity.type == "Agency") == agencies and entity not in found:
                found.append(entity)
    return found


def _split_units(text: str, start: int, end: int, table: dict, role: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """省通信管理局牵头，省工信委…等按职责分工负责 -> (leading units, partner units). Inline cues
    decide; without them the column's role does (牵头单位 leads, 配合单位 partners)."""
    cell = text[start:end]
    if not any(c in cell for c in (*table["lead_cues"], *table["partner_cues"], *table["lead_alone_cues"])):
        if role == "leads":
            return (start, end), (end, end)
        if role == "partners":
            return (start, start), (start, end)
    lead_at = min((cell.find(c) for c in table["lead_cues"] if c in cell), default=-1)
    partner_at = min((cell.find(c) for c in table["partner_cues"] if c in cell), default=-1)
    if lead_at >= 0:
        return (start, start + lead_at), (start + lead_at, end if partner_at > lead_at else start + lead_at)
    if partner_at >= 0:
        # 省委组织部负责，省直机关工委等按职责分工负责: the clause before the partners leads
        clause = max(cell.rfind("，", 0, partner_at), cell.rfind("；", 0, partner_at))
        alone = clause >= 0 and any(c in cell[:clause] for c in table["lead_alone_cues"])
        if alone:
            return (start, start + clause), (start + clause, end)
        return (start, start), (start, end)  # 省卫生计生委，省人社厅…等按职责分工负责: all partners
    if any(c in cell for c in table["lead_alone_cues"]):
        return (start, end), (end, end)
    return (start, start), (start, start)


def _title_issuers(seg: Segment, mentions, by_mention, spec: _Spec) -> list[Relation]:
    """中共中央办公厅、国务院办公厅关于…的通知: the agencies that open a title issue it."""
    found = []
    laws = [m for m in mentions if by_mention[id(m)].type == "Law"]
    for agency in (m for m in mentions if by_mention[id(m)].type == "Agency"):
        containing = [law for law in laws if law.start <= agency.start and agency.end <= law.end]
        if containing:
            innermost = min(containing, key=lambda law: law.end - law.start)
            found += _pairs(spec, [by_mention[id(innermost)]], [by_mention[id(agency)]],
                            (seg.start, seg.end), "title-issuer")
    return found


def _nested_issuers(found: list[Relation], seg: Segment, mentions, by_mention, spec: _Spec) -> list[Relation]:
    """国家信息化领导小组《关于印发〈国家电子政务总体框架〉的通知》: who issues the notice issues
    the document it publishes, unless that document names its own issuers."""
    issuers: dict[str, list[str]] = {}
    for relation in found:
        if relation.type == "issued-by" and relation.evidence == (seg.start, seg.end):
            issuers.setdefault(relation.head, []).append(relation.tail)
    entities = {by_mention[id(m)].key: by_mention[id(m)] for m in mentions}
    extra = []
    for outer in (m for m in mentions if by_mention[id(m)].key in issuers):
        for inner in (m for m in mentions if by_mention[id(m)].type == "Law" and m is not outer
                      and outer.start <= m.start and m.end <= outer.end):
            if by_mention[id(inner)].key in issuers:
                continue  # 文化部、财政部关于…的意见 has issuers of its own
            extra += _pairs(spec, [by_mention[id(inner)]], [entities[a] for a in issuers[by_mention[id(outer)].key]],
                            (seg.start, seg.end), "nested-title")
    return extra


def _signature(text: str, seg: Segment, mentions, by_mention, plan_entity, spec: _Spec) -> list[Relation]:
    """A line that is only an agency's name, in a plan's cover letter, signs the plan."""
    if plan_entity is None or len(mentions) != 1 or seg.kind != "sentence":
        return []
    only = mentions[0]
    entity = by_mention[id(only)]
    if entity.type != "Agency" or text[seg.start:seg.end].strip("　 ") != text[only.start:only.end]:
        return []
    line_start = text.rfind("\n", 0, seg.start) + 1
    line_end = text.find("\n", seg.end)
    if text[line_start:line_end if line_end >= 0 else len(text)].strip() != text[only.start:only.end]:
        return []
    return _pairs(spec, [plan_entity], [entity], (seg.start, seg.end), "signature")


def _unique(relations: list[Relation]) -> list[Relation]:
    seen = set()
    unique = []
    for relation in relations:
        key = (relation.type, relation.head, relation.tail, relation.evidence)
        if key not in seen:
            seen.add(key)
            unique.append(relation)
    return unique
