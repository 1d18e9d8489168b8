import os

__version__ = "0.1.0"

# DuckDB's allocator (jemalloc) keeps freed memory for reuse and hands it back to the system only after
# a delay, so a long pipeline's peak memory crept up with the number of batches it had published.
# Returning it at once keeps the peak flat; it costs no measurable time here. jemalloc reads this when
# duckdb is first imported, so every package that imports duckdb imports citeline first. A value the
# user set wins.
os.environ.setdefault("DUCKDB_JE_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
