"""The trainable attribution model: trained on a slice of PolNeAR train (read from ../shared, never copied),
deterministic for a seed, loaded from its folder, and stacked on the rules without changing what they find."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

import flows.pipeline as pipeline
from citeline.cli import main
from evaluation.corpus import training_documents
from flows.run_config import RunConfig
from tests.support.pages import copy_demo_pages
from transform.engine import attribute
from transform.tagger.model import CARD_FILE, WEIGHTS_FILE, ModelError, load_model
from transform.tagger.training import TrainingError, TrainingSettings, train_model

POLNEAR = Path(__file__).resolve().parent.parent.parent / "shared" / "polnear"  # ../shared, never copied in
pytestmark = pytest.mark.skipif(not (POLNEAR / "train").is_dir(), reason="../shared/polnear is not beside the project")

TEXTS = 24
# Few iterations and a low threshold: a quick model that still finds statements of its own to check.
QUICK = TrainingSettings(max_iterations=25, content_threshold=0.5)


@pytest.fixture(scope="module")
def training(tmp_path_factory):
    documents, held_out = training_documents(POLNEAR / "train")
    base = tmp_path_factory.mktemp("models")
    card = train_model(documents, base / "quick", seed=7, limit=TEXTS, settings=QUICK, source="polnear/train")
    return base / "quick", card, documents, held_out


def _digest(folder: Path) -> str:
    return hashlib.sha256((folder / WEIGHTS_FILE).read_bytes()).hexdigest()


def test_training_twice_with_one_seed_gives_the_same_model(training, tmp_path):
    folder, card, documents, _ = training
    again = train_model(documents, tmp_path / "again", seed=7, limit=TEXTS, settings=QUICK)
    assert _digest(tmp_path / "again") == _digest(folder)
    assert again["model_id"] == card["model_id"].replace("quick", "again")
    tiny = TrainingSettings(max_iterations=5)
    seed_7 = train_model(documents, tmp_path / "seed-7", seed=7, limit=4, settings=tiny)
    seed_8 = train_model(documents, tmp_path / "seed-8", seed=8, limit=4, settings=tiny)
    assert _digest(tmp_path / "seed-7") != _digest(tmp_path / "seed-8")  # another seed, other texts
    assert (seed_7["seed"], seed_8["seed"]) == (7, 8)


def test_the_card_says_what_the_model_was_trained_on(training):
    folder, card, _, held_out = training
    on_disk = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
    assert on_disk == card
    assert card["training_data"]["documents"] == TEXTS and card["training_data"]["tokens"] > 1000
    assert "copyrighted" in card["training_data"]["licence"] and card["rules_engine"].startswith("rules-")
    assert card["settings"]["max_iterations"] == QUICK.max_iterations
    assert held_out > 0  # texts with several annotators stay out, for `citeline agreement`


def test_the_model_loads_from_its_folder_and_its_id_names_its_weights(training, tmp_path):
    folder, card, _, _ = training
    model = load_model(folder)
    assert model.model_id == card["model_id"] and model.model_id.startswith("quick-")
    moved = tmp_path / "moved"
    shutil.copytree(folder, moved)
    (moved / WEIGHTS_FILE).write_bytes((moved / WEIGHTS_FILE).read_bytes()[:-10] + b"0123456789")
    with pytest.raises(ModelError, match="moved"):
        load_model(moved)  # weights that are not the card's


@pytest.mark.parametrize("damage", ["no folder", "no weights", "no card", "card of another format"])
def test_a_folder_that_is_not_a_model_is_named(training, tmp_path, damage):
    folder = tmp_path / "broken"
    if damage != "no folder":
        shutil.copytree(training[0], folder)
    if damage == "no weights":
        (folder / WEIGHTS_FILE).unlink()
    elif damage == "no card":
        (folder / CARD_FILE).unlink()
    elif damage == "card of another format":
        (folder / CARD_FILE).write_text('{"format": "something-else"}', encoding="utf-8")
    with pytest.raises(ModelError, match="broken"):
        load_model(folder)


def test_statements_read_back_from_the_text_and_the_rules_are_untouched(training):
    folder, _, documents, _ = training
    model = load_model(folder)
    found_by_model = 0
    for document in documents[-12:]:  # twelve train texts, most of them not among the 24 it learned from
        text = document.text
        statements = attribute(text, model=model)
        assert [s for s in statements if not s.model_id] == attribute(text)  # the rules' own, as without a model
        assert [s.content.start for s in statements] == sorted(s.content.start for s in statements)
        for s in statements:
            assert 0 <= s.content.start < s.content.end <= len(text) and text[s.content.start : s.content.end].strip()
            for part in s.content_parts:
                assert s.content.start <= part.start < part.end <= s.content.end
            if s.source is not None:
                assert text[s.source.start : s.source.end] == s.source_text
            if s.model_id:
                found_by_model += 1
                assert s.model_id == model.model_id and s.cue is not None and s.confidence < 0.5
                assert text[s.cue.start : s.cue.end].strip()
    assert found_by_model > 0


def test_a_failed_training_leaves_the_model_folder_as_it_was(training, tmp_path, monkeypatch):
    import transform.tagger.training as training_module

    folder = tmp_path / "kept"
    shutil.copytree(training[0], folder)
    before = _digest(folder)
    with pytest.raises(TrainingError):
        train_model([], folder, settings=QUICK)

    def card_fails(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(training_module, "_card", card_fails)  # after the weights are written, before the swap
    with pytest.raises(OSError, match="disk full"):
        train_model(training[2], folder, limit=2, settings=TrainingSettings(max_iterations=2))
    assert _digest(folder) == before and sorted(p.name for p in tmp_path.iterdir()) == ["kept"]


def test_training_never_replaces_a_folder_that_is_not_a_model(training, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "citeline.duckdb").write_bytes(b"a warehouse")
    with pytest.raises(TrainingError, match="not a model folder"):
        train_model(training[2], data, limit=2, settings=TrainingSettings(max_iterations=2))
    assert (data / "citeline.duckdb").read_bytes() == b"a warehouse"


def test_cli_trains_and_attributes_with_the_model(training, tmp_path, capsys):
    out = tmp_path / "cli-model"
    assert main(["train", str(POLNEAR / "train"), "--out", str(out), "--limit", "4", "--iterations", "5"]) == 0
    printed = capsys.readouterr().out
    model_id = json.loads((out / CARD_FILE).read_text(encoding="utf-8"))["model_id"]
    assert model_id in printed and "--model" in printed
    # `attribute --model` with the quick model, on twelve train texts (written to tmp only)
    files = []
    for document in training[2][-12:]:
        files.append(tmp_path / f"{document.name}.txt")
        with open(files[-1], "w", encoding="utf-8", newline="") as handle:
            handle.write(document.text)
    assert main(["attribute", "--jsonl", "--model", str(training[0]), *map(str, files)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    quick_id = load_model(training[0]).model_id
    assert {line.get("model_id") for line in lines} == {None, quick_id}  # the rules' and the model's


def test_cli_refuses_to_train_on_dev_and_names_a_missing_model(tmp_path, capsys):
    assert main(["train", str(POLNEAR / "dev"), "--out", str(tmp_path / "m")]) == 2
    assert "dev" in capsys.readouterr().err and not (tmp_path / "m").exists()
    text_file = tmp_path / "t.txt"
    text_file.write_text("He said so.", encoding="utf-8")
    assert main(["attribute", "--model", str(tmp_path / "nowhere"), str(text_file)]) == 2
    assert "nowhere" in capsys.readouterr().err


def test_a_run_and_a_reprocess_record_the_model(training, tmp_path, prefect_server):
    folder = tmp_path / "pages"
    copy_demo_pages(folder, slice(30, 36))
    db = tmp_path / "w.duckdb"
    model = load_model(training[0])
    summary = pipeline.citeline_run(RunConfig(inputs=[str(folder)], db=str(db), attribution={"model": str(training[0])}))
    assert summary["run"]["status"] == "published" and summary["run"]["model_id"] == model.model_id

    def by_model(con):
        return con.execute("SELECT count(*) FILTER (model_id IS NOT NULL), count(*) FROM statements").fetchone()

    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT DISTINCT model_id FROM articles").fetchall() == [(model.model_id,)]
        with_model = by_model(con)
        texts = [t for (t,) in con.execute("SELECT text FROM articles ORDER BY article_id").fetchall()]
    expected = sum(1 for text in texts for s in attribute(text, model=model) if s.model_id)
    assert with_model[0] == expected > 0

    # The same pages without the model: the articles were made by another engine, so they are redone.
    rules_only = pipeline.citeline_run(RunConfig(inputs=[str(folder)], db=str(db)))
    assert rules_only["run"]["n_articles"] == 6
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT DISTINCT model_id FROM articles").fetchall() == [(None,)]
        assert by_model(con) == (0, with_model[1] - with_model[0])

    # Reprocessing with the model puts its statements back, replacing rows, never duplicating them.
    again = pipeline.citeline_reprocess(db_path=str(db), model=str(training[0]))
    assert again["run"]["status"] == "published"
    with duckdb.connect(str(db), read_only=True) as con:
        assert by_model(con) == with_model
        assert con.execute("SELECT model_id FROM runs ORDER BY started_at").fetchall() == [
            (model.model_id,), (None,), (model.model_id,)]
