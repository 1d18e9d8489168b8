"""Every environment switch citeline sets, in one place: DuckDB's allocator and the telemetry switches.

Each is a default (`setdefault`): a value the user set wins. `apply()` runs when `citeline.core` is first
imported, so it precedes the first import of duckdb (every package that imports duckdb imports the core
first); the CLI calls it again at start, which changes nothing.
"""

from __future__ import annotations

import os

SWITCHES = {
    # DuckDB's allocator (jemalloc) keeps freed memory for reuse and hands it back to the system only
    # after a delay, so a long pipeline's peak memory crept up with the number of batches it had
    # published. Returning it at once keeps the peak flat; it costs no measurable time here. jemalloc
    # reads this when duckdb is first imported.
    "DUCKDB_JE_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0",
    # No usage reports leave the machine: Prefect's server, Great Expectations, Streamlit.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "GX_ANALYTICS_ENABLED": "false",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    # Progress bars of libraries (tqdm) would garble the run's own progress display.
    "TQDM_DISABLE": "1",
}


def apply() -> None:
    """Set every switch the user has not set."""
    for name, value in SWITCHES.items():
        os.environ.setdefault(name, value)
