"""The streaming build (kg.build): the graph of kg.graph's dataset, whatever order the plans come
in; a text under two names is one document; a rebuild replaces the store, and a build that
reads nothing leaves the store and the exports as they were."""
from __future__ import annotations

import shutil

import pytest

from kg.build import build
from kg.export import EXPORTS, write_exports
from kg.extract import extract_path
from kg.graph import build_dataset
from kg.store import Store, ox_quads

SEEDS = ("001", "004")


@pytest.fixture(scope="module")
def plans(seed_paths):
    return [p for p in seed_paths if p.name.startswith(SEEDS)]


def files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_build_is_the_dataset_of_its_plans_in_any_order(plans, seed_extractions, tmp_path):
    written, failures = build(plans, tmp_path / "out", tmp_path / "store")
    assert failures == 0 and set(written) == {*EXPORTS, "store", "viewer"}
    again, _ = build(list(reversed(plans)), tmp_path / "again", tmp_path / "store-again")
    assert files(tmp_path / "out") == files(tmp_path / "again")
    extractions = [x for x in seed_extractions if x.document.name.startswith(SEEDS)]
    with Store(tmp_path / "store", read_only=True) as store:
        assert set(store) == set(ox_quads(build_dataset(extractions)))
        from_store = write_exports(store, tmp_path / "from-store")
    assert all(from_store[name].read_bytes() == written[name].read_bytes() for name in EXPORTS)


def test_the_same_text_under_two_names_is_one_document(plans, seed_extractions, tmp_path):
    copy = tmp_path / "copy-of-004.txt"
    shutil.copyfile(plans[1], copy)
    written, _ = build([*plans, copy], tmp_path / "out", tmp_path / "store")
    extractions = [x for x in seed_extractions if x.document.name.startswith(SEEDS)]
    expected = write_exports(build_dataset([*extractions, extract_path(copy)]), tmp_path / "expected")
    assert all(expected[name].read_bytes() == written[name].read_bytes() for name in EXPORTS)
    assert b"copy-of-004.txt" in written["kg.trig"].read_bytes()


def test_a_rebuild_replaces_the_store_and_an_empty_one_changes_nothing(plans, seed_extractions, tmp_path):
    out, store = tmp_path / "out", tmp_path / "store"
    build(plans, out, store)
    build(plans[:1], out, store)
    first = [x for x in seed_extractions if x.document.name == plans[0].name]
    with Store(store, read_only=True) as stored:
        assert set(stored) == set(ox_quads(build_dataset(first)))
    before = files(out)
    unreadable = tmp_path / "bad.txt"
    unreadable.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(ValueError, match="no plan could be read"):
        build([unreadable], out, store)
    assert files(out) == before
    with Store(store, read_only=True) as stored:
        assert set(stored) == set(ox_quads(build_dataset(first)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt", "out", "store"]  # nothing left behind
