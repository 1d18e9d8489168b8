"""What earlier runs already know, so a re-run fetches conditionally and skips unchanged articles."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from warehouse.store import connect


@dataclass
class PriorState:
    """HTTP validators and raw-page hashes from earlier runs, and the pages already done with today's code."""

    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # canonical URL → (ETag, Last-Modified)
    last_raw: dict[str, str] = field(default_factory=dict)  # canonical URL → SHA-256 of the last page fetched
    current_pages: set[str] = field(default_factory=set)  # raw SHA-256s published by this extractor and engine


def prior_state(db_path: Path | str, extractor_version: str, engine_version: str, model_id: str | None = None) -> PriorState:
    """Read the warehouse's memory of earlier fetches (empty for a new warehouse); an article is current
    when today's extractor, engine and model (or no model) made it."""
    if not Path(db_path).exists():
        return PriorState()
    con = connect(db_path)
    try:
        state = PriorState()
        for url, etag, modified, raw in con.execute(
            """SELECT canonical_url, arg_max(etag, fetched_at), arg_max(last_modified, fetched_at), arg_max(raw_sha256, fetched_at)
               FROM fetch_log WHERE raw_sha256 IS NOT NULL GROUP BY canonical_url"""
        ).fetchall():
            state.last_raw[url] = raw
            if etag or modified:
                state.validators[url] = (etag, modified)
        state.current_pages = {
            raw for (raw,) in con.execute(
                "SELECT raw_sha256 FROM articles WHERE extractor_version = ? AND engine_version = ? AND model_id IS NOT DISTINCT FROM ?",
                [extractor_version, engine_version, model_id],
            ).fetchall()
        }
        return state
    finally:
        con.close()
