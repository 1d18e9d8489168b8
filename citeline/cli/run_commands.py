"""`citeline run`, `reprocess` and `serve`: the pipeline, started from the command line."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from citeline.cli.common import check_writable, loaded_matcher, loaded_model
from citeline.cli.display import print_summary, progress_display
from citeline.cli.parser import NEGATED_FLAGS


def cmd_run(args: argparse.Namespace) -> int:
    from citeline.core import stage_clock
    from extract.inputs import plan_inputs

    stage_clock.take()  # what an earlier command in this process counted is not this run's
    config = run_configuration(args)
    # Fail fast, before any server starts, on inputs and a warehouse that cannot be used (inside the
    # flow, Prefect would log the error's traceback before the one line here).
    plan_inputs(config.inputs)
    loaded_model(config.attribution.model)
    loaded_matcher(config.matcher)
    with stage_clock.timed("imports"):
        from flows.pipeline import flow_for
    return _launch(config.db_path, config.scale.dask_address, lambda: flow_for(config)(config), quiet_reported_errors=True,
                   dask_check_timeout=config.scale.dask_check_timeout)


def cmd_reprocess(args: argparse.Namespace) -> int:
    from citeline.core import stage_clock
    from warehouse.store import WarehouseError

    if not args.db.exists():
        raise WarehouseError(f"warehouse {str(args.db)!r} does not exist")
    from citeline.config import load_config

    # The model and matcher the scheduled runs use (./citeline.toml), so a reprocess neither strips their
    # statements nor matches them again with another matcher.
    configured = load_config(None).run
    if args.model is None:
        args.model = configured.attribution.model
    loaded_model(args.model)
    loaded_matcher(configured.matcher)
    stage_clock.take()
    with stage_clock.timed("imports"):
        from flows.pipeline import citeline_reprocess
    return _launch(args.db, None, lambda: citeline_reprocess(db_path=str(args.db), since=args.since, model=args.model,
                                                             everything=args.everything, matcher=configured.matcher))


def _launch(db_path: Path, dask_address: str | None, start_flow: Callable[[], dict[str, Any]],
            quiet_reported_errors: bool = False, dask_check_timeout: float | None = None) -> int:
    """What `run` and `reprocess` share once their inputs are checked and the flow imported: the
    warehouse's write lock and the cluster checked, the Prefect API reached, then the flow under a live
    progress display, and its summary. Exit status 0 when the run published. With `quiet_reported_errors`
    (run), the tracebacks of errors reported as one line are kept off the console."""
    from rich.console import Console

    from citeline.core import progress, stage_clock
    from citeline.prefect_api import bounded_api, prefect_api

    check_writable(db_path)
    if dask_address:
        _check_cluster(dask_address, dask_check_timeout)
    with stage_clock.timed("prefect_api"):
        api_url = prefect_api()
    console = Console(stderr=True)
    if quiet_reported_errors:
        from citeline.cli.console_errors import keep_reported_errors_off_console

        keep_reported_errors_off_console()
    with bounded_api(api_url), progress_display(console) as sink, _api_for_workers(api_url, dask_address):
        progress.set_sink(sink)
        try:
            summary = start_flow()
        finally:
            progress.set_sink(None)
    print_summary(summary, Console())
    return 0 if summary["run"]["status"] == "published" else 1


def cmd_serve(args: argparse.Namespace) -> int:
    from citeline.config import ConfigError, load_config
    from citeline.prefect_api import require_running_server

    config = load_config(args.config)
    if config.source is None:
        raise ConfigError("no citeline.toml here; copy citeline.toml.example and set inputs and schedule")
    require_running_server()
    loaded_model(config.run.attribution.model)
    loaded_matcher(config.run.matcher)
    if config.run.scale.dask_address:
        _check_cluster(config.run.scale.dask_address, config.run.scale.dask_check_timeout)
    from flows.deployments import serve

    serve(config)
    return 0


def run_configuration(args: argparse.Namespace):
    """The run's RunConfig: citeline.toml (if any) with the flags given on the command line on top."""
    from citeline.config import load_config
    from flows.run_config import FetchSettings, run_config

    values = load_config(args.config).run.model_dump()
    if args.inputs:
        values["inputs"] = args.inputs
    if args.db is not None:
        values["db"] = args.db
    if args.model is not None:
        values["attribution"]["model"] = args.model
    values["fetch"].update({name: getattr(args, name) for name in FetchSettings.model_fields if getattr(args, name) is not None})
    if args.dask_address is not None:
        values["scale"]["dask_address"] = args.dask_address
    if args.matcher is not None:
        values["matcher"] = args.matcher
    # citeline.toml validated alone, so what fails now is a flag: named as typed.
    return run_config(values, name_of=_flag_of)


def _flag_of(key: str) -> str:
    name = key.removeprefix("fetch.").removeprefix("attribution.").removeprefix("scale.")
    return "INPUT" if key.startswith("inputs") else NEGATED_FLAGS.get(name, "--" + name.replace("_", "-"))


def _check_cluster(address: str, timeout: float | None) -> None:
    """The scheduler answers within `timeout` seconds (None: the check's default) and has workers that
    can report to the Prefect API this run will use (PREFECT_API_URL, else a temporary server on this
    machine's loopback)."""
    from prefect.settings import PREFECT_API_URL

    from flows.cluster import CHECK_TIMEOUT, check_cluster

    check_cluster(address, PREFECT_API_URL.value() or "http://127.0.0.1/api", CHECK_TIMEOUT if timeout is None else timeout)


@contextmanager
def _api_for_workers(api_url: str, dask_address: str | None) -> Iterator[None]:
    """On a cluster, the API URL in Prefect's settings: a temporary server is known only to this
    process, and the settings are what travels to the workers with each task."""
    if not dask_address:
        yield
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        yield
