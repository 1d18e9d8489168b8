"""The PolNeAR-style metric, on tiny gold folders written here (PolNeAR itself is never copied)."""

from __future__ import annotations

import json

import pytest

from citeline.cli import main
from evaluation.brat import Relation, parse_ann
from evaluation.metrics import pair_relations, score_document

TEXT = '"We will win," the coach said. Fans said that tickets sold out.'
ANN = (
    "T1\tContent 1 13\tWe will win,\nT2\tSource 15 24\tthe coach\nT3\tCue 25 29\tsaid\n"
    "T4\tAttribution 25 29\tsaid\nE1\tAttribution:T4 Content:T1 Cue:T3 Source:T2\n"
    "T5\tCue 36 40\tsaid\nT6\tContent 41 63;63 64\tthat tickets sold out.\n"
    "T7\tAttribution 36 40\tsaid\nE2\tAttribution-no-source:T7 Content:T6 Cue:T5\n"
    "T8\tDiscuss 0 3\t\"We\n"
)


def test_parse_ann_reads_roles_gaps_and_no_source_relations():
    relations = parse_ann(ANN)
    assert relations[0] == Relation(((1, 13),), ((25, 29),), ((15, 24),))
    assert relations[1].content == ((41, 63), (63, 64)) and relations[1].source == ()


def test_pairs_are_one_to_one_best_first_and_respect_the_threshold():
    gold = parse_ann(ANN)
    whole = Relation(((0, 64),), (), ())
    exact = Relation(((1, 13),), ((25, 29),), ((15, 24),))
    assert pair_relations(TEXT, gold, [whole, exact], 0.5) == [(0, 1)]
    assert pair_relations(TEXT, gold, [Relation(((1, 8),), (), ())], 0.5) == [(0, 0)]  # "We will" vs "We will win": 6/9
    assert pair_relations(TEXT, gold, [Relation(((1, 3),), (), ())], 0.5) == []


def test_scores_count_source_and_cue_only_over_pairs():
    gold = parse_ann(ANN)
    predicted = [
        Relation(((1, 13),), ((25, 29),), ((15, 24),)),  # all right
        Relation(((46, 63),), ((36, 40),), ((31, 35),)),  # content paired, but gold has no source
        Relation(((31, 35),), ((36, 40),), ()),  # pairs with nothing
    ]
    tally = score_document(TEXT, gold, predicted, 0.5)
    report = tally.report()
    assert (tally.pairs, tally.source_right, tally.cue_right, tally.both_right) == (2, 1, 2, 1)
    assert report["content_precision"] == 2 / 3 and report["content_recall"] == 1.0
    assert report["relation_precision"] == 1 / 3 and report["relation_recall"] == 0.5


def _gold_folder(tmp_path):
    (tmp_path / "text").mkdir(parents=True)
    (tmp_path / "attributions").mkdir()
    # The closing newline: ANN's "63 64" covers it, and a range past the end of its text is refused.
    (tmp_path / "text" / "doc.txt").write_text(TEXT + "\n", encoding="utf-8")
    (tmp_path / "attributions" / "doc_zz.ann").write_text("", encoding="utf-8")  # later annotator: ignored
    (tmp_path / "attributions" / "doc_aa.ann").write_text(ANN, encoding="utf-8")
    return tmp_path


def test_eval_command_scores_the_engine_and_a_predictions_file(tmp_path, capsys):
    gold = _gold_folder(tmp_path / "gold")
    assert main(["eval", str(gold), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["documents"] == 1 and report["gold"] == 2 and report["pairs"] >= 1
    assert report["tokens_per_second"] > 0
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps({"file": "x/doc.txt", "content": [1, 13], "cue": [25, 29], "source": [15, 24]}) + "\n")
    assert main(["eval", str(gold), "--pred", str(pred), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["pairs"], report["relation_precision"], report["relation_recall"]) == (1, 1.0, 0.5)


def test_eval_rejects_a_folder_in_the_wrong_layout(tmp_path, capsys):
    assert main(["eval", str(tmp_path)]) == 2
    assert "text/ and attributions/" in capsys.readouterr().err


ONLY_THE_QUOTE = "\n".join(ANN.splitlines()[:5]) + "\n"  # the coach's quote, without the fans' claim


def _multiply_annotated_folder(tmp_path):
    folder = tmp_path / "gold"
    (folder / "text").mkdir(parents=True)
    (folder / "attributions").mkdir()
    (folder / "text" / "doc.txt").write_text(TEXT + "\n", encoding="utf-8")  # newline: see _gold_folder
    (folder / "text" / "single.txt").write_text(TEXT + "\n", encoding="utf-8")
    for annotator, ann in (("aa", ANN), ("bb", ANN), ("cc", ONLY_THE_QUOTE)):
        (folder / "attributions" / f"doc_{annotator}.ann").write_text(ann, encoding="utf-8")
    (folder / "attributions" / "single_aa.ann").write_text(ANN, encoding="utf-8")
    return folder


def test_agreement_scores_every_ordered_pair_of_annotators_and_the_engine_against_each(tmp_path):
    from evaluation.agreement import agreement

    result = agreement(_multiply_annotated_folder(tmp_path))
    assert (result.documents, result.annotations) == (1, 3)  # the singly annotated text has no one to agree with
    # aa and bb agree on both relations; cc has only the quote, so each pair with cc shares one relation
    human = result.human
    assert (human.gold, human.predicted, human.pairs, human.both_right) == (10, 10, 8, 8)
    assert human.report()["content_f1"] == pytest.approx(0.8)
    assert result.engine.gold == 2 + 2 + 1  # every annotator is the gold once for the engine
    assert result.engine.predicted % 3 == 0  # the same predictions, scored three times


def test_agreement_command_prints_both_rows_and_rejects_singly_annotated_folders(tmp_path, capsys):
    folder = _multiply_annotated_folder(tmp_path)
    assert main(["agreement", str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["annotator_vs_annotator"]["relation_f1"] == pytest.approx(0.8)
    assert 0 < report["engine_vs_annotator"]["gold"] and report["documents"] == 1
    assert main(["agreement", str(folder)]) == 0
    assert "annotator vs annotator" in capsys.readouterr().out
    for ann in (folder / "attributions").glob("doc_[bc]*.ann"):
        ann.unlink()
    assert main(["agreement", str(folder)]) == 2
    assert "no text with two or more annotation files" in capsys.readouterr().err
