"""What each dashboard page reads, as SQL over the published snapshot: one function a question.

Every function opens the snapshot read-only (warehouse.readers: no file access, configuration locked),
reads and closes, so a new snapshot swapped in by a run is read at the next call, and the dashboard
never holds the pipeline's write lock. Results are cached by the pages, keyed to the snapshot's
modification time (`snapshot_version`).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pandas as pd

from warehouse.readers import open_reader
from warehouse.search import SCORES_SQL
from warehouse.snapshot import snapshot_path

FILTERS = ("speaker", "speaker_type", "kind", "stance", "channel", "outlet")


def snapshot_version(db: Path | str) -> int | None:
    """The snapshot's modification time in ns (its identity for caching); None before the first run."""
    path = snapshot_path(db)
    return path.stat().st_mtime_ns if path.exists() else None


# Streamlit runs each browser session's script in a thread of one process, and DuckDB gives connections
# to one file in one process a shared database instance: a reader that locked the configuration made
# the next session's open_reader fail ("the configuration has been locked") while the first was still
# reading. One reader at a time: each closes before the next opens, so each gets a fresh instance.
_ONE_READER = threading.Lock()


def frame(db: Path | str, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    with _ONE_READER:
        con = open_reader(db)
        try:
            return con.execute(sql, params or {}).df()
        finally:
            con.close()


def last_runs(db, limit: int = 20) -> pd.DataFrame:
    return frame(db, """
        SELECT run_id, started_at, ended_at, status, quality_verdict, n_fetched, n_unchanged, n_fetch_failed,
               n_articles, n_statements, n_quarantined, data_docs
        FROM runs ORDER BY started_at DESC LIMIT $limit""", {"limit": limit})


def failures_by_reason(db, run_id: str) -> pd.DataFrame:
    return frame(db, """
        SELECT reason, count(*) AS pages FROM (
            SELECT error_class AS reason FROM fetch_log WHERE run_id = $run_id AND error_class IS NOT NULL
            UNION ALL SELECT error_class FROM failures WHERE run_id = $run_id)
        GROUP BY reason ORDER BY pages DESC, reason""", {"run_id": run_id})


def statements_per_day(db) -> pd.DataFrame:
    return frame(db, """
        SELECT coalesce(published_date, fetched_date) AS day, count(*) AS statements
        FROM statements_flat GROUP BY day ORDER BY day""")


def top_sources_by_type(db, limit: int = 15) -> pd.DataFrame:
    return frame(db, """
        SELECT speaker AS source, speaker_type AS type, count(*) AS statements
        FROM statements_flat GROUP BY ALL ORDER BY statements DESC, source LIMIT $limit""", {"limit": limit})


def filter_options(db) -> dict[str, list[str]]:
    """The values each filter can take (speakers: the 500 most cited)."""
    options = {}
    for column in FILTERS:
        limit = "LIMIT 500" if column == "speaker" else ""
        rows = frame(db, f"""SELECT {column} AS value FROM statements_flat WHERE {column} IS NOT NULL
                             GROUP BY 1 ORDER BY count(*) DESC, 1 {limit}""")
        options[column] = rows["value"].tolist()
    return options


def find_statements(db, words: str = "", filters: dict[str, list[str]] | None = None, since=None, until=None,
                    through_chain: bool = False, limit: int = 50, min_check_worthiness: float = 0.0,
                    most_check_worthy_first: bool = False) -> pd.DataFrame:
    """Statements matching the filters (and scoring at least `min_check_worthiness`), ranked by BM25 for
    `words` when given (newest first otherwise) or, with `most_check_worthy_first`, by check-worthiness,
    with the offsets that mark content, cue and source in the article text."""
    where, params = ["TRUE"], {"limit": limit}
    if min_check_worthiness > 0:
        where.append("s.check_worthiness >= $min_check_worthiness")
        params["min_check_worthiness"] = min_check_worthiness
    worthiest = "s.check_worthiness DESC NULLS LAST, " if most_check_worthy_first else ""
    for column, values in (filters or {}).items():
        if values:
            if column not in FILTERS:
                raise ValueError(f"no filter {column!r}")
            where.append(f"f.{column} IN (SELECT unnest(${column}))")
            params[column] = list(values)
    if since is not None:
        where.append("coalesce(f.published_date, f.fetched_date) >= $since")
        params["since"] = since
    if until is not None:
        where.append("coalesce(f.published_date, f.fetched_date) <= $until")
        params["until"] = until
    if through_chain:
        where.append("f.chain_length > 1")
    columns = """f.statement_id, f.article_id, f.article_title, f.article_url, f.outlet, f.published_date,
                 f.speaker, f.speaker_type, f.kind, f.stance, f.channel, f.content, f.chain_text,
                 s.content_start, s.content_end, s.cue_start, s.cue_end, s.source_start, s.source_end,
                 s.check_worthiness, s.check_worthy, a.text AS article_text"""
    # The article text comes along, so a page of results costs one query, not one per statement.
    joined = "statements_flat f JOIN statements s USING (statement_id) JOIN articles a ON a.article_id = f.article_id"
    if words.strip():
        params["words"] = words
        sql = SCORES_SQL + f"""
            SELECT round(scores.score, 3) AS score, {columns} FROM scores JOIN {joined} USING (statement_id)
            WHERE {' AND '.join(where)} ORDER BY {worthiest}scores.score DESC, statement_id LIMIT $limit"""
        return frame(db, sql, params)
    return frame(db, f"""SELECT NULL AS score, {columns} FROM {joined} WHERE {' AND '.join(where)}
                         ORDER BY {worthiest}f.published_date DESC NULLS LAST, statement_id LIMIT $limit""", params)


def chains_of(db, statement_ids: tuple[str, ...]) -> pd.DataFrame:
    """Each statement's chain in order: speaker, then each intermediary, then the publisher."""
    return frame(db, """
        SELECT l.statement_id, l.position, l.role, src.name, src.type, l.mention FROM statement_sources l
        JOIN sources src USING (source_id) WHERE l.statement_id IN (SELECT unnest($ids))
        ORDER BY l.statement_id, l.position""", {"ids": list(statement_ids)})


def sources_list(db, limit: int = 500) -> pd.DataFrame:
    return frame(db, """
        SELECT src.source_id, src.name, src.type, count(s.statement_id) AS statements
        FROM sources src JOIN statements s USING (source_id) GROUP BY ALL
        ORDER BY statements DESC, name LIMIT $limit""", {"limit": limit})


def source_profile(db, source_id: str) -> dict[str, pd.DataFrame]:
    """One canonical source: its type, how it was written, when and how it spoke, who cites it, through whom."""
    params = {"id": source_id}
    return {
        "source": frame(db, "SELECT name, type FROM sources WHERE source_id = $id", params),
        "mentions": frame(db, """SELECT source_mention AS mention, count(*) AS statements FROM statements
                                 WHERE source_id = $id GROUP BY 1 ORDER BY 2 DESC, 1""", params),
        "over_time": frame(db, """SELECT coalesce(f.published_date, f.fetched_date) AS day, count(*) AS statements
                                  FROM statements_flat f JOIN statements s USING (statement_id)
                                  WHERE s.source_id = $id GROUP BY 1 ORDER BY 1""", params),
        "stances": frame(db, """SELECT coalesce(stance, 'none') AS stance, count(*) AS statements FROM statements
                                WHERE source_id = $id GROUP BY 1 ORDER BY 2 DESC""", params),
        "outlets": frame(db, """SELECT f.outlet, count(*) AS statements FROM statements_flat f
                                JOIN statements s USING (statement_id) WHERE s.source_id = $id
                                GROUP BY 1 ORDER BY 2 DESC, 1""", params),
        "through": frame(db, """SELECT via.name AS through, via.type, count(*) AS statements
                                FROM statements s JOIN statement_sources l USING (statement_id)
                                JOIN sources via ON via.source_id = l.source_id
                                WHERE s.source_id = $id AND l.role = 'intermediary'
                                GROUP BY ALL ORDER BY statements DESC, through""", params),
    }


def outlets(db) -> pd.DataFrame:
    return frame(db, "SELECT * FROM outlet_sourcing_profile ORDER BY statements DESC, outlet")


def echoes(db, limit: int = 100) -> pd.DataFrame:
    return frame(db, """SELECT example_content AS statement, articles, outlets, first_day, first_outlet, speakers
                        FROM statement_echoes ORDER BY articles DESC, first_day LIMIT $limit""", {"limit": limit})


def echo_carriers(db, normalised_example: str) -> pd.DataFrame:
    """Who carried one echoed statement, in order of appearance."""
    return frame(db, """
        SELECT coalesce(a.published_date, CAST(a.fetched_at AS DATE)) AS day, pub.name AS outlet, a.title, a.canonical_url AS url
        FROM statements s JOIN articles a USING (article_id) LEFT JOIN sources pub ON pub.source_id = a.publisher_id
        WHERE trim(regexp_replace(lower(s.content), '[^[:alnum:]]+', ' ', 'g'))
              = trim(regexp_replace(lower($content), '[^[:alnum:]]+', ' ', 'g'))
        ORDER BY day, a.fetched_at""", {"content": normalised_example})


def quality_results(db, limit_runs: int = 10) -> pd.DataFrame:
    return frame(db, """
        SELECT q.run_id, r.started_at, q.suite, q.expectation, q.column_name, q.level, q.success, q.element_count, q.unexpected_count
        FROM quality_results q JOIN runs r USING (run_id)
        WHERE q.run_id IN (SELECT run_id FROM runs ORDER BY started_at DESC LIMIT $n)
        ORDER BY r.started_at DESC, q.success, q.suite, q.expectation""", {"n": limit_runs})


def quarantine(db, limit: int = 200) -> pd.DataFrame:
    return frame(db, """SELECT run_id, table_name, expectation, column_name, row_key, quarantined_at FROM quarantine
                        ORDER BY quarantined_at DESC LIMIT $limit""", {"limit": limit})


def fetch_failures(db) -> pd.DataFrame:
    return frame(db, """SELECT error_class AS reason, outcome, count(*) AS urls FROM fetch_log
                        WHERE error_class IS NOT NULL GROUP BY ALL ORDER BY urls DESC, reason""")


# The fact-check half (issues #26, #27): matches of statements to fact-checks, check-worthiness, claims.
# A warehouse written before them has none of these, so each page asks `missing` first.
FACT_CHECK_MATCHES = ("statement_fact_checks",)
CHECK_WORTHINESS = ("statements.check_worthiness",)
CLAIMS = ("claims", "statements.claim_id")
ARTICLE_CLAIMS = ("article_claims",)
# Fact-checks page filter → the column it filters (names fixed here, never taken from the page).
FACT_CHECK_FILTERS = {"verdict": "m.verdict", "speaker": "f.speaker", "outlet": "f.outlet"}


def missing(db, needed: tuple[str, ...]) -> list[str]:
    """Which of `needed` (tables or views, or `table.column`) this snapshot lacks, so a page over a
    warehouse written by an older citeline can say what is not there instead of failing."""
    present = frame(db, """SELECT lower(table_name) AS name FROM information_schema.tables
                           UNION ALL SELECT lower(table_name || '.' || column_name) FROM information_schema.columns""")
    have = set(present["name"])
    return [name for name in needed if name.lower() not in have]


def fact_check_options(db) -> dict[str, list[str]]:
    """The verdicts, speakers and outlets of matched statements: what the Fact-checks filters offer."""
    options = {}
    for name, column in FACT_CHECK_FILTERS.items():
        rows = frame(db, f"""SELECT {column} AS value FROM statement_fact_checks m JOIN statements_flat f USING (statement_id)
                             WHERE m.matched AND {column} IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 500""")
        options[name] = rows["value"].tolist()
    return options


def matched_statements(db, filters: dict[str, tuple[str, ...]] | None = None, limit: int = 50) -> pd.DataFrame:
    """Statements a fact-check matched (`matched`), newest article first, one row per matching fact-check
    (best rank first) with its verdict, rating, reviewer and review URL, and the offsets that mark the
    statement in its article's text. `filters` (verdict, speaker, outlet → values) keep the matches
    whose values are among those given; `limit` counts statements, not matches."""
    where, params = ["m.matched"], {"limit": limit}
    for name, values in (filters or {}).items():
        if values:
            if name not in FACT_CHECK_FILTERS:
                raise ValueError(f"no fact-check filter {name!r}")
            where.append(f"{FACT_CHECK_FILTERS[name]} IN (SELECT unnest(${name}))")
            params[name] = list(values)
    return frame(db, f"""
        WITH chosen AS (
            SELECT m.*, coalesce(f.published_date, f.fetched_date) AS day
            FROM statement_fact_checks m JOIN statements_flat f USING (statement_id) WHERE {' AND '.join(where)}),
        picked AS (
            SELECT DISTINCT statement_id, day FROM chosen ORDER BY day DESC NULLS LAST, statement_id LIMIT $limit)
        SELECT p.day, f.statement_id, f.article_title, f.article_url, f.outlet, f.speaker, f.speaker_type, f.kind,
               s.content_start, s.content_end, s.cue_start, s.cue_end, s.source_start, s.source_end, a.text AS article_text,
               c.fact_check_id, c.rank, c.score, c.verdict, c.rating_text, c.reviewer, c.review_url, c.claim_reviewed, c.review_date
        FROM picked p JOIN chosen c USING (statement_id) JOIN statements_flat f USING (statement_id)
        JOIN statements s USING (statement_id) JOIN articles a ON a.article_id = f.article_id
        ORDER BY p.day DESC NULLS LAST, f.statement_id, c.rank, c.fact_check_id""", params)


def fact_checks_of(db, statement_ids: tuple[str, ...]) -> pd.DataFrame:
    """The fact-checks that matched each of these statements, best rank first (for the Statements page)."""
    return frame(db, """
        SELECT statement_id, fact_check_id, rank, score, verdict, rating_text, reviewer, review_url, claim_reviewed, review_date
        FROM statement_fact_checks WHERE matched AND statement_id IN (SELECT unnest($ids))
        ORDER BY statement_id, rank, fact_check_id""", {"ids": list(statement_ids)})


def most_check_worthy(db, outlets: tuple[str, ...] = (), limit: int = 20) -> pd.DataFrame:
    """The latest run's most check-worthy statements (the newest run that published scored statements),
    with speaker, outlet and article; only those in `outlets` when given."""
    params: dict[str, Any] = {"limit": limit}
    where = ["s.check_worthiness IS NOT NULL"]
    if outlets:
        where.append("f.outlet IN (SELECT unnest($outlets))")
        params["outlets"] = list(outlets)
    return frame(db, f"""
        WITH latest AS (
            SELECT run_id, started_at FROM runs
            WHERE run_id IN (SELECT run_id FROM statements WHERE check_worthiness IS NOT NULL)
            ORDER BY started_at DESC LIMIT 1)
        SELECT l.run_id, l.started_at, s.statement_id, s.check_worthiness, s.check_worthy, f.content, f.speaker,
               f.speaker_type, f.outlet, coalesce(f.published_date, f.fetched_date) AS day, f.article_title, f.article_url
        FROM statements s JOIN latest l USING (run_id) JOIN statements_flat f USING (statement_id)
        WHERE {' AND '.join(where)} ORDER BY s.check_worthiness DESC, s.statement_id LIMIT $limit""", params)


def most_check_worthy_sentences(db, outlets: tuple[str, ...] = (), limit: int = 10) -> pd.DataFrame:
    """The most check-worthy sentences the outlets asserted themselves (`article_claims`: sentences no
    statement covers) in the articles of the latest run that has any; only those of `outlets` when given."""
    params: dict[str, Any] = {"limit": limit}
    where = ["c.check_worthiness IS NOT NULL"]
    if outlets:
        where.append("pub.name IN (SELECT unnest($outlets))")
        params["outlets"] = list(outlets)
    return frame(db, f"""
        WITH latest AS (
            SELECT run_id FROM runs WHERE run_id IN (SELECT a.run_id FROM article_claims JOIN articles a USING (article_id))
            ORDER BY started_at DESC LIMIT 1)
        SELECT c.article_id, c.sentence_start, c.text, c.check_worthiness, c.check_worthy, pub.name AS outlet,
               coalesce(a.published_date, CAST(a.fetched_at AS DATE)) AS day, a.title AS article_title, a.canonical_url AS article_url
        FROM article_claims c JOIN articles a USING (article_id) JOIN latest l ON l.run_id = a.run_id
        LEFT JOIN sources pub ON pub.source_id = a.publisher_id
        WHERE {' AND '.join(where)} ORDER BY c.check_worthiness DESC, c.article_id, c.sentence_start LIMIT $limit""", params)


def spread_claims(db, min_outlets: int = 2, outlets: tuple[str, ...] = (), limit: int = 30) -> pd.DataFrame:
    """Claims carried by at least `min_outlets` outlets, most outlets first, each with its first appearance
    (day, outlet, speaker, the intermediaries it came through, article); only claims one of `outlets`
    carried, when given."""
    params: dict[str, Any] = {"min_outlets": min_outlets, "limit": limit}
    where = ["c.outlets >= $min_outlets"]
    if outlets:
        where.append("""c.claim_id IN (SELECT s.claim_id FROM statements s JOIN articles a USING (article_id)
                                       JOIN sources pub ON pub.source_id = a.publisher_id WHERE pub.name IN (SELECT unnest($outlets)))""")
        params["outlets"] = list(outlets)
    return frame(db, f"""
        SELECT c.claim_id, c.text, c.first_seen, c.last_seen, c.statements, c.articles, c.outlets, c.sources,
               c.check_worthiness, pub.name AS first_outlet, speaker.name AS first_source,
               (SELECT string_agg(via.name, ' › ' ORDER BY l.position) FROM statement_sources l JOIN sources via USING (source_id)
                WHERE l.statement_id = c.first_statement_id AND l.role = 'intermediary') AS first_chain,
               a.title AS first_title, a.canonical_url AS first_url
        FROM claims c
        LEFT JOIN sources pub ON pub.source_id = c.first_outlet_id
        LEFT JOIN sources speaker ON speaker.source_id = c.first_source_id
        LEFT JOIN articles a ON a.article_id = c.first_article_id
        WHERE {' AND '.join(where)} ORDER BY c.outlets DESC, c.first_seen, c.claim_id LIMIT $limit""", params)


def claim_outlets(db, claim_ids: tuple[str, ...]) -> pd.DataFrame:
    """The outlets that carried each claim, each with the first day it did and how many statements it carried."""
    return frame(db, """
        SELECT s.claim_id, pub.name AS outlet, min(coalesce(a.published_date, CAST(a.fetched_at AS DATE))) AS first_day,
               count(*) AS statements
        FROM statements s JOIN articles a USING (article_id) LEFT JOIN sources pub ON pub.source_id = a.publisher_id
        WHERE s.claim_id IN (SELECT unnest($ids)) GROUP BY ALL ORDER BY s.claim_id, first_day, outlet""",
                 {"ids": list(claim_ids)})
