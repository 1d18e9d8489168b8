"""Full-text search over statements: BM25 over a term index that each publish chunk keeps up to date.

Terms are the words of a statement's content and speaker mention, lower-cased, accents stripped,
stop words dropped and Porter-stemmed (the stemmer of DuckDB's fts extension, loaded offline from its
PyPI package). The index is updated for a chunk's statements only, so its cost does not grow with
the warehouse, unlike rebuilding an fts index after every run.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

K1, B = 1.2, 0.75  # the usual BM25 parameters (also DuckDB fts's defaults)


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load fts (for its stemmer) from the duckdb-extension-fts package: DuckDB cannot download extensions here."""
    import duckdb_extension_fts

    # Readers shut extension loading off once fts is in, so a second load must not try again.
    # (duckdb_extensions() lists the extension folder, which they shut off too, and calling stem()
    # before the load makes DuckDB try to download fts.)
    if con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = 'stem'").fetchone()[0]:
        return
    path = Path(os.path.dirname(duckdb_extension_fts.__file__)) / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    if not path.exists():
        raise RuntimeError(f"fts extension for DuckDB {duckdb.__version__} not found at {path}; reinstall with `make install`")
    con.execute(f"LOAD '{path}'")


def _terms(source: str) -> str:
    """SQL for (statement_id, term): the stemmed, stop-word-free words of `source`'s (statement_id, text)
    rows, one row per occurrence."""
    return f"""
        SELECT statement_id, stem(word, 'porter') AS term FROM (
            SELECT statement_id, unnest(regexp_split_to_array(lower(strip_accents(text)), '[^a-z0-9]+')) AS word FROM {source})
        WHERE word <> '' AND word NOT IN (SELECT word FROM search_stopwords)"""


def _statement_texts(where: str) -> str:
    return f"(SELECT statement_id, coalesce(content, '') || ' ' || coalesce(source_mention, '') AS text FROM {where})"


# Run inside a publish chunk's transaction ($run_id, $batch): before its statements replace the
# published ones, and after, while they are still staged.
UNINDEX_CHUNK_SQL = """
DELETE FROM search_terms WHERE statement_id IN (
    SELECT statement_id FROM statements WHERE article_id IN (SELECT article_id FROM publish_chunk));
DELETE FROM search_docs WHERE statement_id IN (
    SELECT statement_id FROM statements WHERE article_id IN (SELECT article_id FROM publish_chunk));
"""

INDEX_SQL = """
CREATE OR REPLACE TEMP TABLE indexed_terms AS SELECT statement_id, term, count(*) AS tf FROM ({terms}) GROUP BY ALL;
INSERT INTO search_terms SELECT statement_id, term, tf FROM indexed_terms;
INSERT INTO search_docs SELECT statement_id, sum(tf) FROM indexed_terms GROUP BY statement_id;
DROP TABLE indexed_terms;
"""
INDEX_CHUNK_SQL = INDEX_SQL.format(terms=_terms(_statement_texts("stg_statements WHERE run_id = $run_id AND batch = $batch")))
# For a warehouse from before migration 007: the published statements the search tables lack.
INDEX_UNINDEXED_SQL = INDEX_SQL.format(
    terms=_terms(_statement_texts("statements WHERE statement_id NOT IN (SELECT statement_id FROM search_docs)")))


SCORES_SQL = f"""
WITH query_terms AS (SELECT DISTINCT term FROM ({_terms("(SELECT NULL AS statement_id, $words AS text)")})),
corpus AS (SELECT count(*) AS docs, avg(terms) AS mean_terms FROM search_docs),
frequency AS (
    SELECT term, count(*) AS docs FROM search_terms WHERE term IN (SELECT term FROM query_terms) GROUP BY term),
scores AS (
    SELECT t.statement_id,
           sum(ln(1 + (corpus.docs - f.docs + 0.5) / (f.docs + 0.5))
               * t.tf * ({K1} + 1) / (t.tf + {K1} * (1 - {B} + {B} * d.terms / corpus.mean_terms))) AS score
    FROM search_terms t JOIN frequency f USING (term) JOIN search_docs d USING (statement_id), corpus
    GROUP BY t.statement_id)"""
SEARCH_SQL = SCORES_SQL + """
SELECT round(scores.score, 4) AS score, speaker, outlet, published_date, content, article_url
FROM scores JOIN statements_flat USING (statement_id)
ORDER BY scores.score DESC, statement_id
LIMIT $limit
"""


def search_statements(con: duckdb.DuckDBPyConnection, words: str, limit: int = 20) -> list[tuple]:
    """Statements ranked by BM25 for `words`: (score, speaker, outlet, published_date, content, article_url)."""
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'search_docs'").fetchone()[0]:
        return []  # a snapshot from before migration 007: the next run's snapshot has the index
    load_fts(con)
    return con.execute(SEARCH_SQL, {"words": words, "limit": limit}).fetchall()
