"""The encoder kind of attribution model (frozen MiniLM token vectors beside the rules' features), and the
by-cue table of `eval` and `agreement`, on the invented gold texts of tests/support/invented_attribution_gold.py."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from citeline.cli import main
from evaluation.brat import Relation
from evaluation.corpus import gold_documents, training_documents
from evaluation.cue_kinds import cue_kind
from tests.support.invented_attribution_gold import write_invented_gold
from transform.engine import attribute
from transform.tagger.model import CARD_FILE, PROJECTION_FILE, WEIGHTS_FILE, ModelError, load_model
from transform.tagger.training import TrainingSettings, train_model

CITELINE = str(Path(sys.executable).parent / "citeline")
QUICK = TrainingSettings(max_iterations=20)


@pytest.fixture(scope="module")
def gold_dir(tmp_path_factory) -> Path:
    return write_invented_gold(tmp_path_factory.mktemp("invented") / "gold")


@pytest.fixture(scope="module")
def encoder_model(tmp_path_factory, gold_dir):
    documents, _ = training_documents(gold_dir)
    out = tmp_path_factory.mktemp("models") / "enc"
    card = train_model(documents, out, seed=3, settings=QUICK, source=str(gold_dir), kind="encoder")
    return out, card, documents


def _digests(folder: Path) -> tuple[str, str]:
    return tuple(hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in (WEIGHTS_FILE, PROJECTION_FILE))


def test_an_encoder_model_carries_its_kind_projection_and_checksums(encoder_model):
    folder, card, documents = encoder_model
    assert json.loads((folder / CARD_FILE).read_text(encoding="utf-8")) == card
    assert card["kind"] == "encoder" and card["encoder"]["model"] == "all-MiniLM-L6-v2-onnx-int8"
    assert card["projection_sha256"] == _digests(folder)[1]
    assert card["training_data"]["documents"] == len(documents) == 6
    model = load_model(folder)
    assert model.kind == "encoder" and model.model_id == card["model_id"] and model.model_id.startswith("enc-")
    assert model.projection["directions"].shape == (card["encoder"]["dimensions"], 384)


def test_one_seed_gives_the_same_encoder_model(encoder_model, tmp_path):
    folder, card, documents = encoder_model
    again = train_model(documents, tmp_path / "enc", seed=3, settings=QUICK, kind="encoder")
    assert _digests(tmp_path / "enc") == _digests(folder) and again["model_id"] == card["model_id"]


def test_the_crf_kind_stays_without_the_encoder(tmp_path, gold_dir):
    documents, _ = training_documents(gold_dir)
    card = train_model(documents, tmp_path / "crf", seed=3, settings=TrainingSettings(max_iterations=5))
    assert card["kind"] == "crf" and "projection_sha256" not in card
    assert not (tmp_path / "crf" / PROJECTION_FILE).exists() and load_model(tmp_path / "crf").projection is None


def test_the_encoder_model_keeps_the_rules_statements_and_reads_back_from_the_text(encoder_model, gold_dir):
    model = load_model(encoder_model[0])
    for _, text, _ in gold_documents(gold_dir):
        statements = attribute(text, model=model)
        assert [s for s in statements if not s.model_id] == attribute(text)
        for s in statements:
            assert 0 <= s.content.start < s.content.end <= len(text)
            assert not s.model_id or (s.model_id == model.model_id and s.confidence < 0.5)


def test_cli_trains_the_encoder_kind_and_every_command_takes_it(tmp_path, capsys, gold_dir):
    out = tmp_path / "cli-enc"
    assert main(["train", str(gold_dir), "--kind", "encoder", "--out", str(out), "--iterations", "10"]) == 0
    card = json.loads((out / CARD_FILE).read_text(encoding="utf-8"))
    assert card["kind"] == "encoder" and card["model_id"] in capsys.readouterr().out
    files = sorted(str(p) for p in (gold_dir / "text").glob("*.txt"))
    with_model = subprocess.run([CITELINE, "attribute", "--jsonl", "--model", str(out), *files],
                                capture_output=True, text=True, check=True).stdout.splitlines()
    rules = subprocess.run([CITELINE, "attribute", "--jsonl", *files], capture_output=True, text=True, check=True).stdout.splitlines()
    records = [json.loads(line) for line in with_model]
    assert [r for r in records if "model_id" not in r] == [json.loads(line) for line in rules]
    assert main(["eval", str(gold_dir), "--model", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [row["gold"] for row in report["by_cue"]] == [8, 3, 10, 3]  # counted by hand from the fixture
    with pytest.raises(SystemExit) as refused:
        main(["train", str(gold_dir), "--kind", "dense", "--out", str(tmp_path / "x")])
    assert refused.value.code == 2 and "--kind" in capsys.readouterr().err


@pytest.mark.parametrize("damage", ["weights", "projection", "no projection"])
def test_a_damaged_encoder_model_is_refused_with_its_name(encoder_model, tmp_path, capsys, damage):
    folder = tmp_path / "damaged"
    shutil.copytree(encoder_model[0], folder)
    if damage == "weights":
        weights = (folder / WEIGHTS_FILE).read_bytes()
        (folder / WEIGHTS_FILE).write_bytes(weights[:-4] + b"\x00\x01\x02\x03")
    elif damage == "projection":
        data = bytearray((folder / PROJECTION_FILE).read_bytes())
        data[-8] ^= 0xFF
        (folder / PROJECTION_FILE).write_bytes(bytes(data))
    else:
        (folder / PROJECTION_FILE).unlink()
    with pytest.raises(ModelError, match="damaged"):
        load_model(folder)
    text = tmp_path / "story.txt"
    text.write_text("The mayor said the bridge would reopen.", encoding="utf-8")
    assert main(["attribute", "--model", str(folder), str(text)]) == 2
    error = capsys.readouterr().err
    assert "damaged" in error and ("checksum" in error or PROJECTION_FILE in error)


def test_cue_kinds_split_speech_from_other_cues_and_named_from_pronoun_sources():
    text = "Officials said it. He found that. The study showed this. Critics, according to him."
    said, found, showed = Relation(((0, 1),), ((10, 14),), ((0, 9),)), Relation(((0, 1),), ((22, 27),), ((19, 21),)), \
        Relation(((0, 1),), ((44, 50),), ((34, 43),))
    according = Relation(((0, 1),), ((66, 78),), ((79, 82),))
    no_source = Relation(((0, 1),), ((10, 14),), ())
    assert [cue_kind(text, r) for r in (said, found, showed, according, no_source)] == \
        ["speech_named", "other_pronoun", "other_named", "speech_pronoun", "speech_pronoun"]


def test_eval_reports_recall_by_cue_kind_for_a_predictions_file(tmp_path, capsys, gold_dir):
    # Predict every speech relation exactly, and every other one with its content but without its cue.
    records = []
    for name, text, gold in gold_documents(gold_dir):
        for relation in gold:
            speech = cue_kind(text, relation).startswith("speech")
            records.append({"file": f"{name}.txt", "content": list(relation.content[0]),
                            "cue": list(relation.cue[0]) if speech else None, "source": list(relation.source[0])})
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert main(["eval", str(gold_dir), "--pred", str(pred), "--json"]) == 0
    rows = {row["kind"]: row for row in json.loads(capsys.readouterr().out)["by_cue"]}
    assert {k: (r["gold"], r["content_recall"], r["relation_recall"]) for k, r in rows.items()} == {
        "speech_named": (8, 1.0, 1.0), "speech_pronoun": (3, 1.0, 1.0), "other_named": (10, 1.0, 0.0), "other_pronoun": (3, 1.0, 0.0)}
    assert main(["eval", str(gold_dir), "--pred", str(pred)]) == 0
    printed = capsys.readouterr().out
    assert "anything else, named source" in printed and "a speech cue, pronoun or no source" in printed


def test_agreement_reports_the_by_cue_table_for_people_and_the_engine(tmp_path, capsys, gold_dir):
    gold = tmp_path / "gold"
    shutil.copytree(gold_dir, gold)
    first = (gold / "attributions" / "harbour_fx.ann").read_text(encoding="utf-8")
    # A second annotator who kept only the first two relations (both speech).
    kept = [line for line in first.splitlines() if not line.startswith("E") or line.split("\t")[0] in {"E1", "E2"}]
    (gold / "attributions" / "harbour_zz.ann").write_text("\n".join(kept) + "\n", encoding="utf-8")
    assert main(["agreement", str(gold), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    human = {row["kind"]: row["gold"] for row in report["annotator_vs_annotator"]["by_cue"]}
    # Each annotator is the gold once: said/mayor, told/she, found/study, blasted/owners, then said/mayor, told/she.
    assert human == {"speech_named": 2, "speech_pronoun": 2, "other_named": 2, "other_pronoun": 0}
    assert [row["gold"] for row in report["engine_vs_annotator"]["by_cue"]] == [2, 2, 2, 0]
