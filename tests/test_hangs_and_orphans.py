"""A run leaves nothing behind when it is killed, and never waits without a bound (issue 24, items 5 and 6).

Everything through the real `citeline` process: a real temporary Prefect server on an empty
PREFECT_HOME, real attribution workers, real servers on 127.0.0.1 that stall.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from citeline.paths import demo_corpus

PROJECT = Path(__file__).resolve().parent.parent
CITELINE = str(Path(sys.executable).with_name("citeline"))


def _newcomer_env(prefect_home: Path) -> dict[str, str]:
    """The user's environment: none of the test session's PREFECT_* settings (no API URL)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(prefect_home)
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    return env


# --- processes, read from /proc -------------------------------------------------------------------

def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of a process, None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), fields[0], int(fields[19])


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _descendants(root: int) -> dict[tuple[int, int], str]:
    """Every process below `root`, keyed by (pid, start time) so that a reused pid is not mistaken for it."""
    children: dict[int, list[tuple[int, int]]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (stat := _stat(int(name))) is not None:
            children.setdefault(stat[0], []).append((int(name), stat[2]))
    found, todo = {}, [root]
    while todo:
        for pid, started in children.get(todo.pop(), []):
            found[(pid, started)] = _command(pid)
            todo.append(pid)
    return found


def _alive(process: tuple[int, int]) -> bool:
    stat = _stat(process[0])
    return stat is not None and stat[2] == process[1] and stat[1] != "Z"  # a zombie has ended


def _kill_leftovers(processes) -> None:
    for pid, started in processes:
        if _alive((pid, started)):
            os.kill(pid, signal.SIGKILL)


# --- item 5: kill -9 leaves no process behind ------------------------------------------------------

@pytest.mark.timeout(900)
def test_kill_9_of_a_run_leaves_no_process_behind(tmp_path):
    """Three times: a run on the demo corpus (295 articles, so attribution uses worker processes) with
    an empty PREFECT_HOME (so a temporary server starts), killed once its server and workers are up."""
    for attempt in range(3):
        home, db = tmp_path / f"home{attempt}", tmp_path / f"w{attempt}.duckdb"
        run = subprocess.Popen([CITELINE, "run", str(demo_corpus()), "--db", str(db)], cwd=tmp_path,
                               env=_newcomer_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seen: dict[tuple[int, int], str] = {}
        try:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline and run.poll() is None:
                seen.update(_descendants(run.pid))
                commands = [command for key, command in seen.items() if _alive(key)]
                server = any("uvicorn" in command for command in commands)
                workers = sum("multiprocessing.spawn" in command for command in commands)
                tracker = any("resource_tracker" in command for command in commands)
                if server and workers >= 2 and tracker:
                    break
                time.sleep(0.1)
            else:
                pytest.fail(f"the run did not start its server and workers (exit {run.poll()}): {sorted(seen.values())}")
            seen.update(_descendants(run.pid))
            run.send_signal(signal.SIGKILL)
            run.wait()
            left = [key for key in seen if _alive(key)]
            until = time.monotonic() + 5
            while left and time.monotonic() < until:
                time.sleep(0.1)
                left = [key for key in seen if _alive(key)]
            assert left == [], f"attempt {attempt}: alive 5 s after kill -9 of the run: {[seen[key] for key in left]}"
        finally:
            if run.poll() is None:
                run.kill()
                run.wait()
            _kill_leftovers(seen)
