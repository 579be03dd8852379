"""Resolve: turn mentions into entities with a canonical name, aliases and a stable key.

A plan writes one thing many ways: 市信息产业局 and 哈尔滨市信息产业局, 省发改委 and
黑龙江省发展和改革委员会, 企业基础信息共享系统 and 企业基础信息共享平台, “金盾”工程 and
金盾工程. The resolver makes the jurisdiction explicit (市 → 哈尔滨市), expands standard
abbreviations for comparison, and merges mentions that name the same thing into one
entity. The entity's key - type, scope and normalised full name - is what makes the same
national body one node across plans and keeps Harbin's 人口基础信息库 apart from Hebei's.

>>> from kg.plan import describe
>>> from kg.recognise import recognise
>>> text = "哈尔滨市电子政务发展规划\\n市信息产业局负责；哈尔滨市信息产业局牵头。"
>>> [(e.name, e.aliases) for e in resolve(text, recognise(text), describe(text))]
[('哈尔滨市信息产业局', ['市信息产业局'])]
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from . import lexicon
from .ingest import fold_char
from .lexicon import Lexicon
from .plan import PlanInfo
from .recognise import Mention

NATIONAL = "national"
_PERIOD = re.compile(r"十[一二三四五六七八九]五|第十[一二三四五六七八九]个五年")
_STRIP = re.compile(r"[\s“”‘’\"'「」『』《》〈〉<>()（）·•・]")
_LEADING_NICKNAME = re.compile(r"^“[^”]{1,12}”")


@functools.lru_cache(maxsize=1 << 16)
def normalise_name(name: str) -> str:
    """The comparison form of ANNOTATION.md: NFKC, no blanks, quotes, brackets or middle dots.
    Cached: resolving a plan asks for the same few thousand names many times over.

    >>> normalise_name("《中华人民共和国 电子签名法》")
    '中华人民共和国电子签名法'
    """
    return _STRIP.sub("", unicodedata.normalize("NFKC", name))


class _FoldTable(dict):
    """str.translate table filled on first use of each character."""

    def __missing__(self, code: int) -> str:
        self[code] = fold_char(chr(code))
        return self[code]


_FOLD = _FoldTable()


@functools.lru_cache(maxsize=1 << 16)
def fold(name: str) -> str:
    """The comparison form folded to simplified characters (for keys and merging); cached
    like ``normalise_name``."""
    return normalise_name(name).translate(_FOLD)


@dataclass
class Entity:
    key: str  # "<type>|<scope>|<full normalised name>": stable across builds and plans
    type: str
    name: str
    aliases: list[str]
    mentions: list[Mention]
    scope: str  # "national" or the adcode of the jurisdiction it belongs to
    elliptical: bool = False
    doc_number: str = ""


@dataclass
class _Reading:
    """How one mention reads once its jurisdiction is made explicit."""

    mention: Mention
    surface: str  # as the plan writes it
    name: str  # canonical, jurisdiction explicit
    scope: str
    explicit: bool  # did the plan (or a list) give the jurisdiction?
    aliases: list[str] = field(default_factory=list)


def resolve(text: str, mentions: list[Mention], plan: PlanInfo, original: str | None = None,
            to_original=None, lex: Lexicon | None = None) -> list[Entity]:
    """Entities of one plan from its mentions; ``original``/``to_original`` give surfaces
    in the plan's own script when the matching text differs from it."""
    lex = lex or lexicon.load()
    readings = [_read(m, _surface(m, original, to_original), plan, lex) for m in mentions]
    groups = _group(readings, plan, lex)
    entities = [_entity(group, lex) for group in groups]
    return sorted(entities, key=lambda e: (min(m.start for m in e.mentions), e.type))


def _surface(mention: Mention, original: str | None, to_original) -> str:
    if mention.expanded or original is None or to_original is None:
        return mention.surface
    start, end = to_original(mention.start, mention.end)
    return original[start:end]


# --- reading one mention ---------------------------------------------------------------------

def _read(mention: Mention, surface: str, plan: PlanInfo, lex: Lexicon) -> _Reading:
    name = mention.surface
    aliases = [surface, *mention.aliases]
    if surface != mention.surface:
        aliases.append(mention.surface)
    if mention.rule == "quoted" and mention.aliases and _owner_prefix(name, mention.aliases[0], lex):
        name, aliases = mention.aliases[0], aliases + [name]  # 人大“服务代表履职平台” is 服务代表履职平台
    jurisdiction = plan.jurisdiction
    local = jurisdiction.code or NATIONAL
    agency = mention.type == "Agency"
    if agency and name in lex.national_bodies:
        return _Reading(mention, surface, lex.national_bodies[name], NATIONAL, True, aliases)
    party = next((p for p in _affixes(lex, "name_prefixes").prefixes(name) if _leading_division(name[len(p):], lex)), "")
    if party:  # 中共黑龙江省委网络安全和信息化领导小组: the jurisdiction follows 中共
        inner = _read(Mention(mention.start, mention.end, mention.type, mention.rule, name[len(party):]),
                      surface, plan, lex)
        return _Reading(mention, surface, party + inner.name, inner.scope, True, aliases + inner.aliases)
    template = _affixes(lex, "templates").prefix(name)
    if template:
        filled = _fill(lex.templates[template], plan)
        if filled:
            full = filled + name[len(template):]
            return _Reading(mention, surface, _official(full, filled, lex) if agency else full, local, True, aliases)
    marker = _leading_marker(name, lex) or mention.inherited
    if marker:
        kind = lex.markers[marker].kind
        owner = jurisdiction.at(lex.markers[marker].level)
        rest = name[len(marker):] if name.startswith(marker) else name
        if kind == "whole" and not agency:
            # 全省电子政务外网 is the province's 电子政务外网: the bare name stands
            return _Reading(mention, surface, rest, local, False, aliases)
        if owner:
            if kind != "part":
                aliases.append(rest)
            full = owner + rest
            return _Reading(mention, surface, _official(full, owner, lex) if agency else full,
                            _code_of(owner, plan, lex), True, aliases)
    division = _leading_division(name, lex)
    if division:
        full = _official(name, division, lex) if agency else name
        return _Reading(mention, surface, full, _code_of(division, plan, lex), True, aliases)
    if _national_name(name, lex) or (mention.type == "Law" and (
            _national_doc_number(mention.doc_number) or mention.national_hint or _statute(name))):
        return _Reading(mention, surface, name, NATIONAL, True, aliases)
    if fold(name) in lex.national_programmes:  # national, and still the bare form of 国家大数据战略
        return _Reading(mention, surface, name, NATIONAL, False, aliases)
    return _Reading(mention, surface, name, local, False, aliases)


@functools.cache
def _affixes(lex: Lexicon, table: str) -> lexicon.Affixes:
    """The words of one lexicon table, for the ones a name starts with: looked up by
    length, not compared one by one for every mention."""
    return lexicon.Affixes(getattr(lex, table))


_STATUTE = re.compile(r"法(?:（[^）]*）)?$")


def _statute(name: str) -> bool:
    """电子签名法, 网络安全法: only the national legislature makes 法 (local ones make 条例
    and 规定), so a law whose name ends in 法 - not 办法 - is national."""
    bare = normalise_name(name)
    return bool(_STATUTE.search(bare)) and not bare.endswith(("办法", "方法", "做法"))


def _owner_prefix(name: str, quoted: str, lex: Lexicon) -> bool:
    """Is what stands before a quoted name its owner (人大“服务代表履职平台”) rather than part
    of the name (国际贸易“单一窗口”)?"""
    owner = name[: name.find("“")]
    heads = tuple(h for h, v in lex.heads.items() if v.type == "Agency")
    return owner in lex.national_bodies or owner in lex.abbreviations or owner.endswith(heads)


def _fill(template: str, plan: PlanInfo) -> str | None:
    level = template[template.index("{") + 1:template.index("}")]
    owner = plan.jurisdiction.at(level)
    return template.replace("{" + level + "}", owner) if owner else None


def _official(name: str, owner: str, lex: Lexicon) -> str:
    """市政府 -> 哈尔滨市人民政府: an agency's official name after its jurisdiction."""
    rest = name[len(owner):]
    return owner + lex.official_names[rest] if rest in lex.official_names else name


def _leading_marker(name: str, lex: Lexicon) -> str:
    """The jurisdiction marker a name starts with (市 in 市信息产业局 and 市人大, not in
    市场监管局: see not_markers.txt)."""
    bare = name.lstrip("“")
    marker = _markers(lex).prefix(bare)
    if not marker or len(bare) == len(marker):
        return ""
    if _not_markers(lex).prefix(bare) and not _office_words(lex).prefix(bare[len(marker):]):
        return ""  # 市场监管局, 市政管理系统; but 市政府, 市政协 are the city's
    return marker


@functools.cache
def _markers(lex: Lexicon) -> lexicon.Affixes:
    return lexicon.Affixes(lex.markers)


@functools.cache
def _not_markers(lex: Lexicon) -> lexicon.Affixes:
    return lexicon.Affixes(lex.not_markers)


@functools.cache
def _office_words(lex: Lexicon) -> lexicon.Affixes:
    return lexicon.Affixes({h for h, v in lex.heads.items() if v.type == "Agency"} | set(lex.abbreviations))


def _leading_division(name: str, lex: Lexicon) -> str:
    return lex.division_names.prefix(name)


def _national_name(name: str, lex: Lexicon) -> bool:
    """国家…, 全国…, 中华人民共和国…; but 中国·哈尔滨 is Harbin's."""
    bare = name.strip("“”")
    if not bare.startswith(_national_words(lex)):
        return False
    word = next(w for w in _national_words(lex) if bare.startswith(w))
    return not _leading_division(bare[len(word):].lstrip("·"), lex)


@functools.cache
def _national_words(lex: Lexicon) -> tuple[str, ...]:
    """The national scope words (国家, 全国 …), in the table's order."""
    return tuple(w for w, scope in lex.scope_words.items() if scope == NATIONAL)


def _code_of(division_name: str, plan: PlanInfo, lex: Lexicon) -> str:
    """The adcode of a division named in the plan, preferring the plan's own chain."""
    node = lex.divisions.get(plan.jurisdiction.code)
    while node is not None:
        if division_name in (node.name, lexicon.short_division_name(node.name)):
            return node.code
        node = lex.division_parent(node)
    for division in lex.divisions_by_name.get(division_name, []):
        return division.code
    return _codes_by_short_name(lex).get(division_name) or plan.jurisdiction.code or NATIONAL


@functools.cache
def _codes_by_short_name(lex: Lexicon) -> dict[str, str]:
    """Short name of a province or prefecture -> the adcode of the first one so named."""
    codes: dict[str, str] = {}
    for division in lex.divisions.values():
        if division.level != "county":
            codes.setdefault(lexicon.short_division_name(division.name), division.code)
    return codes


def _national_doc_number(number: str) -> bool:
    return bool(number) and number.startswith(_national_number_prefixes())


@functools.cache
def _national_number_prefixes() -> tuple[str, ...]:
    return tuple(sorted(lexicon.data_lines("national_doc_numbers.txt"), key=len, reverse=True))


# --- merging ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1 << 16)
def variants(name: str, entity_type: str, lex: Lexicon) -> frozenset[str]:
    """Comparison forms under which a name may meet another name of the same thing
    (cached: grouping asks for them once per mention, and again for explicit names).

    >>> sorted(variants("省发改委", "Agency", lexicon.load()))
    ['省发展和改革委员会', '省发改委']
    """
    form = fold(name)
    forms = {form, _expand_abbreviation(form, lex)}
    if entity_type != "Agency":
        opener = next((w for w in lex.name_words if form.startswith(w) and len(form) - len(w) >= 6), "")
        if opener:
            forms.add(form[len(opener):])  # 对俄跨境电子商务综合服务平台 = 跨境电子商务综合服务平台
        nickname = _LEADING_NICKNAME.match(name)
        if nickname and len(name) - nickname.end() >= 6:
            forms.add(fold(name[nickname.end():]))  # “100+1000”智能制造试点示范工程
        for f in list(forms):
            for official in ("人民政府", "政府"):
                at = f.find(official)
                if at >= 0 and len(f) - at - len(official) >= 4:
                    forms.add(f[:at] + f[at + len(official):])  # 市政府电子政务网络平台
        for f in list(forms):
            forms |= _synonym_forms(f, lex, nickname=name.startswith("“"))
        for f in list(forms):
            for line in lex.modifier_synonyms:
                for word in line:
                    if f.startswith(word):
                        forms |= {other + f[len(word):] for other in line}
    if entity_type == "Law":
        bare = normalise_name(name)
        cut = bare.find("关于")
        if cut > 0:
            forms.add(fold(bare[cut:]))
        if _statute(bare) and not bare.startswith("中华人民共和国"):
            forms.add(fold("中华人民共和国" + bare))  # 电子签名法 = 中华人民共和国电子签名法
    return frozenset(forms)


def _synonym_forms(form: str, lex: Lexicon, nickname: bool = False) -> set[str]:
    """A name's forms with its head swapped for a synonym; the stem must be specific: four
    characters, or a quoted nickname (“龙云”计划 = “龙云”建设工程)."""
    forms = set()
    for line, longest_first in _synonym_lines(lex):
        for head in longest_first:
            if form.endswith(head) and len(form) - len(head) >= (2 if nickname else 4):
                stem = form[: -len(head)]
                forms.update(stem + other for other in line)
                break
    return forms


@functools.cache
def _synonym_lines(lex: Lexicon) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    return tuple((line, tuple(sorted(line, key=len, reverse=True))) for line in lex.head_synonyms)


def _expand_abbreviation(form: str, lex: Lexicon) -> str:
    short = _abbreviations(lex).suffix(form)
    return form[: -len(short)] + lex.abbreviations[short][0][0] if short else form


@functools.cache
def _abbreviations(lex: Lexicon) -> lexicon.Affixes:
    return lexicon.Affixes(lex.abbreviations)


def _rest_forms(reading: _Reading, plan: PlanInfo, lex: Lexicon) -> set[str]:
    """What an explicit name is without its jurisdiction (or national prefix): the bare form
    a plan also uses for it (市电子政务内网 -> 电子政务内网, 国家大数据战略 -> 大数据战略)."""
    rests = set()
    owners = _owners_and_national_words(plan.jurisdiction.chain, lex)
    for form in variants(reading.name, reading.mention.type, lex):
        for prefix in lex.name_prefixes:
            if form.startswith(prefix):
                form = form[len(prefix):]
        if not form.startswith(owners):
            continue  # one test for all of them first: most forms start with none
        for owner in owners:
            if form.startswith(owner):
                rest = form[len(owner):]
                rests.add(rest)
                if rest.startswith("委") and reading.mention.type == "Agency":
                    rests.add(rest[1:])  # 黑龙江省委网络安全和信息化领导小组
                break
    return {r for r in rests if len(r) >= 3}


@functools.lru_cache(maxsize=256)
def _owners_and_national_words(chain: tuple[tuple[str, str], ...], lex: Lexicon) -> tuple[str, ...]:
    """The jurisdictions of a plan (full and short names) and the national scope words,
    longest first: what an explicit name may open with."""
    owners = [name for _, name in chain]
    owners += [lexicon.short_division_name(n) for n in owners]
    owners += [w for w, scope in lex.scope_words.items() if scope == NATIONAL]
    return tuple(sorted(owners, key=len, reverse=True))


def _group(readings: list[_Reading], plan: PlanInfo, lex: Lexicon) -> list[list[_Reading]]:
    parent = list(range(len(readings)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    forms = [variants(r.name, r.mention.type, lex) for r in readings]
    owner: dict[tuple[str, str, str], int] = {}
    for i, reading in enumerate(readings):
        for form in forms[i]:
            key = (reading.mention.type, reading.scope, form)
            if key in owner:
                union(i, owner[key])
            else:
                owner[key] = i
    # a bare name (电子政务内网) is the plan's own thing when the plan also writes it with its
    # jurisdiction (市电子政务内网); the plan's own jurisdiction before those above it
    rank = {code: n for n, code in enumerate(_chain_codes(plan, lex))}
    explicit: dict[tuple[str, str], tuple[int, int]] = {}
    for i, reading in enumerate(readings):
        if reading.explicit:
            priority = rank.get(reading.scope, len(rank))
            for rest in _rest_forms(reading, plan, lex):
                key = (reading.mention.type, rest)
                if key not in explicit or priority < explicit[key][0]:
                    explicit[key] = (priority, i)
    for i, reading in enumerate(readings):
        if not reading.explicit:
            match = next((explicit[(reading.mention.type, f)] for f in forms[i] if (reading.mention.type, f) in explicit), None)
            if match is not None:
                union(i, match[1])
    # the plan's own title, with or without its period (哈尔滨市电子政务发展规划)
    for i in (i for i, r in enumerate(readings) if r.mention.rule == "plan-title"):
        bare_title = _PERIOD.sub("", fold(readings[i].name))
        for j, reading in enumerate(readings):
            if reading.mention.type == "Law" and _PERIOD.sub("", fold(reading.name)) == bare_title:
                union(i, j)
    _merge_short_forms(readings, union, find, plan, lex)
    groups: dict[int, list[_Reading]] = {}
    for i, reading in enumerate(readings):
        groups.setdefault(find(i), []).append(reading)
    return list(groups.values())


def _chain_codes(plan: PlanInfo, lex: Lexicon) -> list[str]:
    codes = []
    node = lex.divisions.get(plan.jurisdiction.code)
    while node is not None:
        codes.append(node.code)
        node = lex.division_parent(node)
    return codes + [NATIONAL]


def _merge_short_forms(readings: list[_Reading], union, find, plan: PlanInfo, lex: Lexicon) -> None:
    """现代农业大数据示范工程 is 现代农业大数据示范应用工程 written short: one name drops up to
    three characters of the other, same opening, same head. Compared within buckets of
    (type, scope, opening, head), so the cost stays linear in practice."""
    heads = tuple(lex.heads)
    owners = _owner_names(plan, lex)
    buckets: dict[tuple, list[tuple[int, str]]] = {}
    for i, reading in enumerate(readings):
        if reading.mention.expanded or reading.mention.type == "Agency":
            continue
        form = _short_form(fold(reading.name), reading.mention.type, owners, lex)
        if reading.mention.type == "Law" and not form.startswith("关于"):
            continue  # only a title's 关于… form is compared; 十三五信息化规划 is not 十三五国家信息化规划
        if len(form) >= 6 and form.endswith(heads):
            buckets.setdefault((reading.mention.type, reading.scope, form[:2], form[-2:]), []).append((i, form))
    for members in buckets.values():
        for a, fa in members:
            for b, fb in members:
                if len(fa) < len(fb) <= len(fa) + 3 and _subsequence(fa, fb) and find(a) != find(b):
                    union(a, b)


def _owner_names(plan: PlanInfo, lex: Lexicon) -> tuple[str, ...]:
    names = [name for _, name in plan.jurisdiction.chain]
    names += [lexicon.short_division_name(n) for n in names]
    return tuple(sorted(set(names), key=len, reverse=True))


def _short_form(form: str, entity_type: str, owners: tuple[str, ...], lex: Lexicon) -> str:
    """A name without its jurisdiction, and a law without its issuers."""
    if entity_type == "Law" and "关于" in form:
        return form[form.index("关于"):]
    owner = next((o for o in owners if form.startswith(o)), "")
    return form[len(owner):]


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def _entity(group: list[_Reading], lex: Lexicon) -> Entity:
    entity_type = group[0].mention.type
    best = group[0] if len(group) == 1 else _best_reading(group, entity_type)  # most groups are one mention
    name = best.name
    normal = normalise_name(name)
    aliases: list[str] = []
    for reading in group:
        for alias in (reading.name, reading.surface, *reading.aliases):
            if alias and alias not in aliases and normalise_name(alias) != normal:
                aliases.append(alias)
    if entity_type == "Agency":
        expanded = _expand_abbreviation(name, lex)
        if expanded != name and expanded not in aliases:
            aliases.append(expanded)
    if entity_type == "Law":
        cut = normal.find("关于")
        if cut > 0 and normal[cut:] not in aliases:
            aliases.append(normal[cut:])
    key_form = fold(name) if entity_type == "Law" else _expand_abbreviation(fold(name), lex)
    if entity_type == "Law" and _statute(name) and not key_form.startswith("中华人民共和国"):
        key_form = "中华人民共和国" + key_form  # 电子签名法 in one plan is 中华人民共和国电子签名法 in another
    return Entity(
        key=f"{entity_type}|{best.scope}|{key_form}",
        type=entity_type,
        name=name,
        aliases=aliases,
        mentions=sorted((r.mention for r in group), key=lambda m: (m.start, m.end)),
        scope=best.scope,
        elliptical=all(r.mention.expanded for r in group),
        doc_number=next((r.mention.doc_number for r in group if r.mention.doc_number), ""),
    )


def _best_reading(group: list[_Reading], entity_type: str) -> _Reading:
    """The reading whose name the entity takes."""
    counts = Counter(fold(r.name) for r in group)

    def preference(r: _Reading):
        length = len(normalise_name(r.name))
        frequency = counts[fold(r.name)]
        if entity_type == "Agency":  # the fullest official form: 黑龙江省农业委员会 over 省农委
            return (r.explicit, not r.mention.expanded, length, frequency, -r.mention.start)
        return (r.explicit, not r.mention.expanded, r.mention.rule == "title", frequency, -r.mention.start, length)

    return max(group, key=preference)
