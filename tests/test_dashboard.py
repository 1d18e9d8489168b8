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
        assert marked["content"] == html.escape(spans[0])
        # A cue or source inside the content is not marked twice; one outside it is marked as stored.
        for name, text in (("cue", spans[1]), ("source", spans[2])):
            assert marked.get(name, html.escape(text or "")) == html.escape(text or "")


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
    assert at.header[0].value == name
    assert f"{statements} statements" in at.markdown[0].value


def test_outlets_show_the_sourcing_profile_view(demo_warehouse):
    at = _page("outlets", demo_warehouse)
    shown = at.dataframe[0].value
    expected = _sql(demo_warehouse, "SELECT outlet, statements FROM outlet_sourcing_profile ORDER BY statements DESC, outlet")
    assert list(zip(shown["outlet"], shown["statements"])) == expected


def test_quality_lists_the_expectations_of_the_last_run(demo_warehouse):
    at = _page("quality", demo_warehouse)
    shown = at.dataframe[0].value
    assert len(shown) == _sql(demo_warehouse, "SELECT count(*) FROM quality_results")[0][0] and shown["success"].all()
