"""What `citeline factchecks import` reads: a fact-check dump from a file, or from a URL fetched with the
run's fetcher (its politeness, SSRF guard and size cap), to records and reasons (extract.factcheck_feeds).

Input that cannot be read at all (a missing or oversized file, a failed fetch, neither a ClaimReview feed
nor a CheckThat! file) raises FactCheckInputError naming it, before anything is written.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from citeline.core.errors import CitelineError
from extract.fact_checks import DEFAULT_LIMITS, ClaimReviewLimits, ClaimReviews
from extract.factcheck_feeds import NotAFactCheckFeed, read_factcheck_file
from extract.fetch import FetchPolicy, Outcome, fetch_urls
from extract.urls import UnsupportedURL, canonicalize_url

# Media types a dump is served as, besides HTML (a ClaimReview feed is JSON, a CheckThat! file TSV); which
# of the two it is is told by its content.
DUMP_TYPES = ("application/json", "application/ld+json", "text/json", "text/tab-separated-values", "text/plain",
              "text/csv", "application/octet-stream")
# Seconds one fetch of a dump may take: the run's 15 s bounds a page; a dump of 10,000s of reviews is larger.
DUMP_TIMEOUT = 300.0


class FactCheckInputError(CitelineError):
    """A fact-check dump that cannot be read; the message names the file or URL."""


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def source_label(source: str) -> str:
    """How the warehouse records where imported reviews came from (`found_at`): the URL, or the file's
    absolute path (a relative one says nothing once the command has ended)."""
    return source if is_url(source) else str(Path(source).resolve())


def check_source(source: str, limits: ClaimReviewLimits = DEFAULT_LIMITS) -> None:
    """Fail fast on what is plainly unusable (a missing file, a folder, a file over the size limit, a URL
    that is not one) before any server starts; reading it (`read_source`) checks the rest."""
    if is_url(source):
        try:
            canonicalize_url(source)
        except UnsupportedURL as error:
            raise FactCheckInputError(f"{source}: {error}") from None
        return
    path = Path(source)
    try:
        if not path.is_file():
            raise FactCheckInputError(f"{source}: {'a folder, not a file' if path.is_dir() else 'no such file'}")
        size = path.stat().st_size
    except OSError as error:
        raise FactCheckInputError(f"{source}: cannot be read ({error.strerror})") from None
    if size > limits.max_feed_bytes:
        raise FactCheckInputError(f"{source}: {size:,} bytes, over the limit of {limits.max_feed_bytes:,}")


def read_source(source: str, allow_private_hosts: bool = False, limits: ClaimReviewLimits = DEFAULT_LIMITS,
                policy: FetchPolicy | None = None, today: date | None = None) -> ClaimReviews:
    """The records and reasons of the dump at `source` (a file path or an http(s) URL)."""
    check_source(source, limits)
    body = _fetch(source, allow_private_hosts, limits, policy) if is_url(source) else _read(source)
    try:
        return read_factcheck_file(body, source_label(source), limits, today)
    except NotAFactCheckFeed as error:
        raise FactCheckInputError(str(error)) from None


def _read(source: str) -> bytes:
    try:
        return Path(source).read_bytes()
    except OSError as error:
        raise FactCheckInputError(f"{source}: cannot be read ({error.strerror})") from None


def _fetch(source: str, allow_private_hosts: bool, limits: ClaimReviewLimits, policy: FetchPolicy | None) -> bytes:
    policy = replace(policy or FetchPolicy(timeout=DUMP_TIMEOUT), allow_private_hosts=allow_private_hosts,
                     max_bytes=limits.max_feed_bytes)
    outcome = fetch_urls([(source, canonicalize_url(source))], policy, extra_types=DUMP_TYPES)[0]
    if outcome.outcome != Outcome.FETCHED or outcome.body is None:
        raise FactCheckInputError(f"{source}: not fetched ({outcome.error_class or outcome.outcome}: {outcome.error or 'no body'})")
    return outcome.body
