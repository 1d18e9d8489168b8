"""The dashboard in a real browser: `citeline dashboard` on 127.0.0.1, driven by headless Chromium
(Debian's package, through Playwright), while a `citeline run` publishes beside it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import duckdb
import pytest

from tests.support.dashboard import running_dashboard
from tests.support.fact_check_half import INVENTED_OUTLETS, invent
from tests.support.pages import demo_pages
from warehouse.snapshot import snapshot_path

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
PAGES = {"": "Overview", "statements": "Statements", "source": "Source profile", "outlets": "Outlets",
         "echoes": "Echoes", "fact-checks": "Fact-checks", "claims": "Claims", "quality": "Quality"}
SCRIPT = "<script>alert('review')</script>"
CITELINE = str(Path(sys.executable).with_name("citeline"))


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI runs the browser test: /usr/bin/chromium is missing (`make test` installs it as root)")
        pytest.skip("no /usr/bin/chromium: `make test` installs it as root (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


def _run(pages: Path, db: Path, api_url: str) -> None:
    done = subprocess.run([CITELINE, "run", str(pages), "--db", str(db)], env={**os.environ, "PREFECT_API_URL": api_url},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def _articles(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]


def _wait_for_page(page, title: str) -> None:
    page.wait_for_selector(f"h1:has-text('{title}')", timeout=60_000)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)  # the script has ended
    page.wait_for_timeout(500)  # charts draw after the script ends


def _no_error(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    assert page.get_by_text("Page not found").count() == 0


def test_every_page_in_a_browser_while_a_run_publishes(chromium, tmp_path, prefect_server):
    from prefect.settings import PREFECT_API_URL

    corpus = demo_pages()
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for page in corpus[40:46]:
        shutil.copy(page, first / page.name)
    for page in corpus[46:50]:
        shutil.copy(page, second / page.name)
    db = tmp_path / "w.duckdb"
    # The first publish only sets the scene: the flow in this process (the second, below, is a process).
    from flows.pipeline import citeline_run
    from flows.run_config import RunConfig

    assert citeline_run(RunConfig(inputs=[str(first)], db=str(db)))["run"]["status"] == "published"
    invented = invent(snapshot_path(db), hostile=SCRIPT, outlets=True)  # fact-checks, matches, claims the pages read
    shots = tmp_path / "screenshots"
    shots.mkdir()

    with running_dashboard(db) as base:
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path, title in PAGES.items():
            page.goto(f"{base}/{path}")
            _wait_for_page(page, title)
            _no_error(page)
            page.screenshot(path=str(shots / f"{path or 'overview'}.png"), full_page=True)

        page.goto(f"{base}/statements")
        _wait_for_page(page, "Statements")
        with duckdb.connect(str(db), read_only=True) as con:
            worthiest, = con.execute("SELECT statement_id FROM statements ORDER BY check_worthiness DESC, statement_id LIMIT 1").fetchone()
        page.get_by_text("Most check-worthy first").click()
        page.wait_for_function(f"document.querySelector('[data-statement]')?.dataset.statement === {worthiest!r}", timeout=60_000)
        page.get_by_role("slider").focus()
        page.keyboard.press("End")  # check-worthiness at least 1.0: no statement scores that
        page.wait_for_selector("text=0 statements shown", timeout=60_000)
        page.keyboard.press("Home")
        page.wait_for_selector("[data-statement]", timeout=60_000)
        _no_error(page)
        search = page.get_by_label("Search (full text, BM25)")
        search.fill("said")
        search.press("Enter")
        page.wait_for_selector("mark[title='content']", timeout=60_000)
        _no_error(page)
        assert page.locator("[data-statement]").count() > 0

        _fact_check_pages(page, base, db, invented)
        assert dialogs == []

        with duckdb.connect(str(db), read_only=True) as con:
            source_id, name = con.execute("""SELECT source_id, src.name FROM statements JOIN sources src USING (source_id)
                                             GROUP BY ALL ORDER BY count(*) DESC, 2 LIMIT 1""").fetchone()
        page.goto(f"{base}/source?source={source_id}")
        _wait_for_page(page, "Source profile")
        page.wait_for_selector(f"h2:has-text({name!r})", timeout=60_000)
        _no_error(page)

        page.goto(f"{base}/")
        _wait_for_page(page, "Overview")
        before = page.locator('[data-testid="stMetricValue"]').nth(2).inner_text()
        assert before == str(_articles(db))
        _run(second, db, PREFECT_API_URL.value())  # publishes while the page is open; the dashboard holds no lock
        page.reload()
        _wait_for_page(page, "Overview")
        after = page.locator('[data-testid="stMetricValue"]').nth(2).inner_text()
        assert after == "4" and _articles(db) == 10  # the new run's articles, read from the new snapshot
        page.screenshot(path=str(shots / "overview-after-run.png"), full_page=True)
        _no_error(page)
    # The server was the process started, so stopping it leaves nothing listening.
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{base}/_stcore/health", timeout=2)


def _statement_ids(page, selector: str, attribute: str) -> list[str]:
    return page.eval_on_selector_all(selector, f"found => found.map(element => element.getAttribute('{attribute}'))")


def _until_count(page, selector: str, count: int) -> None:
    """Wait until the page shows `count` elements matching `selector` (a script's elements come one by one)."""
    page.wait_for_function(f"document.querySelectorAll({selector!r}).length == {count}", timeout=60_000)


def _fact_check_pages(page, base: str, db: Path, invented) -> None:
    """The Fact-checks and Claims pages, and a statement's matches, over the invented rows in the snapshot."""
    matched = invented.matched_statements()
    page.goto(f"{base}/fact-checks")
    _wait_for_page(page, "Fact-checks")
    _until_count(page, "[data-fact-check]", sum(ok for *_match, ok in invented.matches))
    _no_error(page)
    assert set(_statement_ids(page, "[data-statement]", "data-statement")) == matched and len(matched) == 3
    assert page.locator("mark[title='content']").count() == 3  # each marked in its article
    pants = invented.fact_checks["fc-pants"]["review_url"]
    assert page.locator(f'[data-fact-check="fc-pants"] a[href="{pants}"]').count() == 1
    assert page.locator('a[href^="javascript"]').count() == 0
    assert SCRIPT in page.inner_text("body") and page.locator("script:has-text('review')").count() == 0
    page.locator('[data-testid="stMultiSelect"]').filter(has_text="Verdict").click()
    page.get_by_role("option", name="mostly true").click()
    page.keyboard.press("Escape")
    mostly = {s for s, fc, _score, _rank, ok in invented.matches if ok and fc == "fc-mostly"}
    _until_count(page, "[data-statement]", len(mostly))
    _until_count(page, "[data-fact-check]", len(mostly))
    assert set(_statement_ids(page, "[data-statement]", "data-statement")) == mostly and len(mostly) == 2

    statement = invented.matches[0][0]
    with duckdb.connect(str(snapshot_path(db)), read_only=True) as con:
        [(content,)] = con.execute("SELECT content FROM statements WHERE statement_id = ?", [statement]).fetchall()
    page.goto(f"{base}/statements")
    _wait_for_page(page, "Statements")
    search = page.get_by_label("Search (full text, BM25)")
    search.fill(content)
    search.press("Enter")
    page.wait_for_selector(f'[data-statement="{statement}"]', timeout=60_000)
    page.wait_for_selector('[data-fact-check="fc-pants"]', timeout=60_000)
    _no_error(page)

    page.goto(f"{base}/claims")
    _wait_for_page(page, "Claims")
    _until_count(page, "[data-claim]", 2)
    page.wait_for_function("document.body.innerText.split('carried by: ').length == 3", timeout=60_000)
    _no_error(page)
    assert _statement_ids(page, "[data-claim]", "data-claim") == ["claim-wide", "claim-narrow"]
    assert page.locator("[data-worthy]").count() > 0
    carried = [line for line in page.inner_text("body").splitlines() if line.startswith("carried by: ")]
    assert len(carried) == 2 and all(name in carried[0] for name in INVENTED_OUTLETS)
    page.get_by_label("Carried by at least this many outlets").fill("3")
    page.keyboard.press("Enter")
    _until_count(page, "[data-claim]", 1)
    assert _statement_ids(page, "[data-claim]", "data-claim") == ["claim-wide"]
