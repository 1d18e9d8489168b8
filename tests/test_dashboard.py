"""Every dashboard page through Streamlit's own test harness, against the demo warehouse and an empty one,
checking what is shown against the same questions asked in SQL."""

from __future__ import annotations

import html
import re

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.pages import NO_RUNS

PAGES = ("overview", "statements", "source_profile", "outlets", "echoes", "quality")


def _page(name: str, db, query: dict | None = None) -> AppTest:
    at = AppTest.from_string(f"from dashboard import pages\npages.{name}()\n", default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    import os

    os.environ["CITELINE_DB"] = str(db)
    return at.run()


def _sql(db, sql: str, params=None):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.mark.parametrize("name", PAGES)
def test_every_page_says_no_runs_yet_on_an_empty_warehouse(tmp_path, name):
    at = _page(name, tmp_path / "nothing.duckdb")
    assert not at.exception
    assert [info.value for info in at.info] == [NO_RUNS]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_the_demo_warehouse_without_an_error(demo_warehouse, name):
    at = _page(name, demo_warehouse)
    assert not at.exception and not at.error
    assert at.title[0].value.lower().replace(" ", "_") == name


def test_overview_shows_the_last_run_and_its_counts(demo_warehouse):
    at = _page("overview", demo_warehouse)
    [(status, verdict, articles, statements)] = _sql(
        demo_warehouse, "SELECT status, quality_verdict, n_articles, n_statements FROM runs ORDER BY started_at DESC LIMIT 1")
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown == {"last run": status, "quality gate": verdict, "articles published": str(articles),
                     "statements published": str(statements)}
    runs = at.dataframe[0].value
    assert runs["run_id"].tolist() == [r[0] for r in _sql(demo_warehouse, "SELECT run_id FROM runs ORDER BY started_at DESC")]


def test_a_search_shows_statements_with_their_spans_marked_from_the_stored_offsets(demo_warehouse):
    at = _page("statements", demo_warehouse)
    at.text_input(key="words").input("police said").run()
    assert not at.exception
    cards = [m.value for m in at.markdown if "<mark" in m.value]
    assert len(cards) >= 5, "a search with many matches shows few statements"
    for card in cards[:5]:
        statement_id = re.search(r'data-statement="(\w+)"', card).group(1)
        [spans] = _sql(demo_warehouse, """
            SELECT substr(a.text, s.content_start + 1, s.content_end - s.content_start),
                   substr(a.text, s.cue_start + 1, s.cue_end - s.cue_start),
                   substr(a.text, s.source_start + 1, s.source_end - s.source_start)
            FROM statements s JOIN articles a USING (article_id) WHERE s.statement_id = ?""", [statement_id])
        marked = dict(re.findall(r'<mark title="(\w+)"[^>]*>(.*?)</mark>', card, flags=re.DOTALL))
        assert html.unescape(marked["content"]) == spans[0]
        # A cue or source inside the content is not marked twice; one outside it is marked as stored.
        for name, text in (("cue", spans[1]), ("source", spans[2])):
            assert html.unescape(marked.get(name, text or "")) == (text or "")


def test_filters_narrow_the_statements_to_what_sql_finds(demo_warehouse):
    at = _page("statements", demo_warehouse)
    at.multiselect(key="filter_speaker_type").select("government").run()
    assert not at.exception
    expected = _sql(demo_warehouse, "SELECT count(*) FROM statements_flat WHERE speaker_type = 'government'")[0][0]
    assert at.caption[0].value == f"{min(expected, 50)} statements shown (at most 50)"


def test_a_source_profile_opens_from_its_link_and_counts_its_statements(demo_warehouse):
    [(source_id, name, statements)] = _sql(demo_warehouse, """
        SELECT src.source_id, src.name, count(*) FROM statements s JOIN sources src USING (source_id)
        GROUP BY ALL ORDER BY 3 DESC, 2 LIMIT 1 OFFSET 2""")
    at = _page("source_profile", demo_warehouse, {"source": source_id})
    assert not at.exception
    [header] = [m.value for m in at.markdown if "<h2>" in m.value]
    assert html.unescape(re.sub(r"</?(div|h2)>", "", header)) == name
    assert any(f"{statements} statements" in m.value for m in at.markdown)


def test_outlets_show_the_sourcing_profile_view(demo_warehouse):
    at = _page("outlets", demo_warehouse)
    shown = at.dataframe[0].value
    expected = _sql(demo_warehouse, "SELECT outlet, statements FROM outlet_sourcing_profile ORDER BY statements DESC, outlet")
    assert list(zip(shown["outlet"], shown["statements"])) == expected


def test_quality_lists_the_expectations_of_the_last_run(demo_warehouse):
    at = _page("quality", demo_warehouse)
    shown = at.dataframe[0].value
    assert len(shown) == _sql(demo_warehouse, "SELECT count(*) FROM quality_results")[0][0] and shown["success"].all()


HOSTILE = ('![x](http://127.0.0.1:9/img.png) [Trusted News](http://127.0.0.1:9/fake) $$x^2$$ <img src=http://127.0.0.1:9/raw.png> '
           '<script>alert(1)</script> :red[red] www.example.test &amp; *em* `code`')


def _rendered(markdown: str):
    """CommonMark's reading of `markdown`: its tokens, flattened, and the HTML it would produce."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark")
    tokens = [t for block in parser.parse(markdown) for t in [block, *(block.children or [])]]
    return tokens, parser.render(markdown)


@pytest.mark.parametrize("text", [HOSTILE, HOSTILE.replace(" ", "\n\n", 3), "    indented " + HOSTILE, "\r\n\r\n" + HOSTILE])
def test_page_text_is_shown_as_itself_in_markdown_and_html(text):
    from dashboard.page_text import as_text

    shown = as_text(text)
    tokens, rendered = _rendered(f"said: {shown}")
    assert {t.type for t in tokens} == {"paragraph_open", "paragraph_close", "inline", "text"}
    assert html.unescape(re.sub(r"</?p>", "", rendered))[:-1] == "said: " + text
    assert html.unescape(shown) == text and not re.search(r"[\r\n$\[\]()<>:!`*&]", shown.replace("&#", "").replace(";", ""))
    # Inside an HTML block it stays one line, so Markdown cannot be switched back on by a blank line.
    tokens, _ = _rendered(f'<div data-x="{shown}">{shown}</div>')
    assert [t.type for t in tokens] == ["html_block"]


@pytest.mark.parametrize(("url", "linked"), [("https://example.test/a?b=1&c=2", True), ("http://127.0.0.1:8765/p.html", True),
                                             ("javascript:alert(1)", False), ("data:text/html,<script>x</script>", False),
                                             ("file:///etc/passwd", False), ("//example.test/a", False), ("http:///nohost", False),
                                             ('https://example.test/"><img src=x>\n\n![x](http://e/x)', True)])
def test_only_http_and_https_articles_become_links(url, linked):
    from dashboard.page_text import article_link

    shown = article_link(HOSTILE, url)
    tokens, _ = _rendered(f"<div>{shown}</div>")
    assert [t.type for t in tokens] == ["html_block"]
    hrefs = re.findall(r'href="([^"]*)"', shown)
    assert [html.unescape(h) for h in hrefs] == ([url] if linked else [])
    assert "<img" not in shown and "<script" not in shown and HOSTILE in html.unescape(shown)


def test_a_statement_with_blank_lines_in_its_text_stays_one_html_line():
    from dashboard.marking import marked_sentence

    text = f'Intro. "The bridge will reopen\n\n{HOSTILE}\n \nsoon," the mayor said.'
    start = text.index('"') + 1
    marked = marked_sentence(text, {"content": (start, text.index(',"')), "cue": (text.index("said"), text.index("said") + 4)})
    tokens, _ = _rendered(f"<div>{marked}</div>")
    assert [t.type for t in tokens] == ["html_block"] and "\n" not in marked
    assert re.findall(r"<(\w+)", marked) == ["mark", "mark"]
    assert HOSTILE in html.unescape(marked)


@pytest.mark.parametrize("name", PAGES)
def test_a_damaged_snapshot_is_one_plain_message_without_a_traceback_or_a_path(tmp_path, name):
    from warehouse.snapshot import snapshot_path

    db = tmp_path / "secret-folder" / "w.duckdb"
    db.parent.mkdir()
    snapshot_path(db).write_bytes(b"junk!\n\n")
    at = _page(name, db)
    assert not at.exception
    [message] = [error.value for error in at.error]
    assert "cannot be read" in message and "citeline run" in message and "w.duckdb" in html.unescape(message)
    assert "secret-folder" not in message and str(tmp_path) not in message


def test_sessions_reading_at_once_all_read(demo_warehouse):
    """Streamlit serves each browser session from a thread of one process; none may fail another's read."""
    from concurrent.futures import ThreadPoolExecutor

    from dashboard import queries

    with ThreadPoolExecutor(8) as pool:
        counts = list(pool.map(lambda _: len(queries.last_runs(demo_warehouse)), range(64)))
    assert counts == [counts[0]] * 64 and counts[0] > 0
