"""The Fact-checks and Claims pages, and a statement's matches on the Statements page, through Streamlit's
test harness: a small warehouse published by the real loader, with invented fact-checks, matches,
check-worthiness and claims (tests/support/fact_check_half.py), checked against the same questions in SQL."""

from __future__ import annotations

import html
import re

import duckdb
import pytest
from markdown_it import MarkdownIt

from dashboard.pages import ARTICLE_CLAIMS_MISSING, CLAIMS_MISSING, FACT_CHECKS_MISSING, WORTHINESS_MISSING
from tests.support.fact_check_half import Invented, invent
from tests.support.warehouse import article, passes, stage_and_load
from tests.test_dashboard import _page
from transform.engine import attribute
from warehouse.rows import RunRows, add_article
from warehouse.snapshot import publish_snapshot, snapshot_path

HOSTILE = "<script>alert('claim')</script> ![x](http://127.0.0.1:9/img.png) $$x^2$$"
# Two runs: the second (the latest) adds one article. Outlets repeat, so a claim can spread over some.
RUNS = {
    "run-1": {"a1": ("Morning Post", "2024-03-01", '"The bridge will reopen next week," the mayor said. The council said that the repairs cost two million euros.'),
              "a2": ("Evening Star", "2024-03-02", '"The bridge reopens next week," said the mayor on Monday. Police said that traffic would be limited at first.'),
              "a3": ("Harbour Times", "2024-03-03", '"Our schools will get new roofs," the minister said. The union said that teachers were not consulted.'),
              "a4": ("Morning Post", "2024-03-04", '"Prices fell in March," the statistics office said. Shopkeepers said that sales were still weak.')},
    "run-2": {"a5": ("Evening Star", "2024-03-05", '"The bridge is open again," the mayor said. Drivers said that the queues were long.')},
}


def _publish(db) -> None:
    for number, (run_id, articles) in enumerate(RUNS.items()):
        rows = RunRows()
        for article_id, (site, day, text) in articles.items():
            add_article(rows, article=article(article_id, sitename=site, published_date=day, title=f"Story {article_id}"),
                        text=text, statements=attribute(text), engine_version="test")
        stage_and_load(db, run_id, rows, [], [], passes)
        with duckdb.connect(str(db)) as con:  # what the flow's record step writes
            con.execute("INSERT INTO runs (run_id, started_at, status) VALUES (?, TIMESTAMPTZ '2024-03-06 10:00:00+00' + to_hours(?), 'published')",
                        [run_id, number])
    publish_snapshot(db)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> tuple:
    """(warehouse, what was invented in its snapshot)."""
    db = tmp_path_factory.mktemp("fact-checks") / "w.duckdb"
    _publish(db)
    return db, invent(snapshot_path(db), hostile=HOSTILE)


def _older(folder, columns: tuple[str, ...]):
    """A warehouse as an older citeline wrote it: no matches, claims or outlets' sentences, nor `columns`."""
    db = folder / "w.duckdb"
    _publish(db)
    with duckdb.connect(str(snapshot_path(db))) as con:
        con.execute("DROP VIEW IF EXISTS statement_fact_checks")
        con.execute("DROP TABLE IF EXISTS claims")
        con.execute("DROP TABLE IF EXISTS article_claims")
        for column in ("claim_id", *columns):
            con.execute(f"ALTER TABLE statements DROP COLUMN IF EXISTS {column}")
    return db


@pytest.fixture(scope="module")
def older_warehouse(tmp_path_factory):
    """Written before the fact-check half (migration 011): not even check-worthiness columns."""
    return _older(tmp_path_factory.mktemp("older"), ("check_worthiness", "check_worthy"))


@pytest.fixture(scope="module")
def unmatched_warehouse(tmp_path_factory):
    """Written after migration 011 but before matching and claim grouping."""
    return _older(tmp_path_factory.mktemp("unmatched"), ())


def _sql(db, sql: str, params=None) -> list:
    with duckdb.connect(str(snapshot_path(db)), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _attributes(at, attribute_name: str) -> list[str]:
    """The values of `attribute_name` in what the page shows, in order (unescaped)."""
    return [html.unescape(value) for m in [*at.markdown, *at.caption] for value in re.findall(f'{attribute_name}="([^"]*)"', m.value)]


def _cards(at) -> list[tuple[str, list[str]]]:
    """The Fact-checks page's statements in order, each with the fact-checks shown under it."""
    cards: list[tuple[str, list[str]]] = []
    for value in (m.value for m in at.markdown):
        for statement in re.findall(r'data-statement="([^"]*)"', value):
            cards.append((html.unescape(statement), []))
        for fact_check in re.findall(r'data-fact-check="([^"]*)"', value):
            cards[-1][1].append(html.unescape(fact_check))
    return cards


def _expected_cards(db, invented: Invented, verdicts: tuple[str, ...] = ()) -> list[tuple[str, list[str]]]:
    matches = [(s, fc, rank) for s, fc, _score, rank, matched in invented.matches
               if matched and (not verdicts or invented.fact_checks[fc]["verdict"] in verdicts)]
    days = dict(_sql(db, "SELECT statement_id, coalesce(published_date, fetched_date) FROM statements_flat"))
    order = sorted({s for s, _fc, _r in matches}, key=lambda s: (-days[s].toordinal(), s))
    return [(s, [fc for t, fc, _r in sorted(matches, key=lambda m: m[2]) if t == s]) for s in order]


def test_fact_checks_lists_matched_statements_newest_first_with_their_fact_checks(warehouse):
    db, invented = warehouse
    at = _page("fact_checks", db)
    assert not at.exception and not at.error
    assert _cards(at) == _expected_cards(db, invented)
    assert len(_cards(at)) == 3  # the statement matched only below the threshold is not there
    assert at.caption[0].value == "3 statements a fact-check matched, newest first (at most 50)"
    shown = "\n".join(html.unescape(m.value) for m in at.markdown)
    pants = invented.fact_checks["fc-pants"]
    assert f"<b>{pants['verdict']}</b> · rated “{pants['rating_text']}” by {pants['reviewer']} on {pants['review_date']} · score 0.93" in shown
    assert pants["claim_reviewed"] in shown
    # Each statement is marked in its article: the marked content is the stored span.
    for value in (m.value for m in at.markdown if "data-statement" in m.value):
        statement_id = html.unescape(re.search(r'data-statement="([^"]*)"', value).group(1))
        [(content,)] = _sql(db, "SELECT content FROM statements WHERE statement_id = ?", [statement_id])
        assert html.unescape(re.search(r'<mark title="content"[^>]*>(.*?)</mark>', value).group(1)) == content


def test_the_review_link_is_the_review_address_and_only_when_it_is_http(warehouse):
    db, invented = warehouse
    at = _page("fact_checks", db)
    hrefs = [html.unescape(h) for m in at.markdown if "data-fact-check" in m.value for h in re.findall(r'href="([^"]*)"', m.value)]
    assert sorted(set(hrefs)) == sorted({invented.fact_checks[fc]["review_url"] for fc in ("fc-pants", "fc-mostly")})
    [line] = [m.value for m in at.markdown if 'data-fact-check="fc&#45;hostile"' in m.value]
    assert "href" not in line and "review · javascript:alert(1)" in html.unescape(line)


@pytest.mark.parametrize(("key", "value"), [("verdict", "mostly true"), ("verdict", "false"), ("outlet", "Evening Star")])
def test_a_filter_narrows_the_fact_checks_to_what_sql_finds(warehouse, key, value):
    db, invented = warehouse
    at = _page("fact_checks", db)
    at.multiselect(key=f"fact_check_{key}").select(value).run()
    assert not at.exception
    if key == "verdict":
        expected = _expected_cards(db, invented, (value,))
    else:
        outlets = dict(_sql(db, "SELECT statement_id, outlet FROM statements_flat"))
        expected = [card for card in _expected_cards(db, invented) if outlets[card[0]] == value]
    assert _cards(at) == expected and 0 < len(expected) < 3


def test_hostile_review_and_claim_text_reaches_markdown_only_escaped_inside_one_line_html(warehouse):
    db, _ = warehouse
    for name in ("fact_checks", "claims"):
        at = _page(name, db)
        carrying = [m.value for m in [*at.markdown, *at.caption] if "<script>" in html.unescape(m.value)]
        assert carrying, f"no hostile text reached the {name} page"
        for value in carrying:
            assert [t.type for t in MarkdownIt("commonmark").parse(value)] == ["html_block"], value
            assert "<script" not in value and "](" not in value and "$" not in value
            assert HOSTILE in html.unescape(value)


def test_a_statement_shows_the_fact_checks_that_matched_it(warehouse):
    db, invented = warehouse
    statement, *_ = invented.matches[0]
    [(speaker,)] = _sql(db, "SELECT speaker FROM statements_flat WHERE statement_id = ?", [statement])
    at = _page("statements", db)
    at.multiselect(key="filter_speaker").select(speaker).run()
    assert not at.exception and not at.error
    shown = [_attributes_of(c.value) for c in at.caption if "fact-checked:" in c.value]
    speakers = dict(_sql(db, "SELECT statement_id, speaker FROM statements_flat"))
    expected = [fc for s, fc, _score, _rank, matched in sorted(invented.matches, key=lambda m: (m[0], m[3]))
                if matched and speakers[s] == speaker]
    assert [fc for line in shown for fc in line] == expected and "fc-pants" in expected


def _attributes_of(value: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(r'data-fact-check="([^"]*)"', value)]


def test_claims_shows_the_latest_runs_most_check_worthy_statements(warehouse):
    db, _ = warehouse
    at = _page("claims", db)
    assert not at.exception and not at.error
    expected = [s for (s,) in _sql(db, """SELECT statement_id FROM statements WHERE run_id = 'run-2' AND check_worthiness IS NOT NULL
                                          ORDER BY check_worthiness DESC, statement_id""")]
    assert _attributes(at, "data-worthy") == expected and expected
    assert any(c.value.startswith("run run-2 ") for c in at.caption)


def test_claims_shows_the_sentences_the_outlets_wrote_themselves_most_check_worthy_first(warehouse):
    db, _ = warehouse
    at = _page("claims", db)
    expected = [f"{a}:{start}" for a, start in _sql(db, """SELECT c.article_id, c.sentence_start FROM article_claims c JOIN articles a USING (article_id)
                                                           WHERE a.run_id = 'run-2' ORDER BY c.check_worthiness DESC, 1, 2""")]
    assert _attributes(at, "data-article-claim") == expected and expected


def test_claims_that_spread_show_their_first_appearance_and_the_outlets_that_carried_them(warehouse):
    db, invented = warehouse
    at = _page("claims", db)
    spread = _sql(db, "SELECT claim_id, outlets FROM claims WHERE outlets >= 2 ORDER BY outlets DESC, first_seen, claim_id")
    assert _attributes(at, "data-claim") == [claim for claim, _ in spread] == ["claim-wide", "claim-narrow"]
    text = [html.unescape(m.value) for m in [*at.markdown, *at.caption]]
    for claim_id, _outlets in spread:
        [(day, outlet, speaker)] = _sql(db, """SELECT c.first_seen, pub.name, sp.name FROM claims c JOIN sources pub ON pub.source_id = c.first_outlet_id
                                               JOIN sources sp ON sp.source_id = c.first_source_id WHERE claim_id = ?""", [claim_id])
        assert any(f"first appeared on {day} in <b>{outlet}</b>, said by <b>{speaker}</b>" in line for line in text)
        carriers = _sql(db, """SELECT pub.name, min(a.published_date) FROM statements s JOIN articles a USING (article_id)
                               JOIN sources pub ON pub.source_id = a.publisher_id WHERE s.claim_id = ? GROUP BY 1 ORDER BY 2, 1""", [claim_id])
        assert "<div>carried by: " + " · ".join(f"{name} ({day})" for name, day in carriers) + "</div>" in text
    assert len(invented.claims["claim-alone"]) == 1  # carried by one outlet: not shown


def test_the_claims_filters_change_what_shows(warehouse):
    db, _ = warehouse
    at = _page("claims", db)
    at.number_input(key="claims_min_outlets").set_value(3).run()
    assert _attributes(at, "data-claim") == [c for (c,) in _sql(db, "SELECT claim_id FROM claims WHERE outlets >= 3")] == ["claim-wide"]
    at = _page("claims", db)
    at.multiselect(key="claims_outlet").select("Evening Star").run()
    assert not at.exception
    expected = [s for (s,) in _sql(db, """SELECT statement_id FROM statements_flat f JOIN statements s USING (statement_id)
                                          WHERE s.run_id = 'run-2' AND f.outlet = 'Evening Star' ORDER BY s.check_worthiness DESC, statement_id""")]
    assert _attributes(at, "data-worthy") == expected


@pytest.mark.parametrize(("name", "messages"), [("fact_checks", [FACT_CHECKS_MISSING]), ("claims", [WORTHINESS_MISSING, ARTICLE_CLAIMS_MISSING, CLAIMS_MISSING])])
def test_a_warehouse_from_before_the_fact_check_half_is_explained_not_an_error(older_warehouse, name, messages):
    at = _page(name, older_warehouse)
    assert not at.exception and not at.error
    assert [info.value for info in at.info] == messages


def test_the_statements_page_of_a_warehouse_without_matching_shows_statements_without_matches(unmatched_warehouse):
    at = _page("statements", unmatched_warehouse)
    assert not at.exception and not at.error and not at.info
    assert len([m for m in at.markdown if "data-statement" in m.value]) == 10
    assert not [c for c in at.caption if "fact-checked" in c.value]
