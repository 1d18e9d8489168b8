"""Quality results and quarantine in the warehouse: what a validation found, recorded, and the rows it
failed moved out of staging. The validation itself is expectations.gate's; its verdict is a value here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from warehouse.sql_script import run_script

# The key that names a row of each staged table in the quarantine.
ROW_KEYS = {
    "articles": ["article_id"],
    "statements": ["statement_id"],
    "sources": ["source_id"],
    "statement_sources": ["statement_id", "position"],
    "fact_checks": ["fact_check_id"],
}


@dataclass(frozen=True)
class QuarantinedRow:
    table: str
    key: dict[str, Any]
    expectation: str
    column: str
    row: dict[str, Any]


@dataclass
class Verdict:
    """`passed` is the batch-level verdict (may the run publish?); row-level failures are quarantined."""

    passed: bool
    checked: bool = True  # False when the run staged nothing, so no suite ran
    evaluated: int = 0
    failures: list[str] = field(default_factory=list)
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        if not self.checked:
            return "nothing to check"
        if not self.passed:
            return "fail"
        return "pass with quarantine" if self.quarantined else "pass"


def failure_label(suite: str, expectation: str, column: str) -> str:
    """How a batch-level failure is named in a verdict: `batch: expect_...(column)`."""
    return f"{suite}: {expectation}({column})"


QUARANTINE_CASCADE = {
    # Deleting a staged row takes the rows that depend on it along, so what publishes stays consistent.
    "articles": [
        # The reviews its page carried go with it: they would publish without the article they name.
        "DELETE FROM stg_fact_checks WHERE run_id = $run_id AND article_id IS NOT DISTINCT FROM CAST($key AS VARCHAR)",
        "DELETE FROM stg_statement_sources WHERE run_id = $run_id AND statement_id IN "
        "(SELECT statement_id FROM stg_statements WHERE run_id = $run_id AND article_id IS NOT DISTINCT FROM CAST($key AS VARCHAR))",
        "DELETE FROM stg_statements WHERE run_id = $run_id AND article_id IS NOT DISTINCT FROM CAST($key AS VARCHAR)",
        "DELETE FROM stg_articles WHERE run_id = $run_id AND article_id IS NOT DISTINCT FROM CAST($key AS VARCHAR)",
    ],
    "statements": [
        "DELETE FROM stg_statement_sources WHERE run_id = $run_id AND statement_id IS NOT DISTINCT FROM CAST($key AS VARCHAR)",
        "DELETE FROM stg_statements WHERE run_id = $run_id AND statement_id IS NOT DISTINCT FROM CAST($key AS VARCHAR)",
    ],
    "sources": [
        "DELETE FROM stg_statement_sources WHERE run_id = $run_id AND statement_id IN "
        "(SELECT statement_id FROM stg_statement_sources WHERE run_id = $run_id AND source_id IS NOT DISTINCT FROM CAST($key AS VARCHAR))",
        "DELETE FROM stg_statements WHERE run_id = $run_id AND statement_id NOT IN "
        "(SELECT statement_id FROM stg_statement_sources WHERE run_id = $run_id)",
        "DELETE FROM stg_sources WHERE run_id = $run_id AND source_id IS NOT DISTINCT FROM CAST($key AS VARCHAR)",
    ],
    "statement_sources": [
        "DELETE FROM stg_statement_sources WHERE run_id = $run_id AND statement_id IS NOT DISTINCT FROM CAST($key AS VARCHAR)",
        "DELETE FROM stg_statements WHERE run_id = $run_id AND statement_id IS NOT DISTINCT FROM CAST($key AS VARCHAR)",
    ],
    # Every staged copy of the ID (two pages may carry one review): nothing depends on a fact-check.
    "fact_checks": [
        "DELETE FROM stg_fact_checks WHERE run_id = $run_id AND fact_check_id IS NOT DISTINCT FROM CAST($key AS VARCHAR)",
    ],
}


def apply_quarantine(con: duckdb.DuckDBPyConnection, run_id: str, verdict: Verdict) -> None:
    """Move row-level failures out of staging into `quarantine`, with the failed expectation and key."""
    con.execute("DELETE FROM quarantine WHERE run_id = ?", [run_id])
    now = datetime.now(UTC)
    for row in verdict.quarantined:
        key_text = json.dumps(row.key, sort_keys=True)
        con.execute(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?)",
            [run_id, row.table, key_text, row.expectation, row.column, json.dumps(row.row, default=str), now],
        )
        primary = row.key[ROW_KEYS[row.table][0]]
        for sql in QUARANTINE_CASCADE[row.table]:
            run_script(con, sql, {"run_id": run_id, "key": primary})


def recorded_verdict(con: duckdb.DuckDBPyConnection, run_id: str) -> Verdict:
    """The verdict a run's validation left in `quality_results` and `quarantine`: for a retried load
    that finds its run already published, so it reports what was checked without checking again."""
    columns = ["suite", "expectation", "column_name", "level", "success", "element_count", "unexpected_count", "evaluated_at"]
    results = [dict(zip(columns, row)) for row in con.execute(
        f"SELECT {', '.join(columns)} FROM quality_results WHERE run_id = ? ORDER BY suite, expectation, column_name", [run_id]).fetchall()]
    quarantined = [
        QuarantinedRow(table, json.loads(key), expectation, column, json.loads(row))
        for table, key, expectation, column, row in con.execute(
            "SELECT table_name, row_key, expectation, column_name, row_json FROM quarantine WHERE run_id = ? ORDER BY table_name, row_key",
            [run_id]).fetchall()
    ]
    failures = [failure_label(r["suite"], r["expectation"], r["column_name"]) for r in results if r["level"] == "batch" and not r["success"]]
    return Verdict(passed=not failures, evaluated=len(results), failures=failures, quarantined=quarantined, results=results)


def record_results(con: duckdb.DuckDBPyConnection, run_id: str, verdict: Verdict) -> None:
    con.execute("DELETE FROM quality_results WHERE run_id = ?", [run_id])
    for result in verdict.results:
        con.execute(
            "INSERT INTO quality_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, result["suite"], result["expectation"], result["column_name"], result["level"],
             result["success"], result["element_count"], result["unexpected_count"], result["evaluated_at"]],
        )
