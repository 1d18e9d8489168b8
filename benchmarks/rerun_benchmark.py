"""What a scheduled re-run costs: every run its own new process, as a scheduler starts it, and where its time goes.

    .venv/bin/python benchmarks/rerun_benchmark.py                                # N = 295, all three modes
    .venv/bin/python benchmarks/rerun_benchmark.py --n 20 --modes running         # a quick look
    .venv/bin/python benchmarks/rerun_benchmark.py --modes temporary,serve

Modes: `running` runs `citeline run` twice against a `prefect server start` of its own (PREFECT_API_URL);
`temporary` runs it twice with no PREFECT_API_URL, so each process starts Prefect's temporary server
(both on one PREFECT_HOME, warm after the first run, as on a scheduled machine); `serve` triggers two
runs of the `citeline serve` deployment on that same running server. The N pages come from
benchmarks/pipeline_benchmark.py's page server (distinct pages with ETags, so the re-run gets 304s),
each mode writes a fresh warehouse, and each run's `runs.stage_seconds` says where its time went.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.pipeline_benchmark import page_paths, page_server  # noqa: E402

VENV_BIN = PROJECT / ".venv" / "bin"
MODES = ("running", "temporary", "serve")
STAGES = ("imports", "prefect_api", "fetch", "extract", "attribute", "stage", "gate", "publish", "snapshot")
TABLES = ("articles", "statements", "sources", "statement_sources")
DEPLOYMENT = "citeline-run/citeline-scheduled"
TARGET = 0.20  # an unchanged re-run should cost at most this share of the first run

SERVER_START_LIMIT = 300.0  # the first start on an empty PREFECT_HOME migrates its database
RUN_LIMIT = 1800.0
SERVE_READY_LIMIT = 300.0
STOP_GRACE = 10.0


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the figures."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    """A port nothing listens on now (the server binds it a moment later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prefect_env(home: Path, api_url: str | None) -> dict[str, str]:
    """This environment for a child, with its own PREFECT_HOME and PREFECT_API_URL set or gone."""
    env = dict(os.environ)
    # A profile can carry an API URL too: without these the child reads only the fresh home's (none).
    for key in ("PREFECT_API_URL", "PREFECT_PROFILES_PATH", "PREFECT_PROFILE"):
        env.pop(key, None)
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_UI_ENABLED="false",
               PREFECT_SERVER_UI_ENABLED="false", GX_ANALYTICS_ENABLED="false")
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def wait_until(ready: Callable[[], bool], limit: float, what: str, process: subprocess.Popen | None = None) -> float:
    """Poll `ready` until true; fail after `limit` seconds or when `process` has exited. Returns the wait."""
    began = time.perf_counter()
    while not ready():
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: its process exited with status {process.returncode}")
        if time.perf_counter() - began > limit:
            raise RuntimeError(f"{what}: not ready after {limit:.0f} s")
        time.sleep(0.2)
    return time.perf_counter() - began


def api(url: str, body: dict | None = None) -> tuple[int, object]:
    """One JSON request to the Prefect REST API: (status, decoded body); 0 when nothing answers."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="GET" if body is None else "POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, None


def stop(process: subprocess.Popen, first_signal: int = signal.SIGTERM) -> None:
    """Signal, then kill after a grace period; then whatever it left in its process group."""
    if process.poll() is None:
        process.send_signal(first_signal)
        try:
            process.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            log(f"pid {process.pid} still running {STOP_GRACE:.0f} s after {signal.Signals(first_signal).name}: stopping it harder")
            if first_signal != signal.SIGTERM:
                process.terminate()
                try:
                    process.wait(STOP_GRACE)
                except subprocess.TimeoutExpired:
                    pass
            process.kill()
            process.wait(STOP_GRACE)
    # Started with a session of its own, so its group id is its pid: only its own children are in it.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@contextmanager
def prefect_server(home: Path) -> Iterator[str]:
    """`prefect server start` on a free port with a fresh home; yields its API URL once healthy."""
    port = free_port()
    output = open(home / "server.log", "wb")
    process = subprocess.Popen([str(VENV_BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                               env=prefect_env(home, None), stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    try:
        try:
            waited = wait_until(lambda: api(f"{url}/health")[0] == 200, SERVER_START_LIMIT, "prefect server start", process)
        except RuntimeError as error:
            raise RuntimeError(f"{error}; its output ends:\n{tail((home / 'server.log').read_text(errors='replace'))}") from None
        log(f"Prefect server at {url} healthy after {waited:.1f} s (pid {process.pid})")
        yield url
    finally:
        stop(process)
        output.close()


def tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def write_urls(work: Path, base: str, n: int) -> Path:
    urls = work / "urls.txt"
    urls.write_text("\n".join(base + path for path in page_paths(n)) + "\n")
    return urls


def citeline_run(urls: Path, db: Path, env: dict[str, str]) -> float:
    """One `citeline run` in a new process, as a scheduler starts it; its wall time seen from outside."""
    command = [str(VENV_BIN / "citeline"), "run", str(urls), "--db", str(db), "--per-host-delay", "0", "--allow-private-hosts"]
    clock = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=RUN_LIMIT, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - clock
    if done.returncode != 0:
        raise RuntimeError(f"`citeline run` exited with status {done.returncode}; its stderr ends:\n{tail(done.stderr)}")
    return seconds


def read_warehouse(db: Path) -> dict:
    """The latest `runs` row and the published tables' row counts (read-only, after the writer ended)."""
    import duckdb

    # The writer has closed the file, but a serve run's process may still be exiting: retry briefly.
    for attempt in range(50):
        try:
            con = duckdb.connect(str(db), read_only=True)
            break
        except duckdb.IOException:
            if attempt == 49:
                raise
            time.sleep(0.2)
    try:
        row = con.execute("SELECT status, quality_verdict, n_articles, n_unchanged, n_statements, stage_seconds "
                          "FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
        counts = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
    finally:
        con.close()
    keys = ("status", "quality_verdict", "n_articles", "n_unchanged", "n_statements")
    return {**dict(zip(keys, row[:5])), "stage_seconds": json.loads(row[5] or "{}"), "rows": counts}


def check_published(run: dict, label: str) -> None:
    if run["status"] != "published":
        raise RuntimeError(f"{label}: run status {run['status']!r} (quality gate {run['quality_verdict']!r})")


def measure_cli(mode: str, base: str, n: int, env: dict[str, str]) -> dict:
    """Two `citeline run` processes over the same URLs into a fresh warehouse: the first run, then the re-run."""
    work = Path(tempfile.mkdtemp(prefix=f"citeline-rerun-{mode}-"))
    try:
        urls, db = write_urls(work, base, n), work / "w.duckdb"
        result = {}
        for label in ("first", "rerun"):
            log(f"{mode}: {label} run ...")
            seconds = citeline_run(urls, db, env)
            run = read_warehouse(db)
            check_published(run, f"{mode} {label} run")
            result[label] = {"seconds": round(seconds, 2), **run}
            log(f"{mode}: {label} run {seconds:.1f} s")
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_config(work: Path, urls: Path, db: Path) -> None:
    """A citeline.toml for `citeline serve`: these URLs, this warehouse, a schedule that will not fire now."""
    (work / "citeline.toml").write_text(
        "[citeline]\n"
        f"inputs = [{json.dumps(str(urls))}]\n"
        f"db = {json.dumps(str(db))}\n"
        'schedule = "0 0 1 1 *"\n'
        'timezone = "UTC"\n\n'
        "[citeline.fetch]\n"
        "allow_private_hosts = true\n"
        "per_host_delay = 0.0\n"
    )


def utc_seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def trigger_and_wait(url: str, deployment_id: str) -> dict:
    """Create a flow run of the deployment now and wait for a final state; times from trigger and from the API."""
    triggered = time.time()
    clock = time.perf_counter()
    status, flow_run = api(f"{url}/deployments/{deployment_id}/create_flow_run", {})
    if status not in (200, 201):
        raise RuntimeError(f"creating a flow run of {DEPLOYMENT} answered HTTP {status}")
    run_id = flow_run["id"]
    while True:
        _, flow_run = api(f"{url}/flow_runs/{run_id}")
        state = (flow_run or {}).get("state") or {}
        if state.get("type") in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            break
        if time.perf_counter() - clock > RUN_LIMIT:
            raise RuntimeError(f"flow run {run_id} not finished after {RUN_LIMIT:.0f} s (state {state.get('type')})")
        time.sleep(0.2)
    seconds = time.perf_counter() - clock
    if state["type"] != "COMPLETED":
        raise RuntimeError(f"flow run {run_id} ended {state['type']}: {state.get('message')}")
    _, states = api(f"{url}/flow_run_states/?flow_run_id={run_id}")
    # Pending is when the runner took the run; Running is when the flow process had started and imported.
    pending = min((utc_seconds(s["timestamp"]) for s in states or [] if s["type"] == "PENDING"), default=None)
    started, ended = utc_seconds(flow_run["start_time"]), utc_seconds(flow_run["end_time"])
    return {
        "seconds": round(seconds, 2), "flow_run_seconds": round(ended - started, 2),
        "pickup_seconds": round(pending - triggered, 2) if pending else None,
        "process_start_seconds": round(started - pending, 2) if pending else None,
        "flow_run_id": run_id,
    }


def measure_serve(url: str, base: str, n: int, home: Path) -> dict:
    """Two runs of the `citeline serve` deployment, triggered one after the other, on the running server."""
    work = Path(tempfile.mkdtemp(prefix="citeline-rerun-serve-"))
    urls, db = write_urls(work, base, n), work / "w.duckdb"
    write_config(work, urls, db)
    output = open(work / "serve.log", "wb")
    process = subprocess.Popen([str(VENV_BIN / "citeline"), "serve"], cwd=work, env=prefect_env(home, url), stdout=output,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    found: dict = {}

    def deployed() -> bool:
        status, deployment = api(f"{url}/deployments/name/{DEPLOYMENT}")
        found.update(deployment or {})
        return status == 200

    try:
        waited = wait_until(deployed, SERVE_READY_LIMIT, "citeline serve", process)
        log(f"serve: deployment {DEPLOYMENT} registered after {waited:.1f} s (pid {process.pid})")
        result = {"ready_seconds": round(waited, 2)}
        for label in ("first", "rerun"):
            log(f"serve: {label} run ...")
            timing = trigger_and_wait(url, found["id"])
            if process.poll() is not None:
                raise RuntimeError(f"citeline serve exited with status {process.returncode}")
            run = read_warehouse(db)
            check_published(run, f"serve {label} run")
            result[label] = {**timing, **run}
            log(f"serve: {label} run {timing['seconds']:.1f} s")
        return result
    except RuntimeError as error:
        output.flush()
        raise RuntimeError(f"{error}; citeline serve's output ends:\n{tail((work / 'serve.log').read_text(errors='replace'))}") from None
    finally:
        stop(process, signal.SIGINT)  # Prefect's serve shuts its runner down cleanly on Ctrl-C
        output.close()
        shutil.rmtree(work, ignore_errors=True)


def split(run: dict, wall: float, skip: tuple[str, ...] = ()) -> tuple[str, float]:
    """The recorded stages (but `skip`) and the rest of the wall time, on one line; and that rest."""
    stages = run["stage_seconds"]
    other = wall - sum(stages.values())
    shown = [f"{stage.replace('_', ' ')} {stages[stage]:.1f} s" for stage in STAGES if stage in stages and stage not in skip]
    shown += [f"{stage} {seconds:.1f} s" for stage, seconds in stages.items() if stage not in STAGES]
    return ", ".join(shown) + f", other {other:.1f} s", other


def summarise(result: dict) -> dict:
    """Ratio, rows added and the re-run's unaccounted time, from a mode's two runs."""
    first, rerun = result["first"], result["rerun"]
    added = {table: rerun["rows"][table] - first["rows"][table] for table in TABLES}
    return {"ratio": round(rerun["seconds"] / first["seconds"], 4), "rows_added": added,
            "rerun_other_seconds": round(split(rerun, rerun["seconds"])[1], 2),
            "first_other_seconds": round(split(first, first["seconds"])[1], 2)}


def report(title: str, result: dict, other_means: str, skip: tuple[str, ...] = ()) -> None:
    """One mode's block: the first run, the re-run and where the re-run's time went."""
    first, rerun = result["first"], result["rerun"]
    facts = summarise(result)
    result.update(facts)
    print(f"\n{title}")
    print(f"  first run  {first['seconds']:7.1f} s   {first['n_articles']} articles, {first['n_statements']} statements "
          f"(gate {first['quality_verdict']})")
    print(f"  re-run     {rerun['seconds']:7.1f} s   = {100 * facts['ratio']:.1f}% of the first run; {rerun['n_unchanged']} unchanged, "
          f"{rerun['n_articles']} re-processed; rows added: {sum(facts['rows_added'].values())}")
    print(f"  first-run time: {split(first, first['seconds'], skip)[0]}")
    print(f"  re-run time: {split(rerun, rerun['seconds'], skip)[0]} ({other_means})")


def report_serve(title: str, result: dict) -> None:
    """The serve block: also how long the runner took to pick each run up and to start its process."""
    # A flow run started by the runner records no imports or prefect_api (only `citeline run` counts those).
    report(title, result, "runner pick-up, flow process start and import, flow engine", skip=("imports", "prefect_api"))
    for label in ("first", "rerun"):
        run = result[label]
        print(f"  {label:<6} trigger to completion {run['seconds']:.1f} s: runner pick-up {run['pickup_seconds']:.1f} s, "
              f"flow process start {run['process_start_seconds']:.1f} s, flow run (API start to end) {run['flow_run_seconds']:.1f} s")
    # A triggered run waits for the runner's next poll; a scheduled one is fetched ahead of its time.
    first, rerun = (result[label]["seconds"] - result[label]["pickup_seconds"] for label in ("first", "rerun"))
    result["ratio_without_pickup"] = round(rerun / first, 4)
    print(f"  without the pick-up wait (the runner polls every {os.environ.get('PREFECT_RUNNER_POLL_FREQUENCY', '10')} s): "
          f"first {first:.1f} s, re-run {rerun:.1f} s = {100 * rerun / first:.1f}% of the first run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=295, help="pages served (default 295, the size of the demo corpus)")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)} (default all)")
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or set(modes) - set(MODES):
        parser.error(f"--modes takes a comma-separated list of {', '.join(MODES)}")
    n = args.n
    figures: dict = {"n": n, "cores": os.cpu_count()}
    print(f"citeline re-run benchmark on {os.cpu_count()} cores, N = {n}: every run its own process")
    homes = Path(tempfile.mkdtemp(prefix="citeline-rerun-homes-"))
    try:
        with page_server(n) as base:
            if "running" in modes or "serve" in modes:
                # The temporary mode runs after this server has stopped, so it never shares the cores with it.
                (homes / "server").mkdir()
                (homes / "client").mkdir()
                with prefect_server(homes / "server") as url:
                    if "running" in modes:
                        result = measure_cli("running", base, n, prefect_env(homes / "client", url))
                        report(f"running Prefect server (PREFECT_API_URL), N = {n}, each run its own `citeline run` process",
                               result, "interpreter start, flow engine, shutdown")
                        figures["running"] = result
                    if "serve" in modes:
                        result = measure_serve(url, base, n, homes / "client")
                        report_serve(f"`citeline serve` on the running server, N = {n}, two runs triggered one after the other", result)
                        figures["serve"] = result
            if "temporary" in modes:
                (homes / "temporary").mkdir()
                result = measure_cli("temporary", base, n, prefect_env(homes / "temporary", None))
                report(f"temporary Prefect server (no PREFECT_API_URL, one warm PREFECT_HOME), N = {n}, each run its own `citeline run` process",
                       result, "interpreter start, temporary server start and stop, flow engine, shutdown")
                figures["temporary"] = result
    finally:
        shutil.rmtree(homes, ignore_errors=True)
    if "running" in figures:
        ratio = figures["running"]["ratio"]
        met = "met" if ratio <= TARGET else "NOT met"
        print(f"\ntarget \"unchanged re-run <= {TARGET:.0%} of the first run\" (running server): {met} ({100 * ratio:.1f}%)")
        figures["running"]["target_met"] = ratio <= TARGET
    print(json.dumps(figures, default=str))


if __name__ == "__main__":
    main()
