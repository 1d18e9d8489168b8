"""Loads are upserts, and a load that fails (quality gate or crash) leaves published data as it was."""

from __future__ import annotations

import json

import duckdb
import pytest

from expectations.gate import validate_staged
from tests.support.warehouse import NEWS_TEXT, passes, run_rows, stage_and_load, table_counts
from warehouse import publish, schema, staging, store
from warehouse.rows import RunRows

TEXT = NEWS_TEXT


def _rows(text: str = TEXT, article_ids: tuple[str, ...] = ("a1",)) -> RunRows:
    return run_rows(dict.fromkeys(article_ids, text))


def _counts(db):
    return table_counts(db, staging.STAGED_TABLES)


def test_loading_the_same_run_twice_keeps_row_counts(tmp_path):
    db = tmp_path / "w.duckdb"
    first = stage_and_load(db, "run-1", _rows(), [], [], validate_staged)
    assert first.published and first.verdict.passed
    counts = _counts(db)
    assert counts["articles"] == 1 and counts["statements"] >= 2
    stage_and_load(db, "run-2", _rows(), [], [], validate_staged)
    assert _counts(db) == counts


def test_a_split_quote_keeps_its_quoted_parts_without_the_attribution(tmp_path):
    text = '"We will win this league," the coach said on Friday, "and then we will win the cup."'
    db = tmp_path / "w.duckdb"
    stage_and_load(db, "run", _rows(text=text), [], [], validate_staged)
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("SELECT content, content_parts FROM statements").fetchall()
    split = [(content, [text[start:end] for start, end in json.loads(parts)]) for content, parts in stored]
    assert any(
        len(parts) == 2 and "win this league" in parts[0] and "win the cup" in parts[1]
        and "coach" in content and not any("coach" in part for part in parts)
        for content, parts in split
    ), split


def _staged_and_pending(db):
    with duckdb.connect(str(db), read_only=True) as con:
        staged = sum(con.execute(f"SELECT count(*) FROM stg_{t}").fetchone()[0] for t in staging.STAGED_TABLES)
        pending = con.execute("SELECT count(*) FROM publish_log WHERE finished_at IS NULL").fetchone()[0]
    return staged, pending


def test_a_failing_publish_chunk_changes_nothing_published(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    stage_and_load(db, "good", _rows(), [], [], validate_staged)
    before = _counts(db)
    broken_sql = publish.PUBLISH_CHUNK_SQL.replace("INSERT INTO statement_sources", "INSERT INTO no_such_table")
    monkeypatch.setattr(publish, "PUBLISH_CHUNK_SQL", broken_sql)
    with pytest.raises(duckdb.Error):
        stage_and_load(db, "crash", _rows(text=TEXT + " Rain is due, forecasters said."), [], [], passes)
    assert _counts(db) == before  # the chunk's deletes of the old rows were rolled back with its inserts


def test_a_publish_cut_short_is_finished_by_the_next_writer_without_duplicates(tmp_path, monkeypatch):
    expected_db = tmp_path / "whole.duckdb"
    stage_and_load(expected_db, "whole", _rows(article_ids=("a1", "a2", "a3")), [], [], validate_staged)
    expected = _counts(expected_db)
    assert expected["articles"] == 3

    db = tmp_path / "w.duckdb"
    monkeypatch.setattr(staging, "PUBLISH_CHUNK_ARTICLES", 1)
    real_chunk, calls = publish.publish_chunk, []

    def chunk_then_crash(con, run_id):
        calls.append(run_id)
        if len(calls) == 2:
            raise OSError("disk unplugged")
        return real_chunk(con, run_id)

    monkeypatch.setattr(publish, "publish_chunk", chunk_then_crash)
    with pytest.raises(OSError, match="disk unplugged"):
        stage_and_load(db, "cut", _rows(article_ids=("a1", "a2", "a3")), [], [], validate_staged)
    assert _counts(db)["articles"] == 1
    assert _staged_and_pending(db)[1] == 1

    monkeypatch.setattr(publish, "publish_chunk", real_chunk)
    store.connect(db).close()  # any writer opening the warehouse finishes the publish first
    assert _counts(db) == expected
    assert _staged_and_pending(db) == (0, 0)
    with duckdb.connect(str(db), read_only=True) as con:  # and records the run its process never did
        row = con.execute("SELECT status, n_articles, quality_verdict, quality_details FROM runs WHERE run_id = 'cut'").fetchone()
    assert row[:3] == ("published", 3, "pass") and "recovered" in json.loads(row[3])

    retried = store.load_run(db, "cut", None, [], [], lambda con, run: pytest.fail("a published run is not validated again"))
    assert retried.published and retried.verdict.passed and retried.verdict.evaluated > 0
    assert _counts(db) == expected


def test_each_staged_batch_publishes_in_a_transaction_of_its_own(tmp_path):
    db = tmp_path / "w.duckdb"
    store.stage_batch(db, "batched", _rows(article_ids=("a1", "a2")), first=True)
    store.stage_batch(db, "batched", _rows(article_ids=("a3",)), first=False)
    with duckdb.connect(str(db), read_only=True) as con:
        batches = con.execute("SELECT article_id, batch FROM stg_articles ORDER BY article_id").fetchall()
        statement_batches = con.execute(
            "SELECT DISTINCT a.batch = s.batch FROM stg_statements s JOIN stg_articles a USING (article_id)").fetchall()
    assert batches == [("a1", 0), ("a2", 0), ("a3", 1)] and statement_batches == [(True,)]

    assert store.load_run(db, "batched", None, [], [], validate_staged).published
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT chunks FROM publish_log WHERE run_id = 'batched'").fetchone() == (2,)
    expected_db = tmp_path / "whole.duckdb"
    stage_and_load(expected_db, "whole", _rows(article_ids=("a1", "a2", "a3")), [], [], validate_staged)
    assert _counts(db) == _counts(expected_db)


def test_migrate_is_idempotent_and_versioned(tmp_path):
    db = tmp_path / "w.duckdb"
    store.connect(db).close()
    con = store.connect(db)
    assert con.execute("SELECT max(version), count(*) FROM schema_migrations").fetchone() == (
        schema.SCHEMA_VERSION, len(schema.migrations()))
    con.close()


def _columns(con):
    return con.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                       "ORDER BY ALL").fetchall()


def test_a_warehouse_left_at_any_version_upgrades_to_the_schema_of_a_new_one(tmp_path):
    # Migrations apply by number above the highest recorded: two files sharing a number, or a new one
    # numbered below a released one, would be skipped by every warehouse already past it.
    versions = [version for version, _sql in schema.migrations()]
    assert len(versions) == len(set(versions)), f"migration numbers used twice: {sorted(versions)}"
    fresh = store.connect(tmp_path / "fresh.duckdb")
    expected = _columns(fresh)
    fresh.close()
    for stop in versions[:-1]:
        db = tmp_path / f"at-{stop}.duckdb"
        with duckdb.connect(str(db)) as old:
            old.execute("CREATE TABLE schema_migrations (version INTEGER, applied_at TIMESTAMPTZ)")
            for version, sql in schema.migrations():
                if version <= stop:
                    old.execute(sql)
                    old.execute("INSERT INTO schema_migrations VALUES (?, now())", [version])
        con = store.connect(db)
        try:
            assert _columns(con) == expected, f"a warehouse at migration {stop} did not upgrade to the new schema"
        finally:
            con.close()


def test_a_version_1_warehouse_upgrades_itself_without_losing_rows(tmp_path):
    db = tmp_path / "old.duckdb"
    version, base_sql = schema.migrations()[0]
    assert version == 1
    with duckdb.connect(str(db)) as old:  # a warehouse as version 1 left it, with data
        old.execute(base_sql)
        old.execute("INSERT INTO schema_migrations VALUES (1, now())")
        old.execute("INSERT INTO runs (run_id, status) VALUES ('old-run', 'published')")
        old.execute("INSERT INTO sources VALUES ('s1', 'Reuters', 'news_agency', 'old-run')")
    con = store.connect(db)
    try:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == schema.SCHEMA_VERSION
        assert con.execute("SELECT run_id, status, n_quarantined FROM runs").fetchall() == [("old-run", "published", None)]
        assert con.execute("SELECT name FROM sources").fetchall() == [("Reuters",)]
        assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM statements_flat").fetchone()[0] == 0
    finally:
        con.close()


def test_opening_a_missing_warehouse_read_only_names_the_file(tmp_path):
    with pytest.raises(store.WarehouseError, match="absent.duckdb"):
        store.connect(tmp_path / "absent.duckdb", read_only=True)
