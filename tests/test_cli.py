"""The kg command end to end on the bundled seeds: extract's JSON contract, errors, eval."""
import json
import subprocess
import sys

from conftest import GOLD, ROOT, SEEDS

KG = [sys.executable, "-m", "kg.cli"]


def run(*args, cwd=ROOT):
    return subprocess.run([*KG, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_extract_follows_the_output_contract():
    paths = sorted(SEEDS.glob("*.txt"))
    done = run("extract", *paths, "--format", "json")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(paths)
    for path, line in zip(paths, lines):
        output = json.loads(line)
        assert set(output) == {"document", "entities", "relations"} and output["document"] == path.name
        text = path.read_text(encoding="utf-8")
        ids = set()
        for entity in output["entities"]:
            assert set(entity) == {"id", "type", "name", "aliases", "mentions"}
            assert entity["type"] in ("Agency", "Project", "Database", "Platform", "Law")
            assert entity["id"].startswith("https://w3id.org/infokg/id/")
            ids.add(entity["id"])
            for mention in entity["mentions"]:
                assert 0 <= mention["start"] < mention["end"] <= len(text)
        for relation in output["relations"]:
            assert relation["head"] in ids and relation["tail"] in ids
            evidence = relation["evidence"]
            assert text[evidence["start"]:evidence["end"]] == evidence["text"]


def test_mentions_show_the_entity_they_belong_to():
    """text[start:end] of a mention is a name or alias (an expanded list item is part of one)."""
    from kg.resolve import normalise_name

    path = SEEDS / "003_5f305f0bec7308a7.txt"
    text = path.read_text(encoding="utf-8")
    output = json.loads(run("extract", path).stdout)
    for entity in output["entities"]:
        forms = {normalise_name(n) for n in [entity["name"], *entity["aliases"]]}
        for mention in entity["mentions"]:
            shown = normalise_name(text[mention["start"]:mention["end"]])
            assert shown in forms or any(shown in f for f in forms), (entity["name"], shown)


def test_a_missing_file_is_one_line_on_stderr_and_the_rest_is_still_extracted(tmp_path):
    done = run("extract", tmp_path / "missing.txt", SEEDS / "001_9c71054b8b1dc762.txt")
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "missing.txt" in done.stderr
    assert json.loads(done.stdout)["document"] == "001_9c71054b8b1dc762.txt"


def test_eval_prints_core_and_strict_scores():
    done = run("eval", GOLD, "--format", "json")
    assert done.returncode == 0, done.stderr
    scores = json.loads(done.stdout)
    assert set(scores) == {"core", "strict"}
    assert scores["core"]["entities"]["all"]["f1"] > 0.9


def test_help_explains_every_command():
    for command in ("build", "extract", "query", "eval", "view"):
        done = run(command, "--help")
        assert done.returncode == 0 and "usage: kg " + command in done.stdout


def test_build_is_byte_identical_across_processes_and_workers(tmp_path):
    import os

    outputs = []
    for n, (seed, workers) in enumerate((("1", "1"), ("2", "2"))):
        out = tmp_path / f"build{n}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([*KG, "build", "--quiet", "--workers", workers, "--out", str(out)],
                              capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
        assert done.returncode == 0, done.stderr
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0].keys() >= {"kg.ttl", "kg.trig", "kg.jsonld", "viewer.html"}
    for name in outputs[0]:
        assert outputs[0][name] == outputs[1][name], name
    committed = ROOT / "exports"
    for name, data in outputs[0].items():  # the README promises exports/ is what `kg build` writes
        assert (committed / name).read_bytes() == data, f"exports/{name} is stale: run `kg build` and commit it"


def test_build_reports_an_unreadable_plan_and_builds_the_rest(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(bytes(range(256)) * 10)
    done = run("build", "--quiet", "--out", tmp_path / "out", bad, SEEDS / "001_9c71054b8b1dc762.txt")
    assert done.returncode == 1 and "bad.txt" in done.stderr
    assert (tmp_path / "out" / "kg.ttl").is_file()


def test_an_exports_folder_that_cannot_be_made_is_one_line_before_any_extraction(tmp_path):
    taken = tmp_path / "a-file"
    taken.write_text("not a folder")
    done = run("build", "--out", taken, SEEDS / "001_9c71054b8b1dc762.txt")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"kg: error: {taken}: cannot make the exports folder here (File exists); " \
                                  "give --out a folder (it is made if missing)"
