"""Running extraction and attribution on a Dask cluster: checking its scheduler before a run, and the
Prefect task runner that submits to it.

The check runs before the flow starts, so an unreachable scheduler, a cluster with no workers, or
workers that could not report to the Prefect API are one line naming the address, not a flow run that
waits on Dask's reconnect loop or a traceback from a worker.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from citeline.core.errors import CitelineError
from flows.run_config import ScaleSettings

# Seconds to open the scheduler's port and to read its list of workers. A scheduler answers in
# milliseconds; past this it is not one that a run could use.
CONNECT_TIMEOUT = 10.0
# Seconds the whole check may take unless the run sets [citeline.scale] dask_check_timeout.
CHECK_TIMEOUT: float = ScaleSettings.model_fields["dask_check_timeout"].default


class ClusterUnavailable(CitelineError):
    """The Dask scheduler a run names cannot be used; the message names its address."""


@dataclass(frozen=True)
class ClusterInfo:
    """A scheduler that answered: its address, and how many workers and threads it has."""

    address: str
    workers: int
    threads: int


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_cluster(address: str, api_url: str | None = None, timeout: float = CHECK_TIMEOUT) -> ClusterInfo:
    """Reach the scheduler at `address` and count its workers within `timeout` seconds; with `api_url`
    (the Prefect API this run reports to), also refuse a loopback API when a worker runs on another
    machine, since the task runs on that worker report their states to it."""
    from distributed.comm import get_address_host_port

    try:
        host, port = get_address_host_port(address)
    except ValueError as error:
        raise ClusterUnavailable(f"Dask scheduler address {address!r} is not of the form tcp://HOST:PORT ({error})") from None
    hint = (f"start a scheduler (`dask scheduler`) and workers (`dask worker {address} --nthreads 1`), "
            "or leave out --dask-address ([citeline.scale] dask_address) to run on this machine")
    # A plain connect first: a refused or unresolvable address is reported at once, where Dask's
    # client would retry until its timeout.
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as error:
        raise ClusterUnavailable(f"cannot reach the Dask scheduler at {address} ({error.strerror or error}); {hint}") from None
    workers = _workers_of(address, hint, timeout)
    if not workers:
        raise ClusterUnavailable(f"the Dask scheduler at {address} has no workers; start some with "
                                 f"`dask worker {address} --nworkers N --nthreads 1` (see docs/scaling.md)")
    api_host = urlsplit(api_url).hostname if api_url else None
    if api_host and _loopback(api_host):
        remote = sorted({h for w in workers if not _loopback(h := get_address_host_port(w)[0])})
        if remote:
            raise ClusterUnavailable(
                f"the Dask workers of {address} on {', '.join(remote)} cannot report to the Prefect API at {api_url}, "
                "which only this machine reaches: start `prefect server start --host 0.0.0.0` and set "
                "PREFECT_API_URL=http://THIS-HOST:4200/api (see docs/scaling.md)")
    return ClusterInfo(address, len(workers), sum(w.get("nthreads", 1) for w in workers.values()))


def _workers_of(address: str, hint: str, timeout: float) -> dict:
    """The scheduler's workers, asked within `timeout` seconds: in a daemon thread, since Dask's client can
    wait on a silent peer for good; a thread still waiting is left to end with the process."""
    answer: dict[str, object] = {}

    def ask() -> None:
        from distributed import Client

        try:
            client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
            try:
                answer["workers"] = client.scheduler_info(n_workers=-1)["workers"]
            finally:
                client.close()
        except BaseException as error:  # reported by the waiting thread below
            answer["error"] = error

    asking = threading.Thread(target=ask, name="citeline-dask-check", daemon=True)
    asking.start()
    asking.join(timeout)
    if asking.is_alive():
        raise ClusterUnavailable(f"{address} accepted a connection but did not answer as a Dask scheduler "
                                 f"within {timeout:g} s; {hint}")
    error = answer.get("error")
    if isinstance(error, (OSError, TimeoutError)):
        raise ClusterUnavailable(f"{address} does not answer as a Dask scheduler ({error}); {hint}") from None
    if error is not None:
        raise error
    return answer["workers"]  # type: ignore[return-value]


def dask_task_runner(address: str):
    """Prefect's task runner for the Dask scheduler at `address` (prefect-dask)."""
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=address)
