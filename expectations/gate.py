"""Run the suites over one run's staged rows: row-level failures are quarantined, batch-level ones block."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from warehouse.buffer_pool import release_cached_blocks
from warehouse.sql_script import run_script

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# The key that names a row of each staged table in the quarantine.
ROW_KEYS = {
    "articles": ["article_id"],
    "statements": ["statement_id"],
    "sources": ["source_id"],
    "statement_sources": ["statement_id", "position"],
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


def check_queries(filename: str = "checks.sql") -> dict[str, str]:
    text = resources.files("expectations").joinpath(filename).read_text(encoding="utf-8")
    queries: dict[str, str] = {}
    for block in re.split(r"^-- name: ", text, flags=re.MULTILINE)[1:]:
        name, _, sql = block.partition("\n")
        queries[name.strip()] = sql.strip().rstrip(";")
    return queries


def _column_of(config) -> str:
    kwargs = config.kwargs
    return kwargs.get("column") or kwargs.get("column_A") or ",".join(kwargs.get("column_list", []))


def _failure_label(suite: str, expectation: str, column: str) -> str:
    """How a batch-level failure is named in a verdict: `batch: expect_...(column)`."""
    return f"{suite}: {expectation}({column})"


def _jsonable(value: Any) -> Any:
    """A JSON-safe value; pandas' missing values (NaN, NaT, NA) become null."""
    import pandas as pd

    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    if isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def data_docs_index(docs_root: Path) -> Path:
    return docs_root / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


# The Data Docs index lists this many of the latest validation results. Building it reads each result
# it lists, so without a limit every run got slower as the history of a scheduled deployment grew.
DOCS_INDEX_RESULTS = 200


def validate_staged(con: duckdb.DuckDBPyConnection, run_id: str, docs_root: Path | None = None) -> Verdict:
    """Validate every staged table of `run_id` (row level, one staged batch per frame) and the run as
    a whole (batch level); results are summed over the frames.

    With `docs_root`, the suites run through GX Checkpoints in a file-backed context there, and the
    run's results are rendered as static HTML Data Docs once at the end (`data_docs_index(docs_root)`);
    without it, in memory.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    from expectations.suites import BATCH_SUITE, SUITES

    if docs_root is not None:
        context = gx.get_context(mode="file", project_root_dir=str(docs_root))
        datasource = context.data_sources.add_or_update_pandas("staging")
    else:
        context = gx.get_context(mode="ephemeral")
        datasource = context.data_sources.add_pandas("staging")
    # GX's metric progress bars would garble the run's own progress display.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    verdict = Verdict(passed=True)
    now = datetime.now(UTC)
    complete = {"result_format": "COMPLETE"}
    tallies: dict[tuple[str, str, str], dict[str, Any]] = {}
    documented: list = []

    def batch_of(name: str):
        names = [asset.name for asset in datasource.assets]
        asset = datasource.get_asset(name) if name in names else datasource.add_dataframe_asset(name)
        return asset.get_batch_definition("run") if asset.batch_definitions else asset.add_batch_definition_whole_dataframe("run")

    checkpoints: dict[str, Any] = {}

    def validate_frame(name: str, suite, frame):
        if docs_root is None:
            return batch_of(name).get_batch(batch_parameters={"dataframe": frame}).validate(
                context.suites.add_or_update(suite), result_format=complete)
        if name not in checkpoints:
            # Saved to the file-backed context once per suite and run, not once per frame.
            suite = context.suites.add_or_update(suite)
            definition = context.validation_definitions.add_or_update(gx.ValidationDefinition(name=name, data=batch_of(name), suite=suite))
            # No Data Docs action: the docs are built once for the whole run below, not once per frame.
            checkpoints[name] = context.checkpoints.add_or_update(gx.Checkpoint(
                name=f"citeline-{name}", validation_definitions=[definition], actions=[], result_format=complete,
            ))
        identifier, result = next(iter(checkpoints[name].run(batch_parameters={"dataframe": frame}).run_results.items()))
        documented.append(identifier)
        return result

    def run_suite(name: str, suite, frame, level: str) -> list:
        result = validate_frame(name, suite, frame)
        # GX's execution engine caches every batch's frame for the life of the (process-wide) context;
        # dropping them keeps one frame in memory at a time, not the whole run's.
        manager = datasource.get_execution_engine().batch_manager
        manager.batch_data_cache.clear()
        manager.reset_batch_cache()
        for outcome in result.results:
            config = outcome.expectation_config
            tally = tallies.setdefault((name, config.type, _column_of(config)), {
                "suite": name, "expectation": config.type, "column_name": _column_of(config), "level": level,
                "success": True, "element_count": 0, "unexpected_count": 0, "evaluated_at": now,
            })
            tally["success"] = tally["success"] and bool(outcome.success)
            for count in ("element_count", "unexpected_count"):
                tally[count] += outcome.result.get(count) or 0
        return result.results

    batches = staged_batches(con, run_id)
    for name, sql in check_queries().items():
        suite = SUITES[name]()
        for frame in batch_frames(con, sql, run_id, batches, unique_keys(suite)):
            for outcome in run_suite(name, suite, frame, "row"):
                if outcome.success:
                    continue
                config = outcome.expectation_config
                for index in outcome.result.get("unexpected_index_list") or []:
                    row = frame.loc[index]
                    key = {k: _jsonable(row[k]) for k in ROW_KEYS[name]}
                    verdict.quarantined.append(QuarantinedRow(
                        name, key, config.type, _column_of(config),
                        {k: _jsonable(v) for k, v in row.items() if k != "text"},
                    ))
    batch_frame = con.execute(check_queries("batch_checks.sql")["batch"], {"run_id": run_id}).df()
    for outcome in run_suite("batch", BATCH_SUITE(), batch_frame, "batch"):
        if not outcome.success:
            verdict.failures.append(_failure_label("batch", outcome.expectation_config.type, _column_of(outcome.expectation_config)))
    if documented:
        # GX renders pages only for the results within the index's limit, so it never falls below this run's.
        _limit_docs_index(context, max(DOCS_INDEX_RESULTS, len(documented)))
        suites = [ExpectationSuiteIdentifier(name=name) for name in {identifier.expectation_suite_identifier.name for identifier in documented}]
        context.build_data_docs(resource_identifiers=[*documented, *suites])
    verdict.results = list(tallies.values())
    verdict.evaluated = len(verdict.results)
    verdict.passed = not verdict.failures
    return verdict


def _limit_docs_index(context, limit: int) -> None:
    """Make the Data Docs index list only the latest `limit` results (saved in the context's config)."""
    for name, site in context.list_data_docs_sites().items():
        index = dict(site.get("site_index_builder") or {"class_name": "DefaultSiteIndexBuilder"})
        if index.get("validation_results_limit") != limit:
            context.update_data_docs_site(name, {**site, "site_index_builder": {**index, "validation_results_limit": limit}})


def unique_keys(suite) -> list[list[str]]:
    """The column sets a suite expects to be unique: rows sharing one must be validated in the same frame."""
    keys = []
    for expectation in suite.expectations:
        if expectation.expectation_type == "expect_column_values_to_be_unique":
            keys.append([expectation.column])
        elif expectation.expectation_type == "expect_compound_columns_to_be_unique":
            keys.append(list(expectation.column_list))
    return keys


def staged_batches(con: duckdb.DuckDBPyConnection, run_id: str) -> list[int]:
    """The batch numbers a run has rows staged in, in order."""
    return [batch for (batch,) in con.execute(
        " UNION ".join(f"SELECT DISTINCT batch FROM stg_{table} WHERE run_id = $run_id" for table in ("articles", "statements", "statement_sources"))
        + " ORDER BY 1", {"run_id": run_id},
    ).fetchall()]


# Rows per validated frame, at most (a frame holds at least one staged batch). GX's cost per frame is
# mostly fixed (0.3-0.8 s on 2 cores, whatever its size), so frames of one 250-article batch each made
# the gate cost grow with the number of batches; frames of this many rows keep it growing with the
# rows, and a frame's memory bounded (the check queries select no text: about 20 MB at this size).
FRAME_ROWS = 50_000


def batch_frames(con: duckdb.DuckDBPyConnection, sql: str, run_id: str, batches: list[int], keys: list[list[str]]):
    """The check query's rows a run of consecutive staged `batches` at a time (up to FRAME_ROWS rows),
    so validation memory does not grow with the run.

    A uniqueness expectation must see every copy of a key. When a key is shared across batches (never,
    unless something upstream broke), the whole run is validated as one frame instead.
    """
    if "$from_batch" not in sql:
        yield con.execute(sql, {"run_id": run_id}).df()
        return
    if not batches:
        return
    whole_run = {"run_id": run_id, "from_batch": batches[0], "to_batch": batches[-1]}
    for key in keys:
        columns = ", ".join(key)
        spread = con.execute(
            f"SELECT count(*) FROM (SELECT {columns} FROM ({sql}) GROUP BY ALL HAVING count(DISTINCT batch) > 1)", whole_run
        ).fetchone()[0]
        if spread:
            yield con.execute(sql, whole_run).df()
            return
    for first, last in _frame_ranges(con, sql, whole_run):
        frame = con.execute(sql, {"run_id": run_id, "from_batch": first, "to_batch": last}).df()
        if not frame.empty:
            yield frame
        release_cached_blocks(con)


def _frame_ranges(con: duckdb.DuckDBPyConnection, sql: str, whole_run: dict[str, Any]) -> list[tuple[int, int]]:
    """Consecutive staged batches grouped into ranges of at most FRAME_ROWS of the query's rows."""
    counts = con.execute(f"SELECT batch, count(*) FROM ({sql}) GROUP BY batch ORDER BY batch", whole_run).fetchall()
    ranges: list[tuple[int, int]] = []
    rows = 0
    for batch, count in counts:
        if ranges and rows + count <= FRAME_ROWS:
            ranges[-1] = (ranges[-1][0], batch)
            rows += count
        else:
            ranges.append((batch, batch))
            rows = count
    return ranges


QUARANTINE_CASCADE = {
    # Deleting a staged row takes the rows that depend on it along, so what publishes stays consistent.
    "articles": [
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
    failures = [_failure_label(r["suite"], r["expectation"], r["column_name"]) for r in results if r["level"] == "batch" and not r["success"]]
    return Verdict(passed=not failures, evaluated=len(results), failures=failures, quarantined=quarantined, results=results)


def record_results(con: duckdb.DuckDBPyConnection, run_id: str, verdict: Verdict) -> None:
    con.execute("DELETE FROM quality_results WHERE run_id = ?", [run_id])
    for result in verdict.results:
        con.execute(
            "INSERT INTO quality_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, result["suite"], result["expectation"], result["column_name"], result["level"],
             result["success"], result["element_count"], result["unexpected_count"], result["evaluated_at"]],
        )
