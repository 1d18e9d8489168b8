"""Publishing appends row groups without rewriting what is published; compaction merges them later."""

from __future__ import annotations

import duckdb

from citeline.cli import main
from expectations.gate import validate_staged
from tests.support.warehouse import NEWS_TEXT, article, scored, stage_and_load
from tests.support.warehouse import passes as _passes
from transform.engine import attribute
from warehouse import compaction, staging
from warehouse.rows import RunRows, add_article
from warehouse.search import search_statements

TEXT = NEWS_TEXT


def _rows(article_ids: tuple[str, ...], text: str = TEXT) -> RunRows:
    rows = RunRows()
    for article_id in article_ids:
        # The statements of `text` alone: the story's own words after it differ from article to article.
        add_article(rows, article=article(article_id), text=f"{text} Story {article_id}.", statements=attribute(text), engine_version="test")
    return scored(rows)


def _storage(db, table):
    with duckdb.connect(str(db), read_only=True) as con:
        return compaction.table_storage(con, table)


def _everything(db):
    with duckdb.connect(str(db), read_only=True) as con:
        tables = {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in compaction.PUBLISHED_TABLES}
        tables["statements_flat"] = sorted(con.execute("SELECT * FROM statements_flat").fetchall(), key=repr)
    return tables


def test_each_publish_chunk_lands_in_row_groups_of_its_own(tmp_path, monkeypatch):
    # With DuckDB's vacuum on, a chunk's checkpoint merges it into the row group before, rewriting
    # (and holding in memory) everything published so far.
    monkeypatch.setattr(staging, "PUBLISH_CHUNK_ARTICLES", 1)
    db = tmp_path / "w.duckdb"
    stage_and_load(db, "run-1", _rows(("a1", "a2", "a3")), [], [], _passes)
    assert _storage(db, "articles").row_groups == 3
    assert _storage(db, "statements").row_groups == 3


def test_compaction_merges_row_groups_and_keeps_every_row_view_and_search_hit(tmp_path, monkeypatch):
    monkeypatch.setattr(staging, "PUBLISH_CHUNK_ARTICLES", 2)  # a1 and a2 share row groups, a3 has its own
    monkeypatch.setattr(compaction, "MAX_DEAD_SHARE", 1.0)  # so publishing leaves the compaction to the command
    db = tmp_path / "w.duckdb"
    stage_and_load(db, "run-1", _rows(("a1", "a2", "a3")), [], [], validate_staged)
    stage_and_load(db, "run-2", _rows(("a2",), text='"Tickets are gone," the club said.'), [], [], validate_staged)
    before = _everything(db)
    fragmented = _storage(db, "statements")
    assert fragmented.row_groups == 3 and fragmented.stored_rows > fragmented.live_rows  # run-2 replaced a2's rows

    assert main(["compact", "--db", str(db), "--all"]) == 0

    assert _everything(db) == before
    for table in compaction.PUBLISHED_TABLES:
        storage = _storage(db, table)
        # A table these hand-made rows leave empty (vectors, fact-checks) has no row group at all.
        assert (storage.row_groups, storage.stored_rows) == (min(1, storage.live_rows), storage.live_rows), storage
    with duckdb.connect(str(db), read_only=True) as con:
        assert search_statements(con, "tickets")
    # Readers see the compacted warehouse: the snapshot was refreshed.
    assert main(["query", "--db", str(db), "SELECT count(*) FROM statements"]) == 0


def test_a_publish_compacts_a_table_once_it_is_fragmented(tmp_path, monkeypatch):
    monkeypatch.setattr(compaction, "SPARE_ROW_GROUPS", 2)
    db = tmp_path / "w.duckdb"
    for number in range(1, 4):
        stage_and_load(db, f"run-{number}", _rows((f"a{number}",)), [], [], _passes)
    assert _storage(db, "articles").row_groups == 3  # one per run, not yet more than 1 + 2
    stage_and_load(db, "run-4", _rows(("a4",)), [], [], _passes)
    articles = _storage(db, "articles")
    assert (articles.row_groups, articles.live_rows) == (1, 4)


def test_a_publish_compacts_a_table_full_of_replaced_rows(tmp_path):
    db = tmp_path / "w.duckdb"
    stage_and_load(db, "run-1", _rows(("a1", "a2", "a3", "a4")), [], [], _passes)
    stage_and_load(db, "run-2", _rows(("a1",)), [], [], _passes)  # 1 of 5 stored rows dead: under a quarter
    assert _storage(db, "articles").stored_rows == 5
    stage_and_load(db, "run-3", _rows(("a2",)), [], [], _passes)  # 2 of 6: over a quarter
    articles = _storage(db, "articles")
    assert (articles.stored_rows, articles.live_rows) == (4, 4)


def test_compact_says_when_nothing_is_fragmented_and_names_a_missing_warehouse(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    stage_and_load(db, "run-1", _rows(("a1",)), [], [], _passes)
    assert main(["compact", "--db", str(db)]) == 0
    assert "nothing to compact" in capsys.readouterr().out
    missing = tmp_path / "missing.duckdb"
    assert main(["compact", "--db", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err
