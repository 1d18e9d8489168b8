"""Check-worthiness in a run: every statement scored from the vector its batch already made (the encoder
runs once per statement), and each article's own uncovered sentences kept, scored, as article claims."""

from __future__ import annotations

from collections import Counter

import duckdb
import pytest

from expectations.gate import validate_staged
from extract.collect import read_local_pages
from flows.batches import rows_for_pages
from flows.pipeline import citeline_run
from flows.run_config import RunConfig
from tests.support.pages import copy_demo_pages, demo_pages
from tests.support.warehouse import run_rows, stage_and_load
from transform import encoder
from transform.check_worthiness import default_threshold
from transform.check_worthiness.model import SENTENCE_MODEL, SHIPPED_MODEL, load_model
from transform.check_worthiness.sentences import sentence_spans, uncovered_sentences

FACT = '"Unemployment fell to 3.5 percent in 2019, the lowest rate in fifty years," the minister said.'
PLEASANTRY = '"Thank you all so much, it is wonderful to be here tonight," the minister said.'
OWN_CLAIM = "The city spent $4.2 million on the new bridge in 2019, twice the budget approved by the council."
TEXT = f"{FACT} {PLEASANTRY}\n{OWN_CLAIM}"


def _statements(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT content, check_worthiness, check_worthy, check_worthiness_model FROM statements").fetchall()


def _claims(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT c.article_id, c.text, c.check_worthiness, c.check_worthy, c.check_worthiness_model, "
                           "substring(a.text, c.sentence_start + 1, c.sentence_end - c.sentence_start) "
                           "FROM article_claims c JOIN articles a USING (article_id) ORDER BY c.sentence_start").fetchall()


@pytest.fixture
def counted_encoder(monkeypatch):
    """Every text the sentence encoder is given, counted."""
    seen: Counter[str] = Counter()
    encode = encoder.Encoder.encode

    def counting(self, texts, *args, **kwargs):
        seen.update(texts)
        return encode(self, texts, *args, **kwargs)

    monkeypatch.setattr(encoder.Encoder, "encode", counting)
    return seen


def test_sentences_split_at_full_stops_not_at_abbreviations_and_keep_their_offsets():
    text = "Mr. Smith paid $4.5 million to the U.S. Treasury on Monday. It rained.\n  The new paragraph starts right here! \"Quoted?\" Yes."
    sentences = [text[start:end] for start, end in sentence_spans(text)]
    assert sentences == ["Mr. Smith paid $4.5 million to the U.S. Treasury on Monday.", "It rained.",
                         "The new paragraph starts right here!", '"Quoted?"', "Yes."]
    first = text.index("Mr.")
    assert [text[s:e] for s, e in uncovered_sentences(text, [(text.index("Quoted"), text.index("Quoted") + 6)])] == [
        sentences[0], sentences[2]]  # short ones (under five words) and the covered one left out
    assert uncovered_sentences(text, [(first, first + 3)])[0][0] == text.index("The new")


def test_published_statements_are_scored_the_right_way_round_and_name_their_model(tmp_path):
    db = tmp_path / "w.duckdb"
    stage_and_load(db, "run-1", run_rows({"a1": TEXT}), [], [], validate_staged)

    scores = {content: (score, worthy, model) for content, score, worthy, model in _statements(db)}
    fact, pleasantry = (next(v for k, v in scores.items() if k in text) for text in (FACT, PLEASANTRY))
    assert all(0 <= score <= 1 for score, _, _ in scores.values())
    assert fact[0] > default_threshold() > pleasantry[0] and (fact[1], pleasantry[1]) == (True, False)
    assert {model for _, _, model in scores.values()} == {load_model(SHIPPED_MODEL).card["model_id"]}


def test_article_claims_hold_the_outlets_own_sentence_not_a_quoted_one_and_are_replaced_on_republishing(tmp_path):
    db = tmp_path / "w.duckdb"
    stage_and_load(db, "run-1", run_rows({"a1": TEXT}), [], [], validate_staged)

    claims = _claims(db)
    assert [text for _, text, *_ in claims] == [OWN_CLAIM]  # the quoted sentences are statements, not claims
    _, text, score, worthy, model, at_offsets = claims[0]
    assert at_offsets == text and worthy and 0 <= score <= 1
    assert model == load_model(SENTENCE_MODEL).card["model_id"]

    replacement = "The council approved a budget of 2 million dollars for the bridge in March 2018."
    stage_and_load(db, "run-2", run_rows({"a1": f"{FACT}\n{replacement}"}), [], [], validate_staged)
    assert [text for _, text, *_ in _claims(db)] == [replacement]


def test_a_claim_off_its_text_is_quarantined_and_a_quarantined_article_takes_its_claims_along(tmp_path):
    db = tmp_path / "w.duckdb"
    rows = run_rows({"a1": TEXT, "a2": OWN_CLAIM + " " + OWN_CLAIM.replace("2019", "2020")})
    bad = next(c for c in rows.article_claims if c["article_id"] == "a2")
    bad["sentence_end"] += 500  # past the end of its article's text
    rows.articles[0]["published_date"] = "2999-01-01"  # after its fetch: the gate quarantines article a1
    rows.articles[0]["fetched_at"] = "2020-01-01T00:00:00+00:00"
    stage_and_load(db, "run-1", rows, [], [], validate_staged)

    with duckdb.connect(str(db), read_only=True) as con:
        quarantined = con.execute("SELECT table_name, count(DISTINCT row_key) FROM quarantine GROUP BY 1").fetchall()
        staged = con.execute("SELECT count(*) FROM stg_article_claims").fetchone()[0]
    assert ("article_claims", 1) in quarantined and ("articles", 1) in quarantined and staged == 0
    assert [(article_id, text) for article_id, text, *_ in _claims(db)] == [("a2", OWN_CLAIM.replace("2019", "2020"))]


def test_a_batch_scores_each_statement_from_the_vector_it_encoded_once(counted_encoder):
    result = rows_for_pages(read_local_pages(demo_pages()[40:43]))
    statements = result.rows.statements
    assert statements and result.rows.article_claims
    assert all(0 <= row["check_worthiness"] <= 1 and row["check_worthy"] is not None for row in statements)
    contents = Counter(row["content"] for row in statements)
    assert {text: counted_encoder[text] for text in contents} == dict(contents)  # once each, never again
    assert not any(counted_encoder[row["text"]] for row in result.rows.article_claims)  # TF-IDF only: no encoder
    assert result.seconds["check_worthiness"] >= 0


def test_a_run_scores_every_statement_once_encoded_and_keeps_the_articles_own_claims(tmp_path, prefect_server, counted_encoder):
    copy_demo_pages(tmp_path / "pages", slice(40, 43))
    db = tmp_path / "w.duckdb"
    summary = citeline_run(RunConfig(inputs=[str(tmp_path / "pages")], db=str(db)))
    assert summary["run"]["quality_verdict"] == "pass" and summary["timings"]["check_worthiness"] >= 0

    statements = _statements(db)
    assert statements and all(0 <= score <= 1 and worthy is not None and model for _, score, worthy, model in statements)
    contents = Counter(content for content, *_ in statements)
    assert {text: counted_encoder[text] for text in contents} == dict(contents)  # each encoded once in the run
    claims = _claims(db)
    assert claims and all(text == at_offsets for _, text, *_, at_offsets in claims)
    assert not set(contents) & {text for _, text, *_ in claims}
