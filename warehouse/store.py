"""The DuckDB warehouse file: schema migrations, staging a run, and publishing it in one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from expectations.gate import apply_quarantine, record_results
from warehouse.rows import RunRows
from warehouse.search import rebuild_search_index

STAGED_TABLES = ("articles", "statements", "sources", "statement_sources")
MEMORY_LIMIT = "256MB"


class WarehouseError(RuntimeError):
    """The warehouse file cannot be opened or written; the message names the file."""


def connect(db_path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, creating and migrating it when writable."""
    path = Path(db_path)
    if read_only and not path.exists():
        raise WarehouseError(f"warehouse {str(path)!r} does not exist; run `citeline run` first")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), read_only=read_only)
    except (duckdb.IOException, OSError) as error:
        raise WarehouseError(f"cannot open warehouse {str(path)!r}: {error}") from error
    # A bounded buffer pool keeps the pipeline's memory flat as the warehouse grows; DuckDB spills past it.
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    if not read_only:
        migrate(con)
    return con


def migrations() -> list[tuple[int, str]]:
    """(version, SQL) of every migration under warehouse/migrations, in order."""
    folder = resources.files("warehouse").joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


SCHEMA_VERSION = max(version for version, _sql in migrations())


def views() -> list[str]:
    """CREATE OR REPLACE VIEW statements of the published views (warehouse/views, one file each)."""
    folder = resources.files("warehouse").joinpath("views")
    return [entry.read_text(encoding="utf-8") for entry in sorted(folder.iterdir(), key=lambda e: e.name) if entry.name.endswith(".sql")]


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Apply the migrations this warehouse has not had yet, then (re)create the views, in one transaction."""
    con.execute("BEGIN")
    try:
        con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER, applied_at TIMESTAMPTZ)")
        current = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]
        for version, sql in migrations():
            if version > current:
                con.execute(sql)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?)", [version, datetime.now(UTC)])
        for view in views():
            con.execute(view)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


@dataclass
class PublishResult:
    published: bool
    verdict: Any  # expectations.gate.Verdict


def _insert(con: duckdb.DuckDBPyConnection, table: str, run_id: str, rows: list[dict[str, Any]]) -> None:
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


def stage(con: duckdb.DuckDBPyConnection, run_id: str, rows: RunRows, append: bool = False) -> None:
    """Stage rows for this run: replacing what it staged before (so a retry never stacks duplicates), or,
    with `append`, adding one more batch; a source already staged by an earlier batch is not staged twice."""
    con.execute("BEGIN")
    try:
        if not append:
            for table in STAGED_TABLES:
                con.execute(f"DELETE FROM stg_{table} WHERE run_id = ?", [run_id])
        staged = {r[0] for r in con.execute("SELECT source_id FROM stg_sources WHERE run_id = ?", [run_id]).fetchall()}
        _insert(con, "stg_articles", run_id, rows.articles)
        _insert(con, "stg_statements", run_id, rows.statements)
        _insert(con, "stg_sources", run_id, [row for key, row in rows.sources.items() if key not in staged])
        _insert(con, "stg_statement_sources", run_id, rows.statement_sources)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


PUBLISH_SQL = """
DELETE FROM statement_sources WHERE statement_id IN (
    SELECT statement_id FROM statements WHERE article_id IN (SELECT article_id FROM stg_articles WHERE run_id = $run_id));
DELETE FROM statements WHERE article_id IN (SELECT article_id FROM stg_articles WHERE run_id = $run_id);
DELETE FROM articles WHERE article_id IN (SELECT article_id FROM stg_articles WHERE run_id = $run_id);
INSERT INTO articles SELECT * EXCLUDE (run_id), run_id FROM stg_articles WHERE run_id = $run_id;
INSERT INTO statements SELECT * EXCLUDE (run_id), run_id FROM stg_statements WHERE run_id = $run_id;
INSERT INTO sources SELECT DISTINCT source_id, name, type, run_id FROM stg_sources
    WHERE run_id = $run_id AND source_id NOT IN (SELECT source_id FROM sources);
INSERT INTO statement_sources SELECT * EXCLUDE (run_id) FROM stg_statement_sources WHERE run_id = $run_id;
"""


def publish(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Upsert the staged run into the published tables atomically: all of it or none of it."""
    con.execute("BEGIN")
    try:
        for statement in PUBLISH_SQL.split(";"):
            if statement.strip():
                con.execute(statement, {"run_id": run_id})
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def clear_staging(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    for table in STAGED_TABLES:
        con.execute(f"DELETE FROM stg_{table} WHERE run_id = ?", [run_id])


def record_fetch_log(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[dict[str, Any]]) -> None:
    """Replace this run's fetch-log and failure rows (raw layer; kept whether or not the run publishes)."""
    con.execute("BEGIN")
    try:
        con.execute("DELETE FROM fetch_log WHERE run_id = ?", [run_id])
        _insert(con, "fetch_log", run_id, rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def record_failures(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[dict[str, Any]]) -> None:
    con.execute("DELETE FROM failures WHERE run_id = ?", [run_id])
    _insert(con, "failures", run_id, rows)


def record_run(con: duckdb.DuckDBPyConnection, run: dict[str, Any]) -> None:
    """Upsert the run's row in `runs`."""
    con.execute("DELETE FROM runs WHERE run_id = ?", [run["run_id"]])
    row = dict(run)
    for key in ("inputs", "quality_details"):
        if not isinstance(row.get(key), str) and row.get(key) is not None:
            row[key] = json.dumps(row[key])
    _insert(con, "runs", run["run_id"], [row])


def stage_batch(db_path: Path | str, run_id: str, rows: RunRows, first: bool) -> None:
    """Write one batch of a run to staging (the first batch clears what an earlier attempt left)."""
    con = connect(db_path)
    try:
        stage(con, run_id, rows, append=not first)
    finally:
        con.close()


def load_run(
    db_path: Path | str,
    run_id: str,
    rows: RunRows | None,
    fetch_rows: list[dict[str, Any]],
    failure_rows: list[dict[str, Any]],
    validate: Callable[[duckdb.DuckDBPyConnection, str], Any],
) -> PublishResult:
    """Write → audit → publish: stage the run (unless its batches are staged already: rows=None),
    validate the staged rows, publish only if they pass."""
    con = connect(db_path)
    try:
        record_fetch_log(con, run_id, fetch_rows)
        record_failures(con, run_id, failure_rows)
        if rows is not None:
            stage(con, run_id, rows)
        verdict = validate(con, run_id)
        record_results(con, run_id, verdict)
        if verdict.passed:
            apply_quarantine(con, run_id, verdict)
            publish(con, run_id)
            rebuild_search_index(con)
            clear_staging(con, run_id)
        return PublishResult(published=verdict.passed, verdict=verdict)
    finally:
        con.close()
