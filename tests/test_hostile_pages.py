"""Pages that try to take over a run: another outlet's canonical URL, sitemap floods, endless paragraphs,
pages in a language the rules do not read. Served on 127.0.0.x and run through the real flow."""

from __future__ import annotations

import duckdb
import pytest

from extract.urls import same_site
from flows.pipeline import citeline_run
from flows.run_config import AttributionSettings, FetchSettings, RunConfig
from tests.hostile_server import HostileServer, page
from tests.news_server import article_page

pytestmark = pytest.mark.e2e

FETCH = {"allow_private_hosts": True, "per_host_delay": 0.0, "timeout": 5.0, "max_attempts": 1}


def _run(db, inputs, fetch=None, attribution=None) -> dict:
    config = RunConfig(inputs=[str(i) for i in inputs], db=str(db), fetch=FetchSettings(**{**FETCH, **(fetch or {})}),
                       attribution=AttributionSettings(**(attribution or {})))
    return citeline_run(config)


def _with_canonical(html: str, canonical: str) -> bytes:
    return html.replace("</head>", f'<link rel="canonical" href="{canonical}"></head>', 1).encode()


def _article(con, where: str, *params):
    return con.execute(f"SELECT article_id, canonical_url, url, title, text_sha256, untrusted_canonical_url FROM articles WHERE {where}",
                       list(params)).fetchall()


def _statements(con, article_id: str):
    return sorted(con.execute("SELECT statement_id, content, source_mention FROM statements WHERE article_id = ?", [article_id]).fetchall())


REAL = article_page("Council approves budget", [
    '"The budget protects every school in the city," the mayor said on Tuesday after the vote.',
    "The council approved the plan by nine votes to two after a debate that lasted four hours.",
])
FAKE = article_page("Council approves budget", [
    '"I took the money and I would do it again," Mayor Ellen Park said on Tuesday after the vote.',
    "The council approved the plan by nine votes to two after a debate that lasted four hours.",
])


def test_a_page_on_another_host_cannot_take_over_an_article_by_its_canonical_url(tmp_path, prefect_server):
    db = tmp_path / "w.duckdb"
    with HostileServer("127.0.0.1", {}) as outlet, HostileServer("127.0.0.2", {}) as impostor:
        outlet.routes["/p4.html"] = page(REAL.encode())
        impostor.routes["/fake.html"] = page(_with_canonical(FAKE, outlet.url("/p4.html")))
        assert _run(db, [outlet.url("/p4.html")])["run"]["status"] == "published"
        with duckdb.connect(str(db), read_only=True) as con:
            [original] = _article(con, "canonical_url = ?", outlet.url("/p4.html"))
            said = _statements(con, original[0])
        assert said and "mayor" in said[0][2]

        assert _run(db, [impostor.url("/fake.html")])["run"]["status"] == "published"
    with duckdb.connect(str(db), read_only=True) as con:
        assert _article(con, "canonical_url = ?", outlet.url("/p4.html")) == [original]
        assert _statements(con, original[0]) == said
        [stored] = _article(con, "url = ?", impostor.url("/fake.html"))
        assert stored[1] == impostor.url("/fake.html") and stored[0] != original[0]
        assert stored[5] == outlet.url("/p4.html")  # what it declared, kept for the record
        fabricated = _statements(con, stored[0])
        assert fabricated and "Ellen Park" in fabricated[0][2]
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 2


@pytest.mark.parametrize("page_url,canonical,trusted", [
    ("http://127.0.0.2:8001/fake.html", "http://127.0.0.1:8765/p4.html", False),
    ("http://127.0.0.1:8001/amp/p4.html", "http://127.0.0.1:8765/p4.html", True),  # one host, another port
    ("https://www.example.com/a?amp=1", "https://example.com/a", True),
    ("https://example.com/a", "https://www.example.com/a", True),
    ("https://news.example.com/a", "https://example.com/a", False),
    ("https://evil.github.io/a", "https://victim.github.io/a", False),
    ("https://evil.co.uk/a", "https://co.uk/a", False),
    ("http://[::1]:8000/a", "http://[::1]/a", True),
    ("http://[::1]:8000/a", "http://127.0.0.1/a", False),
])
def test_only_a_canonical_url_on_the_pages_own_site_is_trusted(page_url, canonical, trusted):
    assert same_site(canonical, page_url) is trusted


def _sitemap_index(site: HostileServer, sitemaps: int, urls_each: int) -> None:
    """An index of `sitemaps` sitemaps of `urls_each` article URLs each (every article a 404)."""
    locs = "".join(f"<sitemap><loc>{site.url(f'/sitemap-{i}.xml')}</loc></sitemap>" for i in range(sitemaps))
    site.routes["/index.xml"] = page(f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</sitemapindex>'.encode(),
                                     "application/xml")
    for i in range(sitemaps):
        urls = "".join(f"<url><loc>{site.url(f'/a/{i}-{j}.html')}</loc></url>" for j in range(urls_each))
        site.routes[f"/sitemap-{i}.xml"] = page(f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode(),
                                                "application/xml")


def test_a_sitemap_index_is_read_up_to_the_runs_caps_and_what_was_left_is_recorded(tmp_path, prefect_server):
    db = tmp_path / "w.duckdb"
    with HostileServer("127.0.0.1", {}) as site:
        _sitemap_index(site, sitemaps=5, urls_each=20)
        summary = _run(db, [site.url("/index.xml")], fetch={"max_sitemaps": 2, "max_urls": 15})
        hits = dict(site.hits)
    assert sorted(path for path in hits if path.startswith("/sitemap-")) == ["/sitemap-0.xml", "/sitemap-1.xml"]
    assert sum(n for path, n in hits.items() if path.startswith("/a/")) == 12  # 15 URLs: the index, 2 sitemaps, 12 pages
    with duckdb.connect(str(db), read_only=True) as con:
        rows = dict(((url.rsplit("/", 1)[1]), (error_class, error)) for url, error_class, error in con.execute(
            "SELECT url, error_class, error FROM fetch_log WHERE url LIKE '%.xml'").fetchall())
        assert con.execute("SELECT count(*) FROM fetch_log").fetchone()[0] == 15
    assert rows["index.xml"][0] == "sitemap_cap" and rows["index.xml"][1].startswith("3 sitemaps not read")
    assert rows["sitemap-0.xml"][0] == "url_cap" and rows["sitemap-0.xml"][1].startswith("8 links not followed")
    assert rows["sitemap-1.xml"][0] == "url_cap" and rows["sitemap-1.xml"][1].startswith("20 links not followed")
    assert summary["failures_by_reason"]["sitemap_cap"] == 1 and summary["failures_by_reason"]["url_cap"] == 2


def test_listed_urls_past_the_cap_are_recorded_not_fetched(tmp_path):
    from extract.collect import fetch_inputs

    with HostileServer("127.0.0.1", {}) as site:
        urls = [site.url(f"/a/{i}.html") for i in range(5)]
        outcomes = fetch_inputs(urls, FetchSettings(**FETCH, max_urls=3).policy(), None)
        hits = sum(n for path, n in site.hits.items() if path.startswith("/a/"))
    assert hits == 3
    assert [(o.url, o.outcome, o.error_class) for o in outcomes if o.error_class == "url_cap"] == [
        (urls[3], "skipped", "url_cap"), (urls[4], "skipped", "url_cap")]


LONG_SENTENCE = '"The harbour will stay open all winter," the mayor said on Monday. '
NAMES = article_page("Two spellings of one name", [
    '"The budget protects every school," John Smith said on Tuesday after the council vote.',
    "The council approved the plan by nine votes to two after a debate that lasted four hours.",
    '"We will build two more schools next year," \uff2a\uff4f\uff48\uff4e Smith said on Wednesday at a press conference.',
])
GERMAN = article_page("Der Rat stimmt zu", [
    '"Der Haushalt schützt jede Schule der Stadt", sagte der Bürgermeister am Dienstag nach der Abstimmung.',
    "Der Rat billigte den Plan mit neun zu zwei Stimmen nach einer Debatte, die vier Stunden dauerte.",
]).replace('<html lang="en">', '<html lang="de">')


@pytest.fixture(scope="module")
def limited_run(tmp_path_factory, prefect_server):
    """One run over a 60,000-character single-paragraph page (attribution.max_chars 5,000), a German page
    and a page naming one speaker in plain and in fullwidth letters."""
    db = tmp_path_factory.mktemp("limits") / "w.duckdb"
    long_page = article_page("One endless paragraph", [LONG_SENTENCE * (60_000 // len(LONG_SENTENCE))])
    with HostileServer("127.0.0.1", {"/long.html": page(long_page.encode()), "/de.html": page(GERMAN.encode()),
                                      "/names.html": page(NAMES.encode())}) as site:
        summary = _run(db, [site.url("/long.html"), site.url("/de.html"), site.url("/names.html")],
                       attribution={"max_chars": 5_000})
    return db, summary


def test_a_long_page_is_attributed_up_to_the_bound_and_records_the_cut(limited_run):
    db, summary = limited_run
    assert summary["run"]["status"] == "published" and summary["run"]["n_text_cut"] == 1
    with duckdb.connect(str(db), read_only=True) as con:
        article_id, length, attributed, limit = con.execute(
            "SELECT article_id, length(text), attributed_chars, attribution_limit FROM articles WHERE title = 'One endless paragraph'").fetchone()
        ends = [end for (end,) in con.execute("SELECT content_end FROM statements WHERE article_id = ?", [article_id]).fetchall()]
        runs = con.execute("SELECT n_text_cut, n_not_english FROM runs").fetchall()
    assert length > 55_000 and limit == "text_cut" and 2_500 < attributed <= 5_000
    assert ends and max(ends) <= attributed  # statements from the attributed part only, none past it
    assert runs == [(1, 1)]


def test_a_page_not_in_english_records_its_language_and_why_it_has_no_statements(limited_run):
    db, summary = limited_run
    assert summary["run"]["n_not_english"] == 1
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("""SELECT a.title, a.language, a.attribution_limit, a.attributed_chars, count(s.statement_id)
                              FROM articles a LEFT JOIN statements s USING (article_id) GROUP BY ALL ORDER BY 1""").fetchall()
    assert ("Der Rat stimmt zu", "de", "not_english", 0, 0) in rows
    names = [row for row in rows if row[0] == "Two spellings of one name"]
    assert names[0][1] == "en" and names[0][2] is None and names[0][4] >= 2  # an English page beside it: attributed whole


def test_a_name_in_fullwidth_letters_is_the_same_source(limited_run):
    db, _summary = limited_run
    with duckdb.connect(str(db), read_only=True) as con:
        speakers = con.execute("""SELECT s.source_mention, src.name, src.type FROM statements s JOIN articles a USING (article_id)
                                  JOIN sources src USING (source_id) WHERE a.title = 'Two spellings of one name' ORDER BY s.content_start""").fetchall()
    assert [mention for mention, _name, _type in speakers] == ["John Smith", "\uff2a\uff4f\uff48\uff4e Smith"]
    assert {(name, kind) for _mention, name, kind in speakers} == {("John Smith", "person")}


def test_source_names_are_keyed_after_nfkc():
    from warehouse.rows import RunRows

    rows = RunRows()
    assert rows.add_source("\uff2a\uff4f\uff48\uff4e Smith", "person") == rows.add_source("John Smith", "person")
    assert [source["name"] for source in rows.sources.values()] == ["John Smith"]
