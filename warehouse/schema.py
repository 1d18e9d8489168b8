"""The warehouse file's schema: opening it, its migrations and views, and transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb

from citeline.core.disk_full import named_when_full
from citeline.core.errors import CitelineError
from warehouse.buffer_pool import MEMORY_LIMIT
from warehouse.search import INDEX_UNINDEXED_SQL, load_fts
from warehouse.sql_script import run_script


class WarehouseError(CitelineError):
    """The warehouse file cannot be opened or written; the message names the file."""


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Everything in the block commits together, or, on any error, not at all. A full disk is raised
    as DiskFull, naming the file (the write-ahead log, usually) that could not be written."""
    with named_when_full():
        con.execute("BEGIN")
        try:
            yield
        except BaseException:
            _rollback_if_open(con)
            raise
        try:
            con.execute("COMMIT")
        except BaseException:
            # A COMMIT that failed (its WAL write, say) has already ended the transaction in DuckDB; a
            # ROLLBACK would raise "no transaction is active" and hide why the commit failed.
            _rollback_if_open(con)
            raise


def _rollback_if_open(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # nothing open to roll back; the commit's own error is the one to report


def open_file(db_path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(db_path)
    if read_only and not path.exists():
        raise WarehouseError(f"warehouse {str(path)!r} does not exist; run `citeline run` first")
    try:
        with named_when_full(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(str(path), read_only=read_only)
    except (duckdb.IOException, OSError) as error:
        raise WarehouseError(f"cannot open warehouse {str(path)!r}: {error}") from error
    # A bounded buffer pool keeps the pipeline's memory flat as the warehouse grows; DuckDB spills past it.
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    if not read_only:
        # With vacuum on, each checkpoint merges a chunk's new row groups into the ones before, so it
        # rewrites everything published so far and its memory grows with the run. Off, each chunk keeps
        # row groups of its own; warehouse.compaction merges them as a separate, bounded step.
        con.execute("SET max_vacuum_tasks = 0")
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
SEARCH_TERMS_MIGRATION = 7


def views() -> list[str]:
    """CREATE OR REPLACE VIEW statements of the published views (warehouse/views, one file each)."""
    folder = resources.files("warehouse").joinpath("views")
    return [entry.read_text(encoding="utf-8") for entry in sorted(folder.iterdir(), key=lambda e: e.name) if entry.name.endswith(".sql")]


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Apply the migrations this warehouse has not had yet, then (re)create the views, in one transaction."""
    with transaction(con):
        con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER, applied_at TIMESTAMPTZ)")
        current = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]
        for version, sql in migrations():
            if version > current:
                con.execute(sql)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?)", [version, datetime.now(UTC)])
        if 0 < current < SEARCH_TERMS_MIGRATION:
            load_fts(con)  # for the stemmer
            run_script(con, INDEX_UNINDEXED_SQL, {})  # statements published before the search tables existed
        for view in views():
            con.execute(view)
