"""Where one run's wall time goes, stage by stage: the CLI counts its start-up, the flow its stages.

A process-wide tally, so the seconds spent before the flow starts (imports, reaching the Prefect API)
land in the same `runs.stage_seconds` record as the flow's own stages.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

STAGES = ("imports", "prefect_api", "fetch", "extract", "attribute", "stage", "gate", "publish", "snapshot")

_seconds: dict[str, float] = {}


@contextmanager
def timed(stage: str) -> Iterator[None]:
    """Add the block's wall time to `stage`."""
    began = time.perf_counter()
    try:
        yield
    finally:
        _seconds[stage] = _seconds.get(stage, 0.0) + time.perf_counter() - began


def take() -> dict[str, float]:
    """The seconds counted so far, in stage order and rounded, and a fresh tally for the next run."""
    counted = {stage: round(_seconds.get(stage, 0.0), 3) for stage in STAGES}
    counted.update({stage: round(seconds, 3) for stage, seconds in _seconds.items() if stage not in counted})
    _seconds.clear()
    return counted
