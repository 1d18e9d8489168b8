"""Polite, concurrent HTTP fetching with httpx: every attempt's outcome becomes a row, never an exception."""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from citeline.core import __version__
from extract.bounded_body import ACCEPT_ENCODING, BodyTooLarge, UnsupportedEncoding, read_bounded
from extract.feeds import looks_like_feed
from extract.host_guard import PrivateHostRefused, check_public_host, pinned_transport
from extract.urls import UnsupportedURL, canonicalize_url

HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")
RETRYABLE_STATUS = {429, 500, 502, 503, 504}
OVERSIZED_HEAD = "Receive buffer too long"
# RFC 9309 asks crawlers to read at least 500 KiB of robots.txt; the rest is not read.
ROBOTS_MAX_BYTES = 500 * 1024


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how persistently to fetch; the defaults suit public news sites."""

    user_agent: str = f"citeline/{__version__} (news attribution research; batch fetcher)"
    timeout: float = 15.0
    max_attempts: int = 4
    backoff_base: float = 0.5
    max_retry_wait: float = 60.0
    per_host_concurrency: int = 2
    per_host_delay: float = 0.25
    total_concurrency: int = 16
    max_redirects: int = 5
    max_bytes: int = 10 * 1024 * 1024
    respect_robots: bool = True
    allow_private_hosts: bool = False
    # A sitemap index may name 50,000 sitemaps of 50,000 URLs each: a run reads and fetches a bounded share.
    max_sitemaps: int = 50
    max_urls: int = 10_000


class Outcome:
    """What became of one URL or page: `FetchOutcome.outcome`, the fetch log's `outcome` column. Plain
    strings (they are stored and counted as such), named once here."""

    FETCHED = "fetched"  # its body is in the raw store (or carried along), ready for extraction
    NOT_MODIFIED = "not_modified"  # a 304 to a conditional request; collect.mark_unchanged resolves it
    REPROCESSED = "reprocessed"  # not fetched: a published article's stored page, read back by a reprocess
    SKIPPED = "skipped"  # refused before or while fetching (robots.txt, a private host, too large, not HTML...)
    FAILED = "failed"  # tried and failed (network, HTTP error after retries, a missing raw page)


@dataclass
class FetchOutcome:
    """One URL's fetch: the row for the fetch log, and the body when it was kept."""

    url: str
    canonical_url: str
    outcome: str  # an Outcome
    final_url: str | None = None
    status: int | None = None
    error_class: str | None = None
    error: str | None = None
    attempts: int = 0
    bytes: int = 0
    elapsed_ms: float = 0.0
    content_type: str | None = None
    charset: str | None = None
    is_feed: bool = False
    body: bytes | None = field(default=None, repr=False)
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    etag: str | None = None
    last_modified: str | None = None
    raw_sha256: str | None = None
    unchanged: bool = False


class _Refused(Exception):
    def __init__(self, error_class: str, message: str, status: int | None = None, outcome: str = Outcome.FAILED) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.status = status
        self.outcome = outcome


class _Retryable(Exception):
    def __init__(self, error_class: str, message: str, status: int | None = None, wait: float | None = None) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.status = status
        self.wait = wait


class Fetcher:
    """Fetch many URLs concurrently with per-host limits, robots.txt, retries and a size cap."""

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        on_done: Callable[[FetchOutcome], None] | None = None,
        validators: dict[str, tuple[str | None, str | None]] | None = None,
        extra_types: tuple[str, ...] = (),
    ) -> None:
        self.policy = policy or FetchPolicy()
        self._extra_types = extra_types  # media types also kept besides HTML (a fact-check dump's JSON or TSV)
        self._validators = validators or {}
        self._transport = transport
        self._on_done = on_done
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._host_next_start: dict[str, float] = {}
        self._host_locks: dict[str, asyncio.Lock] = {}
        self._robots: dict[str, RobotFileParser | None] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

    async def fetch_all(self, urls: Iterable[tuple[str, str]], accept_feeds: bool = False) -> list[FetchOutcome]:
        """Fetch (url, canonical_url) pairs; the result keeps their order."""
        limits = httpx.Limits(max_connections=self.policy.total_concurrency, max_keepalive_connections=8)
        total = asyncio.Semaphore(self.policy.total_concurrency)
        transport = self._transport or pinned_transport(self.policy.allow_private_hosts, limits)
        async with httpx.AsyncClient(
            transport=transport, limits=limits, follow_redirects=False,
            headers={"User-Agent": self.policy.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                     "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(self.policy.timeout),
        ) as client:

            async def one(url: str, canonical: str) -> FetchOutcome:
                async with total:
                    outcome = await self.fetch_one(client, url, canonical, accept_feeds)
                if self._on_done is not None:
                    self._on_done(outcome)
                return outcome

            return await asyncio.gather(*(one(url, canonical) for url, canonical in urls))

    async def fetch_one(self, client: httpx.AsyncClient, url: str, canonical: str, accept_feeds: bool) -> FetchOutcome:
        started = time.monotonic()
        outcome = FetchOutcome(url=url, canonical_url=canonical, outcome=Outcome.FAILED)
        try:
            await self._fetch_with_retries(client, canonical, outcome, accept_feeds)
        except _Refused as refused:
            outcome.outcome = refused.outcome
            outcome.error_class = refused.error_class
            outcome.error = str(refused)
            outcome.status = refused.status if refused.status is not None else outcome.status
            outcome.body = None
        except Exception as error:  # a bug or an unforeseen network error must not stop the other URLs
            outcome.outcome = Outcome.FAILED
            outcome.error_class = f"error:{type(error).__name__}"
            outcome.error = str(error)[:500]
            outcome.body = None
        outcome.elapsed_ms = round((time.monotonic() - started) * 1000, 1)
        outcome.fetched_at = datetime.now(UTC)
        return outcome

    async def _fetch_with_retries(self, client, url: str, outcome: FetchOutcome, accept_feeds: bool) -> None:
        policy = self.policy
        while True:
            outcome.attempts += 1
            try:
                await self._attempt(client, url, outcome, accept_feeds)
                return
            except _Retryable as retry:
                outcome.status = retry.status
                if outcome.attempts >= policy.max_attempts:
                    raise _Refused(retry.error_class, f"{retry} (gave up after {outcome.attempts} attempts)", retry.status) from None
                wait = retry.wait
                if wait is None:
                    wait = policy.backoff_base * (2 ** (outcome.attempts - 1)) * (1 + random.random() * 0.25)
                if wait > policy.max_retry_wait:
                    raise _Refused(retry.error_class, f"{retry}; Retry-After {wait:.0f}s exceeds the {policy.max_retry_wait:.0f}s limit", retry.status) from None
                await asyncio.sleep(wait)

    async def _attempt(self, client: httpx.AsyncClient, url: str, outcome: FetchOutcome, accept_feeds: bool) -> None:
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            host = await self._admit(client, current)
            async with self._host_slot(host):
                try:
                    # httpx's timeout bounds each read; this bounds the whole request, so a page that
                    # trickles a byte a second cannot hold an attempt for minutes.
                    async with asyncio.timeout(self.policy.timeout):
                        async with client.stream("GET", current, headers=self._conditional_headers(outcome.canonical_url)) as response:
                            if response.is_redirect and response.status_code != 304:
                                location = response.headers.get("location")
                                if not location:
                                    raise _Refused("bad_redirect", "redirect without a Location header", response.status_code)
                                current = urljoin(current, location)
                                continue
                            await self._read(response, current, outcome, accept_feeds)
                            return
                except PrivateHostRefused as error:  # the host's answer changed since it was checked
                    raise _Refused("private_host", f"{error}; pass --allow-private-hosts to fetch it", outcome=Outcome.SKIPPED) from None
                except (httpx.TimeoutException, TimeoutError) as error:
                    raise _Retryable("timeout", f"no whole answer within {self.policy.timeout}s ({type(error).__name__})") from None
                except httpx.RemoteProtocolError as error:
                    if OVERSIZED_HEAD in str(error):  # h11's words for a head past its 64 KiB limit: no retry helps
                        raise _Refused("header_too_large", f"the response head exceeds h11's limit ({error})", outcome=Outcome.SKIPPED) from None
                    raise _Retryable("protocol_error", f"{type(error).__name__}: {error}") from None
                except httpx.TransportError as error:
                    raise _Retryable("connect_error", f"{type(error).__name__}: {error}") from None
        raise _Refused("too_many_redirects", f"more than {self.policy.max_redirects} redirects")

    def _conditional_headers(self, canonical_url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since from the last fetch of this URL, so unchanged pages cost a 304."""
        etag, modified = self._validators.get(canonical_url, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        return headers

    async def _admit(self, client: httpx.AsyncClient, url: str) -> str:
        """Check scheme, host and robots.txt for one hop; return the host's rate-limit key."""
        await self._check_host(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        if self.policy.respect_robots and not await self._robots_allow(client, url):
            raise _Refused("robots_disallowed", f"robots.txt of {host} disallows {parts.path or '/'}", outcome=Outcome.SKIPPED)
        return f"{parts.scheme}://{parts.netloc}"

    async def _check_host(self, url: str) -> None:
        """The URL is fetchable and, unless private hosts are allowed, its host public: every hop of
        every request (pages, feeds, robots.txt) passes here."""
        try:
            canonicalize_url(url)
        except UnsupportedURL as error:
            raise _Refused(error.error_class, str(error), outcome=Outcome.SKIPPED) from None
        if not self.policy.allow_private_hosts:
            try:
                await check_public_host(urlsplit(url).hostname or "")
            except PrivateHostRefused as error:
                raise _Refused("private_host", f"{error}; pass --allow-private-hosts to fetch it", outcome=Outcome.SKIPPED) from None

    async def _read(self, response: httpx.Response, url: str, outcome: FetchOutcome, accept_feeds: bool) -> None:
        status = response.status_code
        outcome.status = status
        outcome.final_url = url
        if status == 304:
            outcome.outcome = Outcome.NOT_MODIFIED
            outcome.unchanged = True
            outcome.etag, outcome.last_modified = self._validators.get(outcome.canonical_url, (None, None))
            return
        if status in RETRYABLE_STATUS:
            raise _Retryable(f"http_{status}", f"HTTP {status}", status, _retry_after(response.headers.get("retry-after")))
        if status >= 400:
            raise _Refused(f"http_{status}", f"HTTP {status}", status)
        content_type = response.headers.get("content-type", "")
        media_type = content_type.split(";")[0].strip().lower()
        outcome.content_type = media_type or None
        outcome.charset = response.charset_encoding
        outcome.etag = response.headers.get("etag")
        outcome.last_modified = response.headers.get("last-modified")
        declared = int(response.headers.get("content-length", "0") or 0) if response.headers.get("content-length", "").isdigit() else 0
        if declared > self.policy.max_bytes:
            raise _Refused("too_large", f"Content-Length {declared} exceeds the {self.policy.max_bytes}-byte cap", status, outcome=Outcome.SKIPPED)
        is_html = media_type in HTML_TYPES
        is_feed = accept_feeds and media_type in FEED_TYPES
        if media_type and not (is_html or is_feed or media_type in self._extra_types):
            raise _Refused("not_html", f"content type {media_type} is not HTML", status, outcome=Outcome.SKIPPED)
        body = await self._body(response, self.policy.max_bytes)
        size = len(body)
        if not media_type:
            is_feed = accept_feeds and looks_like_feed(body)
        outcome.is_feed = bool(is_feed and looks_like_feed(body))
        outcome.bytes = size
        outcome.body = body
        outcome.outcome = Outcome.FETCHED

    @asynccontextmanager
    async def _host_slot(self, host: str) -> AsyncIterator[None]:
        """At most `per_host_concurrency` requests to a host at once, starts spaced by `per_host_delay`."""
        slot = self._host_slots.setdefault(host, asyncio.Semaphore(self.policy.per_host_concurrency))
        async with slot:
            async with self._host_locks.setdefault(host, asyncio.Lock()):
                now = time.monotonic()
                start_at = max(now, self._host_next_start.get(host, now))
                self._host_next_start[host] = start_at + self.policy.per_host_delay
            if start_at > now:
                await asyncio.sleep(start_at - now)
            yield

    async def _robots_allow(self, client: httpx.AsyncClient, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self._robots:
                self._robots[origin] = await self._load_robots(client, origin)
        parser = self._robots[origin]
        return True if parser is None else parser.can_fetch(self.policy.user_agent, url)

    @staticmethod
    async def _body(response: httpx.Response, limit: int, truncate: bool = False) -> bytes:
        """The decoded body, refused (or cut, with `truncate`) past `limit` bytes, checked while decompressing."""
        if response.is_stream_consumed:  # read already (httpx reads a body given to a Response as bytes)
            if len(response.content) > limit and not truncate:
                raise _Refused("too_large", f"body exceeds the {limit}-byte cap", response.status_code, outcome=Outcome.SKIPPED)
            return response.content[:limit]
        try:
            return await read_bounded(response.aiter_raw(), response.headers.get("content-encoding", ""), limit, truncate)
        except BodyTooLarge as error:
            raise _Refused("too_large", str(error), response.status_code, outcome=Outcome.SKIPPED) from None
        except UnsupportedEncoding as error:
            raise _Refused("unsupported_encoding", str(error), response.status_code, outcome=Outcome.SKIPPED) from None
        except zlib.error as error:
            raise _Refused("bad_encoding", f"the body does not decompress ({error})", response.status_code) from None

    async def _load_robots(self, client: httpx.AsyncClient, origin: str) -> RobotFileParser | None:
        """robots.txt per RFC 9309: a 4xx means no rules; a 5xx or no answer means keep out. Fetched as
        pages are: each redirect hop through the host check, within the deadline, the body capped."""
        keep_out = RobotFileParser()
        keep_out.parse(["User-agent: *", "Disallow: /"])
        current = f"{origin}/robots.txt"
        try:
            async with asyncio.timeout(self.policy.timeout):
                for _hop in range(self.policy.max_redirects + 1):
                    await self._check_host(current)
                    async with client.stream("GET", current) as response:
                        if response.is_redirect and response.headers.get("location"):
                            current = urljoin(current, response.headers["location"])
                            continue
                        if 400 <= response.status_code < 500:
                            return None
                        if response.status_code >= 300:
                            return keep_out
                        text = (await self._body(response, ROBOTS_MAX_BYTES, truncate=True)).decode("utf-8", errors="replace")
                    parser = RobotFileParser()
                    parser.parse(text.splitlines())
                    return parser
        except (httpx.HTTPError, TimeoutError, _Refused, PrivateHostRefused):
            pass  # unreachable, too slow, too large, or redirected to a host we do not fetch
        return keep_out


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def fetch_urls(
    urls: Iterable[tuple[str, str]],
    policy: FetchPolicy | None = None,
    *,
    accept_feeds: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    on_done: Callable[[FetchOutcome], None] | None = None,
    validators: dict[str, tuple[str | None, str | None]] | None = None,
    extra_types: tuple[str, ...] = (),
) -> list[FetchOutcome]:
    """Blocking wrapper: fetch (url, canonical_url) pairs and return one outcome per pair; `extra_types`,
    media types kept besides HTML."""
    fetcher = Fetcher(policy, transport=transport, on_done=on_done, validators=validators, extra_types=extra_types)
    return asyncio.run(fetcher.fetch_all(list(urls), accept_feeds=accept_feeds))
