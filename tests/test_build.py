"""The streaming build (kg.build): the graph of kg.graph's dataset, whatever order the plans come
in; the store made from its kg.nq holds that graph; a text under two names is one document; a
rebuild replaces the exports, and a build that reads nothing leaves them as they were."""
from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys

import pytest

from kg.build import NO_FULL_COLLECTION, SpoolFile, _spool_prefix, build, full_collections_spared, in_child, make_piece
from kg.export import EXPORTS, write_exports
from kg.extract import extract_path
from kg.graph import build_dataset
from kg.pipeline import YOUNG_COLLECTION_EVERY, fewer_young_collections
from kg.store import exports_store, ox_quads

SEEDS = ("001", "004")


@pytest.fixture(scope="module")
def plans(seed_paths):
    return [p for p in seed_paths if p.name.startswith(SEEDS)]


def files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_build_is_the_dataset_of_its_plans_in_any_order(plans, seed_extractions, tmp_path):
    written, failures = build(plans, tmp_path / "out")
    assert failures == 0 and set(written) == {*EXPORTS, "viewer"}
    again, _ = build(list(reversed(plans)), tmp_path / "again")
    assert files(tmp_path / "out") == files(tmp_path / "again")
    extractions = [x for x in seed_extractions if x.document.name.startswith(SEEDS)]
    with exports_store(tmp_path / "store", written["kg.nq"], read_only=True) as store:
        assert set(store) == set(ox_quads(build_dataset(extractions)))
        from_store = write_exports(store, tmp_path / "from-store")
    assert all(from_store[name].read_bytes() == written[name].read_bytes() for name in EXPORTS)


def test_the_same_text_under_two_names_is_one_document(plans, seed_extractions, tmp_path):
    copy = tmp_path / "copy-of-004.txt"
    shutil.copyfile(plans[1], copy)
    written, _ = build([*plans, copy], tmp_path / "out")
    extractions = [x for x in seed_extractions if x.document.name.startswith(SEEDS)]
    expected = write_exports(build_dataset([*extractions, extract_path(copy)]), tmp_path / "expected")
    assert all(expected[name].read_bytes() == written[name].read_bytes() for name in EXPORTS)
    assert b"copy-of-004.txt" in written["kg.trig"].read_bytes()


def test_a_rebuild_replaces_the_exports_and_an_empty_one_changes_nothing(plans, seed_extractions, tmp_path):
    out = tmp_path / "out"
    build(plans, out)
    build(plans[:1], out)
    first = [x for x in seed_extractions if x.document.name == plans[0].name]
    before = files(out)
    write_exports(build_dataset(first), tmp_path / "first")
    assert {name: data for name, data in before.items() if name != "viewer.html"} == files(tmp_path / "first")
    unreadable = tmp_path / "bad.txt"
    unreadable.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(ValueError, match="no plan could be read"):
        build([unreadable], out)
    assert files(out) == before
    with pytest.raises(ValueError, match="no plan could be read"):
        build([unreadable], tmp_path / "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt", "first", "out"]  # nothing left behind


def test_two_workers_write_the_same_files_and_leave_no_spool_behind(plans, tmp_path):
    one, _ = build(plans, tmp_path / "one")
    two, _ = build(plans, tmp_path / "two", workers=2)
    assert {name: path.read_bytes() for name, path in one.items()} == {name: path.read_bytes() for name, path in two.items()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one", "two"]


def test_a_build_removes_the_spools_of_killed_builds_on_this_host_and_no_other(plans, tmp_path):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = _spool_prefix().replace(f"-{os.getpid()}-", f"-{int(ended.stdout)}-") + "abc"
    alive = _spool_prefix() + "def"  # this process's: a build still running
    elsewhere = ".kg-build-another-host-1-ghi"
    for name in (dead, alive, elsewhere):
        (tmp_path / name).mkdir()
        (tmp_path / name / "1.graphs").write_bytes(b"...")
    build(plans[:1], tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive, elsewhere, "out"])


def test_work_in_a_child_process_gives_its_result_or_raises_its_error():
    assert in_child(sorted, {3, 1, 2})() == [1, 2, 3]
    with pytest.raises(ValueError, match="invalid literal"):
        in_child(int, "x")()


def test_a_plan_leaves_no_cycles_behind_so_a_build_may_put_off_full_collections(plans, tmp_path):
    spool = SpoolFile(tmp_path)
    for path in plans:
        gc.collect()
        make_piece(path, spool)
        assert gc.collect() == 0, f"extracting {path.name} left garbage only a full collection frees"
    before = gc.get_threshold()
    with full_collections_spared():
        assert gc.get_threshold() == (*before[:2], NO_FULL_COLLECTION)
    assert gc.get_threshold() == before


def test_young_collections_are_rarer_while_a_plan_is_processed_and_as_before_after():
    before = gc.get_threshold()
    with fewer_young_collections():
        assert gc.get_threshold() == (max(before[0], YOUNG_COLLECTION_EVERY), *before[1:])
    assert gc.get_threshold() == before
    with pytest.raises(KeyError), fewer_young_collections():
        raise KeyError("a component failed")
    assert gc.get_threshold() == before
    gc.set_threshold(0)  # the collector switched off
    try:
        with fewer_young_collections():
            assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)
