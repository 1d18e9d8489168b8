import citeline.core  # noqa: F401  (applies the environment switches, DuckDB's allocator among them, before duckdb is first imported)
