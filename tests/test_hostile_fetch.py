"""Hostile servers on loopback addresses: what the fetcher refuses, and what that costs it."""

from __future__ import annotations

import time
import tracemalloc

import pytest

import extract.host_guard as host_guard
from extract.fetch import FetchPolicy, fetch_urls
from tests.hostile_server import ARTICLE, TRICKLE_SECONDS, HostileServer, gzip_bomb, page, redirect_to, trickle

pytestmark = pytest.mark.e2e


def _fetch(url: str, **policy) -> tuple:
    began = time.monotonic()
    [outcome] = fetch_urls([(url, url)], FetchPolicy(per_host_delay=0.0, backoff_base=0.01, **policy))
    return outcome, time.monotonic() - began


@pytest.fixture()
def only_127_0_0_1_is_public(monkeypatch):
    """The site under test stands for a public host; every other address, 127.0.0.2 included, stays private."""
    monkeypatch.setattr(host_guard, "is_public_address", lambda address: address == "127.0.0.1")


def test_a_robots_txt_redirect_into_a_private_host_is_never_requested(only_127_0_0_1_is_public):
    with HostileServer("127.0.0.2", {"/robots.txt": page(b"User-agent: *\nAllow: /\n", "text/plain")}) as internal:
        routes = {"/robots.txt": redirect_to(internal.url("/robots.txt")), "/news.html": page(ARTICLE)}
        with HostileServer("127.0.0.1", routes) as site:
            outcome, _ = _fetch(site.url("/news.html"))
    assert internal.hits == {}  # not one request reached the private host
    # robots.txt could not be read from where it pointed, so the site is kept out of (RFC 9309, unreachable).
    assert (outcome.outcome, outcome.error_class) == ("skipped", "robots_disallowed")


def test_a_page_redirect_into_a_private_host_is_refused(only_127_0_0_1_is_public):
    with HostileServer("127.0.0.2", {"/admin": page(ARTICLE)}) as internal:
        with HostileServer("127.0.0.1", {"/news.html": redirect_to(internal.url("/admin"))}) as site:
            outcome, _ = _fetch(site.url("/news.html"), respect_robots=False)
    assert internal.hits == {}
    assert (outcome.outcome, outcome.error_class) == ("skipped", "private_host")


def test_a_trickled_page_ends_at_the_deadline_not_when_the_server_stops(tmp_path):
    with HostileServer("127.0.0.1", {"/slow.html": trickle(ARTICLE[:400])}) as site:
        outcome, seconds = _fetch(site.url("/slow.html"), timeout=1.5, max_attempts=2, respect_robots=False, allow_private_hosts=True)
    assert (outcome.outcome, outcome.error_class, outcome.attempts) == ("failed", "timeout", 2)
    assert seconds < 2 * 1.5 + 2 < TRICKLE_SECONDS  # two attempts of 1.5 s, not 20 s a byte at a time


def test_a_trickled_robots_txt_holds_its_host_for_one_deadline(tmp_path):
    routes = {"/robots.txt": trickle(b"User-agent: *\nAllow: /\n" * 10, "text/plain"), "/news.html": page(ARTICLE)}
    with HostileServer("127.0.0.1", routes) as site:
        outcome, seconds = _fetch(site.url("/news.html"), timeout=1.5, allow_private_hosts=True)
    assert (outcome.outcome, outcome.error_class) == ("skipped", "robots_disallowed")
    assert seconds < 1.5 + 2


def test_a_gzip_bombed_robots_txt_is_refused_in_bounded_memory(tmp_path):
    bomb = gzip_bomb(256 * 1024 * 1024)
    routes = {"/robots.txt": page(bomb, "text/plain", encoding="gzip"), "/news.html": page(ARTICLE)}
    with HostileServer("127.0.0.1", routes) as site:
        tracemalloc.start()
        try:
            outcome, _ = _fetch(site.url("/news.html"), allow_private_hosts=True)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    # Its first 500 KiB (all RFC 9309 asks to read) hold no rule, so the page is fetched; the rest
    # of its 256 MB is never decompressed.
    assert (outcome.outcome, outcome.status) == ("fetched", 200)
    assert peak < 20 * 2**20, f"peak {peak / 2**20:.0f} MB"


def test_a_name_that_rebinds_to_loopback_after_the_check_is_not_connected_to(monkeypatch):
    """DNS rebinding: a look-up made to check the name (no port) is answered with a public address, the
    look-up made to connect (with the port) with 127.0.0.1, as a rebinding DNS server answers in turn."""
    import socket

    real = socket.getaddrinfo
    answers = []

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        answers.append(port)
        return real("93.184.216.34" if port is None else "127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with HostileServer("127.0.0.1", {"/news.html": page(ARTICLE)}) as site:
        url = f"http://rebind.test:{site.httpd.server_address[1]}/news.html"
        outcome, _ = _fetch(url, respect_robots=False)
    assert None in answers and len(answers) >= 2  # checked, then resolved again to connect
    assert site.hits == {}
    assert (outcome.outcome, outcome.error_class) == ("skipped", "private_host")
    assert "127.0.0.1" in outcome.error


@pytest.mark.parametrize("address", ["100.64.0.1", "64:ff9b::7f00:1", "64:ff9b::a00:1", "::ffff:127.0.0.1", "2002:7f00:1::1",
                                     "198.18.0.1", "192.0.2.1", "224.0.0.1", "fd00::1", "169.254.169.254", "0.0.0.0", "::",
                                     "::127.0.0.1", "::a00:1", "::ffff:0:7f00:1", "3fff::1", "192.0.0.8", "64:ff9b:1::1"])
def test_special_ranges_are_not_public(address):
    assert not host_guard.is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"])
def test_public_addresses_are(address):
    assert host_guard.is_public_address(address)


def test_an_oversized_response_head_is_refused_once_not_retried_as_a_connect_error():
    def huge_head(handler):
        handler.send_response(200)
        handler.send_header("X-Padding", "a" * 1_000_000)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    with HostileServer("127.0.0.1", {"/head.html": huge_head}) as site:
        outcome, _ = _fetch(site.url("/head.html"), respect_robots=False, allow_private_hosts=True, max_attempts=3)
    assert (outcome.outcome, outcome.error_class, outcome.attempts) == ("skipped", "header_too_large", 1)
    assert site.hits["/head.html"] == 1


def test_the_pinned_connection_tries_each_checked_address_in_turn(monkeypatch):
    """A name with a dead first address still fetches from the next, as an unpinned client would."""
    import socket

    real = socket.getaddrinfo

    def two_addresses(host, port, *args, **kwargs):
        if host != "multi.test":
            return real(host, port, *args, **kwargs)
        return real("127.0.0.9", port, *args, **kwargs) + real("127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
    with HostileServer("127.0.0.1", {"/news.html": page(ARTICLE)}) as site:  # nothing listens on 127.0.0.9
        outcome, _ = _fetch(f"http://multi.test:{site.httpd.server_address[1]}/news.html", respect_robots=False, allow_private_hosts=True)
    assert (outcome.outcome, outcome.status) == ("fetched", 200)


def test_a_robots_txt_past_500_kib_is_read_to_there_not_refused():
    rules = b"User-agent: *\nDisallow: /private/\n" + b"# padding\n" * 60_000  # about 600 KiB
    routes = {"/robots.txt": page(rules, "text/plain"), "/news.html": page(ARTICLE), "/private/memo.html": page(ARTICLE)}
    with HostileServer("127.0.0.1", routes) as site:
        allowed, _ = _fetch(site.url("/news.html"), allow_private_hosts=True)
        disallowed, _ = _fetch(site.url("/private/memo.html"), allow_private_hosts=True)
    assert (allowed.outcome, disallowed.error_class) == ("fetched", "robots_disallowed")
