"""The matching step after each publish: statements linked to reworded fact-checks in statement_fact_checks,
only new work done (none at all, no model loaded, when nothing is new), stale matches removed.

Fact-checks here are invented (fixtures), inserted as `fact_checks` rows; statements go through production's
row builder, staging and publish (tests/support/warehouse)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pytest

import transform.encoder
import transform.matching.index
from tests.conftest import PROJECT
from tests.news_server import article_page
from tests.support.served_pages import served_pages
from tests.support.warehouse import passes, run_rows, stage_and_load
from warehouse.batch_rows import statement_vector_rows
from warehouse.fact_check_matching import MATCHES_KEPT, match_fact_checks
from warehouse.snapshot import snapshot_path
from warehouse.store import connect

# A named source repeating, in other words, a claim an (invented) fact-checker rated false.
CRIME_TEXT = ('Senator Maria Lopez said that violent crime in the city has doubled since last year. '
              '"The schools are full," the mayor said.')
OTHER_TEXT = '"The harvest was late this year," the farmers\' union said.'
CRIME_CHECK = ("fc-crime", "Violent crime in the city doubled over the past year.", "No, city crime did not double last year",
               "false", "Pants on Fire")
UNRELATED_CHECKS = [
    ("fc-moon", "The moon landing was filmed in a studio.", "Moon landing hoax claim", "false", "False"),
    ("fc-jobs", "Unemployment fell to its lowest level in fifty years.", "", "true", "True"),
    ("fc-vaccine", "The vaccine contains microchips.", "Microchip vaccine claim is baseless", "false", "False"),
]
MATCH_TABLES = ("fact_check_matches", "fact_check_match_log", "fact_check_vectors")


def _publish(db, run_id: str, texts: dict[str, str]) -> None:
    rows = run_rows(texts)
    rows.statement_vectors = statement_vector_rows(rows)
    stage_and_load(db, run_id, rows, [], [], passes)


def _add_fact_checks(db, checks) -> None:
    con = connect(db)
    try:
        for fact_check_id, claim, headline, verdict, rating in checks:
            con.execute("INSERT INTO fact_checks (fact_check_id, claim_reviewed, review_headline, verdict, rating_text, "
                        "reviewer, review_url, review_date, origin) VALUES (?, ?, ?, ?, ?, 'Invented Checkers', ?, "
                        "DATE '2026-01-15', 'json-ld')",
                        [fact_check_id, claim, headline, verdict, rating, f"https://checks.test/{fact_check_id}"])
    finally:
        con.close()


def _rows(db, table: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def _links(db) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT content, fact_check_id, rank, matched, verdict, rating_text, reviewer, review_url, "
                           "claim_reviewed, score FROM statement_fact_checks ORDER BY statement_id, rank").fetchall()


@pytest.fixture
def counted(monkeypatch):
    """Counts of encoder loads and ClaimIndex builds during the test."""
    counts = {"encoder": 0, "index": 0}
    get_encoder, index_class = transform.encoder.get_encoder, transform.matching.index.ClaimIndex

    def counting_encoder(*args, **kwargs):
        counts["encoder"] += 1
        return get_encoder(*args, **kwargs)

    class CountingIndex(index_class):
        def __init__(self, *args, **kwargs):
            counts["index"] += 1
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(transform.encoder, "get_encoder", counting_encoder)
    monkeypatch.setattr(transform.matching.index, "ClaimIndex", CountingIndex)
    return counts


def test_a_statement_is_linked_to_the_fact_check_of_its_claim_in_other_words(tmp_path):
    db = tmp_path / "w.duckdb"
    _publish(db, "run-1", {"a1": CRIME_TEXT, "a2": OTHER_TEXT})
    _add_fact_checks(db, [CRIME_CHECK, *UNRELATED_CHECKS])

    report = match_fact_checks(db, "run-1")

    assert (report.statements, report.fact_checks, report.encoded, report.matched) == (3, 4, 4, 1)
    links = _links(db)
    assert [link[:9] for link in links if link[3]] == [(
        "that violent crime in the city has doubled since last year", "fc-crime", 1, True, "false", "Pants on Fire",
        "Invented Checkers", "https://checks.test/fc-crime", CRIME_CHECK[1])]
    crime = next(link for link in links if link[1] == "fc-crime")
    assert 0.5 <= crime[9] <= 1 and all(0 <= link[9] < crime[9] for link in links if link is not crime)
    with duckdb.connect(str(db), read_only=True) as con:
        per_statement = con.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM fact_check_matches GROUP BY statement_id)").fetchone()[0]
        vectors = con.execute("SELECT fact_check_id, claim_vector, headline_vector FROM fact_check_vectors "
                              "WHERE fact_check_id = 'fc-crime'").fetchall()
    assert per_statement is None or per_statement <= MATCHES_KEPT
    assert np.allclose(vectors[0][1], transform.encoder.encode([CRIME_CHECK[1]])[0], atol=1e-5)
    assert np.allclose(vectors[0][2], transform.encoder.encode([CRIME_CHECK[2]])[0], atol=1e-5)


def test_with_nothing_new_the_step_loads_no_model_and_changes_nothing(tmp_path, counted):
    db = tmp_path / "w.duckdb"
    _publish(db, "run-1", {"a1": CRIME_TEXT})
    _add_fact_checks(db, [CRIME_CHECK])
    assert match_fact_checks(db, "run-1").matched == 1
    before = {table: _rows(db, table) for table in MATCH_TABLES}
    counted.update(encoder=0, index=0)

    report = match_fact_checks(db, "run-2")

    assert counted == {"encoder": 0, "index": 0}
    assert not report.changed and not report.indexed
    assert {table: _rows(db, table) for table in MATCH_TABLES} == before


def test_statements_with_no_fact_checks_yet_are_logged_without_a_model(tmp_path, counted):
    db = tmp_path / "w.duckdb"
    _publish(db, "run-1", {"a1": CRIME_TEXT})
    counted.update(encoder=0, index=0)

    report = match_fact_checks(db, "run-1")

    assert (report.statements, report.matches, report.indexed) == (2, 0, False)
    assert counted == {"encoder": 0, "index": 0}
    assert len(_rows(db, "fact_check_match_log")) == 2


def test_a_new_fact_check_is_matched_against_earlier_statements_as_a_whole_match_would(tmp_path, counted):
    db = tmp_path / "w.duckdb"
    _publish(db, "run-1", {"a1": CRIME_TEXT, "a2": OTHER_TEXT})
    _add_fact_checks(db, UNRELATED_CHECKS)
    match_fact_checks(db, "run-1")
    assert not [link for link in _links(db) if link[3]]
    _add_fact_checks(db, [CRIME_CHECK])
    counted.update(encoder=0, index=0)

    report = match_fact_checks(db, "run-2")

    assert (report.statements, report.fact_checks, report.encoded, report.matched) == (0, 1, 1, 1)
    assert [link[:2] for link in _links(db) if link[3]] == [(
        "that violent crime in the city has doubled since last year", "fc-crime")]
    # The same rows, scores and ranks as matching everything at once in a fresh warehouse.
    whole = tmp_path / "whole.duckdb"
    _publish(whole, "run-1", {"a1": CRIME_TEXT, "a2": OTHER_TEXT})
    _add_fact_checks(whole, [*UNRELATED_CHECKS, CRIME_CHECK])
    match_fact_checks(whole, "run-1")
    incremental, at_once = _links(db), _links(whole)
    assert [link[:9] for link in incremental] == [link[:9] for link in at_once]
    assert np.allclose([link[9] for link in incremental], [link[9] for link in at_once], atol=1e-6)


def test_a_republished_article_loses_its_stale_matches_and_a_removed_fact_check_its_links(tmp_path):
    db = tmp_path / "w.duckdb"
    _publish(db, "run-1", {"a1": CRIME_TEXT, "a2": CRIME_TEXT.replace("Maria Lopez", "Ann Smith")})
    _add_fact_checks(db, [CRIME_CHECK, *UNRELATED_CHECKS])
    match_fact_checks(db, "run-1")
    assert {link[1] for link in _links(db) if link[3]} == {"fc-crime"} and len([link for link in _links(db) if link[3]]) == 2

    _publish(db, "run-2", {"a1": OTHER_TEXT})  # a1 republished without the claim
    report = match_fact_checks(db, "run-2")

    assert report.removed >= 1 and report.statements == 1
    with duckdb.connect(str(db), read_only=True) as con:
        linked = con.execute("SELECT DISTINCT s.article_id FROM fact_check_matches m JOIN statements s USING (statement_id) "
                             "WHERE m.matched").fetchall()
        orphans = con.execute("SELECT count(*) FROM fact_check_matches WHERE statement_id NOT IN (SELECT statement_id FROM statements)").fetchone()[0]
        logged = con.execute("SELECT count(*) FROM fact_check_match_log l WHERE side = 'statement' AND NOT EXISTS "
                             "(SELECT 1 FROM statements s WHERE s.statement_id = l.item_id AND s.run_id = l.version)").fetchone()[0]
    assert linked == [("a2",)] and orphans == 0 and logged == 0

    con = connect(db)
    con.execute("DELETE FROM fact_checks WHERE fact_check_id = 'fc-crime'")
    con.close()
    match_fact_checks(db, "run-3")
    assert not [link for link in _links(db) if link[1] == "fc-crime"]


def test_a_reworded_fact_check_is_encoded_and_matched_again(tmp_path):
    db = tmp_path / "w.duckdb"
    _publish(db, "run-1", {"a1": CRIME_TEXT})
    fact_check_id, _claim, headline, verdict, rating = CRIME_CHECK
    _add_fact_checks(db, [(fact_check_id, "Crop yields rose by a third in the valley.", headline, verdict, rating)])
    match_fact_checks(db, "run-1")
    assert not [link for link in _links(db) if link[3]]
    con = connect(db)
    con.execute("UPDATE fact_checks SET claim_reviewed = ? WHERE fact_check_id = ?", [CRIME_CHECK[1], fact_check_id])
    con.close()

    report = match_fact_checks(db, "run-2")

    assert (report.fact_checks, report.encoded) == (1, 1)
    assert [link[1] for link in _links(db) if link[3]] == ["fc-crime"]
    assert len(_rows(db, "fact_check_vectors")) == 1


def test_a_subset_of_the_index_scores_its_claims_as_the_whole_index_does():
    from transform.matching import ClaimIndex, FactCheckClaim

    claims = [FactCheckClaim(i, claim, headline) for i, claim, headline, _v, _r in [CRIME_CHECK, *UNRELATED_CHECKS]]
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(2, len(claims), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=2, keepdims=True)
    whole = ClaimIndex(claims, vectors[0], vectors[1])
    query = rng.normal(size=(1, 384)).astype(np.float32)
    statement = ["crime in the city doubled, the moon landing and microchips"]
    every = {m.claim_id: m.score for m in whole.search(statement, query, top_k=len(claims))[0]}
    part = whole.subset([0, 3])
    assert {m.claim_id: m.score for m in part.search(statement, query, top_k=2)[0]} == pytest.approx(
        {"fc-crime": every["fc-crime"], "fc-vaccine": every["fc-vaccine"]})


# Invented pages (fixtures): a fact-check with its ClaimReview, and a news story in which a named source repeats
# the reviewed claim in other words.
REVIEW_PAGE = article_page("Fixture: has city crime doubled?", [
    "Posts shared this week said that violent crime in the city doubled over the past year, an invented claim for this test.",
    "Police records show that violent crime in the city fell by four percent last year, the department said.",
    "We rated the claim Pants on Fire, because the city's own figures show crime falling, not doubling.",
]).replace("</head>", """<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "ClaimReview", "url": "https://checks.test/crime",
 "claimReviewed": "Violent crime in the city doubled over the past year.", "datePublished": "2026-01-15",
 "headline": "No, city crime did not double last year",
 "author": {"@type": "Organization", "name": "Invented Checkers"},
 "reviewRating": {"@type": "Rating", "alternateName": "Pants on Fire!"}}
</script></head>""")
NEWS_PAGE = article_page("Council debates police budget", [
    "The city council met on Tuesday to debate next year's police budget, which rises by four percent.",
    "Senator Maria Lopez said that violent crime in the city has doubled since last year.",
    "The council will vote on the budget in March, its chair said.",
])


def _citeline(*args: str) -> subprocess.CompletedProcess:
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    return subprocess.run([str(Path(sys.executable).with_name("citeline")), *args], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_one_run_over_a_fact_check_page_and_a_news_page_links_them_and_an_unchanged_rerun_adds_nothing(tmp_path, prefect_server):
    db = tmp_path / "w.duckdb"
    with served_pages({"/checks/crime.html": REVIEW_PAGE, "/news/council.html": NEWS_PAGE}) as site:
        args = ["run", f"{site}/checks/crime.html", f"{site}/news/council.html", "--db", str(db), "--allow-private-hosts"]
        first = _citeline(*args)
        assert first.returncode == 0, first.stderr[-2000:]
        linked = _rows(db, "statement_fact_checks")
        matches = _rows(db, "fact_check_matches")
        second = _citeline(*args)
        assert second.returncode == 0, second.stderr[-2000:]

    with duckdb.connect(str(db), read_only=True) as con:
        links = con.execute("SELECT speaker, content, verdict, rating_text, reviewer, review_url, claim_reviewed, "
                            "article_url FROM statement_fact_checks WHERE matched").fetchall()
        runs = con.execute("SELECT n_statements_matched, n_fact_checks_matched, n_matched, stage_seconds FROM runs "
                           "ORDER BY started_at").fetchall()
        statements = con.execute("SELECT count(*) FROM statement_vectors").fetchone()[0]
    assert links == [("Maria Lopez", "that violent crime in the city has doubled since last year", "false",
                      "Pants on Fire!", "Invented Checkers", "https://checks.test/crime",
                      "Violent crime in the city doubled over the past year.", f"{site}/news/council.html")]
    assert [run[:3] for run in runs] == [(statements, 1, 1), (0, 0, 0)]
    assert "match" in json.loads(runs[0][3]) and "match" in json.loads(runs[1][3])
    assert _rows(db, "statement_fact_checks") == linked and _rows(db, "fact_check_matches") == matches
    with duckdb.connect(str(snapshot_path(db)), read_only=True) as con:  # readers see the link
        assert con.execute("SELECT review_url FROM statement_fact_checks WHERE matched").fetchall() == [("https://checks.test/crime",)]


def test_an_import_matches_its_fact_checks_against_the_statements_already_published(tmp_path, prefect_server):
    from flows.factcheck_import import citeline_factcheck_import

    db = tmp_path / "w.duckdb"
    _publish(db, "run-1", {"a1": CRIME_TEXT, "a2": OTHER_TEXT})
    match_fact_checks(db, "run-1")
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps({"@context": "https://schema.org", "@type": "ClaimReview", "url": "https://checks.test/crime",
                                "claimReviewed": CRIME_CHECK[1], "datePublished": "2026-01-15",
                                "author": {"@type": "Organization", "name": "Invented Checkers"},
                                "reviewRating": {"@type": "Rating", "alternateName": "False"}}), encoding="utf-8")

    result = citeline_factcheck_import(source=str(feed), db_path=str(db))

    assert (result["run"]["n_fact_checks_matched"], result["run"]["n_matched"]) == (1, 1)
    assert [(link[0], link[4], link[7]) for link in _links(db) if link[3]] == [
        ("that violent crime in the city has doubled since last year", "false", "https://checks.test/crime")]
    again = citeline_factcheck_import(source=str(feed), db_path=str(db))
    assert (again["new"], again["run"]["n_fact_checks_matched"]) == (0, 0)


def test_a_step_that_died_half_way_is_finished_by_the_next(tmp_path, monkeypatch):
    import warehouse.fact_check_matching as step

    db, whole = tmp_path / "w.duckdb", tmp_path / "whole.duckdb"
    for target in (db, whole):
        _publish(target, "run-1", {"a1": CRIME_TEXT, "a2": OTHER_TEXT})
        _add_fact_checks(target, [CRIME_CHECK, *UNRELATED_CHECKS])
    match_fact_checks(whole, "run-1")
    monkeypatch.setattr(step, "STATEMENT_CHUNK", 1)
    real_rows, calls = step._match_rows, []

    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process killed after its first chunk was committed
        return real_rows(*args, **kwargs)

    monkeypatch.setattr(step, "_match_rows", dying)
    with pytest.raises(KeyboardInterrupt):
        match_fact_checks(db, "run-1")
    assert 0 < len(_rows(db, "fact_check_match_log")) < len(_rows(whole, "fact_check_match_log"))
    monkeypatch.setattr(step, "_match_rows", real_rows)

    report = match_fact_checks(db, "run-2")

    assert report.statements == 2 and report.fact_checks == 4
    assert [link[:9] for link in _links(db)] == [link[:9] for link in _links(whole)]
    assert np.allclose([link[9] for link in _links(db)], [link[9] for link in _links(whole)], atol=1e-6)
    assert len(_rows(db, "fact_check_match_log")) == len(_rows(whole, "fact_check_match_log"))


def test_a_fragment_of_a_few_words_is_not_matched_even_to_a_claim_of_the_same_words(tmp_path):
    db = tmp_path / "w.duckdb"
    _publish(db, "run-1", {"a1": "The minister said that crime doubled."})
    _add_fact_checks(db, [("fc-short", "Crime doubled.", "", "false", "False"), *UNRELATED_CHECKS])

    report = match_fact_checks(db, "run-1")

    assert report.statements == 1 and _links(db) == []


def test_words_no_fact_check_has_count_against_a_statement_s_bm25_share():
    from transform.matching.bm25 import BM25

    scores, ceiling = BM25([["crime", "city", "year"], ["moon", "landing"]]).score([["harvest", "late", "year"]])
    assert 0 < scores[0, 0] / ceiling[0] < 0.5  # "year" alone: before, 1.0 (the unknown words were left out)


def test_the_runs_matching_task_with_nothing_new_imports_neither_the_index_nor_scikit_learn(tmp_path):
    # The flow's task with the default matcher, in a new process as a scheduled run is: with nothing to
    # match it must not pay for importing the matcher's index (and scikit-learn's stop words with it).
    db = tmp_path / "w.duckdb"
    connect(db).close()
    probe = ("import sys; from prefect.logging import disable_run_logger; from flows.pipeline import match_task\n"
             f"with disable_run_logger(): match_task.fn({str(db)!r}, 'run-1')\n"
             "print(sorted(m for m in ('sklearn', 'transform.matching.index') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
