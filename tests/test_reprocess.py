"""Reprocessing re-runs extraction and attribution from stored raw pages: no network, no duplicates."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import duckdb

import flows.pipeline as pipeline
from citeline.cli import main
from flows.run_config import RunConfig
from tests.support.pages import copy_demo_pages
from tests.support.warehouse import table_counts


def _table_counts(db):
    return table_counts(db, ("articles", "statements", "statement_sources"))


def test_reprocess_replaces_rows_with_the_new_version_from_raw_pages(tmp_path, prefect_server, monkeypatch):
    folder = tmp_path / "pages"
    copy_demo_pages(folder, slice(20, 24))
    db = tmp_path / "w.duckdb"
    pipeline.citeline_run(RunConfig(inputs=[str(folder)], db=str(db)))
    before = _table_counts(db)
    shutil.rmtree(folder)  # the inputs are gone: only the raw store remains

    assert main(["reprocess", "--db", str(db), "--since", str(date.today() + timedelta(days=1))]) == 0
    assert _table_counts(db) == before  # nothing fetched since tomorrow: nothing reprocessed

    monkeypatch.setattr(pipeline, "ENGINE_VERSION", "rules-next")
    summary = pipeline.citeline_reprocess(db_path=str(db), since=date.today())
    assert summary["run"]["status"] == "published" and summary["run"]["n_articles"] == 4
    assert _table_counts(db) == before
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT DISTINCT engine_version FROM articles").fetchall() == [("rules-next",)]
        assert con.execute("SELECT DISTINCT engine_version FROM statements").fetchall() == [("rules-next",)]
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 3
        outcomes = con.execute("SELECT DISTINCT outcome FROM fetch_log WHERE run_id = ?", [summary["run"]["run_id"]]).fetchall()
        assert outcomes == [("reprocessed",)]

    # Nothing is out of date now: a reprocess redoes nothing, unless told to redo everything.
    assert pipeline.citeline_reprocess(db_path=str(db))["run"]["n_articles"] == 0
    assert pipeline.citeline_reprocess(db_path=str(db), everything=True)["run"]["n_articles"] == 4
    assert _table_counts(db) == before


def test_reprocess_names_a_missing_warehouse(tmp_path, capsys):
    assert main(["reprocess", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "none.duckdb" in capsys.readouterr().err
