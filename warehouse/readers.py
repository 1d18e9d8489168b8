"""Connections for readers (`citeline query`, `citeline search`, dashboards): the published snapshot,
read-only, and nothing outside it.

A read-only DuckDB connection still runs COPY ... TO, read_csv('/etc/passwd'), INSTALL ... FROM a URL
and SET, so a query typed by a user (or pasted from elsewhere) could overwrite the warehouse or read
the machine's files. Readers turn external access off and lock the configuration, after loading the
one extension they need.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.search import load_fts
from warehouse.snapshot import snapshot_path
from warehouse.store import WarehouseError, connect


def open_reader(db_path: Path | str) -> duckdb.DuckDBPyConnection:
    """The snapshot of `db_path`, read-only, with no file, network or extension access and no SET."""
    snapshot = snapshot_path(db_path)
    if not snapshot.exists():
        # The first run always ends by writing one, so a warehouse without it is still in that run.
        if Path(db_path).exists():
            raise WarehouseError(f"warehouse {str(db_path)!r} has no published snapshot yet: its first run has not finished")
        raise WarehouseError(f"warehouse {str(db_path)!r} does not exist; run `citeline run` first")
    con = connect(snapshot, read_only=True)
    try:
        load_fts(con)  # search's stemmer, loaded before extensions are shut off
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con
