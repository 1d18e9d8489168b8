"""What a reprocess reads back: published articles as fetch outcomes carrying their stored raw page."""

from __future__ import annotations

from extract.fetch import FetchOutcome, Outcome
from extract.raw_store import RawStore
from warehouse.store import connect


def stored_pages(db_path: str, raw_store: RawStore, since=None, made_by: tuple[str, str, str | None] | None = None) -> list[FetchOutcome]:
    """Published articles (fetched on or after `since`) as outcomes carrying their stored raw page; with
    `made_by` (extractor version, engine version, model id or None), only the articles something else made."""
    extractor, engine, model_id = made_by or (None, None, None)
    con = connect(db_path, read_only=True)
    try:
        rows = con.execute(
            """SELECT url, canonical_url, final_url, raw_sha256, fetched_at FROM articles
               WHERE raw_sha256 IS NOT NULL AND (CAST(? AS DATE) IS NULL OR CAST(fetched_at AS DATE) >= CAST(? AS DATE))
                 AND (? OR extractor_version IS DISTINCT FROM ? OR engine_version IS DISTINCT FROM ?
                      OR model_id IS DISTINCT FROM ?)
               ORDER BY fetched_at, article_id""",
            [since, since, made_by is None, extractor, engine, model_id],
        ).fetchall()
    finally:
        con.close()
    outcomes = []
    for url, canonical, final_url, raw_sha, fetched_at in rows:
        outcome = FetchOutcome(url=url, canonical_url=canonical, outcome=Outcome.REPROCESSED, final_url=final_url,
                               raw_sha256=raw_sha, content_type="text/html", fetched_at=fetched_at)
        if raw_store.has(raw_sha):
            outcome.bytes = raw_store.size(raw_sha)
        else:
            outcome.outcome, outcome.error_class, outcome.error = Outcome.FAILED, "raw_page_missing", f"{raw_sha}: not in {raw_store.root}"
        outcomes.append(outcome)
    return outcomes
