"""Which runs and temporary files still belong to a live process, so the next writer can clear the rest.

A run holds an exclusive `flock` on a file named after it for as long as its process writes; a temporary
file is locked the same way while it is written. The kernel drops such a lock when the process ends,
however it ends (kill -9 included), so a file nobody holds a lock on belongs to no live process, and a
PID that was reused, or a clock, cannot make a dead run look alive.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from citeline.core.workspace import Workspace


def runs_dir(db_path: Path | str) -> Path:
    """The lock files of live runs (citeline.core.workspace.Workspace.runs_dir)."""
    return Workspace(db_path).runs_dir


def run_lock_path(db_path: Path | str, run_id: str) -> Path:
    return runs_dir(db_path) / f"{run_id}.lock"


@contextmanager
def run_held(db_path: Path | str, run_id: str) -> Iterator[None]:
    """Mark run `run_id` live for the block; its lock file goes when the block ends."""
    path = run_lock_path(db_path, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)


def lock_while_writing(fd: int) -> None:
    """Hold a temporary file's lock (on its open descriptor, until it is closed) so no writer removes it."""
    fcntl.flock(fd, fcntl.LOCK_EX)


def is_held(path: Path) -> bool:
    """True when a live process holds the file's lock."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also releases the lock, if this process just took it
    return False


def run_is_live(db_path: Path | str, run_id: str) -> bool:
    return is_held(run_lock_path(db_path, run_id))


def remove_if_dead(path: Path) -> int:
    """Delete a lock or temporary file no live process holds; its size in bytes, or 0 if kept."""
    if is_held(path):
        return 0
    try:
        size = path.stat().st_size
        path.unlink()
    except FileNotFoundError:
        return 0
    return size
