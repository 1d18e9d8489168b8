"""Collecting pages: fetch URLs (expanding feeds and sitemaps) or read local files, each page to the raw
store as it arrives; and marking those already published unchanged. Extraction is extract.pages'."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from extract.feeds import NotAFeed, parse_feed
from extract.fetch import FetchOutcome, FetchPolicy, Outcome, fetch_urls
from extract.raw_store import RawStore
from extract.urls import UnsupportedURL, canonicalize_url, dedupe_urls

MAX_FEED_DEPTH = 3


def fetch_inputs(
    urls: list[str],
    policy: FetchPolicy,
    raw_store: RawStore | None,
    on_done: Callable[[FetchOutcome], None] | None = None,
    validators: dict[str, tuple[str | None, str | None]] | None = None,
) -> list[FetchOutcome]:
    """Fetch URLs, following feeds and sitemaps to their articles; one outcome per distinct URL."""
    pending, rejected = dedupe_urls(urls)
    outcomes = [
        FetchOutcome(url=url, canonical_url=url, outcome=Outcome.SKIPPED, error_class=why.error_class, error=str(why))
        for url, why in rejected
    ]
    seen = {canonical for _url, canonical in pending}

    def store_page(outcome: FetchOutcome) -> None:
        # Each page goes to the raw store as it arrives and leaves memory, so a run's memory does not
        # grow with its number of pages; extraction reads it back one batch at a time.
        if outcome.body is not None and raw_store is not None and not outcome.is_feed:
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
            if not outcome.is_feed or outcome.body is None:
                continue
            try:
                links = parse_feed(outcome.body)
            except NotAFeed as error:
                outcome.error_class, outcome.error = "bad_feed", str(error)
                continue
            for link in links.articles + links.nested:
                try:
                    canonical = canonicalize_url(link)
                except UnsupportedURL as error:
                    outcomes.append(FetchOutcome(url=link, canonical_url=link, outcome=Outcome.SKIPPED, error_class=error.error_class, error=str(error)))
                    continue
                if canonical not in seen:
                    seen.add(canonical)
                    pending.append((link, canonical))
            outcome.body = None
    return outcomes


def read_local_pages(
    paths: list[Path], raw_store: RawStore | None = None, on_done: Callable[[FetchOutcome], None] | None = None
) -> list[FetchOutcome]:
    """Read HTML files as if fetched, so local folders go through the same pipeline as URLs."""
    outcomes = []
    for path in paths:
        uri = path.resolve().as_uri()
        outcome = FetchOutcome(url=uri, canonical_url=uri, outcome=Outcome.FETCHED, final_url=uri, attempts=1, content_type="text/html")
        try:
            body = path.read_bytes()
            outcome.bytes = len(body)
            if raw_store is not None:
                outcome.raw_sha256 = raw_store.put(body)
            else:
                outcome.body = body
        except OSError as error:
            outcome.outcome, outcome.error_class, outcome.error = Outcome.FAILED, "read_error", f"{path}: {error.strerror}"
        outcomes.append(outcome)
        if on_done is not None:
            on_done(outcome)
    return outcomes


def mark_unchanged(outcomes: list[FetchOutcome], prior, raw_store: RawStore) -> None:
    """Flag pages already published by today's extractor and engine, so they skip extraction and attribution.

    A 304 takes the page from the raw store (re-extracted only if the code changed since); a 200 whose
    bytes hash like an already-processed page is unchanged too.
    """
    for outcome in outcomes:
        if outcome.outcome == Outcome.NOT_MODIFIED:
            outcome.raw_sha256 = prior.last_raw.get(outcome.canonical_url)
            if outcome.raw_sha256 in prior.current_pages:
                outcome.unchanged = True
            elif outcome.raw_sha256 is not None and raw_store.has(outcome.raw_sha256):
                outcome.unchanged, outcome.outcome = False, Outcome.FETCHED  # extraction reads it from the raw store
            else:
                outcome.outcome, outcome.error_class = Outcome.FAILED, "not_modified_without_raw_page"
        elif outcome.outcome == Outcome.FETCHED and not outcome.is_feed and outcome.raw_sha256 in prior.current_pages:
            outcome.unchanged = True
            outcome.body = None
