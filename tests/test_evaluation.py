"""The PolNeAR-style metric, on tiny gold folders written here (PolNeAR itself is never copied)."""

from __future__ import annotations

import json

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
    (tmp_path / "text" / "doc.txt").write_text(TEXT, encoding="utf-8")
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
