"""A read-only snapshot of the warehouse for dashboards, swapped in atomically after every run.

DuckDB lets one process write a file or many read it, never both, so readers never open the file the
pipeline writes: they open `<name>.snapshot.duckdb`, which is replaced by an atomic rename. A reader
sees the old snapshot or the new one, whole, and one holding the old file open keeps reading it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from citeline.core.workspace import Workspace


def snapshot_path(db_path: Path | str) -> Path:
    """`<name>.snapshot.duckdb` beside the warehouse (citeline.core.workspace.Workspace.snapshot)."""
    return Workspace(db_path).snapshot


def publish_snapshot(db_path: Path | str) -> Path:
    """Copy the (closed, checkpointed) warehouse beside itself, with its permissions, and rename the copy
    over the snapshot."""
    source = Path(db_path)
    target = snapshot_path(source)
    fd, tmp = tempfile.mkstemp(dir=source.parent, prefix=f".{source.stem}.", suffix=".tmp")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        # mkstemp makes the copy 0600: whoever may read the warehouse may read its snapshot (and the
        # mode is set after the fsync, which needs the copy writable).
        shutil.copymode(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
