"""Fact-check matching as a warehouse step after each publish: every published statement against every
fact-check, incrementally.

What has been matched is recorded in `fact_check_match_log`: a statement as published (its run_id) and a
fact-check as worded (the md5 of its claim and headline), each by one matcher. The step's new work is what
that log lacks: new (or republished) statements are matched against all fact-checks, new (or reworded)
fact-checks against the statements matched before. Every pair of a logged statement and a logged
fact-check has then been scored once, and a run with nothing new only runs the SQL that finds so, loading
no encoder and building no index. Matches of statements or fact-checks that are gone are deleted.

Statements' vectors are read from `statement_vectors` (encoded once, in their batch); fact-checks' claim and
headline vectors are encoded here once and kept in `fact_check_vectors`. Each statement keeps its best
MATCHES_KEPT fact-checks scoring at least SCORE_FLOOR, so the table stays a few rows a statement.
Work is written in chunks, one transaction each, log rows with their matches, so a run that dies half-way
leaves whole chunks and the next run's step finishes the rest.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import duckdb
import numpy as np
import pandas as pd

from transform.encoder import DIMENSIONS, MODEL_ID
from warehouse.compaction import compact
from warehouse.schema import open_file, transaction
from warehouse.sql_script import run_script

if TYPE_CHECKING:  # transform.matching loads scikit-learn (~1 s): only a step with work to do imports it
    from transform.matching import ClaimIndex, Match

MATCHES_KEPT = 5  # per statement: the dashboard shows the best few, and the table stays small
SCORE_FLOOR = 0.05  # calibrated score below which a pair is not kept (the default threshold is 0.5)
# A statement of fewer words (BM25 terms: stop words out) is not matched. The matcher's BM25 share is the part
# of the statement's words a claim covers, calibrated on tweets, which are long; a fragment like "life" or "the
# same advice" is covered whole by any claim with its word. Over the demo corpus against the 10,375 CheckThat!
# claims, 595 of 3,321 statements had a match above 0.5 (nearly all fragments, wrong); with this gate, 60. One of
# the 800 CheckThat! train tweets has fewer.
MIN_STATEMENT_TERMS = 5
STATEMENT_CHUNK = 2_000  # statements read, matched and written per transaction
FACT_CHECK_CHUNK = 2_000  # fact-checks encoded and written per transaction

FACT_CHECK_VERSION = "md5(coalesce(f.claim_reviewed, '') || chr(10) || coalesce(f.review_headline, ''))"


class Searcher(Protocol):
    def search(self, statements: Sequence[str], vectors: np.ndarray | None = None, top_k: int | None = None,
               threshold: float | None = None) -> list[list[Match]]: ...


class Matcher(Protocol):
    """What the step needs of a matcher: its id (recorded with every match), its threshold, and a searcher
    over a ClaimIndex of the fact-checks (a trained re-ranker wraps it; the default is the index itself)."""

    model_id: str
    threshold: float

    def index(self, index: ClaimIndex) -> Searcher: ...


class DefaultMatcher:
    """transform.matching's ClaimIndex with its shipped settings; its id names the settings, so other
    constants re-match everything."""

    def __init__(self) -> None:
        from transform.matching.settings import DEFAULT_SETTINGS

        self.threshold = DEFAULT_SETTINGS.threshold
        digest = hashlib.sha256(json.dumps(asdict(DEFAULT_SETTINGS), sort_keys=True).encode()).hexdigest()
        self.model_id = f"claim-index-{digest[:12]}"

    def index(self, index: ClaimIndex) -> Searcher:
        return index


@dataclass(frozen=True)
class MatchReport:
    """What one step did: statements and fact-checks matched, fact-checks encoded, match rows written
    (and how many of them pass the threshold), stale rows removed, seconds, and whether it built an index."""

    statements: int = 0
    fact_checks: int = 0
    encoded: int = 0
    matches: int = 0
    matched: int = 0
    removed: int = 0
    seconds: float = 0.0
    indexed: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.statements or self.fact_checks or self.encoded or self.removed)

    def run_fields(self) -> dict[str, int]:
        """The figures recorded in the run's row."""
        return {"n_statements_matched": self.statements, "n_fact_checks_matched": self.fact_checks,
                "n_matched": self.matched}


# Counts of the work waiting, one query: the step does nothing more when they are all 0.
PENDING_SQL = f"""
SELECT
  (SELECT count(*) FROM statements s JOIN statement_vectors v USING (statement_id)
     WHERE v.encoder_id = $encoder_id AND NOT EXISTS (
       SELECT 1 FROM fact_check_match_log l WHERE l.side = 'statement' AND l.item_id = s.statement_id
         AND l.version = coalesce(s.run_id, '') AND l.matcher_id = $matcher_id)) AS statements,
  (SELECT count(*) FROM fact_checks f WHERE NOT EXISTS (
       SELECT 1 FROM fact_check_match_log l WHERE l.side = 'fact_check' AND l.item_id = f.fact_check_id
         AND l.version = {FACT_CHECK_VERSION} AND l.matcher_id = $matcher_id)) AS fact_checks,
  (SELECT count(*) FROM fact_check_matches m
     WHERE m.matcher_id <> $matcher_id
        OR NOT EXISTS (SELECT 1 FROM statements s WHERE s.statement_id = m.statement_id)
        OR NOT EXISTS (SELECT 1 FROM fact_checks f WHERE f.fact_check_id = m.fact_check_id)) AS stale
"""

# Matches, log rows and vectors of what is gone, reworded, republished or another matcher's.
CLEAN_SQL = f"""
DELETE FROM fact_check_matches m
  WHERE m.matcher_id <> $matcher_id
     OR NOT EXISTS (SELECT 1 FROM statements s WHERE s.statement_id = m.statement_id)
     OR NOT EXISTS (SELECT 1 FROM fact_checks f WHERE f.fact_check_id = m.fact_check_id);
DELETE FROM fact_check_match_log l
  WHERE l.matcher_id <> $matcher_id
     OR (l.side = 'statement' AND NOT EXISTS (
          SELECT 1 FROM statements s WHERE s.statement_id = l.item_id AND coalesce(s.run_id, '') = l.version))
     OR (l.side = 'fact_check' AND NOT EXISTS (
          SELECT 1 FROM fact_checks f WHERE f.fact_check_id = l.item_id AND {FACT_CHECK_VERSION} = l.version));
DELETE FROM fact_check_vectors v
  WHERE v.encoder_id <> $encoder_id OR NOT EXISTS (
    SELECT 1 FROM fact_checks f WHERE f.fact_check_id = v.fact_check_id AND {FACT_CHECK_VERSION} = v.text_md5);
"""

# The statements to match against every fact-check, and those matched before (against the fact-checks
# then known), numbered for chunking.
WORK_SQL = f"""
CREATE OR REPLACE TEMP TABLE match_statements AS
SELECT s.statement_id, coalesce(s.run_id, '') AS version, l.item_id IS NULL AS new,
       row_number() OVER (PARTITION BY l.item_id IS NULL ORDER BY s.statement_id) AS n
FROM statements s JOIN statement_vectors v USING (statement_id)
LEFT JOIN fact_check_match_log l ON l.side = 'statement' AND l.item_id = s.statement_id
     AND l.version = coalesce(s.run_id, '') AND l.matcher_id = $matcher_id
WHERE v.encoder_id = $encoder_id;
CREATE OR REPLACE TEMP TABLE match_new_fact_checks AS
SELECT f.fact_check_id, {FACT_CHECK_VERSION} AS version FROM fact_checks f
WHERE NOT EXISTS (SELECT 1 FROM fact_check_match_log l WHERE l.side = 'fact_check' AND l.item_id = f.fact_check_id
                    AND l.version = {FACT_CHECK_VERSION} AND l.matcher_id = $matcher_id);
"""

UNENCODED_SQL = f"""
SELECT f.fact_check_id, {FACT_CHECK_VERSION} AS text_md5, coalesce(f.claim_reviewed, '') AS claim, coalesce(f.review_headline, '') AS headline
FROM fact_checks f WHERE NOT EXISTS (
  SELECT 1 FROM fact_check_vectors v WHERE v.fact_check_id = f.fact_check_id AND v.encoder_id = $encoder_id
    AND v.text_md5 = {FACT_CHECK_VERSION})
ORDER BY length(coalesce(f.claim_reviewed, ''))
"""

# The index's claims (texts only: small), then their vectors in a scan of their own, streamed: sorting or
# joining 100,000 pairs of FLOAT[384] (300 MB) would not fit DuckDB's buffer pool (warehouse.buffer_pool).
INDEX_CLAIMS_SQL = """
SELECT f.fact_check_id, coalesce(f.claim_reviewed, '') AS claim_reviewed, coalesce(f.review_headline, '') AS headline
FROM fact_checks f
WHERE EXISTS (SELECT 1 FROM fact_check_vectors v WHERE v.fact_check_id = f.fact_check_id AND v.encoder_id = $encoder_id)
ORDER BY f.fact_check_id
"""
INDEX_VECTORS_SQL = "SELECT fact_check_id, claim_vector, headline_vector FROM fact_check_vectors WHERE encoder_id = $encoder_id"
VECTOR_BATCH_ROWS = 10_000

CHUNK_SQL = """
SELECT m.statement_id, s.content, v.vector, s.article_id FROM match_statements m
JOIN statements s USING (statement_id) JOIN statement_vectors v USING (statement_id)
WHERE m.new = $new AND m.n > $after AND m.n <= $until AND v.encoder_id = $encoder_id
ORDER BY m.n
"""

# Keep each of the chunk's statements' best MATCHES_KEPT, ranked again after new candidates joined them.
RERANK_SQL = """
CREATE OR REPLACE TEMP TABLE match_reranked AS
SELECT * REPLACE (row_number() OVER (PARTITION BY statement_id ORDER BY score DESC, fact_check_id) AS rank)
FROM fact_check_matches WHERE statement_id IN (SELECT statement_id FROM match_chunk);
DELETE FROM fact_check_matches WHERE statement_id IN (SELECT statement_id FROM match_chunk);
INSERT INTO fact_check_matches SELECT * FROM match_reranked WHERE rank <= $kept;
DROP TABLE match_reranked;
"""

MATCH_COLUMNS = ["statement_id", "fact_check_id", "score", "rank", "matched", "claim_cosine", "headline_cosine",
                 "bm25_share", "matcher_id", "run_id", "matched_at"]


def pending(con: duckdb.DuckDBPyConnection, matcher_id: str) -> tuple[int, int, int]:
    """(statements to match, fact-checks to match, stale match rows): all 0 when the step has nothing to do."""
    return tuple(con.execute(PENDING_SQL, {"matcher_id": matcher_id, "encoder_id": MODEL_ID}).fetchone())


def match_fact_checks(db_path: Path | str, run_id: str, matcher: Matcher | None = None,
                      threads: int | None = None) -> MatchReport:
    """Match what is new since the last step (see the module's docstring); `matcher` None is the default
    ClaimIndex. Encodes only fact-checks not encoded before, with `threads` encoder threads."""
    began = time.perf_counter()
    matcher = matcher or DefaultMatcher()
    ids = {"matcher_id": matcher.model_id, "encoder_id": MODEL_ID}
    con = open_file(db_path)
    try:
        new_statements, new_fact_checks, stale = pending(con, matcher.model_id)
        if not (new_statements or new_fact_checks or stale):
            return MatchReport(seconds=time.perf_counter() - began)
        with transaction(con):
            run_script(con, CLEAN_SQL, ids)
        encoded = _encode_fact_checks(con, threads) if new_fact_checks else 0
        indexing = bool(new_statements or new_fact_checks) and con.execute("SELECT count(*) FROM fact_checks").fetchone()[0] > 0
    finally:
        con.close()
    index = _claim_index(db_path, threads) if indexing else None
    con = open_file(db_path)
    try:
        report = _match(con, run_id, matcher, index, stale, encoded)
        compact(con)
    finally:
        con.close()
    return MatchReport(**{**asdict(report), "seconds": time.perf_counter() - began})


def _match(con: duckdb.DuckDBPyConnection, run_id: str, matcher: Matcher, index: ClaimIndex | None, stale: int,
           encoded: int) -> MatchReport:
    with transaction(con):
        run_script(con, WORK_SQL, {"matcher_id": matcher.model_id, "encoder_id": MODEL_ID})
    counts = dict(con.execute("SELECT new, count(*) FROM match_statements GROUP BY new").fetchall())
    new_count, old_count = counts.get(True, 0), counts.get(False, 0)
    new_fact_checks = [row[0] for row in con.execute("SELECT fact_check_id FROM match_new_fact_checks").fetchall()]
    stamp = {"matcher_id": matcher.model_id, "run_id": run_id, "matched_at": datetime.now(UTC)}
    matches = matched = 0
    searcher = None if index is None else matcher.index(index)
    reviewed_on = dict(con.execute("SELECT fact_check_id, article_id FROM fact_checks WHERE article_id IS NOT NULL").fetchall())
    # New statements against every fact-check (the new ones included).
    for chunk in _chunks(con, new=True, total=new_count):
        found = _search(searcher, chunk) if searcher else [[] for _ in chunk]
        rows = _match_rows(chunk, found, matcher.threshold, stamp, reviewed_on)
        with transaction(con):
            _register_chunk(con, chunk)
            con.execute("DELETE FROM fact_check_matches WHERE statement_id IN (SELECT statement_id FROM match_chunk)")
            _insert(con, "fact_check_matches", rows, MATCH_COLUMNS)
            con.execute("INSERT INTO fact_check_match_log SELECT 'statement', m.statement_id, m.version, $matcher_id, "
                        "$run_id, $matched_at FROM match_statements m WHERE m.new AND m.statement_id IN "
                        "(SELECT statement_id FROM match_chunk)", stamp)
        matches += len(rows)
        matched += sum(row["matched"] for row in rows)
    # Statements matched before against the new fact-checks only, scored as in the whole index.
    if new_fact_checks and old_count and index is not None:
        position = {claim.claim_id: i for i, claim in enumerate(index.claims)}
        part = matcher.index(index.subset(sorted(position[f] for f in new_fact_checks if f in position)))
        for chunk in _chunks(con, new=False, total=old_count):
            rows = _match_rows(chunk, _search(part, chunk), matcher.threshold, stamp, reviewed_on)
            if not rows:
                continue
            found = {row["statement_id"] for row in rows}
            with transaction(con):
                _register_chunk(con, [c for c in chunk if c[0] in found])
                con.execute("DELETE FROM fact_check_matches WHERE statement_id IN (SELECT statement_id FROM match_chunk) "
                            "AND fact_check_id IN (SELECT fact_check_id FROM match_new_fact_checks)")
                _insert(con, "fact_check_matches", rows, MATCH_COLUMNS)
                run_script(con, RERANK_SQL, {"kept": MATCHES_KEPT})
            matches += len(rows)
            matched += sum(row["matched"] for row in rows)
    with transaction(con):
        con.execute("INSERT INTO fact_check_match_log SELECT 'fact_check', fact_check_id, version, $matcher_id, $run_id, "
                    "$matched_at FROM match_new_fact_checks", stamp)
    return MatchReport(statements=new_count, fact_checks=len(new_fact_checks), encoded=encoded, matches=matches,
                       matched=matched, removed=stale, indexed=searcher is not None)


def _chunks(con: duckdb.DuckDBPyConnection, new: bool, total: int):
    """(statement_id, content, vector, article_id) lists of the new (or earlier) statements, STATEMENT_CHUNK at a time."""
    for after in range(0, total, STATEMENT_CHUNK):
        table = con.execute(CHUNK_SQL, {"new": new, "after": after, "until": after + STATEMENT_CHUNK,
                                        "encoder_id": MODEL_ID}).to_arrow_table()
        vectors = _vectors(table.column("vector"))
        yield list(zip(table.column("statement_id").to_pylist(), table.column("content").to_pylist(), vectors,
                       table.column("article_id").to_pylist(), strict=True))


def _vectors(column) -> np.ndarray:
    """A FLOAT[384] column (Arrow fixed-size lists, chunked or not) as an (n, 384) float32 array, without a
    Python loop."""
    if len(column) == 0:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    array = column.combine_chunks() if hasattr(column, "combine_chunks") else column
    return np.asarray(array.flatten(), dtype=np.float32).reshape(len(column), DIMENSIONS)


def _search(searcher: Searcher, chunk: list[tuple[str, str, np.ndarray, str]]) -> list[list[Match]]:
    """The chunk's statements' best matches; none for a statement of fewer than MIN_STATEMENT_TERMS words."""
    from transform.matching import clean_query, terms

    found: list[list[Match]] = [[] for _ in chunk]
    kept = [i for i, row in enumerate(chunk) if len(set(terms(clean_query(row[1])))) >= MIN_STATEMENT_TERMS]
    if kept:
        vectors = np.stack([chunk[i][2] for i in kept])
        # One more than kept: a statement on a fact-check's own page may lose that fact-check (_match_rows).
        for i, matches in zip(kept, searcher.search([chunk[i][1] for i in kept], vectors=vectors, top_k=MATCHES_KEPT + 1),
                              strict=True):
            found[i] = matches
    return found


def _match_rows(chunk, found: list[list[Match]], threshold: float, stamp: dict[str, Any],
                reviewed_on: dict[str, str]) -> list[dict[str, Any]]:
    """The rows to keep: each statement's best MATCHES_KEPT at or above SCORE_FLOOR, leaving out a fact-check
    read from the statement's own article (a fact-check page quotes the claim it reviews; that is not a
    statement repeating it). `reviewed_on` maps a fact-check to the article it came from."""
    rows = []
    for (statement_id, _content, _vector, article_id), matches in zip(chunk, found, strict=True):
        kept = [m for m in matches if m.score >= SCORE_FLOOR and reviewed_on.get(m.claim_id) != article_id]
        for rank, match in enumerate(kept[:MATCHES_KEPT], start=1):
            rows.append({"statement_id": statement_id, "fact_check_id": match.claim_id, "score": match.score,
                         "rank": rank, "matched": match.score >= threshold, "claim_cosine": match.claim_cosine,
                         "headline_cosine": match.title_cosine, "bm25_share": match.bm25_coverage, **stamp})
    return rows


def _register_chunk(con: duckdb.DuckDBPyConnection, chunk) -> None:
    frame = pd.DataFrame({"statement_id": pd.Series([c[0] for c in chunk], dtype="string")})
    con.register("match_chunk_frame", frame)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE match_chunk AS SELECT CAST(statement_id AS VARCHAR) AS statement_id "
                    "FROM match_chunk_frame")
    finally:
        con.unregister("match_chunk_frame")


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    if not rows:
        return
    con.register("match_rows", pd.DataFrame(rows, columns=columns))
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM match_rows")
    finally:
        con.unregister("match_rows")


def _encode_fact_checks(con: duckdb.DuckDBPyConnection, threads: int | None) -> int:
    """Encode the claim and headline of every fact-check without stored vectors (shortest first, so each
    encoder batch pads little), FACT_CHECK_CHUNK a transaction; returns how many."""
    from transform.matching import FactCheckClaim, encode_claims

    todo = con.execute(UNENCODED_SQL, {"encoder_id": MODEL_ID}).fetchall()
    for start in range(0, len(todo), FACT_CHECK_CHUNK):
        part = todo[start:start + FACT_CHECK_CHUNK]
        claim_vectors, headline_vectors = encode_claims([FactCheckClaim(r[0], r[2], r[3]) for r in part], threads)
        frame = pd.DataFrame({"fact_check_id": [r[0] for r in part], "encoder_id": MODEL_ID,
                              "text_md5": [r[1] for r in part], "claim_vector": list(claim_vectors),
                              "headline_vector": list(headline_vectors)})
        with transaction(con):
            con.execute("DELETE FROM fact_check_vectors WHERE fact_check_id IN (SELECT unnest($ids))",
                        {"ids": [r[0] for r in part]})
            con.register("match_vectors", frame)
            try:
                con.execute("INSERT INTO fact_check_vectors BY NAME SELECT * FROM match_vectors")
            finally:
                con.unregister("match_vectors")
    return len(todo)


def _claim_index(db_path: Path | str, threads: int | None) -> ClaimIndex:
    """Every fact-check with its stored vectors, as a ClaimIndex (in fact_check_id order, so ties are stable).
    Built once the warehouse is closed again: DuckDB's buffer pool, which reading the vectors filled, is freed
    first (at 100,000 fact-checks the index is 470 MB and the pool another 250)."""
    from transform.matching import ClaimIndex, FactCheckClaim

    con = open_file(db_path, read_only=False)
    try:
        rows = con.execute(INDEX_CLAIMS_SQL, {"encoder_id": MODEL_ID}).fetchall()
        claims = [FactCheckClaim(fact_check_id, claim, headline) for fact_check_id, claim, headline in rows]
        del rows
        position = {claim.claim_id: i for i, claim in enumerate(claims)}
        claim_vectors = np.zeros((len(claims), DIMENSIONS), dtype=np.float32)
        headline_vectors = np.zeros((len(claims), DIMENSIONS), dtype=np.float32)
        for batch in con.execute(INDEX_VECTORS_SQL, {"encoder_id": MODEL_ID}).to_arrow_reader(VECTOR_BATCH_ROWS):
            at = np.asarray([position[i] for i in batch.column(0).to_pylist()], dtype=np.int64)
            claim_vectors[at] = _vectors(batch.column(1))
            headline_vectors[at] = _vectors(batch.column(2))
    finally:
        con.close()
    return ClaimIndex(claims, claim_vectors, headline_vectors, threads=threads)
