import citeline  # noqa: F401  (configures DuckDB's allocator before duckdb is first imported)
