"""Pages in, article records out: extracting the pages extract.collect gathered (from their bodies, or the raw store)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from extract.decode import decode_html
from extract.extraction import ExtractionFailed, extract_article
from extract.fetch import FetchOutcome, Outcome
from extract.raw_store import RawStore
from extract.urls import UnsupportedURL, canonicalize_url, same_site, url_id


@dataclass
class ArticleRecord:
    """One extracted article, ready for attribution and loading."""

    article_id: str
    canonical_url: str
    url: str
    final_url: str | None
    title: str | None
    author: str | None
    published_date: str | None
    sitename: str | None
    language: str | None
    text: str
    raw_sha256: str | None
    fetched_at: datetime
    extracted_at: datetime
    # The canonical URL the page declared on another site, which does not name the article (see _article_url).
    untrusted_canonical_url: str | None = None
    # How much of `text` attribution read, and why not all of it (set by the flow: flows.batches.bound_attribution).
    attributed_chars: int | None = None
    attribution_limit: str | None = None

    def attributed_text(self) -> str:
        """The part of the text attribution reads: from the start, `attributed_chars` long (all of it if unset)."""
        return self.text if self.attributed_chars is None else self.text[: self.attributed_chars]


@dataclass
class PageFailure:
    stage: str
    url: str
    error_class: str
    detail: str

    def row(self) -> dict[str, Any]:
        return {"stage": self.stage, "url": self.url, "error_class": self.error_class, "detail": self.detail}


def needs_extraction(outcome: FetchOutcome) -> bool:
    """A page this run fetched (or reprocesses) that is not a feed and not already published unchanged."""
    return outcome.outcome in {Outcome.FETCHED, Outcome.REPROCESSED} and not outcome.is_feed and not outcome.unchanged


# Called with each page read (its outcome, raw bytes, and the article it gave, or None): what else reads
# a page (extract.page_reviews' ClaimReview scan) does so here, without reading it from the store again.
OnPage = Callable[[FetchOutcome, bytes, "ArticleRecord | None"], None]


def extract_pages(outcomes: list[FetchOutcome], raw_store: RawStore | None = None,
                  on_page: OnPage | None = None) -> tuple[list[ArticleRecord], list[PageFailure]]:
    """Extract every fetched HTML page (its body, or else its page in `raw_store`); a page without article
    text becomes a failure with its reason. `on_page` sees every page read, article or not."""
    articles: list[ArticleRecord] = []
    failures: list[PageFailure] = []
    seen: set[str] = set()
    for outcome in outcomes:
        if not needs_extraction(outcome):
            continue
        body = outcome.body
        if body is None and raw_store is not None and outcome.raw_sha256 is not None:
            try:
                body = raw_store.get(outcome.raw_sha256)
            except OSError as error:
                failures.append(PageFailure("extract", outcome.url, "raw_page_missing", f"{outcome.raw_sha256}: {error.strerror}"))
                continue
        if body is None:
            continue
        html = decode_html(body, outcome.charset)
        try:
            extracted = extract_article(html, url=outcome.final_url if (outcome.final_url or "").startswith("http") else None)
        except ExtractionFailed as error:
            failures.append(PageFailure("extract", outcome.url, "no_text", str(error)))
            if on_page is not None:
                on_page(outcome, body, None)
            continue
        canonical, untrusted = _article_url(extracted.url, outcome)
        article_id = url_id(canonical)
        if article_id in seen:
            continue  # Two URLs declaring one canonical page: the first one stands for both.
        seen.add(article_id)
        article = ArticleRecord(
            article_id=article_id, canonical_url=canonical, url=outcome.url, final_url=outcome.final_url,
            title=extracted.title, author=extracted.author, published_date=extracted.date,
            sitename=extracted.sitename, language=extracted.language, text=extracted.text,
            raw_sha256=outcome.raw_sha256, fetched_at=outcome.fetched_at,
            extracted_at=datetime.now(UTC), untrusted_canonical_url=untrusted,
        )
        articles.append(article)
        if on_page is not None:
            on_page(outcome, body, article)
    return articles, failures


def with_bodies(outcomes: list[FetchOutcome], raw_store: RawStore) -> tuple[list[FetchOutcome], list[PageFailure]]:
    """The pages of `outcomes` that need extraction, as copies carrying their body from `raw_store`, so
    another machine can extract them without the store; a page missing from it is a failure, as
    `extract_pages` would make it."""
    pages: list[FetchOutcome] = []
    failures: list[PageFailure] = []
    for outcome in outcomes:
        if not needs_extraction(outcome):
            continue
        if outcome.body is None and outcome.raw_sha256 is not None:
            try:
                outcome = replace(outcome, body=raw_store.get(outcome.raw_sha256))
            except OSError as error:
                failures.append(PageFailure("extract", outcome.url, "raw_page_missing", f"{outcome.raw_sha256}: {error.strerror}"))
                continue
        pages.append(outcome)
    return pages, failures


def _article_url(declared: str | None, outcome: FetchOutcome) -> tuple[str, str | None]:
    """The article's URL, and the declared canonical URL when it was not trusted to name the article.

    A page's declared http(s) canonical names the article only when it is on the page's own site
    (extract.urls.same_site): otherwise any page could declare another outlet's article as its own and
    replace that article's row and statements. An untrusted one is kept for the record, and the page is
    the article at the URL it came from. A local file has no site: the user who hands it over vouches
    for it, and its declared canonical is the only web address it has.
    """
    came_from = outcome.final_url or outcome.canonical_url
    untrusted = None
    if declared and declared.startswith(("http://", "https://")) and came_from.startswith(("http://", "https://")) \
            and not same_site(declared, came_from):
        declared, untrusted = None, declared[:2048]  # a record, not a key: a page cannot make it huge
    for candidate in (declared, outcome.final_url, outcome.canonical_url):
        if candidate and candidate.startswith(("http://", "https://")):
            try:
                return canonicalize_url(candidate), untrusted
            except UnsupportedURL:
                continue
    return outcome.canonical_url, untrusted
