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


def _decoder(encoding: str):
    if encoding in ("", "identity"):
        return _Identity()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header, detected
    raise UnsupportedEncoding(f"Content-Encoding {encoding!r} is not one we asked for ({ACCEPT_ENCODING})")


async def read_bounded(raw_chunks: AsyncIterator[bytes], content_encoding: str, limit: int) -> bytes:
    """The decoded body of `raw_chunks` (response.aiter_raw()); BodyTooLarge past `limit` bytes."""
    encodings = [e.strip().lower() for e in content_encoding.split(",") if e.strip()]
    if len(encodings) > 1:
        raise UnsupportedEncoding(f"Content-Encoding {content_encoding!r}: more than one encoding")
    encoding = encodings[0] if encodings else ""
    decoder = _decoder(encoding)
    parts: list[bytes] = []
    size = 0

    def keep(out: bytes) -> None:
        nonlocal size
        size += len(out)
        if size > limit:
            raise BodyTooLarge(f"body exceeds the {limit}-byte cap")
        parts.append(out)

    async for raw in raw_chunks:
        data = raw
        while True:
            out = decoder.decompress(data, STEP_BYTES)
            keep(out)
            if decoder.eof and decoder.unused_data:  # a further gzip member
                data, decoder = decoder.unused_data, _decoder(encoding)
                continue
            data = decoder.unconsumed_tail
            # A full step may leave output inside zlib with no input left: ask again until it runs dry.
            if decoder.eof or (not data and len(out) < STEP_BYTES):
                break
    keep(decoder.flush())
    return b"".join(parts)
