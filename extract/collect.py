"""Collecting pages: fetch URLs (expanding feeds and sitemaps) or read local files, each page to the raw
store as it arrives; and marking those already published unchanged. Extraction is extract.pages'."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from extract.feeds import NESTED, NotAFeed, iter_feed
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
    """Fetch URLs, following feeds and sitemaps to their articles; one outcome per distinct URL.

    A run fetches at most `policy.max_urls` URLs and reads at most `policy.max_sitemaps` sitemaps named by
    sitemap indexes; what is left is recorded (a skipped row per listed URL; on a feed's own row, how many
    of its links were not followed and why). Feed bodies go to a temporary folder as they arrive and are
    read from there one at a time, incrementally, so neither the bodies nor their links pile up in memory.
    """
    listed, rejected = dedupe_urls(urls)
    pending, over = listed[: policy.max_urls], listed[policy.max_urls :]
    outcomes = [
        FetchOutcome(url=url, canonical_url=url, outcome=Outcome.SKIPPED, error_class=why.error_class, error=str(why))
        for url, why in rejected
    ]
    outcomes += [FetchOutcome(url=url, canonical_url=canonical, outcome=Outcome.SKIPPED, error_class="url_cap",
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
                outcomes.append(FetchOutcome(url=link[:2048], canonical_url=link[:2048], outcome=Outcome.SKIPPED,
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
