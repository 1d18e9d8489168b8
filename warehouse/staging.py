"""Staging: a run's rows written beside the published tables, batch by batch, and the run's own records."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

import duckdb
import pandas as pd

from extract.fact_checks import FactCheck
from warehouse.rows import RunRows
from warehouse.schema import transaction

# A page that gives no article is read again every run (only articles are known unchanged): its reviews
# are staged only where they differ from what is published, so an unchanged page stages nothing.
_REVIEW_COLUMNS = [f.name for f in fields(FactCheck)]
UNCHANGED_ARTICLELESS_REVIEWS_SQL = f"""
DELETE FROM stg_fact_checks s WHERE s.run_id = $run_id AND s.batch >= $first AND s.article_id IS NULL
    AND s.origin IN ('json-ld', 'microdata', 'rdfa') AND EXISTS (
        SELECT 1 FROM fact_checks f WHERE f.fact_check_id = s.fact_check_id AND f.article_id IS NULL
            AND row({", ".join(f"f.{c}" for c in _REVIEW_COLUMNS)}) IS NOT DISTINCT FROM row({", ".join(f"s.{c}" for c in _REVIEW_COLUMNS)}))"""

STAGED_TABLES = ("articles", "statements", "sources", "statement_sources", "statement_vectors", "fact_checks")


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, run_id: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
    frame = pd.DataFrame(rows)
    frame["run_id"] = run_id
    frame = frame.reindex(columns=columns)
    con.register("incoming", frame)
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM incoming")
    finally:
        con.unregister("incoming")


# Articles per staged batch, published in one transaction: what a chunk holds in memory. Into a table
# that already has rows, DuckDB's commit copies the transaction's new rows, so both copies are held at
# once; at 250 a chunk into a filled warehouse peaks no higher than a 500-article one into an empty one.
PUBLISH_CHUNK_ARTICLES = 250


def stage(con: duckdb.DuckDBPyConnection, run_id: str, rows: RunRows, append: bool = False) -> None:
    """Stage rows for this run: replacing what it staged before (so a retry never stacks duplicates), or,
    with `append`, adding one more batch; a source already staged by an earlier batch is not staged twice.
    Articles are numbered into publish batches of PUBLISH_CHUNK_ARTICLES, their rows with them."""
    with transaction(con):
        if not append:
            for table in STAGED_TABLES:
                con.execute(f"DELETE FROM stg_{table} WHERE run_id = ?", [run_id])
            con.execute("DELETE FROM fact_check_issues WHERE run_id = ?", [run_id])
        first = con.execute("SELECT coalesce(max(batch) + 1, 0) FROM stg_articles WHERE run_id = ?", [run_id]).fetchone()[0]
        article_batch = {row["article_id"]: first + i // PUBLISH_CHUNK_ARTICLES for i, row in enumerate(rows.articles)}
        statement_batch = {row["statement_id"]: article_batch.get(row["article_id"], first) for row in rows.statements}
        staged = {r[0] for r in con.execute("SELECT source_id FROM stg_sources WHERE run_id = ?", [run_id]).fetchall()}
        insert_rows(con, "stg_articles", run_id, [{**row, "batch": article_batch[row["article_id"]]} for row in rows.articles])
        insert_rows(con, "stg_statements", run_id, [{**row, "batch": statement_batch[row["statement_id"]]} for row in rows.statements])
        insert_rows(con, "stg_sources", run_id, [row for key, row in rows.sources.items() if key not in staged])
        insert_rows(con, "stg_statement_sources", run_id,
                [{**row, "batch": statement_batch.get(row["statement_id"], first)} for row in rows.statement_sources])
        insert_rows(con, "stg_statement_vectors", run_id,
                [{**row, "batch": statement_batch.get(row["statement_id"], first)} for row in rows.statement_vectors])
        insert_rows(con, "stg_fact_checks", run_id,
                [{**row, "batch": article_batch.get(row.get("article_id"), first)} for row in rows.fact_checks])
        con.execute(UNCHANGED_ARTICLELESS_REVIEWS_SQL, {"run_id": run_id, "first": first})
        # Not staged: what ClaimReview markup could not give is a record of the run, published or not.
        insert_rows(con, "fact_check_issues", run_id, rows.fact_check_issues)


def clear_staging(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    for table in STAGED_TABLES:
        con.execute(f"DELETE FROM stg_{table} WHERE run_id = ?", [run_id])


def record_fetch_log(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[dict[str, Any]]) -> None:
    """Replace this run's fetch-log and failure rows (raw layer; kept whether or not the run publishes)."""
    with transaction(con):
        con.execute("DELETE FROM fetch_log WHERE run_id = ?", [run_id])
        insert_rows(con, "fetch_log", run_id, rows)


def record_failures(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[dict[str, Any]]) -> None:
    con.execute("DELETE FROM failures WHERE run_id = ?", [run_id])
    insert_rows(con, "failures", run_id, rows)


def record_run(con: duckdb.DuckDBPyConnection, run: dict[str, Any]) -> None:
    """Upsert the run's row in `runs`."""
    con.execute("DELETE FROM runs WHERE run_id = ?", [run["run_id"]])
    row = dict(run)
    for key in ("inputs", "quality_details", "stage_seconds"):
        if not isinstance(row.get(key), str) and row.get(key) is not None:
            row[key] = json.dumps(row[key])
    insert_rows(con, "runs", run["run_id"], [row])


def staged_articles(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    return con.execute("SELECT count(*) FROM stg_articles WHERE run_id = ?", [run_id]).fetchone()[0]


def staged_publishable(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    """Rows a run has staged that publish on their own: articles (their statements with them), and
    fact-checks (a page that gave no article, or an import, stages fact-checks alone)."""
    return con.execute("SELECT (SELECT count(*) FROM stg_articles WHERE run_id = $run_id) + "
                       "(SELECT count(*) FROM stg_fact_checks WHERE run_id = $run_id)", {"run_id": run_id}).fetchone()[0]
