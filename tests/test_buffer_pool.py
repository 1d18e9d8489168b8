"""What the pipeline does to keep its memory flat: DuckDB's cached blocks released, its allocator configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from warehouse.buffer_pool import MEMORY_LIMIT, release_cached_blocks

PROJECT = Path(__file__).resolve().parents[1]


def _cached_mb(con: duckdb.DuckDBPyConnection) -> float:
    return con.execute("SELECT sum(memory_usage_bytes) / 1e6 FROM duckdb_memory()").fetchone()[0]


def test_released_blocks_leave_the_buffer_pool_and_the_limit_is_restored(tmp_path):
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE texts AS SELECT i, repeat(md5(i::VARCHAR), 40) AS text FROM range(20000) t(i)")
    with duckdb.connect(str(db)) as con:
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        assert con.execute("SELECT count(DISTINCT text) FROM texts").fetchone()[0] == 20000
        assert _cached_mb(con) > 4  # what the read left cached

        release_cached_blocks(con)

        assert _cached_mb(con) < 2
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == limit
        assert con.execute("SELECT count(DISTINCT text) FROM texts").fetchone()[0] == 20000  # re-read from the file


def _allocator_setting(code: str, env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=PROJECT, capture_output=True, text=True, check=True).stdout.strip()


def test_duckdb_allocator_is_configured_before_duckdb_loads_whichever_package_comes_first():
    env = {k: v for k, v in os.environ.items() if k != "DUCKDB_JE_MALLOC_CONF"}
    for package in ("warehouse.store", "expectations.gate", "flows.pipeline"):
        # duckdb reads the setting when it is first imported: it must be in place by then.
        code = (f"import builtins, os\n_import = builtins.__import__\n"
                f"def check(name, *a, **k):\n"
                f"    if name == 'duckdb' and 'duckdb' not in __import__('sys').modules:\n"
                f"        print(os.environ.get('DUCKDB_JE_MALLOC_CONF'))\n"
                f"    return _import(name, *a, **k)\n"
                f"builtins.__import__ = check\nimport {package}\n")
        assert "dirty_decay_ms:0" in _allocator_setting(code, env), package


def test_a_users_own_allocator_setting_wins():
    env = {**os.environ, "DUCKDB_JE_MALLOC_CONF": "narenas:2"}
    assert _allocator_setting("import warehouse.store, os; print(os.environ['DUCKDB_JE_MALLOC_CONF'])", env) == "narenas:2"
