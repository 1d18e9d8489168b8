"""Full-text search over statements with DuckDB's fts extension, loaded offline from its PyPI package."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load fts from the duckdb-extension-fts package: DuckDB cannot download extensions here."""
    import duckdb_extension_fts

    path = Path(os.path.dirname(duckdb_extension_fts.__file__)) / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    if not path.exists():
        raise RuntimeError(f"fts extension for DuckDB {duckdb.__version__} not found at {path}; reinstall with `make install`")
    con.execute(f"LOAD '{path}'")


def rebuild_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the BM25 index over statement content and speaker mentions (it does not update itself)."""
    load_fts(con)
    con.execute("PRAGMA create_fts_index('statements', 'statement_id', 'content', 'source_mention', overwrite=1)")


def search_statements(con: duckdb.DuckDBPyConnection, words: str, limit: int = 20) -> list[tuple]:
    """Statements ranked by BM25 for `words`: (score, speaker, outlet, published_date, content, article_url)."""
    load_fts(con)
    has_index = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'fts_main_statements'"
    ).fetchone()[0]
    if not has_index:
        return []
    return con.execute(
        """
        SELECT round(score, 4) AS score, speaker, outlet, published_date, content, article_url
        FROM (SELECT *, fts_main_statements.match_bm25(statement_id, ?) AS score FROM statements_flat)
        WHERE score IS NOT NULL
        ORDER BY score DESC, statement_id
        LIMIT ?
        """,
        [words, limit],
    ).fetchall()
