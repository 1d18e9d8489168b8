"""Canonical URLs: one spelling per page, so duplicates differing only in tracking parameters fetch once."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
    "_ga", "_gl", "ref_src", "ref_url", "cmpid", "ocid", "spm", "smid", "sr_share", "share", "cid",
}
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_")
DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsupportedURL(ValueError):
    """A URL citeline will not fetch: not http(s), or without a host."""

    error_class = "unsupported_url"


class InvalidURL(UnsupportedURL):
    """Not a URL at all: an unclosed IPv6 bracket, a port out of range; one bad line, not a failed run."""

    error_class = "invalid_url"


def canonicalize_url(url: str) -> str:
    """Lower-case scheme and host, drop default port, fragment and tracking parameters, sort the rest."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:  # urllib's words: "Invalid IPv6 URL", "Port out of range 0-65535"
        raise InvalidURL(f"{url!r}: not a valid URL ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UnsupportedURL(f"{url!r}: only http and https URLs are fetched")
    if not parts.hostname:
        raise UnsupportedURL(f"{url!r}: the URL has no host")
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets, or the URL no longer parses
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def url_id(canonical_url: str) -> str:
    """Stable 16-hex-digit ID of a canonical URL (the article ID)."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:16]


def dedupe_urls(urls: list[str]) -> tuple[list[tuple[str, str]], list[tuple[str, UnsupportedURL]]]:
    """Split URLs into (url, canonical) pairs to fetch, first spelling wins, and (url, why) rejects."""
    seen: set[str] = set()
    keep: list[tuple[str, str]] = []
    rejected: list[tuple[str, UnsupportedURL]] = []
    for url in urls:
        try:
            canonical = canonicalize_url(url)
        except UnsupportedURL as error:
            rejected.append((url, error))
            continue
        if canonical in seen:
            continue
        seen.add(canonical)
        keep.append((url, canonical))
    return keep, rejected


def same_site(url: str, other: str) -> bool:
    """Whether two http(s) URLs are on one site, so one may name the other as its canonical page.

    Without a public-suffix list (none ships offline), a registrable domain cannot be told from a public
    suffix: `a.github.io` and `b.github.io` are different owners, as are `x.co.uk` and `co.uk`. So the rule
    is the conservative one: the same host, or the same but for one leading `www.` (`www.example.com` and
    `example.com`); an IP literal matches only itself. Ports and schemes may differ.
    """
    mine, theirs = _site_host(url), _site_host(other)
    return mine is not None and mine == theirs


def _site_host(url: str) -> str | None:
    try:
        host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") and host.count(".") >= 2 else host
