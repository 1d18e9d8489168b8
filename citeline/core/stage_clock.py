"""Where one run's wall time goes, stage by stage: the CLI counts its start-up, the flow its stages.

A process-wide tally, so the seconds spent before the flow starts (imports, reaching the Prefect API)
land in the same `runs.stage_seconds` record as the flow's own stages.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

# "cluster": on a Dask cluster, the flow's wait for batches (extract and attribute then count worker seconds).
STAGES = ("imports", "prefect_api", "fetch", "extract", "attribute", "cluster", "stage", "gate", "publish", "match", "snapshot")

_seconds: dict[str, float] = {}


@contextmanager
def timed(stage: str) -> Iterator[None]:
    """Add the block's wall time to `stage`."""
    began = time.perf_counter()
    try:
        yield
    finally:
        _seconds[stage] = _seconds.get(stage, 0.0) + time.perf_counter() - began


def add(stage: str, seconds: float) -> None:
    """Count seconds spent elsewhere (a Dask worker's, reported with its batch) to `stage`."""
    _seconds[stage] = _seconds.get(stage, 0.0) + seconds


def start_run() -> None:
    """Forget the flow stages an earlier run in this process counted but never took (it failed), and
    keep what the CLI counted for this one before the flow began."""
    for stage in STAGES[STAGES.index("fetch"):]:
        _seconds.pop(stage, None)


def take() -> dict[str, float]:
    """The seconds counted so far, rounded, stages in order (a stage not reached is absent, not 0), and
    a fresh tally for the next run."""
    order = {stage: index for index, stage in enumerate(STAGES)}
    counted = {stage: round(seconds, 3) for stage, seconds in sorted(_seconds.items(), key=lambda item: order.get(item[0], len(order)))}
    _seconds.clear()
    return counted
