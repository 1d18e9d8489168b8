"""Claims in the warehouse: after each publish, the statements not yet in a claim (new ones, and those of
republished articles) join a claim or found one (transform/claim_grouping.py), and every claim whose
statements changed gets its first appearance and counts worked out again, in one transaction.

The work is found by SQL alone (statements with no claim, claims whose members no longer add up), so a run
with nothing new returns at once without reading a vector, and a run after one that died mid-grouping
finishes what it left. Grouping follows the statements' article dates, so with nothing new or re-published
nothing changes, and the claims are those one grouping of everything in that order would give.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from warehouse.rows import stable_id
from warehouse.schema import transaction
from warehouse.sql_script import run_script
from warehouse.store import connect

# Members' own aggregates, to compare with what `claims` recorded of them.
_MEMBER_TOTALS = """SELECT claim_id, count(*) AS n, max(check_worthiness) AS worthiness, bool_or(check_worthy) AS worthy
    FROM statements WHERE claim_id IS NOT NULL GROUP BY claim_id"""

# Claims whose rows no longer describe their statements: members gone or come back (a republished
# article's statements return without a claim), scores changed, a claim with no statements left, or
# statements naming a claim that has no row.
STALE_CLAIMS_SQL = f"""
SELECT coalesce(c.claim_id, m.claim_id) AS claim_id FROM claims c FULL JOIN ({_MEMBER_TOTALS}) m USING (claim_id)
WHERE c.claim_id IS NULL OR m.claim_id IS NULL OR c.statements <> m.n
   OR c.check_worthiness IS DISTINCT FROM m.worthiness OR c.check_worthy IS DISTINCT FROM m.worthy"""

HAS_WORK_SQL = f"""SELECT EXISTS (SELECT 1 FROM statements WHERE claim_id IS NULL) OR EXISTS ({STALE_CLAIMS_SQL})"""

# A claim whose representative is no longer among its statements (its article was published anew, or is
# gone) cannot judge newcomers: it is dissolved and its remaining statements are grouped again.
DISSOLVE_SQL = """
CREATE OR REPLACE TEMP TABLE dissolved AS
    SELECT claim_id FROM claims c WHERE NOT EXISTS (
        SELECT 1 FROM statements s WHERE s.statement_id = c.representative_statement_id AND s.claim_id = c.claim_id)
    UNION SELECT DISTINCT claim_id FROM statements WHERE claim_id IS NOT NULL AND claim_id NOT IN (SELECT claim_id FROM claims);
UPDATE statements SET claim_id = NULL WHERE claim_id IN (SELECT claim_id FROM dissolved);
DELETE FROM claims WHERE claim_id IN (SELECT claim_id FROM dissolved);
"""

# An article's date: when it was published, else the day it was fetched. Statements are grouped, and a
# claim's first appearance is chosen, in this order (ties broken by fetch time, article and position).
_DAY = "coalesce(a.published_date, CAST(a.fetched_at AS DATE))"
_ORDER = f"{_DAY}, a.fetched_at, s.article_id, s.content_start, s.statement_id"

PENDING_SQL = f"""
SELECT s.statement_id, s.content, v.vector FROM statements s JOIN articles a USING (article_id)
    JOIN statement_vectors v USING (statement_id)
WHERE s.claim_id IS NULL ORDER BY {_ORDER}"""

MISSING_VECTORS_SQL = """
SELECT s.statement_id, s.content FROM statements s
WHERE s.claim_id IS NULL AND NOT EXISTS (SELECT 1 FROM statement_vectors v WHERE v.statement_id = s.statement_id)
ORDER BY s.statement_id"""

REPRESENTATIVES_SQL = """
SELECT c.representative_statement_id, s.content, v.vector FROM claims c
    JOIN statements s ON s.statement_id = c.representative_statement_id
    JOIN statement_vectors v ON v.statement_id = c.representative_statement_id
ORDER BY c.representative_statement_id"""

# `assigned` (statement_id, claim_id, representative_statement_id) is what grouping decided; `touched` the
# claims to work out again: those it added to, and the stale ones.
WRITE_SQL = f"""
UPDATE statements SET claim_id = n.claim_id FROM assigned n WHERE statements.statement_id = n.statement_id;
CREATE OR REPLACE TEMP TABLE touched AS
    SELECT DISTINCT claim_id, representative_statement_id FROM assigned
    UNION SELECT claim_id, representative_statement_id FROM claims WHERE claim_id IN (SELECT claim_id FROM stale);
DELETE FROM claims WHERE claim_id IN (SELECT claim_id FROM touched);
INSERT INTO claims BY NAME
WITH members AS (
    SELECT s.claim_id, s.statement_id, s.article_id, s.source_id, s.content, s.check_worthiness, s.check_worthy,
           a.publisher_id, {_DAY} AS day,
           {{'day': {_DAY}, 'fetched_at': a.fetched_at, 'article_id': s.article_id, 'start': s.content_start,
             'statement_id': s.statement_id}} AS appearance
    FROM statements s JOIN articles a USING (article_id)
    WHERE s.claim_id IN (SELECT claim_id FROM touched)
)
SELECT t.claim_id, t.representative_statement_id,
       any_value(m.content) FILTER (WHERE m.statement_id = t.representative_statement_id) AS text,
       arg_min(m.statement_id, m.appearance) AS first_statement_id,
       arg_min(m.article_id, m.appearance) AS first_article_id,
       arg_min(m.day, m.appearance) AS first_seen,
       arg_min(m.publisher_id, m.appearance) AS first_outlet_id,
       arg_min(m.source_id, m.appearance) AS first_source_id,
       count(*) AS statements, count(DISTINCT m.article_id) AS articles, count(DISTINCT m.publisher_id) AS outlets,
       count(DISTINCT m.source_id) AS sources, max(m.day) AS last_seen,
       max(m.check_worthiness) AS check_worthiness, bool_or(m.check_worthy) AS check_worthy
FROM touched t JOIN members m USING (claim_id)
GROUP BY t.claim_id, t.representative_statement_id;
DELETE FROM claims WHERE claim_id NOT IN (SELECT claim_id FROM statements WHERE claim_id IS NOT NULL);
"""


@dataclass(frozen=True)
class ClaimsUpdate:
    """What one grouping did: statements grouped, claims founded, dissolved and worked out again."""

    grouped: int = 0
    founded: int = 0
    dissolved: int = 0
    recomputed: int = 0
    vectors_encoded: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.grouped or self.dissolved or self.recomputed)


def claim_id_of(representative_statement_id: str) -> str:
    """A claim's id, from the statement that founded it: the same statement founds the same claim."""
    return stable_id("claim", representative_statement_id)


def _vectors(table: pa.Table, column: str = "vector") -> np.ndarray:
    """The FLOAT[n] column of an Arrow result as one float32 matrix, without a Python list per row."""
    values = table[column].combine_chunks()
    width = values.type.list_size if len(table) else 0
    return values.values.to_numpy(zero_copy_only=False).reshape(len(table), width).astype(np.float32, copy=False)


def _encode_missing(con: duckdb.DuckDBPyConnection) -> int:
    """Vectors for the ungrouped statements that have none (published before vectors were kept, so the
    encoder runs once for them here); the number encoded."""
    missing = con.execute(MISSING_VECTORS_SQL).fetchall()
    if not missing:
        return 0
    from transform import encoder  # loads onnxruntime: only for a warehouse older than statement_vectors

    vectors = encoder.encode([content for _, content in missing])
    rows = pa.table({"statement_id": [sid for sid, _ in missing], "encoder_id": [encoder.MODEL_ID] * len(missing),
                     "vector": pa.FixedSizeListArray.from_arrays(pa.array(np.asarray(vectors, dtype=np.float32).ravel()),
                                                                 vectors.shape[1])})
    con.register("encoded", rows)
    try:
        con.execute(f"INSERT INTO statement_vectors SELECT statement_id, encoder_id, CAST(vector AS FLOAT[{vectors.shape[1]}]) FROM encoded")
    finally:
        con.unregister("encoded")
    return len(missing)


def _representatives(con: duckdb.DuckDBPyConnection, dimensions: int):
    """The existing claims' representatives, as grouping compares new statements with them."""
    from transform.claim_grouping import Representatives

    rows = con.execute(REPRESENTATIVES_SQL).to_arrow_table()
    vectors = _vectors(rows) if len(rows) else np.zeros((0, dimensions), np.float32)
    return Representatives.of(rows["representative_statement_id"].to_pylist(), rows["content"].to_pylist(), vectors)


def has_work(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any statement waits for a claim or any claim's row no longer adds up (cheap: SQL only)."""
    return bool(con.execute(HAS_WORK_SQL).fetchone()[0])


def update_claims(con: duckdb.DuckDBPyConnection) -> ClaimsUpdate:
    """Group the statements not in a claim and bring every changed claim's row up to date, in one
    transaction (a crash leaves the claims as they were, and the next call does it all)."""
    if not has_work(con):
        return ClaimsUpdate()
    from transform.claim_grouping import group

    with transaction(con):
        encoded = _encode_missing(con)
        con.execute(f"CREATE OR REPLACE TEMP TABLE stale AS {STALE_CLAIMS_SQL}")
        run_script(con, DISSOLVE_SQL, {})
        dissolved = con.execute("SELECT count(*) FROM dissolved").fetchone()[0]
        pending = con.execute(PENDING_SQL).to_arrow_table()
        ids, texts, pending_vectors = pending["statement_id"].to_pylist(), pending["content"].to_pylist(), _vectors(pending)
        del pending  # the vectors are copied out: do not hold them twice
        representatives = group(ids, texts, pending_vectors, _representatives(con, pending_vectors.shape[1])) if ids else []
        assigned = pa.table({"statement_id": pa.array(ids, pa.string()),
                             "claim_id": pa.array([claim_id_of(r) for r in representatives], pa.string()),
                             "representative_statement_id": pa.array(representatives, pa.string())})
        con.register("assigned_rows", assigned)
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE assigned AS SELECT * FROM assigned_rows")
        finally:
            con.unregister("assigned_rows")
        recomputed = con.execute("SELECT count(*) FROM (SELECT claim_id FROM assigned UNION SELECT claim_id FROM stale "
                                 "WHERE claim_id IN (SELECT claim_id FROM claims))").fetchone()[0]
        run_script(con, WRITE_SQL, {})
        for table in ("stale", "dissolved", "assigned", "touched"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    founded = sum(1 for sid, rep in zip(ids, representatives) if sid == rep)
    return ClaimsUpdate(grouped=len(ids), founded=founded, dissolved=dissolved, recomputed=recomputed, vectors_encoded=encoded)


def group_claims(db_path: Path | str) -> ClaimsUpdate:
    """`update_claims` on the warehouse file, as its writer."""
    con = connect(db_path)
    try:
        return update_claims(con)
    finally:
        con.close()
