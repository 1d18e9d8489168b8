"""Read an HTTP body to at most N decoded bytes, decompressing in bounded steps.

httpx decodes each raw chunk whole, so one 64 KB read of a gzip bomb becomes ~64 MB in memory before
any size check can run. Here the raw bytes go through zlib with `max_length`, so no more than the cap
(plus one step) is ever held, however much the compressed bytes would expand to.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

# Encodings we ask for (Accept-Encoding) and can decode in bounded steps.
ACCEPT_ENCODING = "gzip, deflate"
STEP_BYTES = 256 * 1024


class BodyTooLarge(Exception):
    """The decoded body would exceed the cap."""


class UnsupportedEncoding(Exception):
    """A Content-Encoding we did not ask for and cannot decode in bounded steps."""


class _Identity:
    eof = False
    unused_data = b""
    unconsumed_tail = b""

    def decompress(self, data: bytes, max_length: int) -> bytes:
        self.unconsumed_tail = data[max_length:]
        return data[:max_length]

    def flush(self) -> bytes:
        return b""


def _decoder(encoding: str, first: bytes = b""):
    if encoding in ("", "identity"):
        return _Identity()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        # RFC 9110's deflate is zlib-wrapped, but some servers send it raw; a zlib header says which.
        wrapped = len(first) < 2 or ((first[0] & 0x0F) == 8 and (first[0] << 8 | first[1]) % 31 == 0)
        return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
    raise UnsupportedEncoding(f"Content-Encoding {encoding!r} is not one we asked for ({ACCEPT_ENCODING})")


async def read_bounded(raw_chunks: AsyncIterator[bytes], content_encoding: str, limit: int, truncate: bool = False) -> bytes:
    """The decoded body of `raw_chunks` (response.aiter_raw()): BodyTooLarge past `limit` bytes, or,
    with `truncate`, its first `limit` bytes (robots.txt: RFC 9309 reads the first 500 KiB)."""
    encodings = [e.strip().lower() for e in content_encoding.split(",") if e.strip()]
    if len(encodings) > 1:
        raise UnsupportedEncoding(f"Content-Encoding {content_encoding!r}: more than one encoding")
    body = _Body(encodings[0] if encodings else "", limit, truncate)
    async for raw in raw_chunks:
        if not body.feed(raw):
            break
    else:
        body.finish()
    return b"".join(body.parts)


class _Body:
    """Decoded output gathered a step at a time, so the cap is checked before the next step is made."""

    def __init__(self, encoding: str, limit: int, truncate: bool) -> None:
        self.encoding, self.limit, self.truncate = encoding, limit, truncate
        self.decoder = None
        self.parts: list[bytes] = []
        self.size = 0

    def feed(self, raw: bytes) -> bool:
        """Decode one raw chunk; False once a truncated body is full."""
        if self.decoder is None:
            self.decoder = _decoder(self.encoding, raw)
        data = raw
        while True:
            out = self.decoder.decompress(data, STEP_BYTES)
            if not self._keep(out):
                return False
            if self.decoder.eof and self.decoder.unused_data:  # a further gzip member
                data = self.decoder.unused_data
                self.decoder = _decoder(self.encoding, data)
                continue
            data = self.decoder.unconsumed_tail
            # A full step may leave output inside zlib with no input left: ask again until it runs dry.
            if self.decoder.eof or (not data and len(out) < STEP_BYTES):
                return True

    def finish(self) -> None:
        if self.decoder is not None:
            self._keep(self.decoder.flush())

    def _keep(self, out: bytes) -> bool:
        if self.size + len(out) > self.limit:
            if not self.truncate:
                raise BodyTooLarge(f"body exceeds the {self.limit}-byte cap")
            self.parts.append(out[: self.limit - self.size])
            self.size = self.limit
            return False
        self.size += len(out)
        self.parts.append(out)
        return True
