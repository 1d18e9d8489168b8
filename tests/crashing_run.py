"""`citeline run` as a real process that kills itself (SIGKILL, as `kill -9` would) at one point of the run.

Run as `python tests/crashing_run.py POINT ARGS...`, ARGS as for `citeline run`. The production code has
no hook: this wrapper replaces one function the run calls with one that sends the process SIGKILL, then
calls the CLI's own `main`. Points:
- `before_publish`: the run staged and validated its rows, and dies as it would begin to publish them;
- `before_runs_row`: the publish committed; the run dies before writing its `runs` row and the snapshot;
- `during_snapshot_copy`: the run dies half-way through copying the warehouse to the snapshot.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys


def _die(*_args, **_kwargs) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _copy_half_then_die(source, target, *args, **kwargs) -> None:
    with open(source, "rb") as reading, open(target, "wb") as writing:
        writing.write(reading.read(os.path.getsize(source) // 2))
        writing.flush()
        os.fsync(writing.fileno())
    _die()


def main() -> int:
    point, argv = sys.argv[1], sys.argv[2:]
    import flows.pipeline
    import warehouse.snapshot
    import warehouse.store

    if point == "before_publish":
        warehouse.store.begin_publish = _die
    elif point == "before_runs_row":
        flows.pipeline._record = _die
    elif point == "during_snapshot_copy":
        warehouse.snapshot.shutil = type("Shutil", (), {"copyfile": staticmethod(_copy_half_then_die), "copy": shutil.copy})
    else:
        raise SystemExit(f"unknown point {point!r}")
    from citeline.cli import main as citeline_main

    return citeline_main(["run", *argv])


if __name__ == "__main__":
    sys.exit(main())
