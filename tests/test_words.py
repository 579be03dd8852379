"""The segmenter's dictionary: made from jieba's, kept in the cache, the same either way."""
from __future__ import annotations

import os
import time
from pathlib import Path

import jieba

from kg import words

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _summary(prepared) -> tuple:
    """What tells two prepared dictionaries apart: the automaton has no equality of its own."""
    automaton, unknown = prepared
    return len(automaton), automaton.get("网外务政子电", None), automaton.get("市城", None), unknown


def test_segmenter_cuts_as_jieba_does_with_the_same_words(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    ours = words.Segmenter(["指挥系统", "应急指挥"], ["重点建设"])
    theirs = jieba.Tokenizer()
    for word in ("指挥系统", "应急指挥"):
        theirs.add_word(word)
    theirs.del_word("重点建设")
    texts = ("重点建设城市应急指挥系统", "建设全省统一的电子政务外网", "人口基础信息库和法人单位信息库")
    for text in texts:
        assert [w.text for w in ours.cut(text)] == list(theirs.cut(text, HMM=False))
    assert ours.tag("城市") == "ns" and ours.tag("应急指挥") == ""


def test_segmenter_routes_a_whole_plan_as_jieba_does(tmp_path, monkeypatch):
    """Every line of a seed plan, digits, Latin letters and punctuation included: the word
    ends of jieba's own most probable route (its get_DAG and calc) and their tags."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    ours, theirs = words.Segmenter(), jieba.Tokenizer()
    theirs.initialize()
    entries = map(str.split, words.JIEBA_DICT.read_text(encoding="utf-8").splitlines())
    tags = {parts[0]: parts[2] for parts in entries if len(parts) == 3}
    lines = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8").splitlines()
    assert sum(map(len, lines)) > 10_000
    for line in filter(None, lines):
        route, ends, start = {}, [], 0
        theirs.calc(line, theirs.get_DAG(line), route)
        while start < len(line):
            ends.append((route[start][1] + 1, tags.get(line[start:route[start][1] + 1], "")))
            start = ends[-1][0]
        assert ours._route(line) == ends, line


def test_the_dictionary_is_cached_and_remade_when_unreadable(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    made = _summary(words.prepared_dictionary(("电子政务外网",), ()))
    cached, = (tmp_path / "infokg").glob("words-*.pickle")
    assert _summary(words.prepared_dictionary(("电子政务外网",), ())) == made
    cached.write_bytes(b"not a pickle")
    assert _summary(words.prepared_dictionary(("电子政务外网",), ())) == made
    assert len(list((tmp_path / "infokg").glob("words-*.pickle"))) == 1
    words.prepared_dictionary(("电子政务内网",), ())  # other words, another file
    assert len(list((tmp_path / "infokg").glob("words-*.pickle"))) == 2


def test_an_unwritable_cache_only_costs_time(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    automaton, unknown = words.prepared_dictionary(("电子政务外网",), ())
    length, log_p, tag = automaton.get("网外务政子电")
    assert length == 6 and unknown <= log_p < 0 and tag == ""
    assert automaton.get("市城")[2] == "ns" and "务政" in automaton


def test_the_cache_keeps_only_the_most_recently_used_dictionaries(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(words, "KEPT_DICTIONARIES", 2)
    folder = tmp_path / "infokg"
    folder.mkdir()
    (folder / "words-0123456789abcdef.marshal").write_bytes(b"an older layout")
    first = _summary(words.prepared_dictionary(("甲系统",), ()))
    words.prepared_dictionary(("乙系统",), ())
    files = {path.name: path for path in folder.glob("words-*.pickle")}
    for age, path in enumerate(sorted(files.values()), start=1):
        os.utime(path, (time.time() - 3600 * age,) * 2)  # both used an hour or more ago
    assert _summary(words.prepared_dictionary(("甲系统",), ())) == first  # used again: the newest now
    words.prepared_dictionary(("丙系统",), ())  # a third: the least recently used goes
    left = {path.name for path in folder.glob("words-*.pickle")}
    assert len(left) == 2 and len(left & set(files)) == 1
    assert _summary(words.prepared_dictionary(("甲系统",), ())) == first
    assert {p.name for p in folder.glob("words-*")} == left  # the older layout's file is gone too
