"""Scheduled runs: the citeline flow as a deployment, served in-process with `citeline serve`."""

from __future__ import annotations

from prefect.deployments.runner import RunnerDeployment

from citeline.config import ProjectConfig
from flows.pipeline import flow_for

DEPLOYMENT_NAME = "citeline-scheduled"


def scheduled_deployment(config: ProjectConfig) -> RunnerDeployment:
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


def serve(config: ProjectConfig) -> None:
    """Serve the scheduled deployment until interrupted (Prefect's `serve`)."""
    from prefect import serve as prefect_serve

    prefect_serve(scheduled_deployment(config))
