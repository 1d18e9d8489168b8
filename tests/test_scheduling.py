"""citeline.toml, the served deployment's schedule, and the artifacts each run publishes."""

from __future__ import annotations

import asyncio

import pytest

from citeline.cli import build_parser, run_configuration
from citeline.config import ConfigError, load_config
from extract.fetch import FetchPolicy
from flows.run_config import FetchSettings, RunConfig
from tests.support.pages import copy_demo_pages

CONFIG = """
[citeline]
inputs = ["feeds.txt"]
db = "warehouse/news.duckdb"
schedule = "15 */2 * * *"
timezone = "Europe/Amsterdam"

[citeline.fetch]
per_host_delay = 1.5
respect_robots = true
"""


def test_config_is_read_and_flags_override_it(tmp_path):
    path = tmp_path / "citeline.toml"
    path.write_text(CONFIG)
    config = load_config(path)
    assert (config.run.inputs, config.run.db, config.schedule, config.run.fetch.per_host_delay) == (
        ["feeds.txt"], "warehouse/news.duckdb", "15 */2 * * *", 1.5)
    args = build_parser().parse_args(["run", "--config", str(path), "--per-host-delay", "0", "--db", "other.duckdb"])
    run = run_configuration(args)
    assert run.inputs == ["feeds.txt"] and run.fetch.per_host_delay == 0.0
    assert run.db == "other.duckdb" and run.fetch.respect_robots is True
    # Left out, a setting keeps the config file's value, and the file's default otherwise.
    assert run.fetch.timeout == FetchSettings().timeout == FetchPolicy().timeout


@pytest.mark.parametrize("text,message", [
    ("[citeline]\nschedul = '* * * * *'\n", "unknown key 'schedul'"),
    ("[citeline]\nschedule = 'hourly'\n", "not a five-field cron"),
    ("[citeline]\ninputs = 'one.txt'\n", r"inputs: Input should be a valid list \(got 'one.txt'\)"),
    ("[citeline.fetch]\ntimout = 3\n", r"fetch.timout: unknown key"),
    ("[citeline.fetch]\ntimeout = 'fast'\n", r"fetch.timeout: Input should be a valid number"),
    ("[citeline.fetch]\nmax_attempts = 0\n", r"fetch.max_attempts: Input should be greater than or equal to 1"),
    ("[citeline]\ntimezone = 'Mars/Olympus'\n", "not an IANA time zone"),
    ("citeline = [", "not valid TOML"),
])
def test_bad_config_is_named(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)
    assert str(path) in str(pytest.raises(ConfigError, load_config, path).value)


def test_served_deployment_exists_with_the_cron_from_config(tmp_path, prefect_server):
    from prefect.client.orchestration import get_client

    from flows.deployments import DEPLOYMENT_NAME, scheduled_deployment

    path = tmp_path / "citeline.toml"
    path.write_text(CONFIG)
    deployment = scheduled_deployment(load_config(path))
    deployment.apply()

    async def read():
        async with get_client() as client:
            return await client.read_deployment_by_name(f"citeline-run/{DEPLOYMENT_NAME}")

    stored = asyncio.run(read())
    assert [(s.schedule.cron, s.schedule.timezone, s.active) for s in stored.schedules] == [
        ("15 */2 * * *", "Europe/Amsterdam", True)]
    assert stored.parameters["config"]["inputs"] == ["feeds.txt"] and stored.parameters["config"]["fetch"]["per_host_delay"] == 1.5


def test_each_run_publishes_a_summary_and_a_table_of_new_statements(tmp_path, prefect_server):
    from prefect.artifacts import Artifact

    from flows.pipeline import citeline_run

    folder = tmp_path / "pages"
    copy_demo_pages(folder, slice(10, 13))
    summary = citeline_run(RunConfig(inputs=[str(folder)], db=str(tmp_path / "w.duckdb")))
    markdown = Artifact.get("citeline-run-summary")
    table = Artifact.get("citeline-new-statements")
    assert markdown is not None and str(markdown.flow_run_id) == summary["run"]["run_id"]
    assert "| statements |" in markdown.data and "Quality gate" in markdown.data
    assert table is not None and str(table.flow_run_id) == summary["run"]["run_id"]
    assert summary["run"]["n_statements"] > 0 and "speaker" in str(table.data)


def test_the_work_pool_deployment_passes_a_valid_run_config_and_prefect_validates_it():
    import yaml
    from prefect.exceptions import ParameterTypeError

    from flows.pipeline import citeline_run
    from tests.conftest import PROJECT

    [deployment] = yaml.safe_load((PROJECT / "prefect.yaml").read_text())["deployments"]
    validated = citeline_run.validate_parameters(deployment["parameters"])
    assert isinstance(validated["config"], RunConfig) and validated["config"].inputs == ["urls.txt"]
    with pytest.raises(ParameterTypeError, match="per_host_delay"):
        citeline_run.validate_parameters({"config": {"fetch": {"per_host_delay": "soon"}}})
