"""Invented rows for the fact-check half's tables in a warehouse file a real run (or stage_and_load) wrote:
fact-checks and their matches to statements (`statement_fact_checks`), check-worthiness scores, and
claims with `statements.claim_id`. The dashboard tests read them through the pages.

The tables and columns are those the dashboard relies on (statement_fact_checks: migration 013's
fact_check_matches under its view; claims and statements.claim_id: 015; article_claims: 014). Where the
file lacks one (written before those migrations), it is created here with the columns the dashboard
reads; where it exists, the invented rows go into it. Nothing here is a fact-checker's real review.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

INVENTED_OUTLETS = ("Invented Daily", "Invented Herald", "Invented Gazette")
MATCHER_ID = "invented-matcher"


@dataclass
class Invented:
    """What was invented, for the tests' assertions (ids of statements, fact-checks and claims)."""

    fact_checks: dict[str, dict] = field(default_factory=dict)
    matches: list[tuple[str, str, float, int, bool]] = field(default_factory=list)  # statement, fact-check, score, rank, matched
    claims: dict[str, list[str]] = field(default_factory=dict)  # claim_id → its statements

    def matched_statements(self) -> set[str]:
        return {statement for statement, _fc, _score, _rank, matched in self.matches if matched}


def fact_check_rows(hostile: str = "") -> dict[str, dict]:
    """Four invented reviews: two linkable, one whose address is not http(s) and whose text is `hostile`,
    one that matches nothing above the threshold."""
    def review(key: str, verdict: str, rating: str, reviewer: str, url: str, claim: str, day: str) -> dict:
        return {"fact_check_id": f"fc-{key}", "claim_reviewed": claim, "rating_text": rating, "verdict": verdict,
                "reviewer": reviewer, "review_url": url, "review_date": day, "review_headline": f"Invented review {key}",
                "language": "en", "origin": "fixture", "found_at": "invented", "run_id": "invented"}
    return {row["fact_check_id"]: row for row in (
        review("pants", "false", "Pants on Fire", "Invented Checkers", "https://checks.test/review/pants?x=1&y=2",
               "An invented claim rated false", "2019-04-01"),
        review("mostly", "mostly true", "Mostly True", "Other Invented Checkers", "http://127.0.0.1:9/review/mostly",
               "An invented claim rated mostly true", "2019-04-02"),
        review("hostile", "false", f"False {hostile}", f"Checker {hostile}", "javascript:alert(1)",
               f"Claimed {hostile}" if hostile else "An invented claim with an address that is not a web page", "2019-04-03"),
        review("weak", "true", "True", "Invented Checkers", "https://checks.test/review/weak",
               "An invented claim that matched nothing well", "2019-04-04"),
    )}


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {name.lower() for (name,) in con.execute("""SELECT table_name FROM information_schema.tables
                                                       UNION ALL SELECT table_name || '.' || column_name FROM information_schema.columns""").fetchall()}


def invent(db: Path | str, hostile: str = "", outlets: bool = False) -> Invented:
    """Write invented fact-checks, matches, check-worthiness and claims into the warehouse file `db` (a
    snapshot, for dashboard tests). `hostile` goes into one review's texts and one claim's text; with
    `outlets`, the articles are spread over three invented outlets (the demo corpus has one)."""
    invented = Invented()
    with duckdb.connect(str(db)) as con:
        have = _relations(con)
        if outlets:
            for index, name in enumerate(INVENTED_OUTLETS):
                con.execute("INSERT INTO sources VALUES (?, ?, 'media_outlet', 'invented')", [f"invented-outlet-{index}", name])
            con.execute(f"""UPDATE articles SET publisher_id = 'invented-outlet-' || (r.n % {len(INVENTED_OUTLETS)})
                            FROM (SELECT article_id, row_number() OVER (ORDER BY article_id) - 1 AS n FROM articles) r
                            WHERE articles.article_id = r.article_id""")
        # Each article's statements in order: first statements of every article first, so picks spread over articles.
        picks = [sid for (sid,) in con.execute("""SELECT statement_id FROM statements
            ORDER BY row_number() OVER (PARTITION BY article_id ORDER BY statement_id), article_id""").fetchall()]
        articles = con.execute("SELECT count(DISTINCT article_id) FROM statements").fetchone()[0]
        assert len(picks) >= 4 and articles >= 2, "the warehouse needs 4 statements in 2 articles"

        invented.fact_checks = fact_check_rows(hostile)
        for row in invented.fact_checks.values():
            columns = ", ".join(row)
            con.execute(f"INSERT INTO fact_checks ({columns}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
        invented.matches = [(picks[0], "fc-pants", 0.93, 1, True), (picks[0], "fc-mostly", 0.71, 2, True),
                            (picks[1], "fc-mostly", 0.88, 1, True), (picks[2], "fc-hostile", 0.81, 1, True),
                            (picks[3], "fc-weak", 0.31, 1, False)]
        if "fact_check_matches" in have:  # the matcher's table, under its statement_fact_checks view
            con.executemany("""INSERT INTO fact_check_matches (statement_id, fact_check_id, score, rank, matched, matcher_id)
                               VALUES (?, ?, ?, ?, ?, ?)""", [(*match, MATCHER_ID) for match in invented.matches])
        elif "statement_fact_checks" not in have:
            con.execute("""CREATE TABLE invented_matches (statement_id VARCHAR, fact_check_id VARCHAR, score DOUBLE,
                                                          rank INTEGER, matched BOOLEAN, matcher_id VARCHAR)""")
            con.execute("""CREATE VIEW statement_fact_checks AS
                SELECT m.statement_id, m.fact_check_id, m.score, m.rank, m.matched, f.verdict, f.rating_text, f.reviewer,
                       f.review_url, f.claim_reviewed, f.review_date, m.matcher_id
                FROM invented_matches m JOIN fact_checks f USING (fact_check_id)""")
            con.executemany("INSERT INTO invented_matches VALUES (?, ?, ?, ?, ?, ?)",
                            [(*match, MATCHER_ID) for match in invented.matches])
        else:
            raise NotImplementedError("statement_fact_checks exists over a table this helper does not know")

        # Check-worthiness: the model's scores where it ran; invented (stable per statement) where it did not.
        if "statements.check_worthiness" not in have:
            con.execute("ALTER TABLE statements ADD COLUMN check_worthiness DOUBLE")
            con.execute("ALTER TABLE statements ADD COLUMN check_worthy BOOLEAN")
        if con.execute("SELECT count(check_worthiness) FROM statements").fetchone()[0] == 0:
            scores = [(zlib.crc32(sid.encode()) % 1000 / 1000, sid) for sid in picks]
            con.executemany("UPDATE statements SET check_worthiness = ? WHERE statement_id = ?",
                            scores)
            con.execute("UPDATE statements SET check_worthy = check_worthiness >= 0.5")

        # The outlets' own sentences: each article's first sentence, scored (invented) unless the run scored some.
        if "article_claims" not in have:
            con.execute("""CREATE TABLE article_claims (article_id VARCHAR, sentence_start INTEGER, sentence_end INTEGER, text VARCHAR,
                                                        check_worthiness DOUBLE, check_worthy BOOLEAN)""")
        if con.execute("SELECT count(*) FROM article_claims").fetchone()[0] == 0:
            con.execute("""INSERT INTO article_claims BY NAME
                SELECT article_id, 0 AS sentence_start, end_at AS sentence_end, substr(text, 1, end_at) AS text,
                       (hash(article_id) % 1000) / 1000 AS check_worthiness, (hash(article_id) % 1000) >= 500 AS check_worthy
                FROM (SELECT article_id, text, coalesce(nullif(instr(text, '. '), 0), length(text)) AS end_at FROM articles)""")

        # Claims: every article's first statement makes one claim, the first two articles' second statements
        # another, and a third claim stays in one article (so it did not spread).
        if "claims" not in have:
            con.execute("""CREATE TABLE claims (claim_id VARCHAR, text VARCHAR, first_statement_id VARCHAR,
                first_article_id VARCHAR, first_seen DATE, first_outlet_id VARCHAR, first_source_id VARCHAR,
                statements INTEGER, articles INTEGER, outlets INTEGER, sources INTEGER, last_seen DATE, check_worthiness DOUBLE)""")
        if "statements.claim_id" not in have:
            con.execute("ALTER TABLE statements ADD COLUMN claim_id VARCHAR")
        invented.claims = {"claim-wide": picks[:articles], "claim-narrow": picks[articles:articles + 2],
                           "claim-alone": picks[articles + 2:articles + 3]}
        # Only the invented claims: the run's own (if it grouped any) are replaced, so what spreads is known.
        con.execute("UPDATE statements SET claim_id = NULL")
        con.execute("DELETE FROM claims")
        for claim_id, members in invented.claims.items():
            con.execute("UPDATE statements SET claim_id = ? WHERE statement_id IN (SELECT unnest(?))", [claim_id, members])
        con.execute("""INSERT INTO claims BY NAME (
            WITH appearances AS (
                SELECT s.claim_id, s.statement_id, s.article_id, s.source_id, s.content, s.check_worthiness, a.publisher_id,
                       {'day': coalesce(a.published_date, CAST(a.fetched_at AS DATE)), 'at': a.fetched_at, 'id': s.statement_id} AS first,
                       coalesce(a.published_date, CAST(a.fetched_at AS DATE)) AS day
                FROM statements s JOIN articles a USING (article_id) WHERE s.claim_id IN (SELECT unnest($claims)))
            SELECT claim_id,
                   CASE WHEN claim_id = 'claim-narrow' AND $hostile <> '' THEN 'Claim ' || $hostile ELSE arg_min(content, first) END AS text,
                   arg_min(statement_id, first) AS first_statement_id, arg_min(article_id, first) AS first_article_id,
                   min(day) AS first_seen, arg_min(publisher_id, first) AS first_outlet_id, arg_min(source_id, first) AS first_source_id,
                   count(*) AS statements, count(DISTINCT article_id) AS articles, count(DISTINCT publisher_id) AS outlets,
                   count(DISTINCT source_id) AS sources, max(day) AS last_seen, max(check_worthiness) AS check_worthiness
            FROM appearances GROUP BY claim_id)""", {"claims": list(invented.claims), "hostile": hostile})
    return invented
