"""Claims: statements that make the same claim, reworded, grouped across articles and outlets.

The grouping function on hand-made vectors (order, blocking and splitting do not change the claims; a claim
does not grow by chaining; generic statements stay alone), the warehouse's grouping after a publish
(first appearance, republished articles, an unchanged second pass), and one real `citeline run` over pages
served on 127.0.0.1 in which two outlets carry one claim in different words, a day apart."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest

from tests.support.served_pages import outlet_page, served_pages
from tests.support.warehouse import article, passes, stage_and_load
from transform import claim_grouping
from transform.claim_grouping import Representatives, group
from transform.engine import attribute
from warehouse import claims as claims_module
from warehouse.batch_rows import statement_vector_rows
from warehouse.claims import ClaimsUpdate, claim_id_of, update_claims
from warehouse.rows import RunRows, add_article
from warehouse.store import connect

PROJECT = Path(__file__).resolve().parent.parent
DIM = 384

# One claim in three wordings, each said by someone else, and another claim (invented texts).
TRAM = "The city council said that the new tram line would carry forty thousand passengers a day when it opens next spring."
TRAM_REWORDED = "The new tram line will carry some forty thousand people daily after it opens next spring, the mayor's office said."
STORM = "Police Chief Maria Lopez told reporters that residents should stay indoors until the storm has passed the coast."


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def _topics(seed: int = 7) -> tuple[list[str], list[str], np.ndarray]:
    """Statements on four topics (two or three rewordings each, vectors close to the topic's), one unrelated,
    and generic ones with identical vectors; in an order that interleaves the topics."""
    rng = np.random.default_rng(seed)
    bases = [_unit(rng.standard_normal(DIM)) for _ in range(6)]
    items = [
        (0, "The bridge over the river will reopen to traffic next week after the repairs"),
        (1, "Tickets for the final match sold out within an hour of going on sale online"),
        (0, "After the repairs the bridge over the river reopens to traffic next week"),
        (2, "Unemployment in the region fell to its lowest level in a decade last year"),
        (5, "It is true"),
        (1, "Tickets for the final sold out within one hour of going on sale"),
        (3, "The museum will open a new wing for modern sculpture in the spring"),
        (5, "It is true"),
        (2, "Last year unemployment in the region fell to its lowest level in ten years"),
        (0, "Next week the river bridge will reopen to traffic after repairs"),
        (4, "Farmers expect a poor harvest because of the long dry summer this year"),
        (3, "In spring the museum opens a new wing for modern sculpture"),
        (5, "he said so"),
    ]
    vectors = np.stack([bases[topic] if topic == 5 else _unit(bases[topic] + 0.15 * rng.standard_normal(DIM) / np.sqrt(DIM))
                        for topic, _ in items])
    return [f"s{i:02d}" for i in range(len(items))], [text for _, text in items], vectors


def _claims_of(ids: list[str], representatives: list[str]) -> dict[str, list[str]]:
    claims: dict[str, list[str]] = {}
    for statement_id, representative in zip(ids, representatives):
        claims.setdefault(representative, []).append(statement_id)
    return claims


def test_rewordings_share_a_claim_and_topics_and_generic_statements_stay_apart() -> None:
    ids, texts, vectors = _topics()
    claims = _claims_of(ids, group(ids, texts, vectors, Representatives(DIM)))
    assert sorted(claims.values()) == sorted([["s00", "s02", "s09"], ["s01", "s05"], ["s03", "s08"], ["s04"], ["s06", "s11"],
                                              ["s07"], ["s10"], ["s12"]])


def test_grouping_in_parts_gives_what_grouping_at_once_gives() -> None:
    ids, texts, vectors = _topics()
    at_once = group(ids, texts, vectors, Representatives(DIM))
    for cut in (1, 4, 7, 12):
        known = Representatives(DIM)
        first = group(ids[:cut], texts[:cut], vectors[:cut], known)
        # As the warehouse passes them on: the earlier claims' representatives, read back in id order.
        order = sorted(range(len(known)), key=lambda i: known.ids[i], reverse=True)
        reread = Representatives.of([known.ids[i] for i in order], [texts[ids.index(known.ids[i])] for i in order],
                                    known.vectors[order])
        assert first + group(ids[cut:], texts[cut:], vectors[cut:], reread) == at_once, cut


def test_the_same_statements_in_the_same_order_give_the_same_claims_however_blocked(monkeypatch) -> None:
    ids, texts, vectors = _topics()
    expected = group(ids, texts, vectors, Representatives(DIM))
    assert group(ids, texts, vectors, Representatives(DIM)) == expected
    monkeypatch.setattr(claim_grouping, "BLOCK", 2)
    monkeypatch.setattr(claim_grouping, "REPRESENTATIVES_CHUNK", 3)
    assert group(ids, texts, vectors, Representatives(DIM)) == expected


def test_a_claim_does_not_grow_by_a_chain_of_near_neighbours() -> None:
    # A ~ B and B ~ C (cosine 0.9, three words in common), but A and C share no word and their cosine is 0.62.
    theta = np.arccos(0.9)
    e1, e2 = np.eye(DIM, dtype=np.float32)[0], np.eye(DIM, dtype=np.float32)[1]
    vectors = np.stack([e1, np.cos(theta) * e1 + np.sin(theta) * e2, np.cos(2 * theta) * e1 + np.sin(2 * theta) * e2])
    texts = ["alpha beta gamma delta epsilon zeta", "delta epsilon zeta eta theta iota", "eta theta iota kappa lambda mu"]
    assert group(["a", "b", "c"], texts, vectors, Representatives(DIM)) == ["a", "a", "c"]
    # Nor do generic statements, however alike: each is a claim of its own.
    generic = ["It is true", "It is true", "he said", "he said so"]
    same = np.stack([e1] * 4)
    assert group(["g1", "g2", "g3", "g4"], generic, same, Representatives(DIM)) == ["g1", "g2", "g3", "g4"]


# --- the warehouse ---------------------------------------------------------------------------------------


def _rows(pages: dict[str, tuple[str, str, date]]) -> RunRows:
    """Rows of articles (id -> outlet, text, published date) with their statements and vectors."""
    rows = RunRows()
    for article_id, (outlet, text, published) in pages.items():
        add_article(rows, article=article(article_id, sitename=outlet, published_date=published), text=text,
                    statements=attribute(text), engine_version="test")
    rows.statement_vectors = statement_vector_rows(rows)
    return rows


def _grouped(db: Path) -> ClaimsUpdate:
    con = connect(db)
    try:
        return update_claims(con)
    finally:
        con.close()


def _claims(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT * FROM claims ORDER BY claim_id").fetchall()


def _claim_of(db: Path, text_part: str) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute("SELECT c.* FROM claims c WHERE claim_id IN (SELECT claim_id FROM statements WHERE content LIKE ?)",
                             [f"%{text_part}%"])
        [row] = cursor.fetchall()  # the statements with these words are in one claim
        return dict(zip([d[0] for d in cursor.description], row))


HERALD = ("Harbour Herald", TRAM + " " + STORM, date(2024, 3, 1))
TIMES = ("Valley Times", TRAM_REWORDED, date(2024, 3, 2))


def test_the_warehouse_groups_a_reworded_claim_and_dates_it_by_its_earliest_article(tmp_path) -> None:
    db = tmp_path / "w.duckdb"
    # The later article is published (and so grouped) first: the first appearance goes by date, not by order.
    stage_and_load(db, "run-1", _rows({"times": TIMES, "herald": HERALD}), [], [], passes)
    update = _grouped(db)
    assert update.grouped == 3 and update.founded == 2

    tram = _claim_of(db, "forty thousand")
    with duckdb.connect(str(db), read_only=True) as con:
        first = con.execute("SELECT s.article_id, a.publisher_id, s.source_id FROM statements s JOIN articles a USING (article_id) "
                            "WHERE s.statement_id = ?", [tram["first_statement_id"]]).fetchone()
        outlets = con.execute("SELECT list(DISTINCT outlet ORDER BY outlet) FROM claim_appearances WHERE claim_id = ?",
                              [tram["claim_id"]]).fetchone()[0]
        unclaimed = con.execute("SELECT count(*) FROM statements WHERE claim_id IS NULL").fetchone()[0]
    assert (tram["statements"], tram["articles"], tram["outlets"], tram["sources"]) == (2, 2, 2, 2)
    assert (tram["first_article_id"], tram["first_seen"], tram["last_seen"]) == ("herald", date(2024, 3, 1), date(2024, 3, 2))
    assert first == ("herald", tram["first_outlet_id"], tram["first_source_id"])
    assert outlets == ["Harbour Herald", "Valley Times"] and unclaimed == 0
    assert _claim_of(db, "stay indoors")["statements"] == 1

    before = _claims(db)
    assert _grouped(db) == ClaimsUpdate() and _claims(db) == before  # nothing new: nothing changes


def test_grouping_after_each_publish_gives_the_claims_of_grouping_once(tmp_path) -> None:
    pages = {"herald": HERALD, "times": TIMES}
    once, each = tmp_path / "once.duckdb", tmp_path / "each.duckdb"
    stage_and_load(once, "run-1", _rows(pages), [], [], passes)
    _grouped(once)
    for run, (article_id, page) in enumerate(pages.items()):
        stage_and_load(each, f"run-{run}", _rows({article_id: page}), [], [], passes)
        _grouped(each)
    assert _claims(each) == _claims(once) and len(_claims(once)) == 2


def test_a_republished_article_leaves_its_claims_and_they_are_worked_out_again(tmp_path) -> None:
    db = tmp_path / "w.duckdb"
    stage_and_load(db, "run-1", _rows({"herald": HERALD, "times": TIMES}), [], [], passes)
    _grouped(db)
    grouped = _claims(db)
    tram = _claim_of(db, "forty thousand")

    # The later outlet's article now says something else: the claim is down to the earlier outlet.
    stage_and_load(db, "run-2", _rows({"times": ("Valley Times", STORM.replace("Police", "Fire"), date(2024, 3, 2))}), [], [], passes)
    update = _grouped(db)
    assert update.grouped == 1 and update.changed
    after = _claim_of(db, "forty thousand")
    assert after["claim_id"] == tram["claim_id"]
    assert (after["statements"], after["outlets"], after["last_seen"]) == (1, 1, date(2024, 3, 1))

    # The representative's own article is published anew (same text): its claims are grouped again, the same.
    stage_and_load(db, "run-3", _rows({"times": TIMES}), [], [], passes)
    stage_and_load(db, "run-4", _rows({"herald": HERALD}), [], [], passes)
    update = _grouped(db)
    assert update.dissolved == 2 and update.grouped == 3
    assert _claims(db) == grouped
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM claims WHERE claim_id NOT IN (SELECT claim_id FROM statements)").fetchone()[0] == 0


def test_grouping_cut_short_leaves_nothing_half_written_and_the_next_pass_does_it_all(tmp_path, monkeypatch) -> None:
    db = tmp_path / "w.duckdb"
    stage_and_load(db, "run-1", _rows({"herald": HERALD, "times": TIMES}), [], [], passes)
    # The last write fails (as a process killed there would leave it): statements already given claims roll back.
    monkeypatch.setattr(claims_module, "WRITE_SQL", claims_module.WRITE_SQL + ";SELECT error('cut short here')")
    with pytest.raises(duckdb.Error, match="cut short here"):
        _grouped(db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FILTER (WHERE claim_id IS NOT NULL), (SELECT count(*) FROM claims) FROM statements").fetchone() == (0, 0)
    monkeypatch.undo()
    assert _grouped(db).grouped == 3
    assert _claim_of(db, "forty thousand")["outlets"] == 2


def test_claim_ids_come_from_the_founding_statement() -> None:
    assert claim_id_of("s1") == claim_id_of("s1") != claim_id_of("s2")


# --- a real run ------------------------------------------------------------------------------------------


def _citeline_run(args: list[str], api_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_API_URL": api_url}
    return subprocess.run([str(Path(sys.executable).with_name("citeline")), "run", *args], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.timeout(600)
def test_a_run_over_two_outlets_finds_one_claim_first_seen_on_the_earlier_page(tmp_path, prefect_server) -> None:
    from prefect.settings import PREFECT_API_URL

    pages = {
        "/herald/tram.html": outlet_page("Harbour Herald", "2024-03-01", "Tram line plans", [
            TRAM, "Engineers inspected the route over the weekend and found no problems with the tracks.", STORM]),
        "/times/tram.html": outlet_page("Valley Times", "2024-03-02", "Tram to carry thousands", [
            TRAM_REWORDED, "Construction has been delayed twice because of supply problems and a dispute over the route."]),
    }
    db = tmp_path / "w.duckdb"
    with served_pages(pages) as base:
        # The later page first: the first appearance must come from the dates, not the order of fetching.
        args = [f"{base}/times/tram.html", f"{base}/herald/tram.html", "--db", str(db), "--allow-private-hosts"]
        first = _citeline_run(args, PREFECT_API_URL.value())
        assert first.returncode == 0, first.stderr[-3000:]
        with duckdb.connect(str(db), read_only=True) as con:
            spread = con.execute("""SELECT c.claim_id, c.statements, c.outlets, c.first_seen, a.canonical_url, pub.name
                FROM claims c JOIN articles a ON a.article_id = c.first_article_id JOIN sources pub ON pub.source_id = c.first_outlet_id
                WHERE c.outlets > 1""").fetchall()
            outlets = con.execute("SELECT outlet, day FROM claim_appearances WHERE claim_id = ? ORDER BY appearance",
                                  [spread[0][0]] if spread else [""]).fetchall()
            unclaimed = con.execute("SELECT count(*) FROM statements WHERE claim_id IS NULL").fetchone()[0]
        assert len(spread) == 1, spread
        assert spread[0][1:] == (2, 2, date(2024, 3, 1), f"{base}/herald/tram.html", "Harbour Herald")
        assert outlets == [("Harbour Herald", date(2024, 3, 1)), ("Valley Times", date(2024, 3, 2))]
        assert unclaimed == 0
        claims = _claims(db)

        second = _citeline_run(args, PREFECT_API_URL.value())
        assert second.returncode == 0, second.stderr[-3000:]
    assert "statements grouped" not in second.stdout + second.stderr
    assert _claims(db) == claims
    with duckdb.connect(str(db), read_only=True) as con:
        seconds = con.execute("SELECT stage_seconds FROM runs ORDER BY started_at").fetchall()
    assert len(seconds) == 2 and all('"claims"' in s for (s,) in seconds)
