"""Publishing a validated run: staged batches replace the published rows, one chunk a transaction,
resumably (a chunk a crash cut short is finished by the next writer)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from warehouse.compaction import compact
from warehouse.quality import recorded_verdict
from warehouse.schema import open_file, transaction
from warehouse.search import INDEX_CHUNK_SQL, UNINDEX_CHUNK_SQL, load_fts
from warehouse.sql_script import run_script
from warehouse.staging import clear_staging

RECOVERED_RUN_SQL = """
INSERT INTO runs BY NAME SELECT
    $run_id AS run_id, p.started_at, now() AS ended_at, 'published' AS status,
    (SELECT count(*) FROM articles WHERE run_id = $run_id) AS n_articles,
    (SELECT count(*) FROM statements s JOIN articles a USING (article_id) WHERE a.run_id = $run_id) AS n_statements,
    $verdict AS quality_verdict, $details AS quality_details
FROM publish_log p WHERE p.run_id = $run_id AND NOT EXISTS (SELECT 1 FROM runs WHERE run_id = $run_id)"""


ENDED_WHILE_PUBLISHING = "the run's process ended while publishing; the next writer finished the publish"
ENDED_BEFORE_RECORDING = "the run's process ended after its publish, before recording the run; the next writer recorded it"


def record_recovered_run(con: duckdb.DuckDBPyConnection, run_id: str, how: str = ENDED_WHILE_PUBLISHING) -> None:
    """The `runs` row of a run whose process ended during or just after its publish (killed, or the
    machine went down), which the next writer finished: what is known of it, and that it was recovered."""
    verdict = recorded_verdict(con, run_id)
    details = {"evaluated": verdict.evaluated, "failures": verdict.failures, "recovered": how}
    con.execute(RECOVERED_RUN_SQL, {"run_id": run_id, "verdict": verdict.label, "details": json.dumps(details)})


NEW_SOURCES_SQL = """
INSERT INTO sources SELECT DISTINCT source_id, name, type, run_id FROM stg_sources
    WHERE run_id = $run_id AND source_id NOT IN (SELECT source_id FROM sources)"""

BEGIN_PUBLISH_SQL = """
DELETE FROM publish_log WHERE run_id = $run_id;
INSERT INTO publish_log VALUES ($run_id, now(), NULL, 0);
"""

PAGE_ORIGINS = "('json-ld', 'microdata', 'rdfa')"  # extract.fact_checks.ORIGINS read from a page, not a dump

# A chunk's fact-checks: what the chunk's pages gave before goes (a review taken off a page leaves with
# it), then one row per fact_check_id. A review read from a page replaces any row of its ID (an import's,
# or another page's: the last page published wins), as the fact-checker's own page is the primary source,
# is read again whenever it changes, and ties the review to its article; an imported review never
# replaces a row already there, so importing twice (or a dump of reviews already read from pages) adds
# nothing. Within the chunk, a page's copy of an ID comes before an import's.
PUBLISH_FACT_CHECKS_SQL = f"""
DELETE FROM fact_checks WHERE article_id IN (SELECT article_id FROM publish_chunk);
DELETE FROM fact_checks WHERE fact_check_id IN (
    SELECT fact_check_id FROM stg_fact_checks WHERE run_id = $run_id AND batch = $batch AND origin IN {PAGE_ORIGINS});
INSERT INTO fact_checks BY NAME SELECT * EXCLUDE (batch) FROM stg_fact_checks
    WHERE run_id = $run_id AND batch = $batch AND fact_check_id NOT IN (SELECT fact_check_id FROM fact_checks)
    QUALIFY row_number() OVER (PARTITION BY fact_check_id
                               ORDER BY origin IN {PAGE_ORIGINS} DESC, article_id NULLS LAST, found_at) = 1;"""

# One chunk: the run's lowest batch still staged replaces the published versions of its articles and
# leaves staging, so whatever is still staged is exactly what is left to publish. The sources its rows
# cite come with it, so every chunk leaves the published tables consistent. Every read of a staged
# table filters on `batch`, so DuckDB skips the row groups of the other batches.
PUBLISH_CHUNK_SQL = f"""
CREATE OR REPLACE TEMP TABLE publish_chunk AS
    SELECT article_id FROM stg_articles WHERE run_id = $run_id AND batch = $batch;
{UNINDEX_CHUNK_SQL}
DELETE FROM statement_sources WHERE statement_id IN (
    SELECT statement_id FROM statements WHERE article_id IN (SELECT article_id FROM publish_chunk));
DELETE FROM statement_vectors WHERE statement_id IN (
    SELECT statement_id FROM statements WHERE article_id IN (SELECT article_id FROM publish_chunk));
DELETE FROM statements WHERE article_id IN (SELECT article_id FROM publish_chunk);
DELETE FROM articles WHERE article_id IN (SELECT article_id FROM publish_chunk);
{NEW_SOURCES_SQL} AND source_id IN (
    SELECT publisher_id FROM stg_articles WHERE run_id = $run_id AND batch = $batch
    UNION ALL SELECT source_id FROM stg_statements WHERE run_id = $run_id AND batch = $batch
    UNION ALL SELECT source_id FROM stg_statement_sources WHERE run_id = $run_id AND batch = $batch);
INSERT INTO articles BY NAME SELECT * EXCLUDE (batch) FROM stg_articles WHERE run_id = $run_id AND batch = $batch;
INSERT INTO statements BY NAME SELECT * EXCLUDE (batch) FROM stg_statements WHERE run_id = $run_id AND batch = $batch;
INSERT INTO statement_sources BY NAME SELECT * EXCLUDE (run_id, batch) FROM stg_statement_sources
    WHERE run_id = $run_id AND batch = $batch;
-- Only the vectors of statements that publish (the gate may have quarantined some).
INSERT INTO statement_vectors BY NAME SELECT statement_id, encoder_id, vector FROM stg_statement_vectors
    WHERE run_id = $run_id AND batch = $batch AND statement_id IN (
        SELECT statement_id FROM stg_statements WHERE run_id = $run_id AND batch = $batch);
{INDEX_CHUNK_SQL}
{PUBLISH_FACT_CHECKS_SQL}
DELETE FROM stg_statement_sources WHERE run_id = $run_id AND batch = $batch;
DELETE FROM stg_statement_vectors WHERE run_id = $run_id AND batch = $batch;
DELETE FROM stg_fact_checks WHERE run_id = $run_id AND batch = $batch;
DELETE FROM stg_statements WHERE run_id = $run_id AND batch = $batch;
DELETE FROM stg_articles WHERE run_id = $run_id AND batch = $batch;
UPDATE publish_log SET chunks = chunks + 1 WHERE run_id = $run_id AND finished_at IS NULL;
"""


def _in_transaction(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> None:
    with transaction(con):
        run_script(con, sql, params)


def begin_publish(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Commit to publishing the staged (validated) run: its row in `publish_log`."""
    _in_transaction(con, BEGIN_PUBLISH_SQL, {"run_id": run_id})


def publish_chunk(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    """Publish the next batch of the run's staged articles (and fact-checks) in one transaction; False when none are left."""
    # Fact-checks may be staged with no article (a page that gave none, an import): their batch counts too.
    batch = con.execute("SELECT min(batch) FROM (SELECT batch FROM stg_articles WHERE run_id = $run_id "
                        "UNION ALL SELECT batch FROM stg_fact_checks WHERE run_id = $run_id)", {"run_id": run_id}).fetchone()[0]
    if batch is None:
        return False
    load_fts(con)  # for the search index's stemmer
    _in_transaction(con, PUBLISH_CHUNK_SQL, {"run_id": run_id, "batch": batch})
    return True


def end_publish(con: duckdb.DuckDBPyConnection, run_id: str, recovered: bool = False) -> None:
    """Close the run's publish; `recovered`, for a run whose own process never got to, also writes its
    `runs` row, in the same transaction, so no crash can leave it published but unrecorded."""
    with transaction(con):
        con.execute(NEW_SOURCES_SQL, {"run_id": run_id})  # staged sources no statement cites (kept, as before)
        clear_staging(con, run_id)
        con.execute("UPDATE publish_log SET finished_at = now() WHERE run_id = ? AND finished_at IS NULL", [run_id])
        if recovered:
            record_recovered_run(con, run_id)
    compact(con)


def finish_publish(db_path: Path | str, run_id: str) -> None:
    """Publish every staged chunk of a run `begin_publish` committed to, each on a fresh connection
    (DuckDB keeps what a connection read cached until it closes)."""
    while True:
        con = open_file(db_path)
        try:
            if not publish_chunk(con, run_id):
                end_publish(con, run_id)
                return
        finally:
            con.close()


def recover_publishes(con: duckdb.DuckDBPyConnection) -> None:
    """Finish every publish an earlier process began but did not end (killed, or its machine went down)."""
    for (run_id,) in con.execute("SELECT run_id FROM publish_log WHERE finished_at IS NULL").fetchall():
        while publish_chunk(con, run_id):
            pass
        end_publish(con, run_id, recovered=True)
