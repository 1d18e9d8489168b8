"""A newcomer's first `citeline run`: a new process, an empty Prefect home, none of the test harness's settings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from citeline.core.workspace import demo_corpus
from tests.support.pages import copy_demo_pages, demo_pages

PROJECT = Path(__file__).resolve().parent.parent
BUSY_LOOP = "import sys, time\nend = time.monotonic() + float(sys.argv[1])\nwhile time.monotonic() < end: pass\n"


def _newcomer_env(prefect_home: Path) -> dict[str, str]:
    """The user's environment: no PREFECT_* setting of this test session (no API URL, no raised timeout)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(prefect_home)
    return env


@contextmanager
def _busy_cores(seconds: float):
    """Keep every core busy twice over: a 2-core machine that is slower, or shared with other work.
    On such a machine the first start of Prefect's temporary server outlasted Prefect's own limit."""
    processes = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP, str(seconds)]) for _ in range(2 * (os.cpu_count() or 1))]
    try:
        yield
    finally:
        for process in processes:
            process.kill()
            process.wait()


def _run(args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("citeline")), *args], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_first_run_on_an_empty_prefect_home_publishes(tmp_path):
    pages = tmp_path / "pages"
    copy_demo_pages(pages, slice(None, 3))
    home = tmp_path / "new-prefect-home"
    home.mkdir()
    db = tmp_path / "w.duckdb"
    with _busy_cores(seconds=300):
        done = _run(["run", str(pages), "--db", str(db)], _newcomer_env(home), timeout=400)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "status: published" in done.stdout
    assert (home / "prefect.db").exists()  # the run really started a temporary server on that home
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status, n_articles FROM runs").fetchall() == [("published", 3)]
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 3


def test_a_prefect_home_that_cannot_serve_is_named_and_exits_2(tmp_path):
    home = tmp_path / "prefect-home"
    home.mkdir()
    # What another program, or a damaged disk, can leave where the server's database belongs.
    (home / "prefect.db").write_bytes(b"not a database\x00" * 5000)
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(demo_pages()[0], pages / "one.html")
    began = time.monotonic()
    done = _run(["run", str(pages), "--db", str(tmp_path / "w.duckdb")], _newcomer_env(home), timeout=300)
    assert done.returncode == 2
    message = done.stderr.strip().splitlines()[-1]
    assert "temporary server could not start" in message and f"PREFECT_HOME={home}" in message and "PREFECT_API_URL" in message
    assert time.monotonic() - began < 120  # noticed when the server died, not at the end of the long start-up wait
    assert not (tmp_path / "w.duckdb").exists()


def test_a_prefect_api_url_that_does_not_answer_is_named_and_exits_2(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = _newcomer_env(tmp_path / "home")
    env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    done = _run(["run", str(demo_corpus()), "--db", str(tmp_path / "w.duckdb")], env, timeout=120)
    assert done.returncode == 2
    message = done.stderr.strip().splitlines()[-1]
    assert f"PREFECT_API_URL=http://127.0.0.1:{port}/api does not answer" in message
    assert not (tmp_path / "w.duckdb").exists()
