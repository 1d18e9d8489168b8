"""Fact-checks in (issue #26): a run's pages scanned for ClaimReview, reasons recorded, the gate on
fact_checks, one row per fact_check_id across pages and imports, and `citeline factchecks import`.

Every review here is invented (tests/fixtures/claimreview/README.md); pages are served on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from expectations.gate import validate_staged
from extract.fact_checks import fact_check_id
from extract.fetch import FetchOutcome, Outcome
from tests.news_server import article_page
from tests.support.warehouse import NEWS_TEXT, run_rows, stage_and_load, table_counts

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT / "tests" / "fixtures" / "claimreview"
CITELINE = str(Path(sys.executable).with_name("citeline"))

# An invented fact-check article: real article text (so it is an article) and one JSON-LD ClaimReview.
REVIEW_JSONLD = """<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "ClaimReview",
 "claimReviewed": "The Exampleton ferry sank twice last winter.",
 "datePublished": "2024-04-02",
 "author": {"@type": "Organization", "name": "Invented Fact Desk"},
 "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "Alex Fixture"}, "datePublished": "2024-03-30"},
 "reviewRating": {"@type": "Rating", "ratingValue": "1", "bestRating": "6", "worstRating": "1", "alternateName": "Pants on Fire!"}}
</script>"""
REVIEW_PAGE = article_page("Fixture: did the ferry sink twice?", [
    "Posts shared widely this week said that the Exampleton ferry sank twice last winter, an invented claim for this test.",
    "The harbour master said that the ferry had run every day of the winter and that no vessel was lost, according to port records.",
    "We rated the claim Pants on Fire, because the port's own logs show the ferry in service on every day in question.",
]).replace("</head>", REVIEW_JSONLD + "</head>")
TABLES = ("fact_checks", "fact_check_issues", "runs", "articles", "quarantine")


class _Site(BaseHTTPRequestHandler):
    pages: dict[str, tuple[str, bytes]] = {}

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        content_type, body = self.pages.get(self.path, ("text/plain", b"not found"))
        self.send_response(200 if self.path in self.pages else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site():
    """The invented fact-check page, the broken-markup fixture, a page of markup and no text, and the feed fixture on 127.0.0.1."""
    _Site.pages = {
        "/review.html": ("text/html; charset=utf-8", REVIEW_PAGE.encode()),
        "/broken.html": ("text/html; charset=utf-8", (FIXTURES / "broken.html").read_bytes()),
        "/feed.json": ("application/json", (FIXTURES / "feed.json").read_bytes()),
        "/markup-only.html": ("text/html", re.sub(rb"<body>.*</body>", b"<body></body>", (FIXTURES / "single.html").read_bytes(), flags=re.S)),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield lambda path: f"http://127.0.0.1:{server.server_address[1]}{path}"
    finally:
        server.shutdown()
        server.server_close()


def _rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_a_run_reads_claimreviews_from_its_pages_records_the_reasons_and_an_unchanged_rerun_adds_nothing(tmp_path, prefect_server, site):
    from flows.pipeline import citeline_run
    from flows.run_config import FetchSettings, RunConfig

    db = tmp_path / "w.duckdb"
    config = RunConfig(inputs=[site("/review.html"), site("/broken.html"), site("/markup-only.html")], db=str(db),
                       fetch=FetchSettings(allow_private_hosts=True, per_host_delay=0.0))
    first = citeline_run(config)
    assert first["run"]["status"] == "published" and first["run"]["n_fact_checks"] >= 2

    # The article's review: its verdict from the rating, tied to the page's article.
    [(claim, verdict, rating, reviewer, author, origin, review_url, article_url)] = _rows(db, """
        SELECT f.claim_reviewed, f.verdict, f.rating_text, f.reviewer, f.claim_author, f.origin, f.review_url, a.canonical_url
        FROM fact_checks f JOIN articles a USING (article_id) WHERE f.claim_reviewed LIKE '%ferry%'""")
    assert (claim, verdict, rating, reviewer, author, origin) == (
        "The Exampleton ferry sank twice last winter.", "false", "Pants on Fire!", "Invented Fact Desk", "Alex Fixture", "json-ld")
    assert review_url == article_url == site("/review.html")  # no URL of its own: the page's

    # Every piece of bad markup on the broken page is a recorded reason, not a crash; its usable reviews stay.
    broken = _rows(db, "SELECT claim_reviewed, review_date, claim_date FROM fact_checks WHERE found_at = ? ORDER BY 1",
                   [site("/broken.html")])
    assert [row[0] for row in broken] == ["42", "Dates on this review are wrong.", "The 30th of February happened.",
                                          "This review's own URL is a script."]  # a number for a claim is kept as text
    assert all(row[1:] == (None, None) for row in broken)  # invalid and future dates are null
    reasons = {reason for (reason,) in _rows(db, "SELECT reason FROM fact_check_issues WHERE found_at = ?", [site("/broken.html")])}
    assert {"malformed_json", "missing_claim", "wrong_type", "invalid_date", "future_date", "bad_url"} <= reasons

    # A page that gives no article (no text) still gives its review, with no article.
    assert _rows(db, "SELECT claim_reviewed, verdict, article_id FROM fact_checks WHERE found_at = ?", [site("/markup-only.html")]) == [
        ("The mayor of Exampleton banned bicycles from the city centre.", "false", None)]
    assert _rows(db, "SELECT n_articles, n_fact_checks, n_fact_check_issues FROM runs") == [
        (2, 6, len(_rows(db, "SELECT * FROM fact_check_issues")))]

    counts = table_counts(db, ("fact_checks", "fact_check_issues", "articles", "quarantine"))
    second = citeline_run(config)
    assert second["run"]["n_unchanged"] == 2  # the article pages; the page with no article is read again,
    assert table_counts(db, counts) == counts
    # ... but its review, unchanged, is not staged or published again: every row is still the first run's.
    assert _rows(db, "SELECT DISTINCT run_id FROM fact_checks") == [(first["run"]["run_id"],)]
    assert _rows(db, "SELECT count(DISTINCT fact_check_id) = count(*) FROM fact_checks") == [(True,)]


def test_the_dask_batch_reads_claimreviews_too():
    from flows.batches import rows_for_pages

    page = FetchOutcome(url="https://factcheck.example/r", canonical_url="https://factcheck.example/r", outcome=Outcome.FETCHED,
                        final_url="https://factcheck.example/r", body=REVIEW_PAGE.encode())
    rows = rows_for_pages([page]).rows
    assert [(row["claim_reviewed"], row["verdict"], row["article_id"]) for row in rows.fact_checks] == [
        ("The Exampleton ferry sank twice last winter.", "false", rows.articles[0]["article_id"])]


def _fact_check(claim: str, **fields) -> dict:
    """A fact_checks row as FactCheck.row() gives it, `fields` on top."""
    url = fields.get("review_url", f"https://factcheck.example/{hashlib.sha256(claim.encode()).hexdigest()[:8]}")
    return {"fact_check_id": fact_check_id(url, claim, "test"), "claim_reviewed": claim, "claim_author": None, "claim_date": None,
            "claim_appearances": [], "rating_text": "False", "rating_value": None, "best_rating": None, "worst_rating": None,
            "verdict": "false", "reviewer": "Invented Fact Desk", "review_date": date(2024, 1, 2), "review_url": url,
            "review_headline": None, "language": "en", "origin": "json-ld", "found_at": "https://factcheck.example/page",
            "origin_id": None, "article_id": None, **fields}


def test_the_gate_quarantines_fact_checks_with_a_future_date_a_bad_url_no_claim_or_an_unknown_verdict(tmp_path):
    db = tmp_path / "w.duckdb"
    rows = run_rows({"a1": NEWS_TEXT})
    tomorrow_but_one = date.today() + timedelta(days=2)
    rows.fact_checks = [
        _fact_check("A good review."),
        _fact_check("Reviewed in the future.", review_date=tomorrow_but_one),
        _fact_check("Claimed in the future.", claim_date=tomorrow_but_one),
        _fact_check("A script for a URL.", review_url="javascript:alert(1)"),
        _fact_check("A URL with no host.", review_url="https:///nowhere"),
        _fact_check("   "),
        _fact_check("A verdict of its own.", verdict="pants"),
        _fact_check("No review URL at all is fine.", review_url=None),
    ]
    result = stage_and_load(db, "run-1", rows, [], [], validate_staged)
    assert result.published
    assert sorted(c for (c,) in _rows(db, "SELECT claim_reviewed FROM fact_checks")) == ["A good review.", "No review URL at all is fine."]
    quarantined = _rows(db, "SELECT column_name, count(*) FROM quarantine WHERE table_name = 'fact_checks' GROUP BY 1 ORDER BY 1")
    assert quarantined == [("dates_not_in_future", 2), ("has_claim", 1), ("review_url_well_formed", 2), ("verdict", 1)]
    assert _rows(db, "SELECT count(*) FROM stg_fact_checks") == [(0,)]


def test_one_row_per_fact_check_a_page_replaces_an_import_and_a_republished_page_takes_its_old_reviews_along(tmp_path):
    db = tmp_path / "w.duckdb"
    imported = RunRowsWith([_fact_check("The same review.", origin="claimreview-feed", found_at="dump.json"),
                            _fact_check("Only in the dump.", origin="claimreview-feed", found_at="dump.json")])
    stage_and_load(db, "import-1", imported, [], [], validate_staged)

    page = run_rows({"a1": NEWS_TEXT})
    page.fact_checks = [_fact_check("The same review.", article_id="a1"), _fact_check("Only on the page.", article_id="a1")]
    stage_and_load(db, "run-1", page, [], [], validate_staged)
    assert sorted(_rows(db, "SELECT claim_reviewed, origin, article_id FROM fact_checks")) == [
        ("Only in the dump.", "claimreview-feed", None), ("Only on the page.", "json-ld", "a1"), ("The same review.", "json-ld", "a1")]

    # Imported again: the page's row stays, nothing is added.
    stage_and_load(db, "import-2", RunRowsWith(imported.fact_checks), [], [], validate_staged)
    assert _rows(db, "SELECT count(*), count(*) FILTER (WHERE origin = 'json-ld') FROM fact_checks") == [(3, 2)]

    # The page changed and carries one review no more: that review leaves with it.
    changed = run_rows({"a1": NEWS_TEXT + " The club said more."})
    changed.fact_checks = [_fact_check("The same review.", article_id="a1")]
    stage_and_load(db, "run-2", changed, [], [], validate_staged)
    assert sorted(c for (c,) in _rows(db, "SELECT claim_reviewed FROM fact_checks")) == ["Only in the dump.", "The same review."]


def RunRowsWith(fact_checks: list[dict]):  # noqa: N802 - reads as the RunRows it builds
    from warehouse.rows import RunRows

    return RunRows(fact_checks=[dict(row) for row in fact_checks])


def _citeline(*args: str, api_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_API_URL": api_url}
    return subprocess.run([CITELINE, *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300)


def test_factchecks_import_of_a_feed_twice_adds_nothing_and_a_url_needs_allow_private_hosts(tmp_path, prefect_server, site):
    from prefect.settings import PREFECT_API_URL

    api, db, feed = PREFECT_API_URL.value(), tmp_path / "w.duckdb", str(FIXTURES / "feed.json")
    first = _citeline("factchecks", "import", feed, "--db", str(db), api_url=api)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "2 new, 0 already present" in first.stdout and "missing_claim 1" in first.stdout
    assert sorted(_rows(db, "SELECT claim_reviewed, verdict, origin, found_at, article_id FROM fact_checks")) == [
        ("Exampleland has no coastline.", "false", "claimreview-feed", feed, None),
        ("Exampleland's lake is the deepest on Earth.", "mostly false", "claimreview-feed", feed, None)]
    counts = table_counts(db, ("fact_checks", "publish_log"))

    second = _citeline("factchecks", "import", feed, "--db", str(db), api_url=api)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "0 new, 2 already present" in second.stdout
    assert table_counts(db, counts) == counts  # nothing added, nothing published

    url = site("/feed.json")
    refused = _citeline("factchecks", "import", url, "--db", str(db), api_url=api)
    assert refused.returncode == 2 and url in refused.stderr and "private_host" in refused.stderr
    fetched = _citeline("factchecks", "import", url, "--db", str(db), "--allow-private-hosts", api_url=api)
    assert fetched.returncode == 0, fetched.stderr[-2000:]
    assert "0 new, 2 already present" in fetched.stdout  # the same reviews: their IDs do not depend on where the dump was


def test_an_unreadable_import_exits_2_naming_the_input_and_changes_nothing(tmp_path, prefect_server):
    from prefect.settings import PREFECT_API_URL

    api, db = PREFECT_API_URL.value(), tmp_path / "w.duckdb"
    assert _citeline("factchecks", "import", str(FIXTURES / "invented_claims_layout.tsv"), "--db", str(db), api_url=api).returncode == 0
    before = table_counts(db, TABLES)
    garbage = tmp_path / "not-a-feed.txt"
    garbage.write_text("this is neither JSON nor a CheckThat! file\n")
    for source in (garbage, tmp_path / "missing.json"):
        done = _citeline("factchecks", "import", str(source), "--db", str(db), api_url=api)
        assert done.returncode == 2
        assert done.stderr.strip().splitlines()[-1].startswith(f"citeline factchecks: {source}:"), done.stderr[-1000:]
        assert "Traceback" not in done.stderr
    assert table_counts(db, TABLES) == before


def test_a_page_the_scanner_cannot_read_is_a_reason_not_a_stopped_run(monkeypatch):
    import extract.page_reviews as page_reviews

    def breaks(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(page_reviews, "find_claim_reviews", breaks)  # unit test of the scan's guard alone
    scan = page_reviews.ReviewScan()
    page = FetchOutcome(url="https://factcheck.example/r", canonical_url="https://factcheck.example/r", outcome=Outcome.FETCHED)
    scan(page, b"<html>ClaimReview</html>", None)
    assert [(p.url, p.article_id, [r.reason for r in p.found.reasons]) for p in scan.pages] == [
        ("https://factcheck.example/r", None, ["markup_unreadable"])]
