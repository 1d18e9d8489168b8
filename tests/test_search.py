"""The search index follows the published statements chunk by chunk, and ranks by BM25."""

from __future__ import annotations

import duckdb

from tests.support.warehouse import passes as _passes
from tests.support.warehouse import run_rows, stage_and_load
from warehouse import schema, staging, store
from warehouse.search import INDEX_UNINDEXED_SQL, load_fts, search_statements
from warehouse.sql_script import run_script

_rows = run_rows


def _index(con) -> list[tuple]:
    return con.execute("SELECT statement_id, term, tf FROM search_terms ORDER BY ALL").fetchall()


def _index_from_scratch(db) -> list[tuple]:
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH '{db}' AS published (READ_ONLY)")
        for table in ("statements", "search_stopwords"):
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM published.{table}")
        con.execute("CREATE TABLE search_terms (statement_id VARCHAR, term VARCHAR, tf INTEGER)")
        con.execute("CREATE TABLE search_docs (statement_id VARCHAR, terms INTEGER)")
        load_fts(con)
        run_script(con, INDEX_UNINDEXED_SQL, {})
        return _index(con)
    finally:
        con.close()


def test_the_index_follows_replaced_statements_and_ranks_the_matching_one_first(tmp_path, monkeypatch):
    monkeypatch.setattr(staging, "PUBLISH_CHUNK_ARTICLES", 1)
    db = tmp_path / "w.duckdb"
    stage_and_load(db, "run-1", _rows({
        "a1": '"The harbour bridge will close for repairs," the mayor said.',
        "a2": 'Farmers said that the drought had ruined the wheat harvest.',
        "a3": '"Tickets for the final sold out in minutes," the club said.',
    }), [], [], _passes)
    stage_and_load(db, "run-2", _rows({"a2": 'Farmers said that heavy rain had saved the barley.'}), [], [], _passes)

    with duckdb.connect(str(db), read_only=True) as con:
        assert _index(con) == _index_from_scratch(db)
        assert not search_statements(con, "drought wheat")  # the replaced statement left the index
        hits = search_statements(con, "bridges closing for repair")  # stems match other forms of the words
        assert hits and "harbour bridge" in hits[0][4]
        assert "heavy rain" in search_statements(con, "rain barley")[0][4]
        assert not search_statements(con, "the and of")  # stop words only


def test_a_warehouse_from_before_the_search_tables_is_indexed_when_opened(tmp_path):
    db = tmp_path / "w.duckdb"
    stage_and_load(db, "run-1", _rows({"a1": '"The harbour bridge will close for repairs," the mayor said.'}), [], [], _passes)
    with duckdb.connect(str(db)) as con:  # as if migration 007 had never run
        for table in ("search_terms", "search_docs", "search_stopwords"):
            con.execute(f"DROP TABLE {table}")
        con.execute(f"DELETE FROM schema_migrations WHERE version >= {schema.SEARCH_TERMS_MIGRATION}")
    store.connect(db).close()
    with duckdb.connect(str(db), read_only=True) as con:
        assert _index(con) and _index(con) == _index_from_scratch(db)
        assert search_statements(con, "harbour bridge")
