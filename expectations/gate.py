"""Run the suites over one run's staged rows and give a verdict the loader acts on."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from importlib import resources

import duckdb

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@dataclass
class Verdict:
    """Pass or fail, with each failed expectation named as `table: expectation(column)`."""

    passed: bool
    evaluated: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return "pass" if self.passed else "fail"


def check_queries() -> dict[str, str]:
    text = resources.files("expectations").joinpath("checks.sql").read_text(encoding="utf-8")
    queries: dict[str, str] = {}
    for block in re.split(r"^-- name: ", text, flags=re.MULTILINE)[1:]:
        name, _, sql = block.partition("\n")
        queries[name.strip()] = sql.strip().rstrip(";")
    return queries


def validate_staged(con: duckdb.DuckDBPyConnection, run_id: str) -> Verdict:
    """Validate every staged table of `run_id` with its suite."""
    import great_expectations as gx

    from expectations.suites import SUITES

    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # GX's metric progress bars would garble the run's own progress display.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasource = context.data_sources.add_pandas("staging")
    verdict = Verdict(passed=True)
    for name, sql in check_queries().items():
        frame = con.execute(sql, {"run_id": run_id}).df()
        if frame.empty:
            continue
        batch = datasource.add_dataframe_asset(name).add_batch_definition_whole_dataframe("run")
        suite = context.suites.add(SUITES[name]())
        result = batch.get_batch(batch_parameters={"dataframe": frame}).validate(suite)
        for outcome in result.results:
            verdict.evaluated += 1
            if not outcome.success:
                config = outcome.expectation_config
                column = config.kwargs.get("column") or config.kwargs.get("column_A") or ",".join(config.kwargs.get("column_list", []))
                verdict.failures.append(f"{name}: {config.type}({column})")
    verdict.passed = not verdict.failures
    return verdict
