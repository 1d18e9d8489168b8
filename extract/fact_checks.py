"""Fact-check records and their limits: what every reader of ClaimReviews (pages, feeds, dumps) produces.

The reasons a review, or part of one, is left out, cut or kept as null are the names in REASONS.

fact_check_id is the first 16 hex digits of SHA-256 over the review's identity and its claim:
`canonical review URL` (on a page, the page's URL when the review names none; in a dump without URLs,
`checkthat2020:vclaim_id`, or for a feed item with no URL at all just `claimreview-feed`),
a newline, then the claim with its case and spacing normalised. The same review read twice (a re-run, an
import twice, or the same review in JSON-LD and microdata on one page) has one ID.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sized
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, NamedTuple

from extract.urls import UnsupportedURL, canonicalize_url

# Why a review, or part of one, was left out, cut or kept as null.
REASONS = {
    "malformed_json": "a JSON-LD block (or feed) is not JSON; the block is skipped, the page's other blocks still read",
    "markup_unreadable": "extruct could not read the page's microdata or RDFa; that syntax is skipped",
    "too_deep": "JSON nested deeper than max_depth; the part below is not searched",
    "missing_claim": "a ClaimReview with no claimReviewed text; the review is skipped",
    "wrong_type": "a field of the wrong kind (a number or several values where one text is expected, an object "
                  "where a text or number is); a number is used as text, the first of several values is kept, "
                  "anything else is null",
    "field_truncated": "a text longer than max_text_chars is cut to it",
    "too_many_reviews": "more reviews than max_reviews on one page (or in one feed); the rest are left out and counted",
    "too_many_appearances": "more claim appearances than max_appearances; the rest are left out",
    "invalid_date": "a date that is not ISO 8601 (YYYY-MM-DD, optionally with a time); kept as null",
    "future_date": "a date after today (a day's grace for time zones); kept as null",
    "bad_url": "a URL that is not http(s), not a URL, or longer than max_url_chars; dropped",
    "bad_number": "a rating number that is not a finite number; kept as null",
    "duplicate": "the same fact_check_id twice in one page or file (e.g. in JSON-LD and in microdata); one is kept",
    "bad_row": "a row of a CheckThat! file without a claim, or one the CSV reader cannot read",
}

ORIGINS = ("json-ld", "microdata", "rdfa", "claimreview-feed", "checkthat2020")


@dataclass(frozen=True)
class ClaimReviewLimits:
    """Bounds on what one page or one imported file may make us hold; the defaults are the one source."""

    max_reviews: int = 100  # per page: a real fact-check page carries one to a few dozen
    max_feed_reviews: int = 1_000_000  # per imported file
    max_feed_bytes: int = 256 * 1024 * 1024
    max_text_chars: int = 2_000  # claims run to a few hundred characters; headlines and names less
    max_url_chars: int = 2_048
    max_appearances: int = 20
    max_depth: int = 64  # JSON-LD nesting searched for reviews (a DataFeed sits 4 deep)


DEFAULT_LIMITS = ClaimReviewLimits()  # the one source of the defaults, for every reader of reviews


class Reason(NamedTuple):
    """One thing left out, cut or nulled, and where: `reason` is a key of REASONS."""

    reason: str
    detail: str


@dataclass(frozen=True)
class FactCheck:
    """One ClaimReview, as a row of the future fact_checks table."""

    fact_check_id: str
    claim_reviewed: str
    claim_author: str | None
    claim_date: date | None
    claim_appearances: tuple[str, ...]
    rating_text: str | None
    rating_value: float | None
    best_rating: float | None
    worst_rating: float | None
    verdict: str
    reviewer: str | None
    review_date: date | None
    review_url: str | None
    review_headline: str | None
    language: str | None
    origin: str  # one of ORIGINS: how it was read
    found_at: str  # the page URL or the imported file it came from
    origin_id: str | None = None  # the review's key in its origin (a CheckThat! vclaim_id)

    def row(self) -> dict[str, Any]:
        values = asdict(self)
        values["claim_appearances"] = list(self.claim_appearances)
        return values


@dataclass
class ClaimReviews:
    """What one page or file gave: records, and the reasons for what it did not."""

    records: list[FactCheck] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)


def fact_check_id(review_url: str | None, claim: str, fallback_key: str) -> str:
    """Stable ID of a review: its canonical URL (else `fallback_key`) and its claim, normalised; see the module doc."""
    try:
        identity = canonicalize_url(review_url) if review_url else fallback_key
    except UnsupportedURL:
        identity = fallback_key
    claim_key = " ".join(unicodedata.normalize("NFKC", claim).casefold().split())
    return hashlib.sha256(f"{identity}\n{claim_key}".encode()).hexdigest()[:16]


def note_cap(nodes: Sized, cap: int, where: str, reasons: list[Reason]) -> None:
    """Record a `too_many_reviews` reason if there are more than `cap` (the caller keeps the first `cap`)."""
    if len(nodes) > cap:
        reasons.append(Reason("too_many_reviews", f"{where}: {len(nodes):,} reviews, the first {cap:,} kept, {len(nodes) - cap:,} left out"))
