"""Fetcher behaviours that need no socket, through httpx's MockTransport (the fixture-backed transport)."""

from __future__ import annotations

import gzip

import httpx

from extract.fetch import FetchPolicy, _retry_after, fetch_urls

POLICY = FetchPolicy(per_host_delay=0.0, backoff_base=0.01, respect_robots=False, allow_private_hosts=True, max_bytes=10_000)


def _serve(handler):
    return httpx.MockTransport(handler)


def test_private_hosts_are_refused_by_default_and_recorded():
    transport = _serve(lambda request: httpx.Response(200, html="<p>x</p>"))
    [outcome] = fetch_urls([("http://127.0.0.1/a", "http://127.0.0.1/a")], FetchPolicy(respect_robots=False), transport=transport)
    assert (outcome.outcome, outcome.error_class) == ("skipped", "private_host")
    assert "--allow-private-hosts" in outcome.error


def test_gzip_bomb_is_stopped_by_the_decompressed_size_cap():
    bomb = gzip.compress(b"<p>" + b"a" * 200_000 + b"</p>")
    transport = _serve(lambda request: httpx.Response(200, content=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/html"}))
    [outcome] = fetch_urls([("http://news.test/a", "http://news.test/a")], POLICY, transport=transport)
    assert len(bomb) < POLICY.max_bytes
    assert (outcome.outcome, outcome.error_class, outcome.body) == ("skipped", "too_large", None)


def test_redirect_loop_gives_up_after_the_limit():
    transport = _serve(lambda request: httpx.Response(302, headers={"Location": str(request.url)}))
    [outcome] = fetch_urls([("http://news.test/loop", "http://news.test/loop")], POLICY, transport=transport)
    assert outcome.error_class == "too_many_redirects"


def test_server_errors_are_retried_then_recorded_with_attempts():
    calls = []

    def handler(request):
        calls.append(request.url)
        return httpx.Response(503)

    [outcome] = fetch_urls([("http://news.test/down", "http://news.test/down")], POLICY, transport=_serve(handler))
    assert (outcome.outcome, outcome.status, outcome.error_class, outcome.attempts) == ("failed", 503, "http_503", POLICY.max_attempts)
    assert len(calls) == POLICY.max_attempts


def test_user_agent_is_descriptive():
    seen = {}

    def handler(request):
        seen["ua"] = request.headers["user-agent"]
        return httpx.Response(200, html="<p>x</p>")

    fetch_urls([("http://news.test/ua", "http://news.test/ua")], POLICY, transport=_serve(handler))
    assert seen["ua"].startswith("citeline/")


def test_retry_after_parses_seconds_and_dates():
    assert _retry_after("7") == 7.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert _retry_after("soon") is None


def test_a_gzip_bomb_is_refused_without_holding_its_expansion():
    """Decoded in bounded steps: a 64 KB read of it must not become 64 MB in memory before the check."""
    import tracemalloc
    import zlib

    squeezer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = squeezer.compress(b"\0" * (512 * 1024 * 1024)) + squeezer.flush()  # 512 MB in about 500 KB

    async def trickle():
        for start in range(0, len(bomb), 65536):
            yield bomb[start:start + 65536]

    transport = _serve(lambda request: httpx.Response(200, content=trickle(), headers={"Content-Encoding": "gzip", "Content-Type": "text/html"}))
    policy = FetchPolicy(per_host_delay=0.0, respect_robots=False, allow_private_hosts=True)  # the default 10 MB cap
    tracemalloc.start()
    try:
        [outcome] = fetch_urls([("http://news.test/bomb", "http://news.test/bomb")], policy, transport=transport)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (outcome.outcome, outcome.error_class, outcome.body) == ("skipped", "too_large", None)
    assert peak < 3 * policy.max_bytes, f"peak {peak / 2**20:.0f} MB"


def test_an_encoding_not_asked_for_is_refused():
    async def body():
        yield b"\x00" * 10

    transport = _serve(lambda request: httpx.Response(200, content=body(), headers={"Content-Encoding": "br", "Content-Type": "text/html"}))
    [outcome] = fetch_urls([("http://news.test/br", "http://news.test/br")], POLICY, transport=transport)
    assert (outcome.outcome, outcome.error_class) == ("skipped", "unsupported_encoding")


def test_bounded_reading_decodes_raw_deflate_and_several_gzip_members_and_can_truncate():
    import asyncio
    import zlib

    from extract.bounded_body import BodyTooLarge, read_bounded

    text = b"<p>" + b"The council met on Monday. " * 4000 + b"</p>"

    async def read(raw: bytes, encoding: str, limit: int = 10**6, truncate: bool = False) -> bytes:
        async def chunks():
            for start in range(0, len(raw), 1000):
                yield raw[start:start + 1000]
        return await read_bounded(chunks(), encoding, limit, truncate)

    squeezer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    assert asyncio.run(read(squeezer.compress(text) + squeezer.flush(), "deflate")) == text
    assert asyncio.run(read(zlib.compress(text), "deflate")) == text
    assert asyncio.run(read(gzip.compress(text[:500]) + gzip.compress(text[500:]), "gzip")) == text
    assert asyncio.run(read(gzip.compress(text), "gzip", limit=100, truncate=True)) == text[:100]
    try:
        asyncio.run(read(gzip.compress(text), "gzip", limit=100))
        raise AssertionError("a body past its limit was read whole")
    except BodyTooLarge:
        pass
