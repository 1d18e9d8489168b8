"""Check-worthiness: the shipped model and its card, training, the two commands through real processes, and
the shared sentence encoder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from transform.check_worthiness import default_threshold, load_model, score_check_worthiness
from transform.check_worthiness.model import SHIPPED_MODEL, model_id
from transform.check_worthiness.training import TrainingSettings, train

CITELINE = str(Path(sys.executable).parent / "citeline")
CLAIMBUSTER = Path(__file__).resolve().parent.parent.parent / "shared" / "claimbuster" / "train.jsonl"

WORTHY = ["Unemployment fell to 3.5 percent last year.",
          "The federal deficit has tripled since 2001, to $1.4 trillion.",
          "Forty million Americans have no health insurance today."]
NOT_WORTHY = ["Thank you all for coming tonight.",
              "I think that's a good question, and I'm glad you asked it.",
              "Let me say something about that."]

# Invented sentences, for training on without ../shared: numbers and records are "worthy" here.
FIXTURE = ([{"text": f"Spending on program {i} rose by {i * 7} percent to ${i * 3} billion in {1990 + i}.", "label": 1} for i in range(30)]
           + [{"text": f"Well, I really want to thank you, friend number {i}, it is great to be here.", "label": 0} for i in range(30)])


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CITELINE, *args], input=stdin, capture_output=True, text=True, timeout=300)


def test_the_shipped_model_loads_from_the_project_and_ranks_obvious_sentences_the_right_way_round():
    model = load_model()
    assert model.uses_embedding
    scores = score_check_worthiness(WORTHY + NOT_WORTHY)
    worthy, not_worthy = scores[:len(WORTHY)], scores[len(WORTHY):]
    assert min(worthy) > max(not_worthy)
    threshold = default_threshold()
    assert all(s >= threshold for s in worthy) and all(s < threshold for s in not_worthy)


def test_precomputed_embeddings_give_the_same_scores():
    from transform.encoder import encode

    texts = WORTHY + NOT_WORTHY
    assert score_check_worthiness(texts, embeddings=encode(texts)) == pytest.approx(score_check_worthiness(texts), abs=1e-12)


def test_the_card_names_the_data_its_licence_and_the_held_out_scores():
    card = json.loads((SHIPPED_MODEL / "model.json").read_text())
    data = card["training_data"]
    assert "ClaimBuster" in data["attribution"] and "10.5281/zenodo.3609356" in data["attribution"]
    assert data["licence"].startswith("CC BY 4.0")
    assert {"f1", "precision", "recall"} <= set(card["held_out"]) and card["held_out"]["examples"] == data["held_out_part"]
    assert card["threshold"] == default_threshold() and card["model_id"] == model_id(load_model())
    readme = (SHIPPED_MODEL / "README.md").read_text()
    assert "CC BY 4.0" in readme and "Arslan" in readme


def test_training_on_invented_data_learns_it_and_the_command_refuses_to_overwrite_another_folder(tmp_path):
    data = tmp_path / "fixture.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in FIXTURE))
    out = tmp_path / "model"
    result = cli("train-check-worthiness", str(data), "--out", str(out), "--features", "tfidf")
    assert result.returncode == 0, result.stderr
    assert load_model(out).card["held_out"]["f1"] == 1.0
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "warehouse.duckdb").write_text("keep me")
    refused = cli("train-check-worthiness", str(data), "--out", str(precious), "--features", "tfidf")
    assert refused.returncode == 2 and "not a check-worthiness model" in refused.stderr
    assert (precious / "warehouse.duckdb").read_text() == "keep me"


def test_a_bad_training_line_is_named(tmp_path):
    data = tmp_path / "bad.jsonl"
    data.write_text(json.dumps(FIXTURE[0]) + "\n{\"text\": \"no label\"}\n")
    result = cli("train-check-worthiness", str(data), "--out", str(tmp_path / "m"))
    assert result.returncode == 2 and "line 2" in result.stderr and "bad.jsonl" in result.stderr
    assert not (tmp_path / "m").exists()


@pytest.mark.skipif(not CLAIMBUSTER.exists(), reason="needs ../shared/claimbuster")
def test_training_twice_with_one_seed_gives_the_same_model(tmp_path):
    settings = TrainingSettings(features="tfidf+embedding", folds=3, cs=(1.0, 4.0))
    cards = [train(CLAIMBUSTER, tmp_path / name, seed=3, limit=300, settings=settings) for name in ("a", "b")]
    assert cards[0]["model_id"] == cards[1]["model_id"]
    a, b = load_model(tmp_path / "a"), load_model(tmp_path / "b")
    assert np.array_equal(a.coef, b.coef) and a.threshold == b.threshold
    other = train(CLAIMBUSTER, tmp_path / "c", seed=4, limit=300, settings=settings)
    assert other["model_id"] != cards[0]["model_id"]


def test_the_command_scores_plain_lines_a_file_and_standard_input(tmp_path):
    lines = tmp_path / "sentences.txt"
    lines.write_text(f"{WORTHY[0]}\n\n{NOT_WORTHY[0]}\n")
    result = cli("check-worthiness", str(lines), "-", stdin=WORTHY[1] + "\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["file"], r["line"], r["text"]) for r in rows] == [
        (str(lines), 1, WORTHY[0]), (str(lines), 3, NOT_WORTHY[0]), ("-", 1, WORTHY[1])]
    assert [r["check_worthy"] for r in rows] == [True, False, True]
    assert rows[0]["check_worthiness"] > rows[1]["check_worthiness"]


def test_the_command_passes_other_json_fields_through(tmp_path):
    records = [{"text": NOT_WORTHY[1], "id": 1, "source": {"name": "A"}}, {"id": 2, "text": WORTHY[2]}]
    result = cli("check-worthiness", "--jsonl", "-", stdin="".join(json.dumps(r) + "\n" for r in records))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [{k: v for k, v in r.items() if not k.startswith("check_worth")} for r in rows] == records
    assert [r["check_worthy"] for r in rows] == [False, True]
    strict = cli("check-worthiness", "--jsonl", "--threshold", "0", "-", stdin=json.dumps(records[0]) + "\n")
    assert json.loads(strict.stdout)["check_worthy"] is True


@pytest.mark.parametrize("content, problem", [('{"text": "fine"}\nnot json\n', "line 2: not JSON"),
                                              ('{"text": "fine"}\n{"text": 5}\n', "line 2: not a JSON object"),
                                              ('["text"]\n', "line 1: not a JSON object")])
def test_bad_jsonl_is_one_line_naming_the_file_and_line_and_prints_nothing(tmp_path, content, problem):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content)
    result = cli("check-worthiness", "--jsonl", str(bad))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "bad.jsonl" in result.stderr and problem in result.stderr


def test_a_missing_file_is_named():
    result = cli("check-worthiness", "/nonexistent/sentences.txt")
    assert result.returncode == 2 and "/nonexistent/sentences.txt" in result.stderr


def test_the_encoder_puts_paraphrases_closer_than_unrelated_sentences():
    from transform.encoder import encode, token_vectors

    v = encode(["The minister said unemployment fell to 3.5 percent last year.",
                "Joblessness dropped to 3.5% in the past year, according to the minister.",
                "The cat slept on a warm windowsill all afternoon."])
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert v[0] @ v[1] > 0.5 > v[0] @ v[2]
    text = "Officials declined to comment."
    (tokens,) = token_vectors([text])
    assert tokens.vectors.shape == (len(tokens.pieces), 384)
    assert [text[a:b].lower() for a, b in tokens.offsets] == tokens.pieces


def test_encoding_in_batches_sorted_by_length_keeps_each_text_in_its_row():
    from transform.encoder import get_encoder

    texts = ["A much longer sentence about the budget deficit and the national debt in 2019.", "Short one.", "Medium sized sentence here."]
    together = get_encoder().encode(texts, batch_size=2)
    alone = np.stack([get_encoder().encode([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-4)
