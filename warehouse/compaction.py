"""Compaction: rewriting a published table whose storage has fragmented into small row groups.

Writers open the warehouse with DuckDB's vacuum turned off (see `schema.open_file`), so every publish
chunk lands in row groups of its own and nothing published before is rewritten. That keeps a run's
memory bounded by its chunk, but leaves many small row groups behind (one per chunk and table), and
rows replaced by later runs stay as tombstones. Compaction rewrites such a table in one transaction,
as a maintenance step: after a publish once a table is fragmented, or on demand (`citeline compact`).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from warehouse.schema import transaction, views

PUBLISHED_TABLES = ("articles", "statements", "statement_sources", "sources", "search_terms", "search_docs",
                    "statement_vectors", "fact_checks", "article_claims", "claims", "fact_check_vectors",
                    "fact_check_matches", "fact_check_match_log")
ROW_GROUP_ROWS = 122_880  # DuckDB's default row group size
SPARE_ROW_GROUPS = 16  # row groups a table may have beyond what its rows fill before it is compacted
MAX_DEAD_SHARE = 0.25  # share of stored rows that may be deleted ones (replaced by a later run)


@dataclass(frozen=True)
class TableStorage:
    table: str
    row_groups: int
    stored_rows: int  # including deleted rows not yet reclaimed
    live_rows: int

    @property
    def fragmented(self) -> bool:
        needed = -(-self.live_rows // ROW_GROUP_ROWS)
        dead = self.stored_rows - self.live_rows
        return self.row_groups > needed + SPARE_ROW_GROUPS or dead > MAX_DEAD_SHARE * max(self.stored_rows, 1)


def table_storage(con: duckdb.DuckDBPyConnection, table: str) -> TableStorage:
    """How a table is stored: its row groups, and its rows stored and alive."""
    row_groups, stored = con.execute(
        f"SELECT count(DISTINCT row_group_id), coalesce(sum(count) FILTER (WHERE column_id = 0 AND segment_type <> 'VALIDITY'), 0) "
        f"FROM pragma_storage_info('{table}')"
    ).fetchone()
    live = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return TableStorage(table, row_groups, int(stored), live)


def compact(con: duckdb.DuckDBPyConnection, force: bool = False) -> list[TableStorage]:
    """Rewrite the published tables that are fragmented (all of them with `force`), in one transaction;
    returns their storage as it was before. The views are re-created."""
    before = [table_storage(con, table) for table in PUBLISHED_TABLES]
    chosen = [storage for storage in before if force or storage.fragmented]
    if not chosen:
        return []
    with transaction(con):
        for storage in chosen:
            # No ORDER BY: DuckDB keeps insertion order by default (preserve_insertion_order), without a sort.
            con.execute(f"CREATE TABLE {storage.table}__compacted AS SELECT * FROM {storage.table}")
            con.execute(f"DROP TABLE {storage.table}")
            con.execute(f"ALTER TABLE {storage.table}__compacted RENAME TO {storage.table}")
        for view in views():
            con.execute(view)
    return chosen
