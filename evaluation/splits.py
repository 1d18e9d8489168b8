"""The tuning/held-out split every evaluation here uses: a stable hash of an item's key, so an item stays on
its side whatever else the data holds and in whatever order it comes. Constants are chosen on the tuning
part only; the held-out part is for scores."""

from __future__ import annotations

import hashlib

TUNING_SHARE = 0.5  # share of items in the tuning part; the rest is held out


def in_tuning_part(key: str, share: float = TUNING_SHARE) -> bool:
    """Whether the item keyed `key` belongs to the tuning part (else the held-out part)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") < share * 2**64
