"""Staging batch by batch publishes exactly what one batch would: no duplicate sources, nothing lost."""

from __future__ import annotations

import duckdb

from flows.pipeline import citeline_run
from flows.run_config import RunConfig
from tests.support.pages import copy_demo_pages

QUERIES = {
    "articles": "SELECT article_id, canonical_url, title FROM articles ORDER BY 1",
    "statements": "SELECT statement_id, source_id, kind, content FROM statements ORDER BY 1",
    "sources": "SELECT source_id, name, type FROM sources ORDER BY 1",
    "statement_sources": "SELECT statement_id, source_id, role, position FROM statement_sources ORDER BY 1, 4",
}


def _published(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in QUERIES.items()}


def test_small_batches_publish_the_same_rows_as_one_batch(tmp_path, prefect_server):
    folder = tmp_path / "pages"
    copy_demo_pages(folder, slice(40, 45))
    small = citeline_run(RunConfig(inputs=[str(folder)], db=str(tmp_path / "small.duckdb"), batch_size=2))
    whole = citeline_run(RunConfig(inputs=[str(folder)], db=str(tmp_path / "whole.duckdb"), batch_size=500))
    assert small["run"]["quality_verdict"] == whole["run"]["quality_verdict"] == "pass"
    assert (small["run"]["n_articles"], small["run"]["n_statements"], small["run"]["n_sources"]) == (
        whole["run"]["n_articles"], whole["run"]["n_statements"], whole["run"]["n_sources"])
    assert _published(tmp_path / "small.duckdb") == _published(tmp_path / "whole.duckdb")
    assert small["top_sources"] == whole["top_sources"]
