"""The whole flow against a real HTTP server on 127.0.0.1, asserting what the warehouse holds row by row."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from flows.pipeline import citeline_run
from flows.run_config import FetchSettings, RunConfig
from tests.news_server import NewsServer
from tests.support.warehouse import table_counts

pytestmark = pytest.mark.e2e

PUBLISHED = ("articles", "statements", "sources", "statement_sources")


def _counts(db):
    return table_counts(db, PUBLISHED)


@pytest.fixture(scope="module")
def site():
    with NewsServer() as server:
        yield server


def _run(site, tmp_path, db):
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join([
        "# the e2e news list",
        site.url("/news/bridge.html?utm_source=newsletter"),
        site.url("/news/bridge.html?fbclid=abc"),
        site.url("/news/bridge.html"),
        site.url("/missing.html"),
        site.url("/news/flaky.html"),
        site.url("/news/busy.html"),
        site.url("/news/slow.html"),
        site.url("/files/report.pdf"),
        site.url("/news/huge.html"),
        site.url("/news/broken.html"),
        site.url("/news/latin1.html"),
        site.url("/private/secret.html"),
        site.url("/go/1"),
        site.url("/feed.xml"),
        "ftp://example.org/file.html",
    ]))
    return citeline_run(RunConfig(
        inputs=[str(urls)], db=str(db),
        fetch=FetchSettings(allow_private_hosts=True, timeout=1.0, max_attempts=2, per_host_delay=0.0, max_bytes=200_000),
    ))


def test_flow_against_a_real_server_then_rerun_without_duplicates(site, tmp_path, prefect_server):
    db = tmp_path / "warehouse.duckdb"
    summary = _run(site, tmp_path, db)
    assert summary["run"]["status"] == "published"
    assert summary["run"]["quality_verdict"] == "pass"

    with duckdb.connect(str(db), read_only=True) as con:
        log = {urlsplit(row[0]).path.lstrip("/"): row[1:] for row in con.execute(
            "SELECT url, outcome, status, error_class, attempts, final_url FROM fetch_log").fetchall()}
        assert log["news/bridge.html"][:3] == ("fetched", 200, None)
        assert log["missing.html"][:3] == ("failed", 404, "http_404")
        assert log["news/flaky.html"][:4] == ("fetched", 200, None, 2)
        assert log["news/busy.html"][:4] == ("fetched", 200, None, 2)
        assert log["news/slow.html"][0] == "failed" and log["news/slow.html"][2] == "timeout"
        assert log["news/slow.html"][3] == 2
        assert log["files/report.pdf"][:3] == ("skipped", 200, "not_html")
        assert log["news/huge.html"][:3] == ("skipped", 200, "too_large")
        assert log["private/secret.html"][0] == "skipped" and log["private/secret.html"][2] == "robots_disallowed"
        assert log["go/1"][0] == "fetched" and log["go/1"][4].endswith("/news/final.html")
        assert log["feed.xml"][0] == "fetched"
        assert log["file.html"][:1] == ("skipped",) and log["file.html"][2] == "unsupported_url"
        # Tracking-parameter duplicates were fetched once; the feed's storm/trade links were followed.
        assert site.hits["/news/bridge.html"] == 1
        assert site.hits["/news/trade.html"] == 1 and site.hits["/news/storm.html"] == 1
        assert site.hits["/private/secret.html"] == 0

        titles = dict(con.execute("SELECT title, sitename FROM articles").fetchall())
        assert set(titles) >= {"Bridge to reopen", "Storm warning for the coast", "Trade talks stall",
                               "Redirected story", "Flaky server story", "Rate limited story", "Caf\u00e9 closes"}
        latin = con.execute("SELECT text FROM articles WHERE title = 'Caf\u00e9 closes'").fetchone()[0]
        assert "Z\u00fcrich" in latin and "caf\u00e9" in latin

        mayor = con.execute("""
            SELECT s.kind, s.source_mention, s.cue, s.content FROM statements s JOIN articles a USING (article_id)
            WHERE a.title = 'Bridge to reopen' AND s.cue = 'said' AND s.kind = 'direct'""").fetchall()
        assert mayor == [("direct", "the mayor", "said", "The bridge will reopen next week after repairs")]
        chain = con.execute("""
            SELECT list(src.name ORDER BY l.position), list(l.role ORDER BY l.position)
            FROM statements s JOIN articles a USING (article_id) JOIN statement_sources l USING (statement_id)
            JOIN sources src ON src.source_id = l.source_id
            WHERE a.title = 'Trade talks stall' AND s.cue = 'reported' GROUP BY s.statement_id""").fetchall()
        assert chain and chain[0][0][0] == "Reuters" and chain[0][1][0] == "speaker" and chain[0][1][-1] == "publisher"
        vague = con.execute("SELECT src.type FROM statements s JOIN sources src USING (source_id) WHERE s.source_mention = 'experts'").fetchall()
        assert vague == [("vague",)]
        runs = con.execute("SELECT status, quality_verdict, n_articles FROM runs").fetchall()
        assert runs == [("published", "pass", summary["run"]["n_articles"])]
    docs = Path(summary["run"]["data_docs"])
    assert docs.name == "index.html" and docs.exists()
    assert "statements" in docs.read_text(encoding="utf-8")
    first = _counts(db)
    assert first["articles"] == summary["run"]["n_articles"] >= 8

    second = _run(site, tmp_path, db)
    assert second["run"]["status"] == "published"
    assert _counts(db) == first
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
        per_run = con.execute("SELECT run_id, count(*) FROM fetch_log GROUP BY run_id").fetchall()
        assert len(per_run) == 2 and per_run[0][1] == per_run[1][1]
        dupes = con.execute("SELECT count(*) - count(DISTINCT statement_id) FROM statements").fetchone()[0]
        assert dupes == 0


def test_malformed_lines_of_a_url_list_are_rows_and_an_ipv6_literal_is_fetched(site, tmp_path):
    from extract.collect import fetch_inputs
    from extract.inputs import plan_inputs
    from flows.run_config import FetchSettings

    urls = tmp_path / "urls.txt"
    with NewsServer("::1") as v6:
        urls.write_text("\n".join(["http://[::1", "http://127.0.0.1:99999/news/bridge.html", site.url("/news/storm.html"),
                                   v6.url("/news/bridge.html")]))
        outcomes = fetch_inputs(plan_inputs([str(urls)]).urls, FetchSettings(allow_private_hosts=True, per_host_delay=0.0).policy(), None)
    rows = {o.url: (o.outcome, o.error_class) for o in outcomes}
    assert rows == {"http://[::1": ("skipped", "invalid_url"), "http://127.0.0.1:99999/news/bridge.html": ("skipped", "invalid_url"),
                    site.url("/news/storm.html"): ("fetched", None), v6.url("/news/bridge.html"): ("fetched", None)}
    [ipv6] = [o for o in outcomes if o.url == v6.url("/news/bridge.html")]
    assert ipv6.canonical_url == v6.url("/news/bridge.html") and ipv6.status == 200
