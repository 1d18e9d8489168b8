"""The dashboard over hostile pages: every piece of page text is shown as text, in a real browser.

Pages on 127.0.0.1 carry Markdown images and links, KaTeX, raw HTML and Streamlit directives in their
titles, site names (the outlet and publisher), authors, quoted statements and speaker names; a real
`citeline run` stores them, the real `citeline dashboard` serves them to headless Chromium, and the
page server counts every request: a reader's browser must send it none.
"""

from __future__ import annotations

import html
import os
import subprocess
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.hostile_server import HostileServer, page
from tests.support.dashboard import running_dashboard
from tests.support.fact_check_half import invent
from tests.test_dashboard_browser import CITELINE, PAGES, _wait_for_page, chromium  # noqa: F401 (a fixture)
from warehouse.snapshot import snapshot_path

pytestmark = pytest.mark.e2e

# What shows that each page has drawn its content, not only its title (the script may still be running).
READY = {"Overview": '[data-testid="stMetricValue"]', "Statements": "[data-statement]", "Source profile": "h2",
         "Outlets": '[data-testid="stDataFrame"]', "Echoes": '[data-testid="stDataFrame"]', "Fact-checks": "[data-fact-check]",
         "Claims": "[data-claim]", "Quality": '[data-testid="stDataFrame"]'}
BLANK_LINES = "@@"  # replaced by "\n\n" in the stored text: trafilatura removes blank lines, a writer may not


def payload(base: str, tag: str) -> str:
    """Markup that, rendered instead of shown, would fetch from `base`, link to it or typeset math."""
    return (f"![x]({base}/img/{tag}.png) [Trusted News]({base}/fake/{tag}) $$x^2$$ "
            f"<img src={base}/raw/{tag}.png> <script>alert('{tag}')</script> :red[red] www.example.test")


def hostile_article(base: str, tag: str) -> bytes:
    escape = html.escape
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(payload(base, 'title-' + tag))}</title>
<meta property="og:site_name" content="{escape(payload(base, 'site-' + tag))}">
<meta name="author" content="{escape(payload(base, 'author-' + tag))}">
<meta property="article:published_time" content="2024-03-0{tag}"></head>
<body><article><h1>{escape(payload(base, 'title-' + tag))}</h1>
<p>"The bridge will reopen next week {BLANK_LINES}{escape(payload(base, 'quote'))}," the mayor said on Monday, adding that traffic would be limited at first.</p>
<p>Engineers inspected the structure over the weekend and found no further damage to the supports.</p>
<p>John Smith{escape('![x](' + base + '/img/name.png)')} said that the repairs cost more than two million euros.</p>
<p>"Do not take any risks," said Maria [Lopez]({base}/fake/name), according to $$Reuters$$.</p>
</article></body></html>""".encode()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, prefect_server):
    """(warehouse, site, requests the run made): two hostile articles, stored by a real run."""
    from prefect.settings import PREFECT_API_URL

    db = tmp_path_factory.mktemp("hostile") / "w.duckdb"
    with HostileServer("127.0.0.1", {}) as site:
        base = site.url("")
        site.routes.update({f"/a{tag}.html": page(hostile_article(base, tag)) for tag in ("1", "2")})
        done = subprocess.run([CITELINE, "run", site.url("/a1.html"), site.url("/a2.html"), "--db", str(db),
                               "--allow-private-hosts", "--per-host-delay", "0"],
                              env={**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()},
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        with duckdb.connect(str(snapshot_path(db))) as con:
            # Blank lines inside a statement (offsets kept: two characters for two).
            changed = con.execute("UPDATE articles SET text = replace(text, ?, ?) WHERE contains(text, ?)",
                                  [BLANK_LINES, "\n\n", BLANK_LINES]).fetchone()[0]
        assert changed == 2
        # Fact-checks and claims whose texts are the payload (invented rows in the contract's tables).
        invent(snapshot_path(db), hostile=payload(base, "review"))
        yield db, site, sum(site.hits.values())


def _stored(db: Path, sql: str) -> list:
    with duckdb.connect(str(snapshot_path(db)), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_run_stored_the_hostile_text_where_the_dashboard_shows_it(hostile):
    db, site, _ = hostile
    base = site.url("")
    assert {title for (title,) in _stored(db, "SELECT title FROM articles")} == {payload(base, "title-1"), payload(base, "title-2")}
    outlets = {name for (name,) in _stored(db, "SELECT DISTINCT outlet FROM statements_flat")}
    assert outlets == {payload(base, "site-1"), payload(base, "site-2")}
    assert any(BLANK_LINES + payload(base, "quote") in content for (content,) in _stored(db, "SELECT content FROM statements"))
    assert all("\n\n" + payload(base, "quote") in text for (text,) in _stored(db, "SELECT text FROM articles"))
    assert "$$Reuters$$" in {name for (name,) in _stored(db, "SELECT name FROM sources")}


@pytest.mark.parametrize(("name", "query"), [("statements", None), ("source_profile", "$$Reuters$$"), ("fact_checks", None),
                                             ("claims", None)])
def test_page_text_reaches_markdown_only_escaped_inside_one_line_html(hostile, name, query, monkeypatch):
    """The fast check, through Streamlit's test harness: every Markdown element that carries page text
    is one HTML block (CommonMark's reading), so Markdown never parses the text."""
    from markdown_it import MarkdownIt

    db, site, _ = hostile
    monkeypatch.setenv("CITELINE_DB", str(db))
    at = AppTest.from_string(f"from dashboard import pages\npages.{name}()\n", default_timeout=120)
    if query:
        [(source_id,)] = _stored(db, f"SELECT source_id FROM sources WHERE name = '{query}'")
        at.query_params["source"] = source_id
    at.run()
    assert not at.exception and not at.error
    carrying = [m.value for m in [*at.markdown, *at.caption] if "127.0.0.1" in html.unescape(m.value) or "$$" in html.unescape(m.value)]
    assert carrying, "no page text reached the page"
    for value in carrying:
        assert [t.type for t in MarkdownIt("commonmark").parse(value)] == ["html_block"], value
        assert "](" not in value and "$" not in value and "<img" not in value and "<script" not in value


@pytest.fixture(scope="module")
def dashboard(hostile):
    with running_dashboard(hostile[0]) as base:
        yield base


def test_no_page_makes_the_browser_request_link_or_typeset_what_a_page_wrote(hostile, dashboard, chromium, tmp_path):
    db, site, run_requests = hostile
    hostile_base = site.url("")
    article_urls = {url for (url,) in _stored(db, "SELECT canonical_url FROM articles")}
    source_ids = [source_id for (source_id,) in _stored(db, "SELECT DISTINCT source_id FROM statements")]
    dialogs, seen, shown, problems = [], [], [], []
    tab = chromium.new_page(viewport={"width": 1400, "height": 1000})
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.on("request", lambda request: seen.append(request.url) if request.url.startswith(hostile_base) else None)
    visits = [(f"{dashboard}/{path}", title) for path, title in PAGES.items()]
    visits += [(f"{dashboard}/source?source={source_id}", "Source profile") for source_id in source_ids]
    try:
        for url, title in visits:
            tab.goto(url)
            tab.wait_for_selector(READY[title], timeout=90_000)
            _wait_for_page(tab, title)
            for dropdown in tab.locator('[data-testid="stSelectbox"], [data-testid="stMultiSelect"]').all()[:3]:
                dropdown.click()  # the options list is drawn only when opened
                tab.wait_for_timeout(300)
                shown.append(tab.inner_text("body"))
                tab.keyboard.press("Escape")
            problems += _check_inert(tab, hostile_base, article_urls)
            shown.append(tab.inner_text("body"))
            tab.screenshot(path=str(tmp_path / f"{url.rsplit('/', 1)[1] or 'overview'}.png"), full_page=True)
        tab.goto(f"{dashboard}/statements")  # the statement cards, found by a search for the hostile quote
        _wait_for_page(tab, "Statements")
        search = tab.get_by_label("Search (full text, BM25)")
        search.fill("bridge reopen")
        search.press("Enter")
        tab.wait_for_selector("mark[title='content']", timeout=60_000)
        problems += _check_inert(tab, hostile_base, article_urls)
        shown.append(tab.inner_text("body"))
        tab.wait_for_timeout(1000)  # any late image load would have started by now
    finally:
        tab.close()
    page_requests = sum(site.hits.values()) - run_requests
    print(f"outbound requests from the browser to the hostile page server: {page_requests} "
          f"(browser saw {len(seen)}: {sorted(set(seen))[:5]})")
    kinds = Counter((problem.split(": ", 1)[0], problem.split(": ", 1)[1].split(" to ")[0]) for problem in problems)
    print(f"rendered instead of shown: {len(problems)} ({dict(kinds)}): {problems[:10]}")
    assert page_requests == 0 and seen == []
    assert problems == []
    assert dialogs == []
    text = "\n".join(shown)
    for raw in ("![x](http://127.0.0.1", "[Trusted News](http://127.0.0.1", "$$x^2$$", "<img src=http", "<script>alert(",
                ":red[red]"):
        assert raw in text, f"{raw!r} is not shown as text"


def _check_inert(tab, hostile_base: str, article_urls: set[str]) -> list[str]:
    """What on the page shows that page text was rendered rather than shown: one line each."""
    where = tab.url.split("/", 3)[-1] or "overview"
    hrefs = tab.eval_on_selector_all("a", "links => links.map(link => link.getAttribute('href') || '')")
    found = [f"{where}: a traceback"] * tab.locator('[data-testid="stException"]').count()
    found += [f"{where}: link to {href}" for href in hrefs
              if (href.startswith(hostile_base) and href not in article_urls) or "example.test" in href]
    found += [f"{where}: KaTeX"] * tab.locator(".katex").count()
    found += [f"{where}: <img> from the page server"] * tab.locator(f'img[src^="{hostile_base}"]').count()
    found += [f"{where}: <script> from the page"] * tab.locator('script:has-text("alert(")').count()
    return found
