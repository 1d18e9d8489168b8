"""The DuckDB warehouse file: schema migrations, staging a run, and publishing it (resumably, in chunks)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from citeline import stage_clock
from citeline.disk_full import named_when_full
from citeline.errors import CitelineError
from citeline.paths import raw_dir_for
from expectations.gate import Verdict, apply_quarantine, record_results, recorded_verdict
from warehouse.buffer_pool import MEMORY_LIMIT
from warehouse.compaction import compact
from warehouse.liveness import remove_if_dead, run_is_live, runs_dir
from warehouse.rows import RunRows
from warehouse.search import INDEX_CHUNK_SQL, INDEX_UNINDEXED_SQL, UNINDEX_CHUNK_SQL, load_fts
from warehouse.snapshot import remove_dead_copies
from warehouse.sql_script import run_script

STAGED_TABLES = ("articles", "statements", "sources", "statement_sources")


class WarehouseError(CitelineError):
    """The warehouse file cannot be opened or written; the message names the file."""


def connect(db_path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. A writer also creates and migrates it, and first finishes a publish an
    earlier process started but did not end, so no writer ever builds on a half-published run."""
    con = _open(db_path, read_only)
    if not read_only:
        try:
            migrate(con)
            for (run_id,) in con.execute("SELECT run_id FROM publish_log WHERE finished_at IS NULL").fetchall():
                while _publish_chunk(con, run_id):
                    pass
                _end_publish(con, run_id, recovered=True)
        except BaseException:
            con.close()
            raise
    return con


RECOVERED_RUN_SQL = """
INSERT INTO runs BY NAME SELECT
    $run_id AS run_id, p.started_at, now() AS ended_at, 'published' AS status,
    (SELECT count(*) FROM articles WHERE run_id = $run_id) AS n_articles,
    (SELECT count(*) FROM statements s JOIN articles a USING (article_id) WHERE a.run_id = $run_id) AS n_statements,
    $verdict AS quality_verdict, $details AS quality_details
FROM publish_log p WHERE p.run_id = $run_id AND NOT EXISTS (SELECT 1 FROM runs WHERE run_id = $run_id)"""


ENDED_WHILE_PUBLISHING = "the run's process ended while publishing; the next writer finished the publish"
ENDED_BEFORE_RECORDING = "the run's process ended after its publish, before recording the run; the next writer recorded it"


def _record_recovered_run(con: duckdb.DuckDBPyConnection, run_id: str, how: str = ENDED_WHILE_PUBLISHING) -> None:
    """The `runs` row of a run whose process ended during or just after its publish (killed, or the
    machine went down), which the next writer finished: what is known of it, and that it was recovered."""
    verdict = recorded_verdict(con, run_id)
    details = {"evaluated": verdict.evaluated, "failures": verdict.failures, "recovered": how}
    con.execute(RECOVERED_RUN_SQL, {"run_id": run_id, "verdict": verdict.label, "details": json.dumps(details)})


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


def _open(db_path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
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


@dataclass
class PublishResult:
    published: bool
    verdict: Any  # expectations.gate.Verdict

    @property
    def checked(self) -> bool:
        """False for a run that staged nothing: no gate, no publish."""
        return self.verdict.checked


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
        first = con.execute("SELECT coalesce(max(batch) + 1, 0) FROM stg_articles WHERE run_id = ?", [run_id]).fetchone()[0]
        article_batch = {row["article_id"]: first + i // PUBLISH_CHUNK_ARTICLES for i, row in enumerate(rows.articles)}
        statement_batch = {row["statement_id"]: article_batch.get(row["article_id"], first) for row in rows.statements}
        staged = {r[0] for r in con.execute("SELECT source_id FROM stg_sources WHERE run_id = ?", [run_id]).fetchall()}
        _insert(con, "stg_articles", run_id, [{**row, "batch": article_batch[row["article_id"]]} for row in rows.articles])
        _insert(con, "stg_statements", run_id, [{**row, "batch": statement_batch[row["statement_id"]]} for row in rows.statements])
        _insert(con, "stg_sources", run_id, [row for key, row in rows.sources.items() if key not in staged])
        _insert(con, "stg_statement_sources", run_id,
                [{**row, "batch": statement_batch.get(row["statement_id"], first)} for row in rows.statement_sources])


NEW_SOURCES_SQL = """
INSERT INTO sources SELECT DISTINCT source_id, name, type, run_id FROM stg_sources
    WHERE run_id = $run_id AND source_id NOT IN (SELECT source_id FROM sources)"""

BEGIN_PUBLISH_SQL = """
DELETE FROM publish_log WHERE run_id = $run_id;
INSERT INTO publish_log VALUES ($run_id, now(), NULL, 0);
"""

# One chunk: the run's lowest batch still staged replaces the published versions of its articles and
# leaves staging, so whatever is still staged is exactly what is left to publish. The sources its rows
# cite come with it, so every chunk leaves the published tables consistent. Every read of a staged
# table filters on `batch`, so DuckDB skips the row groups of the other batches.
PUBLISH_CHUNK_SQL = f"""
CREATE OR REPLACE TEMP TABLE publish_chunk AS
    SELECT article_id FROM stg_articles WHERE run_id = $run_id AND batch = $batch;
{UNINDEX_CHUNK_SQL}
DELETE FROM statement_sources WHERE statement_id IN (
    SELECT statement_id FROM statements WHERE article_id IN (SELECT article_id FROM publish_chunk));
DELETE FROM statements WHERE article_id IN (SELECT article_id FROM publish_chunk);
DELETE FROM articles WHERE article_id IN (SELECT article_id FROM publish_chunk);
{NEW_SOURCES_SQL} AND source_id IN (
    SELECT publisher_id FROM stg_articles WHERE run_id = $run_id AND batch = $batch
    UNION ALL SELECT source_id FROM stg_statements WHERE run_id = $run_id AND batch = $batch
    UNION ALL SELECT source_id FROM stg_statement_sources WHERE run_id = $run_id AND batch = $batch);
INSERT INTO articles BY NAME SELECT * EXCLUDE (batch) FROM stg_articles WHERE run_id = $run_id AND batch = $batch;
INSERT INTO statements BY NAME SELECT * EXCLUDE (batch) FROM stg_statements WHERE run_id = $run_id AND batch = $batch;
INSERT INTO statement_sources BY NAME SELECT * EXCLUDE (run_id, batch) FROM stg_statement_sources
    WHERE run_id = $run_id AND batch = $batch;
{INDEX_CHUNK_SQL}
DELETE FROM stg_statement_sources WHERE run_id = $run_id AND batch = $batch;
DELETE FROM stg_statements WHERE run_id = $run_id AND batch = $batch;
DELETE FROM stg_articles WHERE run_id = $run_id AND batch = $batch;
UPDATE publish_log SET chunks = chunks + 1 WHERE run_id = $run_id AND finished_at IS NULL;
"""


def _in_transaction(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> None:
    with transaction(con):
        run_script(con, sql, params)


def begin_publish(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Commit to publishing the staged (validated) run: its row in `publish_log`."""
    _in_transaction(con, BEGIN_PUBLISH_SQL, {"run_id": run_id})


def _publish_chunk(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    """Publish the next batch of the run's staged articles in one transaction; False when none are left."""
    batch = con.execute("SELECT min(batch) FROM stg_articles WHERE run_id = ?", [run_id]).fetchone()[0]
    if batch is None:
        return False
    load_fts(con)  # for the search index's stemmer
    _in_transaction(con, PUBLISH_CHUNK_SQL, {"run_id": run_id, "batch": batch})
    return True


def _end_publish(con: duckdb.DuckDBPyConnection, run_id: str, recovered: bool = False) -> None:
    """Close the run's publish; `recovered`, for a run whose own process never got to, also writes its
    `runs` row, in the same transaction, so no crash can leave it published but unrecorded."""
    with transaction(con):
        con.execute(NEW_SOURCES_SQL, {"run_id": run_id})  # staged sources no statement cites (kept, as before)
        clear_staging(con, run_id)
        con.execute("UPDATE publish_log SET finished_at = now() WHERE run_id = ? AND finished_at IS NULL", [run_id])
        if recovered:
            _record_recovered_run(con, run_id)
    compact(con)


def finish_publish(db_path: Path | str, run_id: str) -> None:
    """Publish every staged chunk of a run `begin_publish` committed to, each on a fresh connection
    (DuckDB keeps what a connection read cached until it closes)."""
    while True:
        con = _open(db_path)
        try:
            if not _publish_chunk(con, run_id):
                _end_publish(con, run_id)
                return
        finally:
            con.close()


@dataclass
class Recovery:
    """What a writer's start cleared up after runs whose processes died."""
    staged_runs_cleared: list[str]
    runs_recorded: list[str]
    temp_bytes_removed: int


UNRECORDED_RUNS_SQL = """
SELECT p.run_id FROM publish_log p
WHERE p.finished_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.run_id = p.run_id)"""


def recover_dead_runs(db_path: Path | str, live_run_id: str) -> Recovery:
    """At a run's start: finish any publish cut short (as every writer does), then clear the staged rows
    of runs whose process is gone (killed before publishing: they would stay for good), give each
    published run without a `runs` row its row (killed after publishing, before recording), and delete
    the temporary files killed processes left. A run still alive in another process (it holds its
    lock, see warehouse.liveness) is left alone; so is `live_run_id`, the caller's own."""
    def dead(run_id: str) -> bool:
        return run_id != live_run_id and not run_is_live(db_path, run_id)

    freed = _remove_dead_spill_files(db_path)
    con = connect(db_path)
    try:
        staged = con.execute(" UNION ".join(f"SELECT run_id FROM stg_{t}" for t in STAGED_TABLES)).fetchall()
        cleared = sorted(run_id for (run_id,) in staged if dead(run_id))
        recorded = sorted(run_id for (run_id,) in con.execute(UNRECORDED_RUNS_SQL).fetchall() if dead(run_id))
        if cleared or recorded:
            with transaction(con):
                for run_id in cleared:
                    clear_staging(con, run_id)
                for run_id in recorded:
                    _record_recovered_run(con, run_id, ENDED_BEFORE_RECORDING)
        freed += _remove_dead_temp_files(db_path)
    finally:
        con.close()
    return Recovery(cleared, recorded, freed)


def _remove_dead_spill_files(db_path: Path | str) -> int:
    """DuckDB's spill files (`<warehouse>.tmp/`) a killed writer left: DuckDB does not delete them when
    it next opens the file. Only the process holding the warehouse's lock spills into them, so they
    are removed while this process holds it, before it has run anything that could spill."""
    spill_dir = Path(f"{db_path}.tmp")
    if not Path(db_path).exists() or not spill_dir.is_dir():
        return 0
    con = _open(db_path)
    try:
        freed = 0
        for spill in spill_dir.glob("duckdb_temp_*"):
            freed += spill.stat().st_size
            spill.unlink()
        return freed
    finally:
        con.close()


def _remove_dead_temp_files(db_path: Path | str) -> int:
    """Lock files of dead runs, and half-written snapshot copies and raw pages."""
    path = Path(db_path)
    freed = sum(remove_if_dead(lock) for lock in runs_dir(path).glob("*.lock"))
    freed += remove_dead_copies(path)
    freed += sum(remove_if_dead(tmp) for tmp in raw_dir_for(path).glob("*/*.tmp"))
    return freed


def clear_staging(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    for table in STAGED_TABLES:
        con.execute(f"DELETE FROM stg_{table} WHERE run_id = ?", [run_id])


def record_fetch_log(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[dict[str, Any]]) -> None:
    """Replace this run's fetch-log and failure rows (raw layer; kept whether or not the run publishes)."""
    with transaction(con):
        con.execute("DELETE FROM fetch_log WHERE run_id = ?", [run_id])
        _insert(con, "fetch_log", run_id, rows)


def record_failures(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[dict[str, Any]]) -> None:
    con.execute("DELETE FROM failures WHERE run_id = ?", [run_id])
    _insert(con, "failures", run_id, rows)


def record_run(con: duckdb.DuckDBPyConnection, run: dict[str, Any]) -> None:
    """Upsert the run's row in `runs`."""
    con.execute("DELETE FROM runs WHERE run_id = ?", [run["run_id"]])
    row = dict(run)
    for key in ("inputs", "quality_details", "stage_seconds"):
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
    validate the staged rows, publish only if they pass. A run with nothing staged and no failed page
    has nothing to validate or publish: it records its fetch log and ends there."""
    con = connect(db_path)
    try:
        if _already_published(con, run_id):
            # A retry of a load that got as far as publishing (opening the warehouse finished it).
            return PublishResult(published=True, verdict=recorded_verdict(con, run_id))
        record_fetch_log(con, run_id, fetch_rows)
        record_failures(con, run_id, failure_rows)
        if rows is not None:
            stage(con, run_id, rows)
        if not failure_rows and not _staged_articles(con, run_id):
            clear_staging(con, run_id)  # sources an earlier attempt of this run may have left
            return PublishResult(published=True, verdict=Verdict(passed=True, checked=False))
        with stage_clock.timed("gate"):
            verdict = validate(con, run_id)
        record_results(con, run_id, verdict)
        if not verdict.passed:
            return PublishResult(published=False, verdict=verdict)
        apply_quarantine(con, run_id, verdict)
        begin_publish(con, run_id)
    finally:
        con.close()
    with stage_clock.timed("publish"):
        finish_publish(db_path, run_id)
    return PublishResult(published=True, verdict=verdict)


def _staged_articles(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    return con.execute("SELECT count(*) FROM stg_articles WHERE run_id = ?", [run_id]).fetchone()[0]


def _already_published(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    published = con.execute("SELECT count(*) FROM publish_log WHERE run_id = ? AND finished_at IS NOT NULL", [run_id]).fetchone()[0]
    return bool(published) and not _staged_articles(con, run_id)
