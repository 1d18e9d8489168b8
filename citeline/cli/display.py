"""What the pipeline's commands draw: live progress while a run works, and its summary when it ends."""

from __future__ import annotations

from typing import Any

EXAMPLE_SQL = (
    "SELECT src.name, src.type, count(*) AS statements FROM statements s "
    "JOIN sources src USING (source_id) GROUP BY ALL ORDER BY statements DESC LIMIT 10"
)


class _RichSink:
    def __init__(self, bar) -> None:
        self.bar = bar
        self.tasks = {stage: bar.add_task(label, total=None) for stage, label in
                      (("fetched", "articles fetched"), ("extracted", "articles extracted"), ("statements", "statements found"))}

    def advance(self, stage: str, amount: int = 1) -> None:
        if stage in self.tasks:
            self.bar.advance(self.tasks[stage], amount)


class progress_display:
    def __init__(self, console) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn

        self.bar = Progress(SpinnerColumn(), TextColumn("{task.completed:>6.0f} {task.description}"), console=console, transient=False)

    def __enter__(self) -> _RichSink:
        self.bar.start()
        return _RichSink(self.bar)

    def __exit__(self, *exc) -> None:
        self.bar.stop()


def print_summary(summary: dict[str, Any], console) -> None:
    from rich.table import Table

    run = summary["run"]
    console.print(f"run {run['run_id']}")
    stages = Table(title="counts per stage", show_header=True)
    stages.add_column("stage")
    stages.add_column("count", justify="right")
    for label, key in (("inputs", "n_inputs"), ("pages fetched", "n_fetched"), ("unchanged since last run", "n_unchanged"),
                       ("fetch failed", "n_fetch_failed"),
                       ("fetch skipped", "n_fetch_skipped"), ("articles extracted", "n_extracted"),
                       ("extraction failed", "n_extract_failed"), ("text cut for attribution", "n_text_cut"),
                       ("not attributed: not English", "n_not_english"), ("statements", "n_statements"), ("sources", "n_sources"),
                       ("fact-checks found", "n_fact_checks"), ("fact-check markup issues", "n_fact_check_issues")):
        stages.add_row(label, str(run.get(key, 0)))
    console.print(stages)
    if summary["failures_by_reason"]:
        reasons = Table(title="failures by reason")
        reasons.add_column("reason")
        reasons.add_column("count", justify="right")
        for reason, count in summary["failures_by_reason"].items():
            reasons.add_row(reason, str(count))
        console.print(reasons)
    top = Table(title="ten most cited sources")
    for column in ("source", "type", "statements"):
        top.add_column(column)
    for row in summary["top_sources"]:
        top.add_row(row["name"], row["type"], str(row["statements"]))
    console.print(top)
    details = run["quality_details"]
    verdict = run["quality_verdict"]
    colour = {"pass": "green", "fail": "red"}.get(verdict, "yellow")
    checked = "no new rows staged" if verdict == "nothing to check" else f"{details['evaluated']} expectations evaluated"
    console.print(f"quality gate: [{colour}]{verdict}[/{colour}] ({checked})")
    for failure in details["failures"]:
        console.print(f"  blocked by: {failure}")
    if run.get("n_quarantined"):
        console.print(f"  {run['n_quarantined']} rows quarantined (see the quarantine table): " + "; ".join(details["quarantined"]))
    # Paths and SQL are copied by users: never wrap them.
    console.print(f"data docs: {run['data_docs'] or 'none (nothing new was staged, so nothing was validated)'}", soft_wrap=True, highlight=False)
    console.print(f"status: {run['status']}", soft_wrap=True)
    spent = {stage: seconds for stage, seconds in (summary.get("timings") or {}).items() if seconds >= 0.05}
    console.print("time: " + (", ".join(f"{stage.replace('_', ' ')} {seconds:.1f} s" for stage, seconds in spent.items()) or "-"),
                  soft_wrap=True, highlight=False)
    console.print(f"warehouse: {summary['db_path']}", soft_wrap=True, highlight=False)
    console.print(f"read-only snapshot for dashboards: {summary['snapshot_path']}", soft_wrap=True, highlight=False)
    console.print("try:")
    console.print(f"  citeline query --db {summary['db_path']} \"{EXAMPLE_SQL}\"", soft_wrap=True, highlight=False)
