"""A corpus of N× the seed plans in which names and jurisdictions vary.

Plain repetition would let entity resolution merge every copy into the seeds' entities and
flatter the build; here each copy after the first moves the plans to other real places and
other sectors, so the graph grows with the corpus as it would with real plans.

Copy 0 is the seeds verbatim. In copy k ≥ 1, with an RNG seeded by (seed, k):

* every province and prefecture the seeds name (full name 哈尔滨市 or short form 哈尔滨;
  the nickname 龙江 for 黑龙江) becomes another real division of the same level from
  ``kg/data/divisions.tsv`` — a prefecture goes to a prefecture of its province's new
  province, a county of a renamed prefecture to a county of the new prefecture — the same
  way in every plan of the copy;
* sector words in names (交通, 教育, 医疗, 环保, …) are permuted;
* numbers of one to three digits (not dates) are redrawn with as many digits.

File names are ``{copy:04d}_{seed file name}``. The same seeds and seed give the same bytes.

    python -m bench.corpus --copies 10 --out /tmp/corpus10
"""
from __future__ import annotations

import argparse
import functools
import random
import re
from dataclasses import dataclass
from pathlib import Path

from kg import lexicon
from kg.lexicon import Division, short_division_name

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

SECTORS = ("交通", "教育", "医疗", "环保", "农业", "水利", "旅游", "文化", "卫生", "国土", "林业",
           "气象", "社保", "税务", "工商", "科技", "商务", "劳动", "金融", "物流", "财政", "档案",
           "广电", "就业", "食品", "司法", "人口")  # not 民政 (人民政府) or 统计 (系统计算机)
NICKNAMES = {"黑龙江省": "龙江"}  # spoken short forms the seeds use (宽带龙江)
_NUMBER = re.compile(r"(?<![0-9.])[0-9]{1,3}(?![0-9.年月日])")


@dataclass(frozen=True)
class Divisions:
    """The divisions, by code, with each one's children in code order."""

    by_code: dict[str, Division]
    children: dict[str, list[Division]]


@functools.cache
def divisions() -> Divisions:
    by_code = {d.code: d for d in lexicon.load().divisions.values()}
    children: dict[str, list[Division]] = {}
    for division in sorted(by_code.values(), key=lambda d: d.code):
        children.setdefault(division.parent, []).append(division)
    return Divisions(by_code, children)


def read_seeds(folder: Path = SEEDS) -> dict[str, str]:
    """The seed plans by file name, in name order."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}


def generate(copies: int, out: Path, seeds: Path = SEEDS, seed: int = 0) -> list[Path]:
    """Write ``copies`` × the seed plans into ``out``; returns the files in name order."""
    texts = read_seeds(seeds)
    if not texts:
        raise ValueError(f"{seeds}: no *.txt seed plans")
    out.mkdir(parents=True, exist_ok=True)
    named = places(texts)
    paths = []
    for copy in range(copies):
        for name, text in vary(texts, named, copy, seed).items():
            path = out / f"{copy:04d}_{name}"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
    return paths


def places(texts: dict[str, str]) -> list[Division]:
    """Provinces and prefectures the texts name, and counties of those prefectures whose
    names cannot be ordinary words (宾县 and 呼兰区, not 城区)."""
    table = divisions()
    found = [d for d in table.by_code.values() if d.level != "county" and any(_occurs(d, t) for t in texts.values())]
    prefectures = {d.code for d in found if d.level == "prefecture"}
    counties = [d for code in sorted(prefectures) for d in table.children.get(code, [])
                if _distinctive(d.name) and any(d.name in t for t in texts.values())]
    return sorted(found + counties, key=lambda d: d.code)


def _occurs(division: Division, text: str) -> bool:
    return any(form in text for form in _forms(division))


def _forms(division: Division) -> tuple[str, ...]:
    """Full name, short form and nickname: how a plan names the division."""
    if division.level == "county":
        return (division.name,)
    short = short_division_name(division.name)
    return tuple(dict.fromkeys(f for f in (division.name, short, NICKNAMES.get(division.name)) if f))


def _distinctive(name: str) -> bool:
    return len(name) >= 3 or name.endswith("县")


def vary(texts: dict[str, str], named: list[Division], copy: int, seed: int) -> dict[str, str]:
    """Copy ``copy`` of the texts: copy 0 as given, later ones moved and reworded."""
    if copy == 0:
        return dict(texts)
    rng = random.Random(f"infokg-bench:{seed}:{copy}")
    renames = _renames(named, rng)
    shuffled = rng.sample(SECTORS, len(SECTORS))
    renames.update(zip(SECTORS, shuffled))
    pattern = re.compile("|".join(map(re.escape, sorted(renames, key=len, reverse=True))))
    numbers: dict[str, str] = {}
    varied = {}
    for name, text in texts.items():
        text = pattern.sub(lambda m: renames[m.group()], text)
        varied[name] = _NUMBER.sub(lambda m: numbers.setdefault(m.group(), _redraw(m.group(), rng)), text)
    return varied


def _renames(named: list[Division], rng: random.Random) -> dict[str, str]:
    """Each form of each named division → the same form of its new division."""
    moves = _moves(named, rng)
    renames = {}
    for division in named:
        target = moves[division.code]
        for form, new in zip(_forms(division), _aligned_forms(division, target)):
            renames.setdefault(form, new)
    return renames


def _aligned_forms(division: Division, target: Division) -> tuple[str, ...]:
    """The target's forms in the order of the source's (a nickname becomes a short form)."""
    short = short_division_name(target.name)
    return tuple({division.name: target.name}.get(f, short) for f in _forms(division))


def _moves(named: list[Division], rng: random.Random) -> dict[str, Division]:
    """Source code → target division: provinces to unused provinces with room for the
    prefectures named under them, prefectures within the new province, counties within
    the new prefecture."""
    table = divisions()
    under = {}
    for division in named:
        under.setdefault(division.parent, []).append(division)
    provinces = sorted({d.code for d in named if d.level == "province"}
                       | {d.parent for d in named if d.level == "prefecture"})
    free = [d for d in table.children[""] if d.level == "province"]
    moves: dict[str, Division] = {}
    for code in provinces:
        wanted = [d for d in under.get(code, []) if d.level == "prefecture"]
        fitting = [p for p in free if len(_prefectures(p.code)) >= len(wanted)]
        target = rng.choice(fitting)
        free.remove(target)
        moves[code] = target
        moves.update(_spread(wanted, _prefectures(target.code), rng))
    for division in named:
        if division.level == "prefecture":
            pool = [c for c in table.children.get(moves[division.code].code, []) if _distinctive(c.name)]
            moves.update(_spread(under.get(division.code, []), pool, rng))
    return moves


def _prefectures(province: str) -> list[Division]:
    return [d for d in divisions().children.get(province, []) if d.level == "prefecture"]


def _spread(sources: list[Division], pool: list[Division], rng: random.Random) -> dict[str, Division]:
    """Sources onto distinct members of the pool (repeats only when the pool is too small;
    with an empty pool, such as a prefecture without counties, they stay where they are)."""
    if not pool:
        return {s.code: s for s in sources}
    picks = rng.sample(pool, len(sources)) if len(pool) >= len(sources) else rng.choices(pool, k=len(sources))
    return {s.code: p for s, p in zip(sources, picks)}


def _redraw(number: str, rng: random.Random) -> str:
    if len(number) == 1:
        return str(rng.randrange(1, 10))
    return str(rng.randrange(10 ** (len(number) - 1), 10 ** len(number)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description="Write N× the seed plans, varied.")
    parser.add_argument("--copies", type=int, required=True, help="how many times the seed text")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the .txt plans into")
    parser.add_argument("--seeds", type=Path, default=SEEDS, help="folder of seed plans (default: seeds/)")
    parser.add_argument("--seed", type=int, default=0, help="RNG seed (default 0)")
    args = parser.parse_args(argv)
    paths = generate(args.copies, args.out, args.seeds, args.seed)
    print(f"wrote {len(paths)} plans, {sum(len(p.read_text(encoding='utf-8')) for p in paths):,} characters, to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
