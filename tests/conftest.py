"""Shared fixtures: an isolated Prefect home, one temporary Prefect server per session, the seed article;
and how test files are shared out between xdist workers."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

import citeline.core  # noqa: F401, E402  (its environment switches: no telemetry from tests, nor from the servers they start)

# Before Prefect is imported anywhere: a throwaway home. Each xdist worker imports this module itself, so each
# has its own home (and its own prefect_server below, on a port the OS picks): they share no Prefect state.
_PREFECT_HOME = tempfile.mkdtemp(prefix="citeline-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"


@pytest.fixture(scope="session")
def prefect_server():
    """One temporary Prefect API server for every test that runs a real flow."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="session")
def seed_text() -> str:
    path = SHARED / "seed" / "iran-missiles-business-insider.txt"
    if not path.exists():
        pytest.skip("../shared/seed is not beside the project")
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory, prefect_server) -> Path:
    """A warehouse built by the real flow from the whole demo corpus (295 Wikinews articles), published."""
    from citeline.core.workspace import demo_corpus
    from flows.pipeline import citeline_run
    from flows.run_config import RunConfig

    db = tmp_path_factory.mktemp("demo") / "citeline.duckdb"
    summary = citeline_run(RunConfig(inputs=[str(demo_corpus())], db=str(db)))
    assert summary["run"]["status"] == "published"
    return db


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Under `--dist loadgroup` (make test: two xdist workers) a test file goes to one worker whole, so its
    module fixtures are built once, unless the file names a shared group (`xdist_group`): the files of a
    group run on one worker, one after another. Runs before xdist turns the group into the node id."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
