"""Evaluate: score extraction output against gold annotations (ANNOTATION.md).

Predictions are read in the shape ``kg extract --format json`` prints (OUTPUT.md), so the
scorer judges exactly what users and other tools see. Entities match when types agree and
any normalised name or alias of one equals any of the other; matching is one-to-one, so
two predictions of one gold entity are one hit and one false positive. Optional gold items
are neutral; the *core* score also treats elliptical items as neutral, the *strict* score
counts them.

>>> gold = {"document": "a.txt", "entities": [
...     {"id": "g1", "type": "Agency", "name": "哈尔滨市信息产业局", "aliases": ["市信息产业局"]}],
...     "relations": []}
>>> pred = {"document": "a.txt", "entities": [
...     {"id": "p1", "type": "Agency", "name": "市信息产业局", "aliases": []}], "relations": []}
>>> score([gold], [pred]).entities["all"].f1
1.0
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .resolve import normalise_name

ENTITY_TYPES = ("Agency", "Project", "Database", "Platform", "Law")
RELATION_TYPES = ("leads", "participates-in", "depends-on", "integrates", "based-on", "issued-by", "part-of")


@dataclass
class Counts:
    hits: int = 0
    false_positives: int = 0
    misses: int = 0

    @property
    def precision(self) -> float:
        found = self.hits + self.false_positives
        return self.hits / found if found else 0.0

    @property
    def recall(self) -> float:
        wanted = self.hits + self.misses
        return self.hits / wanted if wanted else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "Counts") -> None:
        self.hits += other.hits
        self.false_positives += other.false_positives
        self.misses += other.misses


@dataclass
class Errors:
    """What went wrong, for the error analysis a person reads."""

    missed_entities: list[tuple[str, dict]] = field(default_factory=list)
    spurious_entities: list[tuple[str, dict]] = field(default_factory=list)
    wrong_names: list[tuple[str, str, str]] = field(default_factory=list)  # doc, predicted, gold
    missed_relations: list[tuple[str, str, str, str]] = field(default_factory=list)
    spurious_relations: list[tuple[str, str, str, str]] = field(default_factory=list)


@dataclass
class Score:
    entities: dict[str, Counts]
    relations: dict[str, Counts]
    names_right: int = 0
    names_compared: int = 0
    errors: Errors = field(default_factory=Errors)

    @property
    def name_accuracy(self) -> float:
        return self.names_right / self.names_compared if self.names_compared else 0.0


def _forms(entity: dict) -> set[str]:
    return {normalise_name(n) for n in [entity.get("name", ""), *entity.get("aliases", [])] if n}


def _matches(a: dict, b: dict) -> bool:
    return a["type"] == b["type"] and bool(_forms(a) & _forms(b))


def _max_matching(pairs: dict[int, list[int]]) -> dict[int, int]:
    """Maximum bipartite matching (augmenting paths): left index -> right index."""
    match_right: dict[int, int] = {}

    def augment(left: int, seen: set[int]) -> bool:
        for right in pairs.get(left, []):
            if right in seen:
                continue
            seen.add(right)
            if right not in match_right or augment(match_right[right], seen):
                match_right[right] = left
                return True
        return False

    for left in pairs:
        augment(left, set())
    return {left: right for right, left in match_right.items()}


def _neutral(entity: dict, strict: bool) -> bool:
    return bool(entity.get("optional")) or (not strict and bool(entity.get("elliptical")))


def score_document(gold: dict, predicted: dict, strict: bool = False, errors: Errors | None = None) -> Score:
    errors = errors if errors is not None else Errors()
    name = gold.get("document", "")
    gold_entities = gold.get("entities", [])
    pred_entities = predicted.get("entities", [])
    required = [g for g in gold_entities if not _neutral(g, strict)]
    neutral = [g for g in gold_entities if _neutral(g, strict)]
    pairs = {p: [g for g, ge in enumerate(required) if _matches(pe, ge)] for p, pe in enumerate(pred_entities)}
    matched = _max_matching({p: gs for p, gs in pairs.items() if gs})
    entities = {t: Counts() for t in ENTITY_TYPES}
    score = Score(entities=entities, relations={t: Counts() for t in RELATION_TYPES}, errors=errors)
    for p, pe in enumerate(pred_entities):
        counts = entities.setdefault(pe["type"], Counts())
        if p in matched:
            counts.hits += 1
            ge = required[matched[p]]
            score.names_compared += 1
            if normalise_name(pe["name"]) == normalise_name(ge["name"]):
                score.names_right += 1
            else:
                errors.wrong_names.append((name, pe["name"], ge["name"]))
        elif not any(_matches(pe, ge) for ge in neutral):
            counts.false_positives += 1
            errors.spurious_entities.append((name, pe))
    for g, ge in enumerate(required):
        if g not in matched.values():
            entities.setdefault(ge["type"], Counts()).misses += 1
            errors.missed_entities.append((name, ge))
    _score_relations(gold, predicted, strict, score)
    return score


def _score_relations(gold: dict, predicted: dict, strict: bool, score: Score) -> None:
    name = gold.get("document", "")
    gold_by_id = {e["id"]: e for e in gold.get("entities", [])}
    pred_by_id = {e["id"]: e for e in predicted.get("entities", [])}
    gold_relations = [r for r in gold.get("relations", []) if r["head"] in gold_by_id and r["tail"] in gold_by_id]

    def neutral(relation: dict) -> bool:
        return bool(relation.get("optional")) or _neutral(gold_by_id[relation["head"]], strict) \
            or _neutral(gold_by_id[relation["tail"]], strict)

    def label(entity: dict) -> str:
        return entity.get("name", "?")

    seen = set()
    predicted_relations = []
    for relation in predicted.get("relations", []):
        key = (relation["type"], relation["head"], relation["tail"])
        if key not in seen and relation["head"] in pred_by_id and relation["tail"] in pred_by_id:
            seen.add(key)
            predicted_relations.append(relation)

    def same(pr: dict, gr: dict) -> bool:
        return (pr["type"] == gr["type"] and _matches(pred_by_id[pr["head"]], gold_by_id[gr["head"]])
                and _matches(pred_by_id[pr["tail"]], gold_by_id[gr["tail"]]))

    required = [r for r in gold_relations if not neutral(r)]
    optional = [r for r in gold_relations if neutral(r)]
    pairs = {p: [g for g, gr in enumerate(required) if same(pr, gr)] for p, pr in enumerate(predicted_relations)}
    matched = _max_matching({p: gs for p, gs in pairs.items() if gs})
    for p, pr in enumerate(predicted_relations):
        counts = score.relations.setdefault(pr["type"], Counts())
        if p in matched:
            counts.hits += 1
        elif not any(same(pr, gr) for gr in optional):
            counts.false_positives += 1
            score.errors.spurious_relations.append(
                (name, pr["type"], label(pred_by_id[pr["head"]]), label(pred_by_id[pr["tail"]])))
    for g, gr in enumerate(required):
        if g not in matched.values():
            score.relations.setdefault(gr["type"], Counts()).misses += 1
            score.errors.missed_relations.append(
                (name, gr["type"], label(gold_by_id[gr["head"]]), label(gold_by_id[gr["tail"]])))


def score(gold_documents: list[dict], predictions: list[dict], strict: bool = False) -> Score:
    """Micro-averaged scores over documents; per type and under "all"."""
    by_name = {p["document"]: p for p in predictions}
    total = Score(entities={t: Counts() for t in ENTITY_TYPES}, relations={t: Counts() for t in RELATION_TYPES})
    for gold in gold_documents:
        predicted = by_name.get(gold["document"], {"document": gold["document"], "entities": [], "relations": []})
        part = score_document(gold, predicted, strict, total.errors)
        for table, counts in ((total.entities, part.entities), (total.relations, part.relations)):
            for kind, c in counts.items():
                table.setdefault(kind, Counts()).add(c)
        total.names_right += part.names_right
        total.names_compared += part.names_compared
    for table in (total.entities, total.relations):
        overall = Counts()
        for c in list(table.values()):
            overall.add(c)
        table["all"] = overall
    return total


def load_gold(folder: Path | str) -> list[dict]:
    folder = Path(folder)
    files = sorted(folder.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"{folder}: no gold files (*.json) found; give the folder of gold annotations")
    documents = []
    for path in files:
        try:
            documents.append(json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); fix the gold file") from None
    return documents


def report(core: Score, strict: Score) -> str:
    """The table ``kg eval`` prints."""
    lines = ["entities        core P   core R  core F1 | strict P strict R strict F1"]
    for kind in (*ENTITY_TYPES, "all"):
        c, s = core.entities[kind], strict.entities[kind]
        lines.append(f"  {kind:<12}{c.precision:8.3f}{c.recall:9.3f}{c.f1:9.3f} |{s.precision:9.3f}{s.recall:9.3f}{s.f1:10.3f}")
    lines.append(f"  canonical-name accuracy (core hits): {core.name_accuracy:.3f} "
                 f"({core.names_right}/{core.names_compared})")
    lines.append("relations       core P   core R  core F1 | strict P strict R strict F1")
    for kind in (*RELATION_TYPES, "all"):
        c, s = core.relations[kind], strict.relations[kind]
        lines.append(f"  {kind:<14}{c.precision:6.3f}{c.recall:9.3f}{c.f1:9.3f} |{s.precision:9.3f}{s.recall:9.3f}{s.f1:10.3f}")
    return "\n".join(lines)


def as_json(core: Score, strict: Score) -> dict:
    def table(counts: dict[str, Counts]) -> dict:
        return {k: {"precision": round(c.precision, 4), "recall": round(c.recall, 4), "f1": round(c.f1, 4),
                    "hits": c.hits, "false_positives": c.false_positives, "misses": c.misses}
                for k, c in counts.items()}
    return {
        "core": {"entities": table(core.entities), "relations": table(core.relations),
                 "canonical_name_accuracy": round(core.name_accuracy, 4)},
        "strict": {"entities": table(strict.entities), "relations": table(strict.relations),
                   "canonical_name_accuracy": round(strict.name_accuracy, 4)},
    }
