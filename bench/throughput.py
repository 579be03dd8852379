"""Extraction throughput: infokg's extractor beside two reference passes over the same text.

A number alone says little on a machine nobody else has; the references run in the same
process over the same documents, so the ratios carry over: a spaCy blank-Chinese pipeline
with jieba words (what a spaCy-based extractor pays before it does anything) and a plain
suffix regex (the naive extractor). Every pass first runs over a warm-up text, so model and
dictionary loading are not counted; the timed text is not the warm-up text. infokg's pass
over the warm-up text is timed too: its caches are empty then, as on a corpus of unrelated plans.
The warm passes take turns for several rounds, each round over new rewordings (infokg caches
what it has read: a round that repeated a text would time its cache), and each pass keeps its
fastest round, as ``timeit`` keeps its fastest: this machine's speed drifts by a third within
a minute, and one pass of each, taken at different moments, gave ratios from 1.07 to 1.58 for
the same code.
"""
from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Callable

from . import corpus

# the naive extractor: a run of Han characters ending in a head noun
SUFFIX_REGEX = re.compile(r"[\u4e00-\u9fff]{2,12}(?:平台|系统|数据库|数据中心|网站|网络|工程|项目|局|厅|委|办)")
TARGET_RATIO = 2.0  # infokg ≥ 2× the spaCy + jieba pass


def run(seeds: Path = corpus.SEEDS, copies: int = 3, seed: int = 0, rounds: int = 3) -> dict:
    """Warm up on the seeds (copy 0); in round r, time every pass over varied copies
    r·copies+1 .. (r+1)·copies, so that no round repeats a text infokg has seen; then time
    infokg's stages over the copies of one round more."""
    texts = corpus.read_seeds(seeds)
    named = corpus.places(texts)
    warmup = list(texts.values())
    timed = [[t for copy in range(r * copies + 1, (r + 1) * copies + 1) for t in corpus.vary(texts, named, copy, seed).values()]
             for r in range(rounds + 1)]
    result = measure(timed[:rounds], warmup)
    result["stages"] = stages([_ingest(t) for t in timed[rounds]])
    return result


def stages(documents: list) -> dict:
    """Seconds infokg's pipeline spends making each Doc and in each component over
    ``documents`` (texts it has not read, after the timed rounds: caches as warm as theirs)."""
    from kg.pipeline import fewer_young_collections, load_pipeline, make_doc

    nlp = load_pipeline()
    seconds = {"make_doc": 0.0, **{name: 0.0 for name in nlp.pipe_names}}
    for document in documents:
        with fewer_young_collections():
            start = time.perf_counter()
            doc = make_doc(nlp, document)
            seconds["make_doc"] += time.perf_counter() - start
            for name, component in nlp.pipeline:
                start = time.perf_counter()
                doc = component(doc)
                seconds[name] += time.perf_counter() - start
    return {"chars": sum(len(d.norm) for d in documents), "seconds": seconds}


def measure(rounds: list[list[str]], warmup: list[str]) -> dict:
    """chars/s of each pass, the fastest of its rounds (each round's texts), and infokg's
    ratio to the spaCy + jieba pass."""
    from kg.extract import extract_document, load_pipeline

    load_pipeline()
    first = _rate(extract_document, [_ingest(t) for t in warmup], sum(map(len, warmup)))
    spacy_jieba, count_names = _spacy_jieba(), lambda t: sum(1 for _ in SUFFIX_REGEX.finditer(t))
    for work in (spacy_jieba, count_names):
        for text in warmup:
            work(text)
    runs: dict[str, list[dict]] = {"infokg_extract": [], "infokg_ingest": [], "spacy_jieba": [], "suffix_regex": []}
    for texts in rounds:
        chars, prepared = sum(map(len, texts)), [_ingest(t) for t in texts]
        for name, work, items in (("infokg_extract", extract_document, prepared), ("infokg_ingest", _ingest, texts),
                                  ("spacy_jieba", spacy_jieba, texts), ("suffix_regex", count_names, texts)):
            runs[name].append(_rate(work, items, chars))
    passes = {"infokg_extract_first": first, **{name: _fastest(each) for name, each in runs.items()}}
    ratio = passes["infokg_extract"]["chars_per_s"] / passes["spacy_jieba"]["chars_per_s"]
    return {"documents": len(rounds[0]), "chars": sum(map(len, rounds[0])), "rounds": len(rounds),
            "warmup_chars": sum(map(len, warmup)), "passes": passes, "ratio_infokg_to_spacy_jieba": ratio,
            "target_ratio": TARGET_RATIO, "met": ratio >= TARGET_RATIO}


def _ingest(text: str):
    from kg.ingest import document_from_text

    return document_from_text("bench.txt", text)


def _spacy_jieba() -> Callable[[str], object]:
    import spacy

    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


def _rate(work: Callable, items: list, chars: int) -> dict:
    start = time.perf_counter()
    for item in items:
        work(item)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "chars_per_s": chars / seconds}


def _fastest(runs: list[dict]) -> dict:
    """The fastest run, with every run's rate (to see how much they spread)."""
    return {**max(runs, key=lambda run: run["chars_per_s"]), "all_chars_per_s": [run["chars_per_s"] for run in runs]}


def rows(result: dict) -> list[tuple[str, str, str, str]]:
    """Table rows: (measurement, result, target, met)."""
    labels = {"infokg_extract_first": "infokg extract_document, first pass (warm-up text, nothing cached)",
              "infokg_extract": "infokg extract_document", "infokg_ingest": "infokg ingest (normalise)",
              "spacy_jieba": "spaCy blank zh + jieba", "suffix_regex": "suffix regex"}
    rounds = f", fastest of {result['rounds']} rounds" if result["rounds"] > 1 else ""
    table = [(f"{labels[k]} ({result['warmup_chars']:,} chars)" if k == "infokg_extract_first" else
              f"{labels[k]} ({result['chars']:,} chars{rounds})",
              f"{v['chars_per_s']:,.0f} chars/s", "", "") for k, v in result["passes"].items()]
    table.append(("infokg / spaCy+jieba", f"{result['ratio_infokg_to_spacy_jieba']:.2f}×",
                  f"≥ {TARGET_RATIO:g}×", "yes" if result["met"] else "no"))
    if "stages" in result:
        seconds = result["stages"]["seconds"]
        total = sum(seconds.values())
        table.append((f"infokg stages ({result['stages']['chars']:,} chars more)",
                      " · ".join(f"{name.removeprefix('infokg_')} {s:.3f} s ({s / total:.0%})" for name, s in seconds.items()),
                      "", ""))
    return table
