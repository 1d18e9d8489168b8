"""Turn fetched bytes into text the way browsers do: header charset, BOM, <meta charset>, UTF-8, then cp1252."""

from __future__ import annotations

import codecs
import re

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_html(body: bytes, header_charset: str | None = None) -> str:
    """Decode an HTML page; never raises, since a mis-declared charset must not lose the page."""
    for bom, encoding in BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    declared = [header_charset] if header_charset else []
    match = META_CHARSET.search(body[:4096])
    if match:
        declared.append(match.group(1).decode("ascii", "ignore"))
    for encoding in declared:
        try:
            return body.decode(_normalise(encoding))
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        # Undeclared legacy pages are overwhelmingly Latin-1; cp1252 is its superset browsers use.
        return body.decode("cp1252", errors="replace")


def _normalise(encoding: str) -> str:
    encoding = encoding.strip().lower()
    return "cp1252" if encoding in {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"} else encoding
