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



# Test files that share one xdist worker, one after another (make test: `-n 2 --dist loadfile`); every other
# file is a group of its own. "timed": tests that bound wall time or load every core (the first run beside busy
# loops, kill -9 and stalled servers, the reader's slowest read, fetch deadlines) never run beside each other.
# "demo_warehouse": the files using that session fixture, so it is built once.
XDIST_GROUPS = {
    "tests/test_first_run.py": "timed",
    "tests/test_hangs_and_orphans.py": "timed",
    "tests/test_reading_while_writing.py": "timed",
    "tests/test_hostile_fetch.py": "timed",
    "tests/test_dashboard.py": "demo_warehouse",
    "tests/test_warehouse_docs.py": "demo_warehouse",
}


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` with the groups above. Decided here, in the controller, from the node id's file: xdist's
    own `loadgroup` marks do not group on pytest 9.2 (they rename node ids, which pytest no longer takes:
    pytest-xdist issue 1386), so tests of one group were spread over both workers."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FileGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return XDIST_GROUPS.get(path, path)

    return FileGroupScheduling(config, log)
