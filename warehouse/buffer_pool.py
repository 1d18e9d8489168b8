"""DuckDB's buffer pool: its size limit, and releasing the blocks a long-lived connection has cached."""

from __future__ import annotations

import duckdb

MEMORY_LIMIT = "256MB"


def release_cached_blocks(con: duckdb.DuckDBPyConnection) -> None:
    """Evict the unpinned blocks DuckDB keeps cached after reading them (they are re-read from the file
    when needed), so a connection that reads the run batch by batch holds one batch, not the whole run.

    DuckDB has no statement for this; lowering the memory limit makes it evict to fit, and the limit is
    then restored. Blocks still pinned stay, and then DuckDB refuses the lower limit: nothing to release.
    """
    try:
        con.execute("SET memory_limit = '1MB'")
    except duckdb.OutOfMemoryException:
        pass
    finally:
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
