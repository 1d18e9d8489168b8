"""ClaimReview markup and fact-check dumps → FactCheck records: every shape, every kind of bad markup as a
reason, the caps, the verdict table, and IDs that stay put. Fixtures (invented) in tests/fixtures/claimreview/."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from citeline.core.workspace import demo_corpus
from extract.claimreview import find_claim_reviews, mentions_claimreview
from extract.fact_checks import REASONS, ClaimReviewLimits
from extract.factcheck_feeds import NotAFactCheckFeed, read_checkthat_claims, read_claimreview_feed, read_factcheck_file
from extract.verdicts import VERDICTS, normalise_rating, scale_verdict, verdict, verdict_table

FIXTURES = Path(__file__).parent / "fixtures" / "claimreview"
TODAY = date(2024, 12, 1)


def read(name: str, url: str = "https://page.example/article") -> tuple[list, list]:
    found = find_claim_reviews((FIXTURES / name).read_bytes(), url, today=TODAY)
    return found.records, found.reasons


def reasons_named(reasons: list, name: str) -> list[str]:
    assert name in REASONS
    return [detail for reason, detail in reasons if reason == name]


# -- shapes ----------------------------------------------------------------------------------------------

def test_single_json_ld_object_gives_every_field() -> None:
    records, reasons = read("single.html")
    assert reasons == []
    [record] = records
    assert record.claim_reviewed == "The mayor of Exampleton banned bicycles from the city centre."
    assert record.claim_author == "Pat Q. Poster"
    assert record.claim_date == date(2024, 3, 1)
    assert record.claim_appearances == ("https://social.example/pat/0", "https://social.example/pat/1", "https://blog.example/post")
    assert record.rating_text == "Pants on Fire!"
    assert (record.rating_value, record.best_rating, record.worst_rating) == (1.0, 6.0, 1.0)
    assert record.verdict == "false"
    assert record.reviewer == "Example Fact Desk"
    assert record.review_date == date(2024, 3, 5)
    assert record.review_url == "https://factcheck.example/reviews/mayor-bicycles"
    assert record.review_headline == "Did the mayor of Exampleton ban bicycles?"
    assert record.language == "en-GB"  # none on the review: the page's
    assert (record.origin, record.found_at) == ("json-ld", "https://page.example/article")
    assert len(record.fact_check_id) == 16 and set(record.fact_check_id) <= set("0123456789abcdef")
    assert record.row()["claim_appearances"] == list(record.claim_appearances)


def test_json_ld_list_with_type_list_string_and_list_authors_and_numeric_rating() -> None:
    records, reasons = read("list.html")
    assert reasons == []
    rain, bridge = records
    assert (rain.claim_reviewed, rain.reviewer, rain.verdict, rain.language) == (
        "It rained frogs in Sampleville last Tuesday.", "Sample Checkers", "false", "en-US")
    assert bridge.reviewer == "Sample Checkers; Partner Desk"
    assert bridge.claim_author == "Alex Example; Sam Sample"
    assert (bridge.rating_text, bridge.rating_value, bridge.verdict) == (None, 4.0, "mostly true")


def test_graph_resolves_id_references_and_language_object() -> None:
    [record], reasons = read("graph.html")
    assert reasons == []
    assert record.reviewer == "Vérif Exemple"
    assert record.claim_author == "Dominique Exemple"
    assert record.claim_date == date(2023, 11, 20)
    assert record.claim_appearances == ("https://video.example/watch/42",)
    assert record.language == "fr"
    # "Faux" is in no table: the number decides, 1 on 1..5.
    assert (record.rating_text, record.verdict) == ("Faux", "false")


def test_reviews_nested_in_an_article_and_an_item_list_and_a_broken_block_beside_them() -> None:
    records, reasons = read("nested.html")
    assert [(r.review_url, r.verdict) for r in records] == [
        ("https://checks.example/roundup#one", "mixed"),
        ("https://checks.example/roundup#two", "mixed"),
        ("https://checks.example/roundup#three", "mostly true"),
    ]
    [malformed] = reasons_named(reasons, "malformed_json")
    assert "JSON-LD block 4" in malformed
    assert len(reasons) == 1


def test_microdata() -> None:
    [record], reasons = read("microdata.html", "https://micro.example/page")
    assert reasons == []
    assert record.origin == "microdata"
    assert record.review_url == "https://micro.example/reviews/micro-1"  # relative, resolved against the page
    assert (record.claim_reviewed, record.claim_author, record.claim_date) == (
        "Owls in Exampleton read the morning newspaper.", "Robin Example", date(2024, 5, 1))
    assert (record.rating_text, record.rating_value, record.verdict) == ("Mostly False", 2.0, "mostly false")
    assert (record.reviewer, record.review_date, record.review_headline) == ("Micro Checks", date(2024, 5, 3), "Do owls read newspapers?")


def test_rdfa() -> None:
    [record], reasons = read("rdfa.html")
    assert reasons == []
    assert record.origin == "rdfa"
    assert (record.claim_reviewed, record.claim_author, record.reviewer) == (
        "The moon over Exampleton is square.", "Casey Example", "RDFa Checks")
    assert (record.review_url, record.review_date, record.verdict) == ("https://rdfa-checks.example/reviews/moon", date(2024, 6, 7), "true")


def test_one_review_in_two_syntaxes_is_one_record() -> None:
    records, reasons = read("both.html")
    assert [record.origin for record in records] == ["json-ld"]
    assert len(reasons_named(reasons, "duplicate")) == 1


def test_review_without_url_takes_the_page_url() -> None:
    page = '<script type="application/ld+json">{"@type": "ClaimReview", "claimReviewed": "A claim"}</script>'
    [record] = find_claim_reviews(page, "https://host.example/a?utm_source=x", today=TODAY).records
    assert record.review_url == "https://host.example/a?utm_source=x"


# -- bad markup: a reason, never an exception --------------------------------------------------------------

def test_broken_markup_gives_each_reason_and_keeps_what_it_can() -> None:
    records, reasons = read("broken.html")
    by_url = {record.review_url: record for record in records}
    # No claimReviewed: skipped.
    assert "https://broken.example/no-claim" not in by_url
    assert any("no-claim" in detail for detail in reasons_named(reasons, "missing_claim"))
    # A number as the claim is kept as text; an object as the rating text, a list as a name, a string as the
    # claim object and a boolean as best rating are each noted.
    wrong = by_url["https://broken.example/wrong-types"]
    assert wrong.claim_reviewed == "42"
    assert (wrong.rating_text, wrong.rating_value, wrong.best_rating) == (None, None, None)
    assert wrong.reviewer == "Broken Checks"
    wrong_types = [d for d in reasons_named(reasons, "wrong_type") if "wrong-types" in d]
    assert any("claimReviewed is a number" in d for d in wrong_types)
    assert any("itemReviewed holds text" in d for d in wrong_types)
    assert any("alternateName is an object" in d for d in wrong_types)
    assert any("bestRating is a boolean" in d for d in wrong_types)
    assert any("ratingValue 'one'" in d for d in reasons_named(reasons, "bad_number"))
    # Dates: not a date, and in the future, both kept as null.
    dated = by_url["https://broken.example/dates"]
    assert (dated.review_date, dated.claim_date) == (None, None)
    assert any("yesterday-ish" in d for d in reasons_named(reasons, "invalid_date"))
    assert any("2999-01-01" in d for d in reasons_named(reasons, "future_date"))
    assert by_url["https://broken.example/invalid-day"].review_date is None
    assert any("2024-02-30" in d for d in reasons_named(reasons, "invalid_date"))
    # A script URL is dropped (the page's URL stands in); so are ftp: and data: appearances.
    scripted = next(r for r in records if r.claim_reviewed == "This review's own URL is a script.")
    assert scripted.review_url == "https://page.example/article"
    assert scripted.claim_appearances == ("https://ok.example/a",)
    bad_urls = reasons_named(reasons, "bad_url")
    assert any("javascript:" in d for d in bad_urls) and any("ftp:" in d for d in bad_urls) and any("data:" in d for d in bad_urls)
    assert len(reasons_named(reasons, "malformed_json")) == 1
    assert len(records) == 4


@pytest.mark.parametrize("block", [
    "",
    "null",
    '"ClaimReview"',
    "[" * 100_000 + "]" * 100_000,
    '{"@type": "ClaimReview", "claimReviewed": ' + "[" * 5_000 + "]" * 5_000 + "}",
    '{"@type": "ClaimReview", "claimReviewed": {"@id": "#self"}, "@id": "#self"}',
    '{"@type": "ClaimReview", "claimReviewed": "x", "author": {"name": {"name": 1}}, "reviewRating": [1, 2]}',
    '{"@type": "ClaimReview", "claimReviewed": "x", "reviewRating": {"ratingValue": "NaN", "bestRating": 1e999}}',
    '{"@type": "ClaimReview", "claimReviewed": "x", "url": "http://[::1", "itemReviewed": {"appearance": [{"url": 5}, null, []]}}',
    '{"@type": "ClaimReview", "claimReviewed": "x", "reviewRating": {"ratingValue": 10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000}}',  # past float's range
    '{"@type": "ClaimReview", "claimReviewed": 99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999}',  # past Python's int-to-text limit
])
def test_hostile_json_ld_never_raises(block: str) -> None:
    page = f'<html><script type="application/ld+json">{block}</script> ClaimReview</html>'
    found = find_claim_reviews(page, "https://page.example/", today=TODAY)
    assert all(reason in REASONS for reason, _detail in found.reasons)
    assert all(record.claim_reviewed for record in found.records)


def test_deep_nesting_is_a_reason_not_a_crash() -> None:
    deep = '{"@type": "ClaimReview", "claimReviewed": "deep"}'
    for _ in range(100):
        deep = '{"@type": "Thing", "about": ' + deep + "}"
    found = find_claim_reviews(f'<script type="application/ld+json">{deep}</script>', "https://p.example/", today=TODAY)
    assert found.records == []
    assert reasons_named(found.reasons, "too_deep")


# -- caps ---------------------------------------------------------------------------------------------------

def test_a_one_megabyte_claim_is_cut_and_noted() -> None:
    claim = "word " * 209_716  # just over 1 MiB
    review = {"@type": "ClaimReview", "url": "https://big.example/r", "claimReviewed": claim}
    page = f'<script type="application/ld+json">{json.dumps(review)}</script>'
    limits = ClaimReviewLimits()
    [record] = (found := find_claim_reviews(page, "https://big.example/", today=TODAY)).records
    assert len(record.claim_reviewed) == limits.max_text_chars
    [cut] = reasons_named(found.reasons, "field_truncated")
    assert "claimReviewed of 1,048,579 characters" in cut


def test_ten_thousand_reviews_on_a_page_keep_the_cap_and_count_the_rest() -> None:
    reviews = [{"@type": "ClaimReview", "url": f"https://many.example/r/{n}", "claimReviewed": f"Claim {n}"} for n in range(10_000)]
    page = f'<script type="application/ld+json">{json.dumps(reviews)}</script>'
    found = find_claim_reviews(page, "https://many.example/", today=TODAY)
    assert len(found.records) == ClaimReviewLimits().max_reviews == 100
    assert found.records[-1].claim_reviewed == "Claim 99"
    [note] = reasons_named(found.reasons, "too_many_reviews")
    assert "10,000 reviews, the first 100 kept, 9,900 left out" in note
    smaller = find_claim_reviews(page, "https://many.example/", ClaimReviewLimits(max_reviews=7), today=TODAY)
    assert len(smaller.records) == 7


def test_too_many_appearances_and_an_overlong_url() -> None:
    review = {"@type": "ClaimReview", "claimReviewed": "x", "url": "https://long.example/" + "a" * 5_000,
              "itemReviewed": {"appearance": [f"https://a.example/{n}" for n in range(50)]}}
    found = find_claim_reviews(f'<script type="application/ld+json">{json.dumps(review)}</script>', "https://p.example/", today=TODAY)
    [record] = found.records
    assert len(record.claim_appearances) == 20
    assert reasons_named(found.reasons, "too_many_appearances")
    assert record.review_url == "https://p.example/"
    assert any("characters; dropped" in d for d in reasons_named(found.reasons, "bad_url"))


# -- the pre-check: ordinary pages pay about nothing ---------------------------------------------------------

def test_demo_news_pages_have_no_reviews_and_fail_the_pre_check() -> None:
    pages = sorted(demo_corpus().glob("*.html"))
    assert len(pages) == 295
    assert not any(mentions_claimreview(page.read_bytes()) for page in pages)
    assert find_claim_reviews(pages[0].read_bytes(), "https://demo.example/").records == []


def test_pre_check_sees_every_syntax() -> None:
    for name in ("single.html", "microdata.html", "rdfa.html"):
        assert mentions_claimreview((FIXTURES / name).read_text(encoding="utf-8"))


# -- verdicts -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("rating", "expected"), [
    ("True", "true"), ("Mostly True", "mostly true"), ("Half True", "mixed"), ("Half-True", "mixed"),
    ("Mostly False", "mostly false"), ("False", "false"), ("Pants on Fire!", "false"), ("PANTS ON FIRE", "false"),
    ("One Pinocchio", "mostly true"), ("Two Pinocchios", "mixed"), ("Three Pinocchios", "mostly false"),
    ("Four Pinocchios", "false"), ("4 Pinocchios", "false"), ("Geppetto Checkmark", "true"),
    ("Mixture", "mixed"), ("Unproven", "other"), ("Miscaptioned", "false"), ("Correct Attribution", "true"),
    ("Misattributed", "false"), ("Scam", "false"), ("Legend", "other"), ("Satire", "other"), ("Outdated", "other"),
    ("Labeled Satire", "other"), ("Research In Progress", "other"),
    ("Misleading", "mostly false"), ("Missing context", "mixed"), ("Partly false", "mostly false"),
    ("Altered", "false"), ("No evidence", "mostly false"), ("Unsupported", "mostly false"), ("Needs context", "mixed"),
    ("Exaggerated", "mostly false"), ("Inaccurate", "false"), ("Correct", "true"), ("Accurate", "true"),
    ("Fake", "false"), ("Hoax", "false"), ("Distorts the Facts", "mostly false"),
    ("False. The photo was taken in 2015.", "false"), ("Misleading: the figure is for one year", "mostly false"),
    ("  mostly   TRUE ", "mostly true"), ("True, but only in one county", "other"), ("Whatever this is", "other"),
])
def test_rating_words_map_to_verdicts(rating: str, expected: str) -> None:
    assert verdict(rating) == expected


@pytest.mark.parametrize(("value", "best", "worst", "expected"), [
    (1, 5, 1, "false"), (2, 5, 1, "mostly false"), (3, 5, 1, "mixed"), (4, 5, 1, "mostly true"), (5, 5, 1, "true"),
    (3, None, None, "mixed"),  # schema.org's defaults, 1..5
    (0, 10, 0, "false"), (5, 10, 0, "mixed"), (7, 10, 0, "mostly true"), (10, 10, 0, "true"),
    (1, 1, 5, "true"),  # a reversed scale
    (6, 5, 1, None), (3, 3, 3, None), (None, 5, 1, None), (float("nan"), 5, 1, None),
])
def test_numeric_ratings_scale_linearly(value, best, worst, expected) -> None:
    assert scale_verdict(value, best, worst) == expected


def test_words_win_over_numbers_and_unknown_is_other() -> None:
    assert verdict("Pants on Fire!", 5, 5, 1) == "false"
    assert verdict("Something new", 5, 5, 1) == "true"
    assert verdict(None) == verdict("") == verdict("Something new") == "other"


def test_verdict_table_is_normalised_and_in_the_set() -> None:
    table = verdict_table()
    assert len(table) > 60
    assert set(table.values()) <= set(VERDICTS)
    assert all(key == normalise_rating(key) for key in table)
    assert normalise_rating("Pants-on-Fire!") == normalise_rating("pants on fire") == "pants on fire"
    assert normalise_rating("Vérifié") == "verifie"


# -- imports ------------------------------------------------------------------------------------------------

def test_data_feed_import() -> None:
    found = read_factcheck_file((FIXTURES / "feed.json").read_bytes(), "feed.json", today=TODAY)
    first, second = found.records
    assert (first.claim_reviewed, first.claim_author, first.claim_date, first.verdict, first.reviewer) == (
        "Exampleland has no coastline.", "Jordan Example", date(2024, 6, 28), "false", "Feed Checks")
    assert first.claim_appearances == ("https://social.example/jordan/9",)
    # No url on the review: the DataFeedItem's.
    assert (second.review_url, second.verdict) == ("https://feedcheck.example/r/2", "mostly false")
    assert {record.origin for record in found.records} == {"claimreview-feed"}
    assert {record.found_at for record in found.records} == {"feed.json"}
    assert [reason for reason, _ in found.reasons] == ["missing_claim"]


def test_bare_list_and_graph_feeds() -> None:
    review = {"@type": "ClaimReview", "url": "https://l.example/1", "claimReviewed": "Listed"}
    as_list = read_claimreview_feed(json.dumps([review]).encode(), "list.json", today=TODAY)
    as_graph = read_claimreview_feed(json.dumps({"@context": "https://schema.org", "@graph": [review]}).encode(), "graph.json", today=TODAY)
    assert [r.claim_reviewed for r in as_list.records] == [r.claim_reviewed for r in as_graph.records] == ["Listed"]
    assert as_list.records[0].fact_check_id == as_graph.records[0].fact_check_id


def test_feed_caps_and_unusable_files() -> None:
    reviews = [{"@type": "ClaimReview", "url": f"https://f.example/{n}", "claimReviewed": f"c{n}"} for n in range(30)]
    body = json.dumps({"@type": "DataFeed", "dataFeedElement": [{"@type": "DataFeedItem", "item": reviews}]}).encode()
    capped = read_factcheck_file(body, "big.json", ClaimReviewLimits(max_feed_reviews=10), today=TODAY)
    assert len(capped.records) == 10
    assert "30 reviews, the first 10 kept, 20 left out" in reasons_named(capped.reasons, "too_many_reviews")[0]
    with pytest.raises(NotAFactCheckFeed, match=r"big\.json: .* bytes, over the limit of 100"):
        read_factcheck_file(body, "big.json", ClaimReviewLimits(max_feed_bytes=100))
    with pytest.raises(NotAFactCheckFeed, match=r"broken\.json: not JSON"):
        read_factcheck_file(b'{"@type": "DataFeed",', "broken.json")
    with pytest.raises(NotAFactCheckFeed, match=r"page\.html: neither"):
        read_factcheck_file(b"<html></html>", "page.html")
    with pytest.raises(NotAFactCheckFeed, match=r"latin\.json: not UTF-8"):
        read_factcheck_file(b'["\xe9"]', "latin.json")


def test_checkthat_layout() -> None:
    found = read_factcheck_file((FIXTURES / "invented_claims_layout.tsv").read_bytes(), "invented_claims_layout.tsv")
    first, second = found.records
    assert (first.origin_id, first.claim_reviewed, first.review_headline) == (
        "0", "Exampleton's clock tower runs backwards on Sundays.", "Does Exampleton's Clock Run Backwards?")
    assert second.claim_reviewed == 'A "fixture" claim that spans two lines.'
    assert {(r.verdict, r.reviewer, r.origin, r.review_url, r.language) for r in found.records} == {
        ("other", "Snopes", "checkthat2020", None, "en")}
    [bad] = reasons_named(found.reasons, "bad_row")
    assert "no claim" in bad


def test_checkthat_row_past_the_csv_field_limit_is_a_reason() -> None:
    body = b'\tvclaim\ttitle\n0\tfine\tt\n1\t"' + b"x" * 200_000 + b'"\tt\n'
    found = read_checkthat_claims(body, "huge.tsv")
    assert [r.claim_reviewed for r in found.records] == ["fine"]
    assert reasons_named(found.reasons, "bad_row")


@pytest.mark.parametrize("name", ["feed.json", "invented_claims_layout.tsv"])
def test_importing_twice_gives_the_same_ids(name: str) -> None:
    body = (FIXTURES / name).read_bytes()
    first = read_factcheck_file(body, name, today=TODAY)
    second = read_factcheck_file(body, f"/elsewhere/{name}", today=TODAY)
    assert [r.fact_check_id for r in first.records] == [r.fact_check_id for r in second.records]
    assert len({r.fact_check_id for r in first.records}) == len(first.records) > 0


def test_ids_depend_on_review_url_and_claim_not_on_spelling() -> None:
    def one(url: str, claim: str) -> str:
        page = f'<script type="application/ld+json">{json.dumps({"@type": "ClaimReview", "url": url, "claimReviewed": claim})}</script>'
        return find_claim_reviews(page, "https://found.example/", today=TODAY).records[0].fact_check_id

    base = one("https://r.example/a", "The claim")
    assert one("HTTPS://R.example/a?utm_source=feed#x", "the  CLAIM") == base
    assert one("https://r.example/b", "The claim") != base
    assert one("https://r.example/a", "Another claim") != base


@pytest.mark.skipif(not (Path(__file__).parent.parent.parent / "shared" / "checkthat2020").is_dir(), reason="../shared absent")
def test_the_real_checkthat_file_reads_every_row() -> None:
    path = Path(__file__).parent.parent.parent / "shared" / "checkthat2020" / "verified_claims.docs.tsv"
    found = read_factcheck_file(path.read_bytes(), path.name)
    assert len(found.records) == 10_375
    assert found.reasons == []


@pytest.mark.parametrize("name", ["single.html", "list.html", "graph.html", "nested.html", "microdata.html", "rdfa.html", "both.html", "broken.html"])
def test_the_pre_check_changes_cost_not_results(name: str) -> None:
    body = (FIXTURES / name).read_bytes()
    fast = find_claim_reviews(body, "https://page.example/article", today=TODAY)
    full = find_claim_reviews(body, "https://page.example/article", today=TODAY, precheck=False)
    assert fast.records == full.records and fast.records


def test_a_feed_review_without_any_url_keeps_its_id_under_another_file_name() -> None:
    body = json.dumps([{"@type": "ClaimReview", "claimReviewed": "No URL anywhere"}]).encode()
    first = read_claimreview_feed(body, "/tmp/a/feed.json", today=TODAY).records
    second = read_claimreview_feed(body, "https://dumps.example/feed.json", today=TODAY).records
    assert first[0].review_url is None
    assert first[0].fact_check_id == second[0].fact_check_id


def test_a_feed_items_url_is_checked_like_any_other() -> None:
    feed = {"@type": "DataFeed", "dataFeedElement": [
        {"@type": "DataFeedItem", "url": "javascript:alert(1)", "item": {"@type": "ClaimReview", "claimReviewed": "Scripted"}}]}
    found = read_claimreview_feed(json.dumps(feed).encode(), "feed.json", today=TODAY)
    assert found.records[0].review_url is None
    assert any("javascript:" in detail for detail in reasons_named(found.reasons, "bad_url"))


def test_microdata_review_nested_in_an_article() -> None:
    page = """<div itemscope itemtype="https://schema.org/NewsArticle"><span itemprop="headline">Roundup</span>
      <div itemprop="review" itemscope itemtype="https://schema.org/ClaimReview">
        <link itemprop="url" href="https://nested.example/r"><span itemprop="claimReviewed">Nested in microdata</span>
        <div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating"><span itemprop="alternateName">Unproven</span></div>
      </div></div>"""
    [record] = find_claim_reviews(page, "https://nested.example/page", today=TODAY).records
    assert (record.claim_reviewed, record.origin, record.verdict) == ("Nested in microdata", "microdata", "other")


def test_extruct_failing_on_a_page_is_a_reason_and_json_ld_still_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    import extruct

    def broken(*_args, **_kwargs):
        raise RuntimeError("parser fell over")

    monkeypatch.setattr(extruct, "extract", broken)
    page = (FIXTURES / "both.html").read_bytes()
    found = find_claim_reviews(page, "https://page.example/", today=TODAY)
    assert [record.origin for record in found.records] == ["json-ld"]
    [unreadable] = reasons_named(found.reasons, "markup_unreadable")
    assert "microdata: RuntimeError: parser fell over" in unreadable


def test_reading_rdfa_and_microdata_fetches_nothing() -> None:
    """A page's vocab, profile and context URLs point at a real server on 127.0.0.1: none is requested."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    requests: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        page = f"""<html lang="en"><head><link rel="profile" href="{base}/profile"></head><body>
          <div vocab="{base}/vocab/" prefix="s: https://schema.org/" typeof="s:ClaimReview">
            <span property="s:claimReviewed">Fetched nothing</span></div>
          <div itemscope itemtype="{base}/ClaimReview"><span itemprop="claimReviewed">Also nothing</span></div>
          <script type="application/ld+json">{{"@context": "{base}/context.jsonld", "@type": "ClaimReview", "claimReviewed": "Nor here"}}</script>
          </body></html>"""
        found = find_claim_reviews(page, "https://page.example/", today=TODAY)
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []
    assert {record.claim_reviewed for record in found.records} == {"Fetched nothing", "Also nothing", "Nor here"}
