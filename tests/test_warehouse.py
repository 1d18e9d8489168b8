"""Loads are upserts, and a load that fails (quality gate or crash) leaves published data as it was."""

from __future__ import annotations

import duckdb
import pytest

from expectations.gate import Verdict, validate_staged
from transform.attribution import attribute
from warehouse import store
from warehouse.rows import RunRows, add_article

TEXT = '"We will win," the coach said. The club said that tickets had sold out, according to the BBC.'


def _rows(text: str = TEXT, article_id: str = "a1") -> RunRows:
    rows = RunRows()
    article = {"article_id": article_id, "canonical_url": f"https://news.test/{article_id}", "url": f"https://news.test/{article_id}",
               "title": "T", "sitename": "News Test", "published_date": None}
    add_article(rows, article=article, text=text, statements=attribute(text), engine_version="test")
    return rows


def _counts(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in store.STAGED_TABLES}


def test_loading_the_same_run_twice_keeps_row_counts(tmp_path):
    db = tmp_path / "w.duckdb"
    first = store.load_run(db, "run-1", _rows(), [], [], validate_staged)
    assert first.published and first.verdict.passed
    counts = _counts(db)
    assert counts["articles"] == 1 and counts["statements"] >= 2
    store.load_run(db, "run-2", _rows(), [], [], validate_staged)
    assert _counts(db) == counts


def test_crash_half_way_through_publish_rolls_back(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    store.load_run(db, "good", _rows(), [], [], validate_staged)
    before = _counts(db)
    broken_sql = store.PUBLISH_SQL.replace("INSERT INTO statement_sources", "INSERT INTO no_such_table")
    monkeypatch.setattr(store, "PUBLISH_SQL", broken_sql)
    with pytest.raises(duckdb.Error):
        store.load_run(db, "crash", _rows(article_id="a1"), [], [], lambda con, run: Verdict(passed=True))
    assert _counts(db) == before


def test_migrate_is_idempotent_and_versioned(tmp_path):
    db = tmp_path / "w.duckdb"
    store.connect(db).close()
    con = store.connect(db)
    assert con.execute("SELECT max(version), count(*) FROM schema_migrations").fetchone() == (
        store.SCHEMA_VERSION, len(store.migrations()))
    con.close()


def test_a_version_1_warehouse_upgrades_itself_without_losing_rows(tmp_path):
    db = tmp_path / "old.duckdb"
    version, base_sql = store.migrations()[0]
    assert version == 1
    with duckdb.connect(str(db)) as old:  # a warehouse as version 1 left it, with data
        old.execute(base_sql)
        old.execute("INSERT INTO schema_migrations VALUES (1, now())")
        old.execute("INSERT INTO runs (run_id, status) VALUES ('old-run', 'published')")
        old.execute("INSERT INTO sources VALUES ('s1', 'Reuters', 'news_agency', 'old-run')")
    con = store.connect(db)
    try:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == store.SCHEMA_VERSION
        assert con.execute("SELECT run_id, status, n_quarantined FROM runs").fetchall() == [("old-run", "published", None)]
        assert con.execute("SELECT name FROM sources").fetchall() == [("Reuters",)]
        assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM statements_flat").fetchone()[0] == 0
    finally:
        con.close()


def test_opening_a_missing_warehouse_read_only_names_the_file(tmp_path):
    with pytest.raises(store.WarehouseError, match="absent.duckdb"):
        store.connect(tmp_path / "absent.duckdb", read_only=True)
