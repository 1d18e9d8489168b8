"""The ClaimReviews on the pages a run extracts: each page scanned once, as extraction reads it.

extract.pages.extract_pages calls a ReviewScan with every page it reads (its raw bytes, and the article
it gave or None), so the scan costs no second read of the raw store; a page that does not name
ClaimReview costs only extract.claimreview's byte search. Each page's reviews are kept with its article;
a page that gave no article (too little text, say) still gives its reviews, with no article.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from extract.claimreview import find_claim_reviews
from extract.fact_checks import DEFAULT_LIMITS, ClaimReviewLimits, ClaimReviews, Reason
from extract.fetch import FetchOutcome
from extract.pages import ArticleRecord


@dataclass
class PageReviews:
    """What one page's markup gave: reviews and reasons, the URL they were read at, and its article."""

    url: str
    article_id: str | None
    found: ClaimReviews


@dataclass
class ReviewScan:
    """Collects the ClaimReviews of the pages extract_pages reads (pass it as `on_page`)."""

    limits: ClaimReviewLimits = DEFAULT_LIMITS
    today: date | None = None
    pages: list[PageReviews] = field(default_factory=list)

    def __call__(self, outcome: FetchOutcome, body: bytes, article: ArticleRecord | None) -> None:
        # The article's canonical URL when it has a web one: relative links resolve against it, and it is
        # the review URL (so part of the fact_check_id) of a review naming none, the same however the page
        # was reached (tracking parameters, a redirect).
        url = article.canonical_url if article and article.canonical_url.startswith(("http://", "https://")) \
            else outcome.final_url or outcome.canonical_url
        try:
            found = find_claim_reviews(body, url, self.limits, self.today)
        except Exception as error:  # noqa: BLE001 - it records what it cannot read; anything else still must not stop the run's other pages
            found = ClaimReviews(reasons=[Reason("markup_unreadable", f"{url}: {type(error).__name__}: {str(error)[:200]}")])
        if found.records or found.reasons:
            self.pages.append(PageReviews(url, article.article_id if article else None, found))
