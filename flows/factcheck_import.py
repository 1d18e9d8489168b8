"""The fact-check import flow: read a dump (file or URL) → stage → quality gate → publish → match → snapshot.

The same tasks, writer lock and recovery as a run (flows.pipeline): the import is a run that stages
fact-checks and nothing else, recorded in `runs` like one. Only reviews the warehouse does not hold yet
are staged (a review read from a page, or imported before, stays as it is), so importing twice adds
nothing and does no gate or publish work the second time. What the dump left out is in
fact_check_issues (found_at = the file or URL).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.utilities.annotations import quote

from citeline.core import stage_clock
from citeline.core.workspace import DEFAULT_DB, Workspace
from extract.fact_checks import ClaimReviews
from extract.factcheck_input import read_source, source_label
from flows.pipeline import _record, _run_id, gate_task, match_task, publish_task, snapshot_task, stage_task
from warehouse.batch_rows import add_fact_checks
from warehouse.fact_check_store import published_by_run, published_fact_check_ids
from warehouse.liveness import run_held
from warehouse.recovery import recover_dead_runs
from warehouse.rows import RunRows
from warehouse.snapshot import snapshot_is_current


@task(name="read fact-checks", cache_policy=NONE)
def read_task(source: str, allow_private_hosts: bool) -> ClaimReviews:
    """The dump's reviews and reasons; input that cannot be read ends the import here, naming it."""
    found = read_source(source, allow_private_hosts)
    get_run_logger().info("%s: %d fact-checks, %d reasons", source, len(found.records), len(found.reasons))
    return found


@flow(name="citeline-factcheck-import", log_prints=True)
def citeline_factcheck_import(source: str, db_path: str = str(DEFAULT_DB), allow_private_hosts: bool = False,
                              matcher: str | None = None) -> dict[str, Any]:
    """Import the ClaimReview feed or CheckThat! verified_claims file at `source` into `fact_checks`, and match
    the new ones with `matcher` (a trained matcher's folder; None: the default matcher)."""
    started = datetime.now(UTC)
    stage_clock.start_run()
    run_id = _run_id()
    with stage_clock.timed("read"):
        found = read_task(source, allow_private_hosts)
    with run_held(db_path, run_id):
        recover_dead_runs(db_path, run_id)
        present = published_fact_check_ids(db_path, [record.fact_check_id for record in found.records])
        rows = RunRows()
        add_fact_checks(rows, ClaimReviews([r for r in found.records if r.fact_check_id not in present], found.reasons), source_label(source), None)
        with stage_clock.timed("stage"):
            stage_task(db_path, run_id, quote(rows), first=True)
        result = gate_task(db_path, run_id, [], [])
        if result.pending:
            publish_task(db_path, run_id)
        with stage_clock.timed("match"):  # the new fact-checks against every statement, as after a run's publish
            matching = match_task(db_path, run_id, matcher)
        run = {
            "run_id": run_id, "started_at": started, "ended_at": datetime.now(UTC),
            "status": "published" if result.published else "failed_quality",
            "inputs": [f"factchecks import {source}"], "n_inputs": 1,
            "n_articles": 0, "n_statements": 0, "n_sources": 0,
            "n_fact_checks": len(found.records), "n_fact_check_issues": len(rows.fact_check_issues),
            "quality_verdict": result.verdict.label,
            "quality_details": {"evaluated": result.verdict.evaluated, "failures": result.verdict.failures,
                                "quarantined": sorted({f"{q.table}: {q.expectation}({q.column})" for q in result.verdict.quarantined})},
            "data_docs": str(Workspace(db_path).data_docs_index) if result.checked else None,
            **matching.run_fields(),
        }
        run["stage_seconds"] = stage_clock.take()
        marker = _record(db_path, run)
        if result.checked or matching.changed or not snapshot_is_current(db_path, marker):
            snapshot_task(db_path)
            run["stage_seconds"].update(stage_clock.take())
            _record(db_path, run)
        new = published_by_run(db_path, run_id) if result.checked and result.published else 0
    return {"run": run, "source": source, "read": len(found.records), "new": new, "already_present": len(present),
            "quarantined": len(result.verdict.quarantined), "reasons": dict(Counter(r.reason for r in found.reasons).most_common())}
