"""`citeline train-matcher` and a trained matcher used by `match-eval --matcher` and `run --matcher`, as a user
runs them: real `citeline` processes over an invented folder in CheckThat! 2020 Task 2's layout
(tests/support/invented_claim_retrieval.py, where the FIXTURES are described)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from evaluation.splits import in_tuning_part
from tests.support.invented_claim_retrieval import TWINS, queries, write_invented_layout
from transform.matching.reranker import CARD_FILE, WEIGHTS_FILE, load_matcher

CITELINE = str(Path(sys.executable).parent / "citeline")
CHECKTHAT = Path(__file__).resolve().parents[1] / ".." / "shared" / "checkthat2020"


def cli(*args: str, cache: Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    return subprocess.run([CITELINE, *args], capture_output=True, text=True, timeout=600, env=env, cwd=cwd)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("train-matcher")


@pytest.fixture(scope="module")
def folder(workspace: Path) -> Path:
    return write_invented_layout(workspace / "invented")


@pytest.fixture(scope="module")
def model(folder: Path, workspace: Path) -> Path:
    out = workspace / "models" / "matcher"
    result = cli("train-matcher", str(folder), "--out", str(out), "--seed", "3", cache=workspace / "cache")
    assert result.returncode == 0, result.stderr
    assert "held-out half" in result.stdout and "written to" in result.stdout
    return out


def test_training_writes_a_loadable_model_trained_on_the_tuning_half_only(model: Path) -> None:
    assert sorted(p.name for p in model.iterdir()) == [WEIGHTS_FILE, CARD_FILE]
    loaded = load_matcher(model)
    card = json.loads((model / CARD_FILE).read_text())
    assert loaded.model_id == card["model_id"] and card["model_id"].startswith("matcher-")
    tuning = [q for q, _, _ in queries("train") if in_tuning_part(q)]
    assert 0 < len(tuning) < len(queries("train"))
    data = card["training_data"]
    assert (data["split"], data["part"], data["statements"]) == ("train", "tuning", len(tuning))
    assert data["held_out_queries"] == len(queries("train")) - len(tuning)
    assert card["seed"] == 3 and card["created"] and "research use only" in data["licence"]
    held = card["scores"]["held_out"]
    assert set(held) == {"default", "trained"} and 0.0 <= held["trained"]["map_at_5"] <= 1.0
    # The weights are plain arrays: numpy reads them without pickle.
    import numpy as np

    with np.load(model / WEIGHTS_FILE, allow_pickle=False) as stored:
        assert {"mean", "scale", "coef", "intercept", "adaptation"} <= set(stored.files)


def test_the_same_seed_gives_the_same_model(model: Path, folder: Path, workspace: Path) -> None:
    again = workspace / "models" / "again"
    result = cli("train-matcher", str(folder), "--out", str(again), "--seed", "3", cache=workspace / "cache")
    assert result.returncode == 0, result.stderr
    assert (again / WEIGHTS_FILE).read_bytes() == (model / WEIGHTS_FILE).read_bytes()
    first, second = (json.loads((m / CARD_FILE).read_text()) for m in (model, again))
    assert first["weights_sha256"] == second["weights_sha256"]


def test_the_trained_matcher_ranks_the_copy_the_qrels_name_first(model: Path, folder: Path, workspace: Path) -> None:
    # Each twin is indexed twice; the qrels name the double-quoted copy (odd ids), which the default matcher
    # ranks second whenever the two tie or the single-quoted copy scores a little higher.
    cache = workspace / "cache"
    default_run, trained_run = workspace / "default.run", workspace / "trained.run"
    default = cli("match-eval", str(folder), "--split", "test", "--json", "--run", str(default_run), cache=cache)
    trained = cli("match-eval", str(folder), "--split", "test", "--json", "--run", str(trained_run),
                  "--matcher", str(model), cache=cache)
    assert default.returncode == 0 and trained.returncode == 0, default.stderr + trained.stderr
    before, after = json.loads(default.stdout), json.loads(trained.stdout)
    assert after["map_at_5"] > before["map_at_5"] and after["p_at_1"] > before["p_at_1"]

    def double_quoted_first(run: Path) -> int:
        ranked: dict[str, list[str]] = {}
        for line in run.read_text().splitlines():
            query, _, claim, *_ = line.split()
            ranked.setdefault(query, []).append(claim)
        twins = [q for q in ranked if not q.startswith("test-single")]
        assert len(twins) == len(TWINS)
        return sum(ranked[q].index(str(2 * int(q.split("-")[1]) + 1)) < ranked[q].index(str(2 * int(q.split("-")[1])))
                   for q in twins)

    assert double_quoted_first(trained_run) == len(TWINS)
    assert double_quoted_first(default_run) < len(TWINS)
    scores = [float(line.split()[4]) for line in trained_run.read_text().splitlines()]
    assert all(0.0 <= s <= 1.0 for s in scores)


def _damage_weights(model: Path) -> None:
    data = bytearray((model / WEIGHTS_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (model / WEIGHTS_FILE).write_bytes(bytes(data))


def _truncate_weights(model: Path) -> None:
    (model / WEIGHTS_FILE).write_bytes((model / WEIGHTS_FILE).read_bytes()[:100])


def _rewrite_checksum(model: Path) -> None:
    card = json.loads((model / CARD_FILE).read_text())
    card["weights_sha256"] = "0" * 64
    (model / CARD_FILE).write_text(json.dumps(card))


def _drop_card(model: Path) -> None:
    (model / CARD_FILE).unlink()


def _card_not_json(model: Path) -> None:
    (model / CARD_FILE).write_text("{ not json")


@pytest.mark.parametrize("damage", [_damage_weights, _truncate_weights, _rewrite_checksum, _drop_card, _card_not_json])
def test_a_damaged_model_folder_is_one_line_naming_it_and_exit_2(model: Path, folder: Path, tmp_path: Path, damage) -> None:
    import shutil

    broken = shutil.copytree(model, tmp_path / "broken-matcher")
    damage(broken)
    result = cli("match-eval", str(folder), "--split", "test", "--matcher", str(broken), cache=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(broken.resolve()) in result.stderr


def test_run_with_a_missing_matcher_stops_before_any_work_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    db = tmp_path / "w.duckdb"
    result = cli("run", "--matcher", str(missing) + "/", "--db", str(db), cache=tmp_path, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"citeline run: matcher {str(missing.resolve())!r} is not a folder (train one with `citeline train-matcher DIR --out {missing.resolve()}`)"]
    assert not db.exists()
    # The same setting from citeline.toml, resolved from the project folder.
    (tmp_path / "citeline.toml").write_text('[citeline]\nmatcher = "missing"\n')
    result = cli("run", "--db", str(db), cache=tmp_path, cwd=tmp_path)
    assert result.returncode == 2 and str(missing.resolve()) in result.stderr and not db.exists()


def test_run_checks_a_damaged_matcher_too(model: Path, tmp_path: Path) -> None:
    import shutil

    broken = shutil.copytree(model, tmp_path / "broken-matcher")
    _damage_weights(broken)
    result = cli("run", "--matcher", str(broken), "--db", str(tmp_path / "w.duckdb"), cache=tmp_path, cwd=tmp_path)
    assert result.returncode == 2 and "checksum" in result.stderr and str(broken.resolve()) in result.stderr


def test_training_never_replaces_a_folder_that_is_not_a_matcher(folder: Path, tmp_path: Path) -> None:
    precious = tmp_path / "data"
    precious.mkdir()
    (precious / "citeline.duckdb").write_bytes(b"not to be lost")
    result = cli("train-matcher", str(folder), "--out", str(precious), cache=tmp_path)
    assert result.returncode == 2 and "not a matcher folder" in result.stderr
    assert (precious / "citeline.duckdb").read_bytes() == b"not to be lost"


@pytest.mark.skipif(not CHECKTHAT.is_dir(), reason="../shared/checkthat2020 absent")
def test_on_checkthat_the_trained_matcher_beats_the_default_on_the_held_out_half(tmp_path: Path) -> None:
    # The target: MAP@5 >= 0.88 on the half of `train` never trained on (the default gives 0.874).
    # The claim vectors come from the user's cache when present (else ~7 min on two loaded cores).
    out = tmp_path / "matcher"
    result = subprocess.run([CITELINE, "train-matcher", str(CHECKTHAT), "--out", str(out)], capture_output=True,
                            text=True, timeout=1800)
    assert result.returncode == 0, result.stderr
    held = json.loads((out / CARD_FILE).read_text())["scores"]["held_out"]
    assert held["trained"]["map_at_5"] >= 0.88 > held["default"]["map_at_5"]
    assert held["trained"]["queries"] == held["default"]["queries"] > 300


def test_a_loaded_matcher_searches_as_the_default_index_does(model: Path) -> None:
    # The interface a run's matching uses: load_matcher(path).index(ClaimIndex) has ClaimIndex's search.
    from tests.support.invented_claim_retrieval import claims
    from transform.matching import ClaimIndex, FactCheckClaim, Match, load_matcher, matcher_id_at

    default = ClaimIndex([FactCheckClaim(*row) for row in claims()])
    trained = load_matcher(model).index(default)
    assert trained.model_id == matcher_id_at(model) == load_matcher(model).model_id
    statements = ['Governor Jane Roe wrote "only Exampleville can fix the roads of this country"',
                  "The quarterly earnings call is scheduled for Tuesday afternoon."]
    related, unrelated = trained.search(statements, top_k=5)
    assert all(isinstance(m, Match) for m in related) and [m.rank for m in related] == [1, 2, 3, 4, 5]
    assert related[0].claim_id == "9" and related[0].score >= trained.settings.threshold
    assert [m.score for m in related] == sorted((m.score for m in related), reverse=True)
    assert unrelated[0].score < trained.settings.threshold
    assert trained.search(statements, threshold=trained.settings.threshold)[1] == []


def test_a_run_matches_with_the_configured_trained_matcher_and_records_its_id(model: Path, tmp_path: Path) -> None:
    # The step a run ends with, given the matcher of `citeline run --matcher` / citeline.toml: every match row
    # names that matcher, not the default one (whose rows would otherwise be matched again by every run).
    from prefect.logging import disable_run_logger

    from flows.pipeline import match_task
    from tests.test_fact_check_matching_run import CRIME_CHECK, CRIME_TEXT, UNRELATED_CHECKS, _add_fact_checks, _publish
    from transform.matching import matcher_id_at

    db = tmp_path / "w.duckdb"
    _publish(db, "run-1", {"a1": CRIME_TEXT})
    _add_fact_checks(db, [CRIME_CHECK, *UNRELATED_CHECKS])
    with disable_run_logger():
        report = match_task.fn(str(db), "run-1", str(model))
    with duckdb.connect(str(db), read_only=True) as con:
        matchers = {row[0] for row in con.execute("SELECT DISTINCT matcher_id FROM fact_check_matches").fetchall()}
    assert report.statements > 0 and matchers == {matcher_id_at(str(model))}
