"""A run leaves nothing behind when it is killed, and never waits without a bound (issue 24, items 5 and 6).

Everything through the real `citeline` process: a real temporary Prefect server on an empty
PREFECT_HOME, real attribution workers, real servers on 127.0.0.1 that stall.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from citeline.core.workspace import demo_corpus

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
    """Three times: a run on the demo corpus (295 articles, so attribution uses worker processes) with no
    PREFECT_API_URL (so a temporary server starts), killed once its server and workers are up. The first
    on an empty PREFECT_HOME; the next two on the home the killed runs left (the server's database is
    then already made, so they start sooner, and a home left by kill -9 must still serve)."""
    home = tmp_path / "home"
    for attempt in range(3):
        db = tmp_path / f"w{attempt}.duckdb"
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


# --- item 6: every wait has a bound ---------------------------------------------------------------

class _StallingServer:
    """A TCP server on 127.0.0.1 that accepts and then never answers: with `health`, it answers
    GET /api/health (as a Prefect API does) and stalls every other request."""

    def __init__(self, health: bool) -> None:
        self.health = health
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self.requests: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)  # kept open, never answered
            if self.health:
                threading.Thread(target=self._answer_health, args=(connection,), daemon=True).start()

    def _answer_health(self, connection: socket.socket) -> None:
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = connection.recv(4096)
                if not chunk:
                    return
                data += chunk
        except OSError:
            return
        line = data.split(b"\r\n", 1)[0]
        self.requests.append(line)
        if line.split()[1:2] == [b"/api/health"]:
            connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 4\r\n"
                               b"connection: close\r\n\r\ntrue")
            connection.close()

    def close(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()


def _citeline(args: list[str], env: dict[str, str], cwd: Path, timeout: float) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run([CITELINE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    return done, time.monotonic() - started


def _pages(tmp_path: Path) -> Path:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text('<html><body><article><p>"It is ready," the mayor said.</p></article></body></html>')
    return pages


@pytest.mark.timeout(240)
def test_a_prefect_api_that_stalls_after_its_health_check_stops_the_run(tmp_path):
    """Before: Prefect's client waited 60 s per try, six tries with backoff (over 7 min), then a traceback.
    The user's own timeout and retries are honoured, so this run sets short ones; the defaults' bound is
    the next test's."""
    server = _StallingServer(health=True)
    try:
        env = _newcomer_env(tmp_path / "home")
        env["PREFECT_API_URL"] = url = f"http://127.0.0.1:{server.port}/api"
        env["PREFECT_API_REQUEST_TIMEOUT"], env["PREFECT_CLIENT_MAX_RETRIES"] = "3", "1"
        done, seconds = _citeline(["run", str(_pages(tmp_path)), "--db", str(tmp_path / "w.duckdb")], env, tmp_path, timeout=200)
    finally:
        server.close()
    assert any(b"/api/health" in line for line in server.requests)
    assert any(b"/api/health" not in line for line in server.requests), "the run never got past the health check"
    assert done.returncode == 2, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("citeline run: ") and f"the Prefect API at {url} stopped answering" in last
    assert "time out after 3 s, tried 2 times" in last
    assert "Traceback" not in done.stderr
    assert seconds < 60


def test_without_the_users_settings_a_stalled_api_is_given_up_within_about_a_minute(monkeypatch):
    """What bounds a run against a stalled API when the user set nothing: Prefect's own defaults (60 s a
    request, 5 retries with backoff) would wait over 7 minutes."""
    from prefect.settings import PREFECT_API_REQUEST_TIMEOUT, PREFECT_CLIENT_MAX_RETRIES

    from citeline.prefect_api import bounded_api

    for name in ("PREFECT_API_REQUEST_TIMEOUT", "PREFECT_CLIENT_MAX_RETRIES"):
        monkeypatch.delenv(name, raising=False)
    with bounded_api("http://127.0.0.1:9/api"):
        timeout, tries = PREFECT_API_REQUEST_TIMEOUT.value(), PREFECT_CLIENT_MAX_RETRIES.value() + 1
    assert timeout * tries <= 90, (timeout, tries)
    assert PREFECT_API_REQUEST_TIMEOUT.value() == 60  # Prefect's own again outside the block


@pytest.mark.timeout(180)
def test_a_dask_address_that_accepts_and_never_answers_is_given_up(tmp_path):
    """Before: Dask's client waited on the silent scheduler for over seven minutes. The run sets its own
    bound on the check ([citeline.scale] dask_check_timeout), so this waits seconds; the default's bound
    is the next test's."""
    from flows.cluster import CHECK_TIMEOUT

    server = _StallingServer(health=False)
    address = f"tcp://127.0.0.1:{server.port}"
    config = tmp_path / "project" / "citeline.toml"
    config.parent.mkdir()
    config.write_text("[citeline]\n\n[citeline.scale]\ndask_check_timeout = 2.5\n")
    try:
        done, seconds = _citeline(["run", str(_pages(tmp_path)), "--config", str(config), "--db", str(tmp_path / "w.duckdb"),
                                   "--dask-address", address], _newcomer_env(tmp_path / "home"), tmp_path, timeout=150)
    finally:
        server.close()
    assert server.held, "the check never connected"
    assert done.returncode == 2, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert f"{address} accepted a connection but did not answer as a Dask scheduler within 2.5 s" in last
    assert seconds < CHECK_TIMEOUT  # the run's own bound, not the default's
    assert not (tmp_path / "w.duckdb").exists()


def test_without_the_users_setting_a_silent_dask_scheduler_is_given_up_after_30_s(tmp_path, monkeypatch, capsys):
    """The default bound (30 s), followed from `citeline run --dask-address` to the wait on the check's
    thread, in this process: the wait is recorded and cut short, not sat through."""
    import threading

    from citeline.cli import main

    waits: list[float | None] = []
    join = threading.Thread.join

    def recorded_join(thread, timeout=None):
        if thread.name == "citeline-dask-check":
            waits.append(timeout)
            timeout = 0.5
        return join(thread, timeout)

    monkeypatch.setattr(threading.Thread, "join", recorded_join)
    monkeypatch.chdir(tmp_path)  # no ./citeline.toml
    server = _StallingServer(health=False)
    address = f"tcp://127.0.0.1:{server.port}"
    try:
        status = main(["run", str(_pages(tmp_path)), "--db", str(tmp_path / "w.duckdb"), "--dask-address", address])
    finally:
        server.close()
    assert status == 2
    assert waits == [30.0]
    assert f"{address} accepted a connection but did not answer as a Dask scheduler within 30 s" in capsys.readouterr().err
    assert not (tmp_path / "w.duckdb").exists()


@pytest.mark.parametrize("value,expected", [("0", "greater than 0"), ("inf", "finite number"), ("1e308", "less than or equal to 3600")])
def test_a_dask_check_timeout_that_cannot_bound_the_check_is_refused_by_name(tmp_path, value, expected):
    from citeline.config import ConfigError, load_config

    config = tmp_path / "citeline.toml"
    config.write_text(f"[citeline]\n\n[citeline.scale]\ndask_check_timeout = {value}\n")
    with pytest.raises(ConfigError, match=f"scale.dask_check_timeout: Input should be .*{expected}"):
        load_config(config)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("setting,value,limit", [
    ("per_host_delay", "1e300", "600"), ("timeout", "1e308", "3600"), ("max_attempts", "1000000000", "10")])
def test_a_duration_past_its_bound_is_refused_by_name(tmp_path, setting, value, limit):
    """Before: accepted (only inf was refused), and the run waited 1e300 s between two requests to a host."""
    config, pages = tmp_path / "project" / "citeline.toml", _pages(tmp_path)  # not ./citeline.toml of the second run
    config.parent.mkdir()
    config.write_text(f"[citeline]\ninputs = [{str(pages)!r}]\n\n[citeline.fetch]\n{setting} = {value}\n")
    env = _newcomer_env(tmp_path / "home")
    done, _ = _citeline(["run", "--config", str(config), "--db", str(tmp_path / "w.duckdb")], env, tmp_path, timeout=90)
    assert done.returncode == 2, done.stderr[-2000:]
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1
    assert str(config) in message and f"fetch.{setting}: Input should be less than or equal to {limit}" in message
    flag = "--" + setting.replace("_", "-")
    done, _ = _citeline(["run", str(pages), flag, value, "--db", str(tmp_path / "w.duckdb")], env, tmp_path, timeout=90)
    assert done.returncode == 2 and f"{flag}: Input should be less than or equal to {limit}" in done.stderr
    assert not (tmp_path / "w.duckdb").exists()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("command,where", [
    ("train", "text/doc.txt"), ("train", "attributions/doc_aa.ann"), ("eval", "text/two.txt"),
    ("eval", "attributions/doc_aa.ann"), ("agreement", "text/two.txt"), ("agreement", "attributions/two_bb.ann")])
def test_a_fifo_in_a_gold_folder_is_refused_by_name(tmp_path, command, where):
    """Before: `open` on the FIFO waited for a writer that never came. `doc` has one annotator (trained
    on), `two` has two (held out of training, scored by agreement)."""
    gold = tmp_path / "gold"
    (gold / "text").mkdir(parents=True)
    (gold / "attributions").mkdir()
    for name, annotators in (("doc", ["aa"]), ("two", ["aa", "bb"])):
        (gold / "text" / f"{name}.txt").write_text('"It is ready," the mayor said.\n', encoding="utf-8")
        for annotator in annotators:
            (gold / "attributions" / f"{name}_{annotator}.ann").write_text("", encoding="utf-8")
    fifo = gold / where
    fifo.unlink()
    os.mkfifo(fifo)
    args = {"train": ["train", str(gold), "--out", str(tmp_path / "model")]}.get(command, [command, str(gold)])
    done, _ = _citeline(args, _newcomer_env(tmp_path / "home"), tmp_path, timeout=90)
    assert done.returncode == 2, done.stderr[-2000:]
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1 and f"{str(fifo)!r} is " in message and "not a regular file" in message, message
    assert not (tmp_path / "model").exists()


@pytest.mark.timeout(120)
def test_a_fifo_as_the_predictions_file_is_refused_by_name(tmp_path):
    gold = tmp_path / "gold"
    (gold / "text").mkdir(parents=True)
    (gold / "attributions").mkdir()
    (gold / "text" / "doc.txt").write_text('"It is ready," the mayor said.\n', encoding="utf-8")
    (gold / "attributions" / "doc_aa.ann").write_text("", encoding="utf-8")
    fifo = tmp_path / "pred.jsonl"
    os.mkfifo(fifo)
    done, _ = _citeline(["eval", str(gold), "--pred", str(fifo)], _newcomer_env(tmp_path / "home"), tmp_path, timeout=90)
    assert done.returncode == 2, done.stderr[-2000:]
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1 and f"{str(fifo)!r} is " in message and "not a regular file" in message, message
