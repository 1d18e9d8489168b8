"""What a run reports: its summary (counts per stage, failures by reason, top sources, the quality
verdict) for the CLI and the `runs` table, and the artifacts Prefect shows with the flow run."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from citeline.core.workspace import Workspace
from extract.extraction import EXTRACTOR_VERSION
from extract.fetch import Outcome
from transform.engine import ENGINE_VERSION
from transform.scope import NOT_ENGLISH, TEXT_CUT
from warehouse.rows import RunTally
from warehouse.store import PublishResult


def publish_artifacts(summary: dict[str, Any], tally: RunTally, result: PublishResult) -> None:
    """A markdown summary and a table of the run's new statements, shown with the flow run in Prefect."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    run = summary["run"]
    lines = [f"# citeline run `{run['run_id']}`", "", "| stage | count |", "|---|---:|"]
    for label, key in (("pages fetched", "n_fetched"), ("unchanged since last run", "n_unchanged"),
                       ("fetch failed", "n_fetch_failed"), ("fetch skipped", "n_fetch_skipped"),
                       ("articles extracted", "n_extracted"), ("extraction failed", "n_extract_failed"),
                       ("text cut for attribution", "n_text_cut"), ("not attributed: not English", "n_not_english"),
                       ("statements", "n_statements"), ("sources", "n_sources"),
                       ("fact-checks found", "n_fact_checks"), ("fact-check markup issues", "n_fact_check_issues")):
        lines.append(f"| {label} | {run[key]} |")
    lines += ["", f"**Quality gate:** {run['quality_verdict']} ({run['n_quarantined']} rows quarantined); status `{run['status']}`", ""]
    if summary["failures_by_reason"]:
        lines += ["## Failures by reason", "", *[f"- `{reason}`: {n}" for reason, n in summary["failures_by_reason"].items()], ""]
    lines += ["## Most cited sources", "", *[f"1. {s['name']} ({s['type']}): {s['statements']}" for s in summary["top_sources"]]]
    create_markdown_artifact(markdown="\n".join(lines), key="citeline-run-summary", description="Counts, failures, quality verdict, top sources")
    quarantined = {q.key.get("statement_id") for q in result.verdict.quarantined if q.table == "statements"}
    new = [
        {"speaker": tally.sources[s["source_id"]]["name"], "kind": s["kind"], "stance": s["stance"], "content": s["content"][:300]}
        for s in tally.sample if s["statement_id"] not in quarantined
    ][:1000] if result.published else []
    create_table_artifact(table=new or [{"speaker": "", "kind": "", "stance": "", "content": "no new statements"}],
                          key="citeline-new-statements", description="Statements this run published (first 1,000)")


def build_summary(run_id, started, inputs, outcomes, failures, tally: RunTally, result: PublishResult, db_path, n_extracted,
                  model_id: str | None = None, engine_version: str = ENGINE_VERSION) -> dict[str, Any]:
    """Counts per stage, failures by reason, top sources and the quality verdict, for the CLI and `runs`."""
    outcome_counts = Counter(o.outcome for o in outcomes)
    reasons = Counter(o.error_class for o in outcomes if o.error_class)
    reasons.update(f.error_class for f in failures)
    top_sources = [
        {"name": tally.sources[sid]["name"], "type": tally.sources[sid]["type"], "statements": n}
        for sid, n in tally.cited.most_common(10)
    ]
    status = "published" if result.published else "failed_quality"
    run = {
        "run_id": run_id, "started_at": started, "ended_at": datetime.now(UTC), "status": status,
        "inputs": inputs, "n_inputs": len(inputs), "n_fetched": outcome_counts.get(Outcome.FETCHED, 0),
        "n_fetch_failed": outcome_counts.get(Outcome.FAILED, 0), "n_fetch_skipped": outcome_counts.get(Outcome.SKIPPED, 0),
        "n_unchanged": sum(1 for o in outcomes if o.unchanged),
        "n_extracted": n_extracted, "n_extract_failed": len(failures), "n_articles": tally.articles,
        "n_statements": tally.statements, "n_sources": len(tally.sources),
        "n_fact_checks": tally.fact_checks, "n_fact_check_issues": tally.fact_check_issues,
        "n_text_cut": tally.limits[TEXT_CUT], "n_not_english": tally.limits[NOT_ENGLISH],
        "quality_verdict": result.verdict.label, "n_quarantined": len(result.verdict.quarantined),
        "quality_details": {"evaluated": result.verdict.evaluated, "failures": result.verdict.failures,
                            "quarantined": sorted({f"{q.table}: {q.expectation}({q.column})" for q in result.verdict.quarantined})},
        "engine_version": engine_version, "extractor_version": EXTRACTOR_VERSION, "model_id": model_id,
        "data_docs": str(Workspace(db_path).data_docs_index) if result.checked else None,
    }
    return {"run": run, "failures_by_reason": dict(reasons.most_common()), "top_sources": top_sources, "db_path": str(db_path)}
