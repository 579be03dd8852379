"""The segmenter's dictionary: made from jieba's, kept in the cache, the same either way."""
from __future__ import annotations

import os
import time

import jieba

from kg import words


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


def test_the_dictionary_is_cached_and_remade_when_unreadable(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    made = words.prepared_dictionary(("电子政务外网",), ())
    cached, = (tmp_path / "infokg").glob("words-*.marshal")
    assert words.prepared_dictionary(("电子政务外网",), ()) == made
    cached.write_bytes(b"not marshal")
    assert words.prepared_dictionary(("电子政务外网",), ()) == made
    assert len(list((tmp_path / "infokg").glob("words-*.marshal"))) == 1
    words.prepared_dictionary(("电子政务内网",), ())  # other words, another file
    assert len(list((tmp_path / "infokg").glob("words-*.marshal"))) == 2


def test_an_unwritable_cache_only_costs_time(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    log_p, unknown, tags = words.prepared_dictionary(("电子政务外网",), ())
    assert unknown <= log_p["电子政务外网"] < 0 and log_p["电子政务"] and tags["城市"] == "ns"


def test_the_cache_keeps_only_the_most_recently_used_dictionaries(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(words, "KEPT_DICTIONARIES", 2)
    folder = tmp_path / "infokg"
    first = words.prepared_dictionary(("甲系统",), ())
    words.prepared_dictionary(("乙系统",), ())
    files = {path.name: path for path in folder.glob("words-*.marshal")}
    for age, path in enumerate(sorted(files.values()), start=1):
        os.utime(path, (time.time() - 3600 * age,) * 2)  # both used an hour or more ago
    assert words.prepared_dictionary(("甲系统",), ()) == first  # used again: the newest now
    words.prepared_dictionary(("丙系统",), ())  # a third: the least recently used goes
    left = {path.name for path in folder.glob("words-*.marshal")}
    assert len(left) == 2 and len(left & set(files)) == 1
    assert words.prepared_dictionary(("甲系统",), ()) == first and {p.name for p in folder.glob("words-*")} == left
