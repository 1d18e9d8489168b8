"""The warehouse's front door: opening it as its writer, and a run's write → audit → publish.

The steps live beside it: schema (migrations, views), staging, quality (results and quarantine) and
publish; validation itself is injected (`load_run(..., validate)`), so the warehouse never imports the gate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from citeline.core import stage_clock
from warehouse.publish import begin_publish, finish_publish, recover_publishes
from warehouse.quality import Verdict, apply_quarantine, record_results, recorded_verdict
from warehouse.rows import RunRows
from warehouse.schema import WarehouseError, migrate, open_file
from warehouse.staging import clear_staging, record_failures, record_fetch_log, stage, staged_publishable

__all__ = ["WarehouseError", "PublishResult", "connect", "stage_batch", "load_run", "audit_run", "publish_run"]


def connect(db_path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. A writer also creates and migrates it, and first finishes a publish an
    earlier process started but did not end, so no writer ever builds on a half-published run."""
    con = open_file(db_path, read_only)
    if not read_only:
        try:
            migrate(con)
            recover_publishes(con)
        except BaseException:
            con.close()
            raise
    return con


@dataclass
class PublishResult:
    """A run's load: whether it publishes (or did), the gate's verdict, and, after `audit_run`, whether
    its staged rows still wait for `publish_run`."""

    published: bool
    verdict: Verdict
    pending: bool = False

    @property
    def checked(self) -> bool:
        """False for a run that staged nothing: no gate, no publish."""
        return self.verdict.checked


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
    """Write → audit → publish (`audit_run`, then `publish_run` when the run passed)."""
    result = audit_run(db_path, run_id, rows, fetch_rows, failure_rows, validate)
    if result.pending:
        publish_run(db_path, run_id)
    return result


def audit_run(
    db_path: Path | str,
    run_id: str,
    rows: RunRows | None,
    fetch_rows: list[dict[str, Any]],
    failure_rows: list[dict[str, Any]],
    validate: Callable[[duckdb.DuckDBPyConnection, str], Any],
) -> PublishResult:
    """Write → audit: stage the run (unless its batches are staged already: rows=None), validate the
    staged rows with `validate` (the gate's, injected), record its results and quarantine, and, if they
    pass, commit to publishing them (`pending`; `publish_run` publishes). A run with nothing staged and
    no failed page has nothing to validate or publish: it records its fetch log and ends there."""
    con = connect(db_path)
    try:
        if _already_published(con, run_id):
            # A retry of a load that got as far as publishing (opening the warehouse finished it).
            return PublishResult(published=True, verdict=recorded_verdict(con, run_id))
        record_fetch_log(con, run_id, fetch_rows)
        record_failures(con, run_id, failure_rows)
        if rows is not None:
            stage(con, run_id, rows)
        if not failure_rows and not staged_publishable(con, run_id):
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
    return PublishResult(published=True, verdict=verdict, pending=True)


def publish_run(db_path: Path | str, run_id: str) -> None:
    """Publish the staged chunks of a run `audit_run` passed, each chunk its own transaction."""
    with stage_clock.timed("publish"):
        finish_publish(db_path, run_id)


def _already_published(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    published = con.execute("SELECT count(*) FROM publish_log WHERE run_id = ? AND finished_at IS NOT NULL", [run_id]).fetchone()[0]
    return bool(published) and not staged_publishable(con, run_id)
