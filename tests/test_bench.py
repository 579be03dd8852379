"""The benchmark runner and its corpus generator work; no timing is asserted (see bench/)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench/ sits beside kg/ but is not part of the installed package

from bench import corpus  # noqa: E402
from bench.__main__ import main  # noqa: E402
from kg.plan import describe  # noqa: E402

HARBIN, HEILONGJIANG = "000_a96c8c211bb1a94e.txt", "003_5f305f0bec7308a7.txt"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    corpus.generate(3, out)
    return out


def test_generator_is_deterministic(generated, tmp_path):
    again = corpus.generate(3, tmp_path)
    assert [p.name for p in again] == sorted(p.name for p in generated.iterdir())
    assert all(p.read_bytes() == (generated / p.name).read_bytes() for p in again)


def test_copy_zero_is_the_seeds(generated):
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        assert (generated / f"0000_{seed.name}").read_bytes() == seed.read_bytes()


def test_copies_move_plans_to_other_real_places(generated):
    cities = set()
    for copy in (1, 2):
        city = describe((generated / f"{copy:04d}_{HARBIN}").read_text(encoding="utf-8")).jurisdiction
        province = describe((generated / f"{copy:04d}_{HEILONGJIANG}").read_text(encoding="utf-8")).jurisdiction
        assert city.level == "prefecture" and city.name != "哈尔滨市"
        assert province.level == "province" and province.name != "黑龙江省"
        assert city.at("province") == province.name  # Harbin's copy stays in Heilongjiang's copy
        assert "哈尔滨" not in (generated / f"{copy:04d}_{HARBIN}").read_text(encoding="utf-8")
        cities.add(city.name)
    assert len(cities) == 2


def test_runner_writes_the_table_as_json(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = (ROOT / "seeds" / HARBIN).read_text(encoding="utf-8")
    (seeds / "plan.txt").write_text(text[:1500], encoding="utf-8")
    out = tmp_path / "results" / "bench.json"
    assert main(["--quick", "--sizes", "2", "--seeds", str(seeds), "--skip", "sparql,viewer", "--json", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) == {"machine", "options", "results", "skipped", "errors", "table"}
    assert set(report["results"]) == {"throughput", "build", "parallel"}
    assert set(report["skipped"]) == {"sparql", "viewer"}
    assert set(report["results"]["throughput"]["passes"]) == {"infokg_extract_first", "infokg_extract",
                                                             "infokg_ingest", "spacy_jieba", "suffix_regex"}
    stages = report["results"]["throughput"]["stages"]
    assert list(stages["seconds"]) == ["make_doc", "infokg_plan", "infokg_segmenter", "infokg_recogniser",
                                       "infokg_resolver", "infokg_relator"]
    assert stages["chars"] > 1000 and all(s > 0 for s in stages["seconds"].values())
    run = report["results"]["build"]["runs"][0]
    assert run["size"] == 2 and run["files"] == 2 and {"wall_s", "cpu_s", "cores_busy", "chars_per_s", "peak_rss_mb"} <= set(run)
    assert list(run["phases_s"]) == ["start", "first_plan", "other_plans", "exports", "viewer"]
    assert all(seconds >= 0 for seconds in run["phases_s"].values())  # progress lines in build order
    assert report["results"]["parallel"]["identical"] is True
    assert [r["size"] for r in report["results"]["parallel"]["sizes"]] == [2]
    assert {row[0] for row in report["table"]} == {"throughput", "build", "parallel", "sparql", "viewer"}


def test_build_phases_are_read_from_the_progress_lines():
    from bench.build import phases

    progress = ("[1/3] a.txt: 10 entities, 4 relations (0.4 s)\nkg: error: b.txt: cannot be decoded\n"
                "[3/3] c.txt: 12 entities, 5 relations (1.5 s)\nexports written (2.0 s)\n"
                "viewer written (2.6 s): it shows the 5,000 best-connected of 9,000 entities; the exports hold them all\n"
                "wrote out/kg.ttl\n")
    assert phases(progress, wall=3.5) == pytest.approx({"start": 0.9, "first_plan": 0.4, "other_plans": 1.1,
                                                        "exports": 0.5, "viewer": 0.6})
    assert phases("[1/1] a.txt: 1 entities, 0 relations (0.4 s)\n", wall=1.0) is None
