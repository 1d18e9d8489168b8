"""The same-claim decision (transform/same_claim.py) and `citeline same-claim-eval` as a user runs it, on an
invented fixture in MSRP's layout (tests/fixtures/same_claim/pairs.tsv; nothing from MSRP itself)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation.same_claim_eval import Pair, SameClaimEvalError, in_tuning_part, read_pairs, scores_of
from transform.same_claim import DEFAULT_THRESHOLD, numbers_conflict, same_claim_scores

CITELINE = str(Path(sys.executable).parent / "citeline")
FIXTURE = Path(__file__).parent / "fixtures" / "same_claim" / "pairs.tsv"
HEADER = "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CITELINE, *args], capture_output=True, text=True, timeout=300)


def test_eval_on_the_fixture_gives_the_hand_worked_scores() -> None:
    # The fixture's ten pairs: 101-108 are clear rewordings labelled same (4 true positives); 109/110 and
    # 111/112 are unrelated but labelled same (2 false negatives); 113/114 is a clear rewording labelled not
    # same (1 false positive); 115-120 are unrelated and labelled not same (3 true negatives).
    # accuracy = (4 + 3) / 10 = 0.7; precision = 4 / (4 + 1) = 0.8; recall = 4 / (4 + 2) = 0.6667;
    # F1 = 2 * 0.8 * 0.6667 / (0.8 + 0.6667) = 0.7273.
    result = cli("same-claim-eval", str(FIXTURE), "--json")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    assert scores["accuracy"] == pytest.approx(0.7, abs=1e-4)
    assert scores["precision"] == pytest.approx(0.8, abs=1e-4)
    assert scores["recall"] == pytest.approx(0.6667, abs=1e-4)
    assert scores["f1"] == pytest.approx(0.7273, abs=1e-4)
    assert scores["pairs"] == 10


def test_eval_prints_the_four_measures_as_text() -> None:
    result = cli("same-claim-eval", str(FIXTURE))
    assert result.returncode == 0, result.stderr
    values = {line.split()[0]: float(line.split()[1]) for line in result.stdout.splitlines()}
    assert values == pytest.approx({"accuracy": 0.7, "precision": 0.8, "recall": 0.6667, "F1": 0.7273}, abs=1e-4)


def test_predictions_file_has_one_line_per_pair_in_file_order(tmp_path: Path) -> None:
    out = tmp_path / "predictions.tsv"
    assert cli("same-claim-eval", str(FIXTURE), "--predictions", str(out), "--json").returncode == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    pairs = read_pairs(FIXTURE)
    assert len(lines) == len(pairs) == 10
    for line, pair in zip(lines, pairs, strict=True):
        id1, id2, score, same = line.split("\t")
        assert (id1, id2) == (pair.id1, pair.id2)
        assert 0.0 <= float(score) <= 1.0
        assert same == str(int(float(score) >= DEFAULT_THRESHOLD))
    # Rewordings (first four) are same, unrelated sentences (109-112) are not.
    assert [line.split("\t")[3] for line in lines[:6]] == ["1", "1", "1", "1", "0", "0"]


def test_threshold_flag_moves_the_decision(tmp_path: Path) -> None:
    out = tmp_path / "predictions.tsv"
    result = cli("same-claim-eval", str(FIXTURE), "--threshold", "1", "--predictions", str(out), "--json")
    assert result.returncode == 0, result.stderr
    # Nothing reaches a score of 1, so every pair is "not same": the four pairs labelled 0 are right.
    assert json.loads(result.stdout)["accuracy"] == pytest.approx(0.4)
    assert {line.split("\t")[3] for line in out.read_text().splitlines()} == {"0"}


def test_a_reworded_claim_scores_above_the_threshold_and_a_different_number_below() -> None:
    claim = "Unemployment rose to 5 percent in March, the ministry said."
    reworded = "The ministry said unemployment climbed to 5 percent in March."
    other_number = "Unemployment rose to 7 percent in March, the ministry said."
    same, different = same_claim_scores([(claim, reworded), (claim, other_number)])
    assert same >= DEFAULT_THRESHOLD > different
    # The number rule is what separates them: the two sentences are otherwise nearly identical.
    assert same_claim_scores([(claim, other_number)], numbers_must_agree=False)[0] >= DEFAULT_THRESHOLD


def test_numbers_conflict_only_when_both_state_numbers_and_share_none() -> None:
    assert numbers_conflict("It cost $1,000.", "It cost 2000 dollars.")
    assert not numbers_conflict("It cost $1,000.", "It cost 1000 dollars.")
    assert not numbers_conflict("It cost $1,000 in 2020.", "It cost 1000 dollars.")
    assert not numbers_conflict("It cost a thousand dollars.", "It cost 1000 dollars.")


def test_quote_marks_do_not_break_parsing(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text(HEADER + '1\t1\t2\tHe said "no\tShe said "yes" twice.\n0\t3\t4\t"\tOpen quote " here\n',
                    encoding="utf-8")
    pairs = read_pairs(path)
    assert pairs == [Pair(True, "1", "2", 'He said "no', 'She said "yes" twice.'),
                     Pair(False, "3", "4", '"', 'Open quote " here')]


def test_a_byte_order_mark_is_not_part_of_the_header(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text("\ufeff" + HEADER + "1\t1\t2\tA.\tB.\n", encoding="utf-8")
    assert read_pairs(path) == [Pair(True, "1", "2", "A.", "B.")]


@pytest.mark.parametrize(("content", "where"), [
    (HEADER + "1\t1\t2\tonly four fields\n", ":2:"),
    (HEADER + "1\t1\t2\tA.\tB.\nyes\t3\t4\tC.\tD.\n", ":3:"),
    (HEADER, "no pairs"),
    ("", "empty"),
])
def test_a_bad_file_is_one_line_naming_the_file_and_line_with_exit_2(tmp_path: Path, content: str, where: str) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    result = cli("same-claim-eval", str(path))
    assert result.returncode == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and str(path) in message and where in message
    assert "Traceback" not in result.stderr


def test_a_missing_or_undecodable_file_exits_2(tmp_path: Path) -> None:
    missing = cli("same-claim-eval", str(tmp_path / "nope.tsv"))
    assert missing.returncode == 2 and "nope.tsv" in missing.stderr and "Traceback" not in missing.stderr
    binary = tmp_path / "binary.tsv"
    binary.write_bytes(b"Quality\t#1 ID\n\xff\xfe\x00\x81")
    result = cli("same-claim-eval", str(binary))
    assert result.returncode == 2 and "binary.tsv" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_threshold_or_predictions_path_exits_2_before_scoring(tmp_path: Path) -> None:
    result = cli("same-claim-eval", str(FIXTURE), "--threshold", "1.5")
    assert result.returncode == 2 and "--threshold" in result.stderr
    result = cli("same-claim-eval", str(FIXTURE), "--predictions", str(tmp_path / "no" / "such" / "out.tsv"))
    assert result.returncode == 2 and "--predictions" in result.stderr


def test_scores_of_counts_the_same_class() -> None:
    gold = [True, True, True, False, False]
    predicted = [True, False, True, True, False]
    # tp 2, fn 1, fp 1, tn 1: accuracy 3/5, precision 2/3, recall 2/3, F1 2/3.
    assert scores_of(gold, predicted) == pytest.approx(
        {"accuracy": 0.6, "precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3, "pairs": 5})
    assert scores_of([False], [False])["f1"] == 0.0


def test_tuning_split_is_stable_and_about_half() -> None:
    pairs = [Pair(True, str(i), str(i + 1), "a", "b") for i in range(0, 2000, 2)]
    first = [in_tuning_part(p) for p in pairs]
    assert first == [in_tuning_part(p) for p in reversed(pairs)][::-1]
    assert 400 < sum(first) < 600
    assert not all(first) and any(first)


def test_read_pairs_error_is_a_citeline_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(HEADER + "2\t1\t2\tA.\tB.\n", encoding="utf-8")
    with pytest.raises(SameClaimEvalError, match=r"bad\.tsv:2: Quality is '2'"):
        read_pairs(path)
