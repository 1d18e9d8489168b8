"""Warehouse rows of what extraction gave: articles (with their statements) and fetch outcomes.

Apart from warehouse.rows so that what only reads the warehouse (readers, the dashboard) does not
import the extractor.
"""

from __future__ import annotations

import hashlib
from typing import Any

from extract.extraction import EXTRACTOR_VERSION
from extract.fact_checks import ClaimReviews
from extract.fetch import FetchOutcome
from extract.page_reviews import PageReviews
from extract.pages import ArticleRecord
from transform import encoder
from transform.model import Statement
from warehouse.rows import RunRows, add_article, parse_date


def article_row(article: ArticleRecord) -> dict[str, Any]:
    """The `articles` row of an extracted article (before `add_article` adds its text and publisher)."""
    return {
        "article_id": article.article_id, "canonical_url": article.canonical_url, "url": article.url,
        "final_url": article.final_url, "title": article.title, "author": article.author,
        "published_date": parse_date(article.published_date), "sitename": article.sitename,
        "language": article.language, "text_sha256": hashlib.sha256(article.text.encode("utf-8")).hexdigest(),
        "raw_sha256": article.raw_sha256, "fetched_at": article.fetched_at, "extracted_at": article.extracted_at,
        "extractor_version": EXTRACTOR_VERSION, "untrusted_canonical_url": article.untrusted_canonical_url,
        "attributed_chars": len(article.attributed_text()), "attribution_limit": article.attribution_limit,
    }


def rows_of_articles(articles: list[ArticleRecord], statements: list[list[Statement]], engine_version: str,
                     model_id: str | None) -> RunRows:
    """Warehouse rows of a batch's articles and the statements the engine (and model) found in them."""
    rows = RunRows()
    for article, found in zip(articles, statements):
        add_article(rows, article=article_row(article), text=article.text, statements=found,
                    engine_version=engine_version, model_id=model_id)
    return rows


def statement_vector_rows(rows: RunRows, threads: int | None = None) -> list[dict[str, Any]]:
    """The `statement_vectors` rows of a batch: each statement's sentence vector, encoded once here for
    everything downstream that reads it (check-worthiness, fact-check matching, claim grouping);
    `threads`, the encoder's (None: its default)."""
    if not rows.statements:
        return []
    vectors = encoder.encode([row["content"] for row in rows.statements], threads=threads)
    return [{"statement_id": row["statement_id"], "encoder_id": encoder.MODEL_ID, "vector": vector}
            for row, vector in zip(rows.statements, vectors, strict=True)]


def add_fact_checks(rows: RunRows, found: ClaimReviews, found_at: str, article_id: str | None) -> None:
    """A page's (or an imported file's) ClaimReviews as `fact_checks` rows of its article (None: none, or
    an import), and the reasons for what it left out as `fact_check_issues` rows."""
    rows.fact_checks += [{**record.row(), "article_id": article_id} for record in found.records]
    rows.fact_check_issues += [{"found_at": found_at, "article_id": article_id, "reason": reason.reason, "detail": reason.detail}
                               for reason in found.reasons]


def add_page_reviews(rows: RunRows, pages: list[PageReviews]) -> None:
    """The ClaimReviews of a batch's pages (extract.page_reviews.ReviewScan) into its rows."""
    for page in pages:
        add_fact_checks(rows, page.found, page.url, page.article_id)


def fetch_log_row(outcome: FetchOutcome) -> dict[str, Any]:
    """The `fetch_log` row of one fetch outcome (kept whether or not its run publishes)."""
    return {
        "url": outcome.url, "canonical_url": outcome.canonical_url, "final_url": outcome.final_url,
        "outcome": outcome.outcome, "status": outcome.status, "error_class": outcome.error_class,
        "error": outcome.error, "attempts": outcome.attempts, "bytes": outcome.bytes,
        "elapsed_ms": outcome.elapsed_ms, "content_type": outcome.content_type,
        "raw_sha256": outcome.raw_sha256, "fetched_at": outcome.fetched_at,
        "etag": outcome.etag, "last_modified": outcome.last_modified, "unchanged": outcome.unchanged,
    }
