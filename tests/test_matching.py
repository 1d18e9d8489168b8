"""Fact-check matching: the matcher's building blocks and `citeline match-eval` as a user runs it.

FIXTURES: every claim, headline and tweet below is invented for these tests (none comes from CheckThat! or
any fact-checker), written in CheckThat! 2020 Task 2's layout.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from evaluation.match_eval import average_precision_at, reciprocal_rank_at, scores
from evaluation.splits import in_tuning_part
from transform.matching import ClaimIndex, FactCheckClaim, clean_query, terms
from transform.matching.bm25 import BM25

CITELINE = str(Path(sys.executable).parent / "citeline")
CHECKTHAT = Path(__file__).resolve().parents[1] / ".." / "shared" / "checkthat2020"

# Invented verified claims: id, claim, headline. Claim 5 spans two lines inside its quotes, as some real
# claims do, so the reader must be a CSV reader.
CLAIMS = [
    ("0", "Drinking hot water with lemon cures the common cold.", "Does Hot Lemon Water Cure a Cold?"),
    ("1", "A cold winter caused lemon prices to rise sharply in Florida.", "Did Cold Weather Raise Lemon Prices?"),
    ("2", "The city of Springfield banned all bicycles from its parks in 2019.", "Did Springfield Ban Bicycles in Parks?"),
    ("3", "A photograph shows a giant squid washed up on a beach in Oregon.", "Giant Squid on an Oregon Beach?"),
    ("4", "Mayor Alice Brown said the new bridge cost twice its budget.", "Did the Bridge Cost Twice Its Budget?"),
    ("5", 'The new bridge in Rivertown cost exactly twice what the council had budgeted\nfor it.',
     "Rivertown Bridge Budget Claim"),
    ("6", "Eating carrots lets people see in complete darkness.", "Can Carrots Give You Night Vision?"),
]
# Invented tweets and the claim that checks each, with the rank the matcher must give it (worked by hand):
#   q1 repeats claim 3 nearly word for word                          -> claim 3 at rank 1: AP 1, RR 1, P@1 1
#   q2 paraphrases claim 0 (shares "lemon" and "cold" with claim 1 too) -> claim 0 at rank 1: AP 1, RR 1, P@1 1
#   q3 is judged against claim 9, which is not indexed                -> not ranked:       AP 0, RR 0, P@1 0
#   q4 repeats claim 4 word for word, but is judged against claim 5, the same claim in other words, which
#      comes second (claims 0-3 and 6 share nothing with it)          -> rank 2:           AP 1/2, RR 1/2, P@1 0
# MAP@5 = (1 + 1 + 0 + 1/2) / 4 = 0.625; MRR@5 = (1 + 1 + 0 + 1/2) / 4 = 0.625; P@1 = 2/4 = 0.5.
# q5 has no qrels line, so it is ranked (and written to --run) but not scored.
QUERIES = [
    ("q1", "Photo shows giant squid washed up on beach in Oregon!! pic.twitter.com/AbCdEf123 "
           "\u2014 Sea Fan (@seafan_example) May 2, 2020"),
    ("q2", "My grandmother swears a mug of warm lemon water gets rid of a cold in a day "
           "\u2014 Jo Example (@jo_example) March 3, 2020"),
    ("q3", "Springfield banned bicycles from its parks in 2019 https://example.org/bikes"),
    ("q4", "Mayor Alice Brown said the new bridge cost twice its budget."),
    ("q5", "Eating carrots lets people see in complete darkness."),
]
QRELS = [("q1", "3"), ("q2", "0"), ("q3", "9"), ("q4", "5")]


def write_fixture(folder: Path, split: str = "train") -> Path:
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "verified_claims.docs.tsv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(["", "vclaim", "title"])
        writer.writerows(CLAIMS)
    (folder / split).mkdir(exist_ok=True)
    with (folder / split / "tweets.queries.tsv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(["tweet_id", "tweet_content"])
        writer.writerows(QUERIES)
    (folder / split / "tweet-vclaim-pairs.qrels").write_text("".join(f"{q} 0 {c} 1\n" for q, c in QRELS))
    return folder


def cli(*args: str, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    return subprocess.run([CITELINE, *args], capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fixture(tmp_path_factory.mktemp("checkthat") / "tiny")


@pytest.fixture(scope="module")
def index() -> ClaimIndex:
    return ClaimIndex([FactCheckClaim(*claim) for claim in CLAIMS])


def test_match_eval_gives_the_scores_worked_out_by_hand(fixture_dir: Path, tmp_path: Path) -> None:
    result = cli("match-eval", str(fixture_dir), "--json", cache=tmp_path)
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout)
    assert measured["map_at_5"] == pytest.approx(0.625)
    assert measured["mrr_at_5"] == pytest.approx(0.625)
    assert measured["p_at_1"] == pytest.approx(0.5)
    assert measured["queries"] == 4


def test_match_eval_prints_the_three_measures(fixture_dir: Path, tmp_path: Path) -> None:
    result = cli("match-eval", str(fixture_dir), cache=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["MAP@5", "0.6250", "MRR@5", "0.6250", "P@1", "0.5000"]


def test_run_file_holds_valid_trec_lines(fixture_dir: Path, tmp_path: Path) -> None:
    run = tmp_path / "ranking.run"
    result = cli("match-eval", str(fixture_dir), "--run", str(run), cache=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = run.read_text().splitlines()
    claim_ids = {c[0] for c in CLAIMS}
    by_query: dict[str, list[list[str]]] = {}
    for line in lines:
        fields = line.split()
        assert len(fields) == 6 and fields[1] == "Q0" and fields[5] == "citeline", line
        assert fields[2] in claim_ids
        assert 0.0 <= float(fields[4]) <= 1.0
        by_query.setdefault(fields[0], []).append(fields)
    # Every query, the unjudged one too; all 7 claims each (fewer than the 20 written at most), ranks 1..7 in
    # order of non-increasing score.
    assert set(by_query) == {q for q, _ in QUERIES}
    for rows in by_query.values():
        assert [int(r[3]) for r in rows] == list(range(1, len(CLAIMS) + 1))
        assert [float(r[4]) for r in rows] == sorted((float(r[4]) for r in rows), reverse=True)
    assert by_query["q1"][0][2] == "3" and by_query["q4"][:2] == [by_query["q4"][0], by_query["q4"][1]]
    assert [r[2] for r in by_query["q4"][:2]] == ["4", "5"]


@pytest.mark.parametrize("missing", ["verified_claims.docs.tsv", "train/tweets.queries.tsv",
                                     "train/tweet-vclaim-pairs.qrels"])
def test_a_folder_missing_a_file_is_one_line_and_exit_2(fixture_dir: Path, tmp_path: Path, missing: str) -> None:
    import shutil

    broken = shutil.copytree(fixture_dir, tmp_path / "broken")
    (broken / missing).unlink()
    result = cli("match-eval", str(broken), "--json", cache=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert missing.split("/")[-1] in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_split_or_a_missing_folder_is_one_line_and_exit_2(fixture_dir: Path, tmp_path: Path) -> None:
    for args in ([str(fixture_dir), "--split", "dev"], [str(tmp_path / "nowhere")]):
        result = cli("match-eval", *args, cache=tmp_path)
        assert result.returncode == 2, args
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_claim_vectors_are_cached_by_content(fixture_dir: Path, tmp_path: Path) -> None:
    first = cli("match-eval", str(fixture_dir), "--json", cache=tmp_path)
    stored = list((tmp_path / "citeline" / "match-vectors").glob("*.npz"))
    assert len(stored) == 1
    again = cli("match-eval", str(fixture_dir), "--json", cache=tmp_path)
    assert json.loads(again.stdout) == json.loads(first.stdout)
    # Changed content is a different key: a new file, never the old vectors.
    claims = fixture_dir.parent / "changed"
    write_fixture(claims)
    text = (claims / "verified_claims.docs.tsv").read_text().replace("giant squid", "giant octopus")
    (claims / "verified_claims.docs.tsv").write_text(text)
    assert cli("match-eval", str(claims), "--json", cache=tmp_path).returncode == 0
    assert len(list((tmp_path / "citeline" / "match-vectors").glob("*.npz"))) == 2


def test_a_paraphrase_ranks_its_claim_first_where_words_alone_rank_another(index: ClaimIndex) -> None:
    # The query paraphrases claim 0 but shares more words ("rise", "cold", "winter", "lemon") with claim 1:
    # BM25 alone ranks claim 1 first, the sentence vectors put claim 0 back on top.
    query = ["Wake up, rise and shine: a warm lemon drink in the cold winter morning gets rid of any sniffles."]
    words_only = ClaimIndex(index.claims, index.claim_vectors, index.title_vectors,
                            settings=dataclasses.replace(index.settings, claim_cosine=0.0, title_cosine=0.0))
    assert words_only.search(query)[0][0].claim_id == "1"
    [matches] = index.search(query)
    assert matches[0].claim_id == "0"
    assert matches[0].score > matches[1].score


def test_scores_are_calibrated_and_unrelated_text_stays_below_the_threshold(index: ClaimIndex) -> None:
    related, unrelated = index.search(["Photo shows a giant squid washed up on a beach in Oregon",
                                       "The quarterly earnings call is scheduled for Tuesday afternoon."])
    threshold = index.settings.threshold
    assert related[0].claim_id == "3" and related[0].score >= threshold
    assert all(0.0 <= m.score <= 1.0 for m in related + unrelated)
    assert unrelated[0].score < threshold
    assert index.search(["The quarterly earnings call is scheduled for Tuesday afternoon."], threshold=threshold) == [[]]


def test_precomputed_vectors_give_the_same_ranking(index: ClaimIndex) -> None:
    again = ClaimIndex(index.claims, index.claim_vectors.copy(), index.title_vectors.copy())
    query = ["Mayor says the Rivertown bridge went over budget by double"]
    assert [m.claim_id for m in again.search(query)[0]] == [m.claim_id for m in index.search(query)[0]]
    with pytest.raises(ValueError, match="claim_vectors"):
        ClaimIndex(index.claims, index.claim_vectors[:3], index.title_vectors)


def test_clean_query_cuts_signature_links_and_keeps_the_speaker() -> None:
    tweet = ("Trump hotels could be targets #IranCrisis pic.twitter.com/x1Y2z3 https://t.co/abc "
             "\u2014 Jane Example (@jane_example) January 6, 2020")
    assert clean_query(tweet) == "Trump hotels could be targets Iran Crisis Jane Example"
    assert clean_query("A plain statement from an article.") == "A plain statement from an article."


def test_terms_drop_stop_words_and_meet_plurals_halfway() -> None:
    assert terms("The bridges were built by the cities") == terms("a bridge built by a city")


def test_bm25_ranks_the_document_with_the_rarer_shared_term_first() -> None:
    bm25 = BM25([["bridge", "budget"], ["bridge", "park"], ["bridge", "squid"]])
    scores_, ceiling = bm25.score([["squid", "bridge"], ["unknown"]])
    assert int(np.argmax(scores_[0])) == 2
    # A term no document has scores nothing but still counts in the best possible score (so coverage is 0).
    assert np.all(scores_[1] == 0) and ceiling[1] > 0
    assert np.all(scores_[0] <= ceiling[0] + 1e-6)


def test_measures_on_hand_made_rankings() -> None:
    assert average_precision_at(["a", "b", "c"], {"b"}) == 0.5
    # Two relevant, found at ranks 1 and 3: (1/1 + 2/3) / 2.
    assert average_precision_at(["a", "x", "b"], {"a", "b"}) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision_at(["x"] * 5 + ["a"], {"a"}) == 0.0  # beyond the cut-off
    assert reciprocal_rank_at(["x", "x", "a"], {"a"}) == pytest.approx(1 / 3)
    measured = scores({"q": ["a"], "r": ["x", "b"]}, {"q": {"a"}, "r": {"b"}, "s": set()})
    assert measured == {"map_at_5": 0.75, "mrr_at_5": 0.75, "p_at_1": 0.5, "queries": 2}


def test_the_split_is_deterministic_and_near_half() -> None:
    ids = [str(i) for i in range(1, 801)]
    tuning = [q for q in ids if in_tuning_part(q)]
    assert tuning == [q for q in ids if in_tuning_part(q)]
    assert 340 < len(tuning) < 460
