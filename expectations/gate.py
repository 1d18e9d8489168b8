"""Run the suites over one run's staged rows: row-level failures are quarantined, batch-level ones block."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from warehouse.buffer_pool import release_cached_blocks
from warehouse.quality import ROW_KEYS, QuarantinedRow, Verdict, failure_label


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


# The Data Docs index lists this many of the latest validation results. Building it reads each result
# it lists, so without a limit every run got slower as the history of a scheduled deployment grew.
DOCS_INDEX_RESULTS = 200
COMPLETE = {"result_format": "COMPLETE"}


def validate_staged(con: duckdb.DuckDBPyConnection, run_id: str, docs_root: Path | None = None) -> Verdict:
    """Validate every staged table of `run_id` (row level, one staged batch per frame) and the run as
    a whole (batch level); results are summed over the frames.

    With `docs_root`, the suites run through GX Checkpoints in a file-backed context there, and the
    run's results are rendered as static HTML Data Docs once at the end (`data_docs_index(docs_root)`);
    without it, in memory.
    """
    from expectations.suites import BATCH_SUITE, SUITES

    suites = _SuiteRun(docs_root)
    verdict = Verdict(passed=True)
    batches = staged_batches(con, run_id)
    for name, sql in check_queries().items():
        suite = SUITES[name]()
        for frame in batch_frames(con, sql, run_id, batches, unique_keys(suite)):
            verdict.quarantined += _quarantined(name, frame, suites.run(name, suite, frame, "row"))
    batch_frame = con.execute(check_queries("batch_checks.sql")["batch"], {"run_id": run_id}).df()
    for outcome in suites.run("batch", BATCH_SUITE(), batch_frame, "batch"):
        if not outcome.success:
            verdict.failures.append(failure_label("batch", outcome.expectation_config.type, _column_of(outcome.expectation_config)))
    suites.build_docs()
    verdict.results = list(suites.tallies.values())
    verdict.evaluated = len(verdict.results)
    verdict.passed = not verdict.failures
    return verdict


def _quarantined(name: str, frame, outcomes: list) -> list[QuarantinedRow]:
    """The rows of `frame` (a frame of staged table `name`) that failed a row-level expectation."""
    rows = []
    for outcome in outcomes:
        if outcome.success:
            continue
        config = outcome.expectation_config
        for index in outcome.result.get("unexpected_index_list") or []:
            row = frame.loc[index]
            key = {k: _jsonable(row[k]) for k in ROW_KEYS[name]}
            rows.append(QuarantinedRow(
                name, key, config.type, _column_of(config),
                {k: _jsonable(v) for k, v in row.items() if k != "text"},
            ))
    return rows


class _SuiteRun:
    """One run's suites in a Great Expectations context (file-backed under `docs_root`, else in memory):
    each frame validated, the results tallied per suite, expectation and column over the frames."""

    def __init__(self, docs_root: Path | None) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.docs_root = docs_root
        if docs_root is not None:
            self.context = gx.get_context(mode="file", project_root_dir=str(docs_root))
            self.datasource = self.context.data_sources.add_or_update_pandas("staging")
        else:
            self.context = gx.get_context(mode="ephemeral")
            self.datasource = self.context.data_sources.add_pandas("staging")
        # GX's metric progress bars would garble the run's own progress display.
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.now = datetime.now(UTC)
        self.tallies: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.documented: list = []
        self.checkpoints: dict[str, Any] = {}

    def _batch_of(self, name: str):
        names = [asset.name for asset in self.datasource.assets]
        asset = self.datasource.get_asset(name) if name in names else self.datasource.add_dataframe_asset(name)
        return asset.get_batch_definition("run") if asset.batch_definitions else asset.add_batch_definition_whole_dataframe("run")

    def _validate_frame(self, name: str, suite, frame):
        context, gx = self.context, self.gx
        if self.docs_root is None:
            return self._batch_of(name).get_batch(batch_parameters={"dataframe": frame}).validate(
                context.suites.add_or_update(suite), result_format=COMPLETE)
        if name not in self.checkpoints:
            # Saved to the file-backed context once per suite and run, not once per frame.
            suite = context.suites.add_or_update(suite)
            definition = context.validation_definitions.add_or_update(gx.ValidationDefinition(name=name, data=self._batch_of(name), suite=suite))
            # No Data Docs action: the docs are built once for the whole run below, not once per frame.
            self.checkpoints[name] = context.checkpoints.add_or_update(gx.Checkpoint(
                name=f"citeline-{name}", validation_definitions=[definition], actions=[], result_format=COMPLETE,
            ))
        identifier, result = next(iter(self.checkpoints[name].run(batch_parameters={"dataframe": frame}).run_results.items()))
        self.documented.append(identifier)
        return result

    def run(self, name: str, suite, frame, level: str) -> list:
        """Validate `frame` with `suite` (named `name`), tally its results; the expectations' outcomes."""
        result = self._validate_frame(name, suite, frame)
        # GX's execution engine caches every batch's frame for the life of the (process-wide) context;
        # dropping them keeps one frame in memory at a time, not the whole run's.
        manager = self.datasource.get_execution_engine().batch_manager
        manager.batch_data_cache.clear()
        manager.reset_batch_cache()
        for outcome in result.results:
            config = outcome.expectation_config
            tally = self.tallies.setdefault((name, config.type, _column_of(config)), {
                "suite": name, "expectation": config.type, "column_name": _column_of(config), "level": level,
                "success": True, "element_count": 0, "unexpected_count": 0, "evaluated_at": self.now,
            })
            tally["success"] = tally["success"] and bool(outcome.success)
            for count in ("element_count", "unexpected_count"):
                tally[count] += outcome.result.get(count) or 0
        return result.results

    def build_docs(self) -> None:
        """Render the Data Docs of this run's results (file-backed context only), once for the whole run."""
        if not self.documented:
            return
        from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

        # GX renders pages only for the results within the index's limit, so it never falls below this run's.
        _limit_docs_index(self.context, max(DOCS_INDEX_RESULTS, len(self.documented)))
        names = {identifier.expectation_suite_identifier.name for identifier in self.documented}
        self.context.build_data_docs(resource_identifiers=[*self.documented, *[ExpectationSuiteIdentifier(name=name) for name in names]])


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
        " UNION ".join(f"SELECT DISTINCT batch FROM stg_{table} WHERE run_id = $run_id" for table in ("articles", "statements", "statement_sources", "fact_checks"))
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
