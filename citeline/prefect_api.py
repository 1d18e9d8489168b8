"""The Prefect API a run reports to: the server PREFECT_API_URL names, or a temporary one started here.

Left to itself, Prefect starts its temporary server on the first client call and gives it a fixed
time (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, 20 s). On an empty PREFECT_HOME that server
first creates and migrates its database, which on a busy 2-core machine takes longer, so a newcomer's
first run failed. Here the server is started first and waited for as long as its process is alive and
starting (up to a generous limit), and a server that dies or never answers ends the run with a message
naming PREFECT_HOME and PREFECT_API_URL instead of a traceback.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from citeline.core.errors import CitelineError

# Seconds a temporary server may take to start. A first start on an empty PREFECT_HOME took 11-16 s on
# an idle 2-core machine and over 30 s with its cores busy; a dead server process is noticed at once.
TEMPORARY_SERVER_STARTUP_LIMIT = 600.0
# Restarts after an exit with status 3 (a port clash to Prefect, any start-up failure to uvicorn) allowed.
PORT_CLASH_RESTARTS = 1
# Seconds a running server (PREFECT_API_URL) has to answer its health check.
RUNNING_SERVER_HEALTH_TIMEOUT = 15.0
# During a run, seconds one request to the API may take and how often one that timed out is retried.
# Prefect's own (60 s, 5 retries with backoff) let an API that answered its health check and then
# stalled hold a run for over seven minutes per request, silently. With these a stalled API ends the
# run in about 70 s (20 s x 3 tries + 2 + 4 s of backoff); a value set in PREFECT_* settings wins.
API_REQUEST_TIMEOUT = 20.0
API_MAX_RETRIES = 2


class PrefectUnavailable(CitelineError):
    """No Prefect API could be reached or started; the message says which, and what to change."""


def prefect_api(startup_limit: float = TEMPORARY_SERVER_STARTUP_LIMIT) -> str:
    """The API URL this process's flows report to; starts the temporary server when none is set."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if url:
        _check_running_server(url)
        return url
    return start_temporary_server(startup_limit)


@contextmanager
def bounded_api(url: str) -> Iterator[None]:
    """Within this block, Prefect's client gives up on the API at `url` within a bound (unless the user
    set its timeout or retries), and an API that stops answering ends the run with one line naming it."""
    from prefect.settings import PREFECT_API_REQUEST_TIMEOUT, PREFECT_CLIENT_MAX_RETRIES, get_current_settings, temporary_settings

    settings = get_current_settings()
    updates = {}
    if "request_timeout" not in settings.api.model_fields_set:
        updates[PREFECT_API_REQUEST_TIMEOUT] = API_REQUEST_TIMEOUT
    if "max_retries" not in settings.client.model_fields_set:
        updates[PREFECT_CLIENT_MAX_RETRIES] = API_MAX_RETRIES
    with temporary_settings(updates=updates):
        try:
            yield
        except Exception as error:
            cause = _transport_error(error)
            if cause is None:
                raise
            raise PrefectUnavailable(
                f"the Prefect API at {url} stopped answering during the run ({type(cause).__name__}: "
                f"{str(cause) or 'no answer'}; requests time out after "
                f"{PREFECT_API_REQUEST_TIMEOUT.value():.0f} s, tried {PREFECT_CLIENT_MAX_RETRIES.value() + 1} times); "
                "the run stopped. Check the server, or unset PREFECT_API_URL to run with a "
                "temporary server") from None


def _transport_error(error: BaseException) -> BaseException | None:
    """The httpx timeout or connection error behind `error` (Prefect wraps some in a RuntimeError), if any."""
    import httpx

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, httpx.TransportError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def require_running_server() -> str:
    """The URL of the running server PREFECT_API_URL names: scheduling needs one, a temporary server
    has no scheduler (Prefect: "Cannot schedule flows on an ephemeral server")."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        raise PrefectUnavailable(
            "scheduled runs need a running Prefect server: start one (`prefect server start`) "
            "and set PREFECT_API_URL=http://127.0.0.1:4200/api")
    _check_running_server(url)
    return url


def _check_running_server(url: str) -> None:
    # One plain request: Prefect's client retries timeouts five times with backoff, which made a
    # hung or unreachable server take minutes to report.
    import httpx
    from prefect.settings import PREFECT_API_KEY

    key = PREFECT_API_KEY.value()
    headers = {"Authorization": f"Bearer {key.get_secret_value() if hasattr(key, 'get_secret_value') else key}"} if key else {}
    try:
        response = httpx.get(f"{url.rstrip('/')}/health", headers=headers, timeout=RUNNING_SERVER_HEALTH_TIMEOUT)
        response.raise_for_status()
        return
    except httpx.HTTPError as error:
        problem = str(error) or type(error).__name__
    raise PrefectUnavailable(
        f"the Prefect server at PREFECT_API_URL={url} does not answer ({problem}); start it "
        "(`prefect server start`) or unset PREFECT_API_URL to run with a temporary server")


def start_temporary_server(startup_limit: float = TEMPORARY_SERVER_STARTUP_LIMIT) -> str:
    """Start Prefect's temporary server for this process (the one its client would start lazily) and
    return its API URL; Prefect's client then finds it running and uses it."""
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_HOME

    server = SubprocessASGIServer()
    if server.running:
        return server.api_url
    _tie_to_this_process(server)
    home = Path(PREFECT_HOME.value())
    try:
        home.mkdir(parents=True, exist_ok=True)  # the server's SQLite database cannot create its folder
    except OSError as error:
        raise PrefectUnavailable(f"PREFECT_HOME={home} cannot be created ({error.strerror}); point it at a writable folder") from error
    failure: list[BaseException] = []

    def start() -> None:
        try:
            server.start(timeout=int(startup_limit))
        except BaseException as error:  # reported by the waiting thread below
            failure.append(error)

    # Prefect's own wait only notices a dead server at its time limit; watching the process from here
    # ends the wait as soon as it exits. Prefect restarts a server that exits with status 3 on another
    # port, taking it for a port clash, but uvicorn also exits 3 when the app fails to start (an
    # unreadable database), so a second such exit is a failure too.
    starter = threading.Thread(target=start, name="prefect-temporary-server", daemon=True)
    began = time.monotonic()
    starter.start()
    seen: set[int] = set()  # Prefect replaces the process only after it exited with status 3
    while starter.is_alive():
        starter.join(0.2)
        process = server.server_process
        if not starter.is_alive() or process is None:
            continue
        seen.add(process.pid)
        code = process.poll()
        restarts = len(seen) - 1
        if (code is not None and (code != 3 or restarts >= PORT_CLASH_RESTARTS)) or restarts > PORT_CLASH_RESTARTS:
            _stop(server, starter)
            status = f"status {code}" if code is not None else "status 3 again, after a restart"
            raise PrefectUnavailable(_dead_server_message(home, f"its process exited with {status}"))
    if failure:
        waited = time.monotonic() - began
        raise PrefectUnavailable(_dead_server_message(
            home, f"it did not answer within {waited:.0f} s ({(str(failure[0]) or type(failure[0]).__name__).splitlines()[0]})")) from failure[0]
    return server.api_url


def _tie_to_this_process(server) -> None:
    """Make the server Prefect starts (`python -m uvicorn ...`, its arguments and environment left as
    Prefect sets them) die with this process: Prefect's atexit stop never runs after a kill -9."""
    import prefect.server.api.server as server_module

    from citeline.core.lifeline import tied_command

    launch = server._run_uvicorn_command  # also what Prefect calls again to restart on another port

    class _TiedSubprocess:
        def __getattr__(self, name: str):
            return getattr(subprocess, name)

        @staticmethod
        def Popen(args, *rest, **options):  # noqa: N802 - stands in for subprocess.Popen
            return subprocess.Popen(tied_command(list(args)), *rest, **options)

    def launch_tied():
        # Only Prefect's server module sees the stand-in, and only while it launches the server.
        server_module.subprocess = _TiedSubprocess()
        try:
            return launch()
        finally:
            server_module.subprocess = subprocess

    server._run_uvicorn_command = launch_tied


def _stop(server, starter: threading.Thread) -> None:
    # Prefect's waiting thread ends once the process it polls is gone; joined, so it never writes to a
    # closing interpreter's stderr (which aborts the process) and never leaves a restarted server behind.
    server.stop()
    starter.join(10)
    server.stop()


def _dead_server_message(home: Path, why: str) -> str:
    return (
        f"Prefect's temporary server could not start: {why}. Its database lives in PREFECT_HOME={home}; "
        "if another Prefect version left it there, point PREFECT_HOME at a new folder. Or set "
        "PREFECT_API_URL to a running server (`prefect server start`; then "
        "PREFECT_API_URL=http://127.0.0.1:4200/api)."
    )
