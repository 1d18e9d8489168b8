"""Write-audit-publish: each kind of corruption in a staged run is quarantined or blocks, as specified."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import duckdb
import pytest

from expectations import gate
from expectations.gate import validate_staged
from tests.support.warehouse import article, scored, stage_and_load
from transform.engine import attribute
from warehouse import staging, store
from warehouse.rows import RunRows, add_article

TEXT = '"We will win the final," the coach said. Officials said that every ticket had sold out, according to the BBC.'
PUBLISHED = ("articles", "statements", "sources", "statement_sources")


OTHER_TEXT = "Police said that the road would stay closed until Monday. The mayor said: \"Drive carefully.\""


def make_rows(article_ids: list[str], text: str = TEXT) -> RunRows:
    rows = RunRows()
    for article_id in article_ids:
        if article_id == "b2":
            text = OTHER_TEXT  # b2 cites other sources than b1, so corrupting one of b1's leaves b2 whole
        fields = {"title": article_id, "published_date": date(2024, 3, 1), "fetched_at": datetime(2024, 3, 2, tzinfo=UTC)}
        add_article(rows, article=article(article_id, **fields), text=text, statements=attribute(text), engine_version="test")
    return scored(rows)


def snapshot(db) -> dict[str, list]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: sorted(map(str, con.execute(f"SELECT * FROM {t}").fetchall())) for t in PUBLISHED}


@pytest.fixture()
def warehouse(tmp_path):
    db = tmp_path / "w.duckdb"
    result = stage_and_load(db, "good", make_rows(["a1", "a2"]), [], [], validate_staged)
    assert result.published and result.verdict.label == "pass"
    return db


def first_statement_of(rows: RunRows, article_id: str) -> dict:
    return next(s for s in rows.statements if s["article_id"] == article_id)


ROW_CORRUPTIONS = {
    "duplicate statement key": ("statements", lambda r: r.statements.append(dict(first_statement_of(r, "b1")))),
    # Nulling a statement's key also orphans its chain links: they are quarantined too.
    "null statement key": ({"statements", "statement_sources"}, lambda r: first_statement_of(r, "b1").update(statement_id=None)),
    "statement of a missing article": ("statements", lambda r: first_statement_of(r, "b1").update(article_id="nowhere")),
    "statement of a missing source": ("statements", lambda r: first_statement_of(r, "b1").update(source_id="nosuchsource")),
    "offsets past the text": ("statements", lambda r: first_statement_of(r, "b1").update(content_end=10_000)),
    "content not at its offsets": ("statements", lambda r: first_statement_of(r, "b1").update(content="something else")),
    "cue not at its offsets": ("statements", lambda r: first_statement_of(r, "b1").update(cue="shouted")),
    "kind outside the set": ("statements", lambda r: first_statement_of(r, "b1").update(kind="rumour")),
    "stance outside the set": ("statements", lambda r: first_statement_of(r, "b1").update(stance="shrug")),
    "confidence above one": ("statements", lambda r: first_statement_of(r, "b1").update(confidence=1.5)),
    "check-worthiness above one": ("statements", lambda r: first_statement_of(r, "b1").update(check_worthiness=1.5)),
    "statement not scored for check-worthiness": ("statements", lambda r: first_statement_of(r, "b1").update(check_worthiness=None)),
    "article claim past its text": ("article_claims", lambda r: r.article_claims.append(
        {"sentence_id": "past", "article_id": "b1", "sentence_start": 0, "sentence_end": 10_000, "text": "x", "check_worthiness": 0.5})),
    "source type outside the set": ("sources", lambda r: r.sources[first_statement_of(r, "b1")["source_id"]].update(type="alien")),
    "published after it was fetched": ("articles", lambda r: r.articles[0].update(published_date=date(2030, 1, 1))),
    "chain position below zero": ("statement_sources", lambda r: r.statement_sources[0].update(position=-1)),
    "chain link of a missing statement": ("statement_sources", lambda r: r.statement_sources[0].update(statement_id="nostatement")),
}


@pytest.mark.parametrize("case", sorted(ROW_CORRUPTIONS))
def test_row_level_failures_are_quarantined_and_the_rest_publishes(warehouse, case):
    table, corrupt = ROW_CORRUPTIONS[case]
    before = snapshot(warehouse)
    rows = make_rows(["b1", "b2"])
    corrupt(rows)
    result = stage_and_load(warehouse, "corrupt", rows, [], [], validate_staged)
    assert result.published and result.verdict.label == "pass with quarantine"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        quarantined = con.execute("SELECT table_name, row_key, expectation FROM quarantine WHERE run_id = 'corrupt'").fetchall()
        expected_tables = table if isinstance(table, set) else {table}
        assert quarantined and {q[0] for q in quarantined} == expected_tables
        assert all(json.loads(q[1]) for q in quarantined)  # keys are valid JSON
        # The good article of the corrupted run was published; the earlier run's rows are untouched.
        assert con.execute("SELECT count(*) FROM articles WHERE article_id = 'b2'").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM statements WHERE article_id = 'b2'").fetchone()[0] >= 2
        failed = con.execute("SELECT count(*) FROM quality_results WHERE run_id = 'corrupt' AND NOT success").fetchone()[0]
        assert failed >= 1
    after = snapshot(warehouse)
    for name in PUBLISHED:
        assert set(before[name]) <= set(after[name]), name  # nothing published earlier was lost or changed


def test_twenty_articles_in_a_row_without_statements_block_the_publish(warehouse):
    before = snapshot(warehouse)
    rows = make_rows([f"e{i:02d}" for i in range(20)], text="Nothing anybody says here. The sky was grey all day long.")
    assert not rows.statements
    result = stage_and_load(warehouse, "broken-attributor", rows, [], [], validate_staged)
    assert not result.published
    assert result.verdict.failures == ["batch: expect_column_values_to_be_between(longest_run_without_statements)"]
    assert snapshot(warehouse) == before


def test_too_many_pages_without_text_block_the_publish(warehouse):
    before = snapshot(warehouse)
    failures = [{"stage": "extract", "url": f"https://news.test/x{i}", "error_class": "no_text", "detail": "main text is empty"}
                for i in range(5)]
    result = stage_and_load(warehouse, "broken-extractor", make_rows(["c1"]), [], failures, validate_staged)
    assert not result.published
    assert result.verdict.failures == ["batch: expect_column_values_to_be_between(share_without_text)"]
    assert snapshot(warehouse) == before


SLICING_CASES = {
    **{case: ROW_CORRUPTIONS[case] for case in ("duplicate statement key", "null statement key", "chain position below zero")},
    # Frames are dealt by article_id: a shared canonical URL is a second key that must still meet its copy.
    "two articles with one canonical URL": ("articles", lambda r: r.articles[3].update(canonical_url=r.articles[0]["canonical_url"])),
}


@pytest.mark.parametrize("case", sorted(SLICING_CASES))
def test_validating_batch_by_batch_finds_what_one_frame_finds(tmp_path, monkeypatch, case):
    """A run is validated one staged batch at a time; a duplicated key must still meet its copy, a null key must not be dropped."""
    _table, corrupt = SLICING_CASES[case]

    def verdict_with_batches_of(articles: int, db):
        monkeypatch.setattr(staging, "PUBLISH_CHUNK_ARTICLES", articles)
        monkeypatch.setattr(gate, "FRAME_ROWS", 1)  # a frame per staged batch
        rows = make_rows(["b1", "b2", "b3", "b4"])
        corrupt(rows)
        con = store.connect(db)
        try:
            staging.stage(con, "corrupt", rows)
            assert con.execute("SELECT count(DISTINCT batch) FROM stg_articles").fetchone()[0] == -(-4 // articles)
            return validate_staged(con, "corrupt")
        finally:
            con.close()

    whole = verdict_with_batches_of(500, tmp_path / "whole.duckdb")
    sliced = verdict_with_batches_of(1, tmp_path / "sliced.duckdb")
    quarantined = lambda verdict: sorted((q.table, json.dumps(q.key, sort_keys=True), q.expectation) for q in verdict.quarantined)
    assert quarantined(whole) and quarantined(sliced) == quarantined(whole)
    assert sliced.evaluated == whole.evaluated
    counts = lambda verdict: sorted((r["suite"], r["expectation"], r["column_name"], r["success"], r["element_count"], r["unexpected_count"])
                                    for r in verdict.results)
    assert counts(sliced) == counts(whole)
