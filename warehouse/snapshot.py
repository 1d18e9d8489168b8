"""A read-only snapshot of the warehouse for dashboards, swapped in atomically after every run.

DuckDB lets one process write a file or many read it, never both, so readers never open the file the
pipeline writes: they open `<name>.snapshot.duckdb`, which is replaced by an atomic rename. A reader
sees the old snapshot or the new one, whole, and one holding the old file open keeps reading it.

The snapshot is a copy of the warehouse, so it carries the `publish_log` of the publishes it holds:
a writer compares that with the warehouse's own (`snapshot_is_current`) and copies again whenever the
warehouse has published since, however the copy was missed (a run killed, a disk full mid-copy).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import duckdb

from citeline.core.disk_full import named_when_full
from warehouse.liveness import lock_while_writing, remove_if_dead

# Which publishes a file holds: how many finished, and when the last one did. A run published again
# (same run_id) rewrites its row, so the time changes even where the count does not.
PUBLISH_MARKER_SQL = "SELECT count(*), max(finished_at) FROM publish_log WHERE finished_at IS NOT NULL"

from citeline.core.workspace import Workspace


def snapshot_path(db_path: Path | str) -> Path:
    """`<name>.snapshot.duckdb` beside the warehouse (citeline.core.workspace.Workspace.snapshot)."""
    return Workspace(db_path).snapshot


def _temp_prefix(source: Path) -> str:
    return f".{source.stem}."


def publish_marker(con: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """The publishes the warehouse (or a snapshot) open on `con` holds."""
    return tuple(con.execute(PUBLISH_MARKER_SQL).fetchone())


def snapshot_is_current(db_path: Path | str, warehouse_marker: tuple[Any, ...]) -> bool:
    """True when the snapshot holds exactly the publishes `warehouse_marker` (the warehouse's
    `publish_marker`) names; False when it is older, missing or cannot be read."""
    target = snapshot_path(db_path)
    if not target.exists():
        return False
    try:
        with duckdb.connect(str(target), read_only=True) as con:
            return publish_marker(con) == tuple(warehouse_marker)
    except duckdb.Error:
        return False  # damaged or not a database: rewrite it


def publish_snapshot(db_path: Path | str) -> Path:
    """Copy the (closed, checkpointed) warehouse beside itself, with its permissions, and rename the copy
    over the snapshot. The copy is locked while written, so a writer starting meanwhile leaves it (see
    `remove_dead_copies`)."""
    source = Path(db_path)
    target = snapshot_path(source)
    with named_when_full(source.parent):
        fd, tmp = tempfile.mkstemp(dir=source.parent, prefix=_temp_prefix(source), suffix=".tmp")
    try:
        with named_when_full(tmp):  # the copy being written is the file a full disk refuses
            lock_while_writing(fd)
            shutil.copyfile(source, tmp)
            os.fsync(fd)
            # mkstemp makes the copy 0600: whoever may read the warehouse may read its snapshot.
            shutil.copymode(source, tmp)
            os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    return target


def remove_dead_copies(db_path: Path | str) -> int:
    """Delete snapshot copies a killed process left half-written; the bytes freed."""
    source = Path(db_path)
    return sum(remove_if_dead(path) for path in source.parent.glob(f"{_temp_prefix(source)}*.tmp"))
