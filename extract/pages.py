"""Pages in, article records out: fetch (expanding feeds and sitemaps) or read local files, then extract."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from extract.decode import decode_html
from extract.extraction import EXTRACTOR_VERSION, ExtractionFailed, extract_article
from extract.feeds import NESTED, NotAFeed, iter_feed
from extract.fetch import FetchOutcome, FetchPolicy, fetch_urls
from extract.raw_store import RawStore
from extract.urls import UnsupportedURL, canonicalize_url, dedupe_urls, same_site, url_id

MAX_FEED_DEPTH = 3


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
    # How much of `text` attribution read, and why not all of it (set by the flow: citeline.batches.bound_attribution).
    attributed_chars: int | None = None
    attribution_limit: str | None = None

    def attributed_text(self) -> str:
        """The part of the text attribution reads: from the start, `attributed_chars` long (all of it if unset)."""
        return self.text if self.attributed_chars is None else self.text[: self.attributed_chars]

    def row(self) -> dict[str, Any]:
        from warehouse.rows import parse_date

        return {
            "article_id": self.article_id, "canonical_url": self.canonical_url, "url": self.url,
            "final_url": self.final_url, "title": self.title, "author": self.author,
            "published_date": parse_date(self.published_date), "sitename": self.sitename,
            "language": self.language, "text_sha256": hashlib.sha256(self.text.encode("utf-8")).hexdigest(),
            "raw_sha256": self.raw_sha256, "fetched_at": self.fetched_at, "extracted_at": self.extracted_at,
            "extractor_version": EXTRACTOR_VERSION, "untrusted_canonical_url": self.untrusted_canonical_url,
            "attributed_chars": len(self.attributed_text()), "attribution_limit": self.attribution_limit,
        }


@dataclass
class PageFailure:
    stage: str
    url: str
    error_class: str
    detail: str

    def row(self) -> dict[str, Any]:
        return {"stage": self.stage, "url": self.url, "error_class": self.error_class, "detail": self.detail}


def fetch_inputs(
    urls: list[str],
    policy: FetchPolicy,
    raw_store: RawStore | None,
    on_done: Callable[[FetchOutcome], None] | None = None,
    validators: dict[str, tuple[str | None, str | None]] | None = None,
) -> list[FetchOutcome]:
    """Fetch URLs, following feeds and sitemaps to their articles; one outcome per distinct URL.

    A run fetches at most `policy.max_urls` URLs and reads at most `policy.max_sitemaps` sitemaps named by
    sitemap indexes; what is left is recorded (a skipped row per listed URL; on a feed's own row, how many
    of its links were not followed and why). Feed bodies go to a temporary folder as they arrive and are
    read from there one at a time, incrementally, so neither the bodies nor their links pile up in memory.
    """
    listed, rejected = dedupe_urls(urls)
    pending, over = listed[: policy.max_urls], listed[policy.max_urls :]
    outcomes = [
        FetchOutcome(url=url, canonical_url=url, outcome="skipped", error_class=why.error_class, error=str(why))
        for url, why in rejected
    ]
    outcomes += [FetchOutcome(url=url, canonical_url=canonical, outcome="skipped", error_class="url_cap",
                              error=f"not fetched: a run fetches at most {policy.max_urls:,} URLs (fetch.max_urls)")
                 for url, canonical in over]
    budget = _LinkBudget(urls=policy.max_urls - len(pending), sitemaps=policy.max_sitemaps)
    seen = {canonical for _url, canonical in pending}
    spilled: dict[int, Path] = {}

    with tempfile.TemporaryDirectory(prefix="citeline-feeds-") as spill:
        def store_page(outcome: FetchOutcome) -> None:
            # Each page goes to the raw store as it arrives and leaves memory, so a run's memory does not
            # grow with its number of pages; extraction reads it back one batch at a time. A feed goes
            # to the spill folder, to be read after its round.
            if outcome.body is not None and outcome.is_feed:
                path = Path(spill) / f"{len(spilled)}.xml"
                path.write_bytes(outcome.body)
                spilled[id(outcome)] = path
                outcome.body = None
            elif outcome.body is not None and raw_store is not None:
                outcome.raw_sha256 = raw_store.put(outcome.body)
                outcome.body = None
            if on_done is not None:
                on_done(outcome)

        accept_feeds = True
        for _depth in range(MAX_FEED_DEPTH + 1):
            if not pending:
                break
            round_outcomes = fetch_urls(pending, policy, accept_feeds=accept_feeds, on_done=store_page, validators=validators)
            pending = []
            for outcome in round_outcomes:
                outcomes.append(outcome)
                path = spilled.pop(id(outcome), None)
                if path is not None:
                    pending += _follow_feed(outcome, path, budget, seen, outcomes, policy)
                    path.unlink()
    return outcomes


@dataclass
class _LinkBudget:
    """What a run may still queue: URLs of any kind, and sitemaps named by sitemap indexes."""

    urls: int
    sitemaps: int


def _follow_feed(outcome: FetchOutcome, path: Path, budget: _LinkBudget, seen: set[str], outcomes: list[FetchOutcome],
                 policy: FetchPolicy) -> list[tuple[str, str]]:
    """The (url, canonical) pairs of the feed at `path` to fetch next, within `budget`; the links left out
    are counted (not kept) and said on the feed's own row."""
    queued: list[tuple[str, str]] = []
    sitemaps_left = links_left = 0
    try:
        for kind, link in iter_feed(path):
            if kind == NESTED and budget.sitemaps <= 0:
                sitemaps_left += 1
                continue
            if budget.urls <= 0:
                links_left += 1
                continue
            try:
                canonical = canonicalize_url(link)
            except UnsupportedURL as error:
                budget.urls -= 1  # a row of its own, so it counts
                outcomes.append(FetchOutcome(url=link[:2048], canonical_url=link[:2048], outcome="skipped",
                                             error_class=error.error_class, error=str(error)[:500]))
                continue
            if canonical in seen:
                continue
            seen.add(canonical)
            queued.append((link, canonical))
            budget.urls -= 1
            budget.sitemaps -= kind == NESTED
    except NotAFeed as error:
        outcome.error_class, outcome.error = "bad_feed", str(error)
        return queued
    left = []
    if sitemaps_left:
        left.append(f"{sitemaps_left:,} sitemaps not read: a run reads at most {policy.max_sitemaps:,} (fetch.max_sitemaps)")
    if links_left:
        left.append(f"{links_left:,} links not followed: a run fetches at most {policy.max_urls:,} URLs (fetch.max_urls)")
    if left:
        outcome.error_class = "sitemap_cap" if sitemaps_left else "url_cap"
        outcome.error = "; ".join(left)
    return queued


def read_local_pages(
    paths: list[Path], raw_store: RawStore | None = None, on_done: Callable[[FetchOutcome], None] | None = None
) -> list[FetchOutcome]:
    """Read HTML files as if fetched, so local folders go through the same pipeline as URLs."""
    outcomes = []
    for path in paths:
        uri = path.resolve().as_uri()
        outcome = FetchOutcome(url=uri, canonical_url=uri, outcome="fetched", final_url=uri, attempts=1, content_type="text/html")
        try:
            body = path.read_bytes()
            outcome.bytes = len(body)
            if raw_store is not None:
                outcome.raw_sha256 = raw_store.put(body)
            else:
                outcome.body = body
        except OSError as error:
            outcome.outcome, outcome.error_class, outcome.error = "failed", "read_error", f"{path}: {error.strerror}"
        outcomes.append(outcome)
        if on_done is not None:
            on_done(outcome)
    return outcomes


def needs_extraction(outcome: FetchOutcome) -> bool:
    """A page this run fetched (or reprocesses) that is not a feed and not already published unchanged."""
    return outcome.outcome in {"fetched", "reprocessed"} and not outcome.is_feed and not outcome.unchanged


def extract_pages(outcomes: list[FetchOutcome], raw_store: RawStore | None = None) -> tuple[list[ArticleRecord], list[PageFailure]]:
    """Extract every fetched HTML page (its body, or else its page in `raw_store`); a page without article
    text becomes a failure with its reason."""
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
            continue
        canonical, untrusted = _article_url(extracted.url, outcome)
        article_id = url_id(canonical)
        if article_id in seen:
            continue  # Two URLs declaring one canonical page: the first one stands for both.
        seen.add(article_id)
        articles.append(ArticleRecord(
            article_id=article_id, canonical_url=canonical, url=outcome.url, final_url=outcome.final_url,
            title=extracted.title, author=extracted.author, published_date=extracted.date,
            sitename=extracted.sitename, language=extracted.language, text=extracted.text,
            raw_sha256=outcome.raw_sha256, fetched_at=outcome.fetched_at,
            extracted_at=datetime.now(UTC), untrusted_canonical_url=untrusted,
        ))
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


def fetch_log_row(outcome: FetchOutcome) -> dict[str, Any]:
    return {
        "url": outcome.url, "canonical_url": outcome.canonical_url, "final_url": outcome.final_url,
        "outcome": outcome.outcome, "status": outcome.status, "error_class": outcome.error_class,
        "error": outcome.error, "attempts": outcome.attempts, "bytes": outcome.bytes,
        "elapsed_ms": outcome.elapsed_ms, "content_type": outcome.content_type,
        "raw_sha256": outcome.raw_sha256, "fetched_at": outcome.fetched_at,
        "etag": outcome.etag, "last_modified": outcome.last_modified, "unchanged": outcome.unchanged,
    }


def mark_unchanged(outcomes: list[FetchOutcome], prior, raw_store: RawStore) -> None:
    """Flag pages already published by today's extractor and engine, so they skip extraction and attribution.

    A 304 takes the page from the raw store (re-extracted only if the code changed since); a 200 whose
    bytes hash like an already-processed page is unchanged too.
    """
    for outcome in outcomes:
        if outcome.outcome == "not_modified":
            outcome.raw_sha256 = prior.last_raw.get(outcome.canonical_url)
            if outcome.raw_sha256 in prior.current_pages:
                outcome.unchanged = True
            elif outcome.raw_sha256 is not None and raw_store.has(outcome.raw_sha256):
                outcome.unchanged, outcome.outcome = False, "fetched"  # extraction reads it from the raw store
            else:
                outcome.outcome, outcome.error_class = "failed", "not_modified_without_raw_page"
        elif outcome.outcome == "fetched" and not outcome.is_feed and outcome.raw_sha256 in prior.current_pages:
            outcome.unchanged = True
            outcome.body = None


def stored_pages(db_path: str, raw_store: RawStore, since=None, made_by: tuple[str, str, str | None] | None = None) -> list[FetchOutcome]:
    """Published articles (fetched on or after `since`) as outcomes carrying their stored raw page; with
    `made_by` (extractor version, engine version, model id or None), only the articles something else made."""
    from warehouse.store import connect

    extractor, engine, model_id = made_by or (None, None, None)
    con = connect(db_path, read_only=True)
    try:
        rows = con.execute(
            """SELECT url, canonical_url, final_url, raw_sha256, fetched_at FROM articles
               WHERE raw_sha256 IS NOT NULL AND (CAST(? AS DATE) IS NULL OR CAST(fetched_at AS DATE) >= CAST(? AS DATE))
                 AND (? OR extractor_version IS DISTINCT FROM ? OR engine_version IS DISTINCT FROM ?
                      OR model_id IS DISTINCT FROM ?)
               ORDER BY fetched_at, article_id""",
            [since, since, made_by is None, extractor, engine, model_id],
        ).fetchall()
    finally:
        con.close()
    outcomes = []
    for url, canonical, final_url, raw_sha, fetched_at in rows:
        outcome = FetchOutcome(url=url, canonical_url=canonical, outcome="reprocessed", final_url=final_url,
                               raw_sha256=raw_sha, content_type="text/html", fetched_at=fetched_at)
        if raw_store.has(raw_sha):
            outcome.bytes = raw_store.size(raw_sha)
        else:
            outcome.outcome, outcome.error_class, outcome.error = "failed", "raw_page_missing", f"{raw_sha}: not in {raw_store.root}"
        outcomes.append(outcome)
    return outcomes
