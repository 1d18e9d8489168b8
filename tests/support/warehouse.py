"""Warehouse rows built through production's row builder, runs staged and loaded as the flow does, and
table counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from transform.engine import attribute
from warehouse.batch_rows import score_check_worthiness, statement_vector_rows
from warehouse.quality import Verdict
from warehouse.rows import RunRows, add_article
from warehouse.store import PublishResult, load_run, stage_batch

NEWS_TEXT = '"We will win," the coach said. The club said that tickets had sold out, according to the BBC.'


def article(article_id: str, **fields: Any) -> dict[str, Any]:
    """An `articles` row as extraction gives it (warehouse.batch_rows.article_row), `fields` on top."""
    return {"article_id": article_id, "canonical_url": f"https://news.test/{article_id}", "url": f"https://news.test/{article_id}",
            "title": "T", "sitename": "News Test", "published_date": None, **fields}


def run_rows(texts: dict[str, str], **fields: Any) -> RunRows:
    """The rows of one article per (id, text), its statements found by the rules engine."""
    rows = RunRows()
    for article_id, text in texts.items():
        add_article(rows, article=article(article_id, **fields), text=text, statements=attribute(text), engine_version="test")
    return scored(rows)


def scored(rows: RunRows) -> RunRows:
    """`rows` as a batch hands them to staging: statement vectors, check-worthiness and article claims added."""
    rows.statement_vectors = statement_vector_rows(rows)
    score_check_worthiness(rows)
    return rows


def passes(con: duckdb.DuckDBPyConnection, run_id: str) -> Verdict:
    """A gate that passes every run (for tests of publishing, not of validation)."""
    return Verdict(passed=True)


def stage_and_load(db: Path | str, run_id: str, rows: RunRows, fetch_rows: list[dict[str, Any]],
                   failure_rows: list[dict[str, Any]], validate) -> PublishResult:
    """Stage `rows` as the flow stages a batch, then load the run (gate, publish) as the flow loads it."""
    stage_batch(db, run_id, rows, first=True)
    return load_run(db, run_id, None, fetch_rows, failure_rows, validate)


def table_counts(db: Path | str, tables) -> dict[str, int]:
    """Rows in each of `tables` of the warehouse file `db`, opened read-only."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}
