"""Scheduled runs: the citeline flow as a deployment, served in-process with `citeline serve`."""

from __future__ import annotations

from typing import Protocol

from prefect.deployments.runner import RunnerDeployment

from flows.pipeline import flow_for
from flows.run_config import RunConfig

DEPLOYMENT_NAME = "citeline-scheduled"


class ScheduledRun(Protocol):
    """What a schedule serves: a run configuration, a cron schedule and its time zone (the shell's
    citeline.config.ProjectConfig, read from citeline.toml)."""

    run: RunConfig
    schedule: str
    timezone: str


def scheduled_deployment(config: ScheduledRun) -> RunnerDeployment:
    """The flow with the config's cron schedule and parameters."""
    from prefect.client.schemas.schedules import CronSchedule

    # Dask's task runner when the config names a scheduler, as `citeline run` does.
    return flow_for(config.run).to_deployment(
        name=DEPLOYMENT_NAME,
        schedule=CronSchedule(cron=config.schedule, timezone=config.timezone),
        parameters={"config": config.run.model_dump()},
        description="citeline on the schedule in citeline.toml",
        tags=["citeline"],
    )


def serve(config: ScheduledRun) -> None:
    """Serve the scheduled deployment until interrupted (Prefect's `serve`)."""
    from prefect import serve as prefect_serve

    prefect_serve(scheduled_deployment(config))
