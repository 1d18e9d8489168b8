"""Warehouse rows of what extraction gave: articles (with their statements) and fetch outcomes.

Apart from warehouse.rows so that what only reads the warehouse (readers, the dashboard) does not
import the extractor.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from extract.extraction import EXTRACTOR_VERSION
from extract.fact_checks import ClaimReviews
from extract.fetch import FetchOutcome
from extract.page_reviews import PageReviews
from extract.pages import ArticleRecord
from transform import encoder
from transform.check_worthiness.model import SENTENCE_MODEL, SHIPPED_MODEL, cached_model
from transform.check_worthiness.sentences import uncovered_sentences
from transform.model import Statement
from warehouse.rows import RunRows, add_article, parse_date, stable_id


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


def score_check_worthiness(rows: RunRows, claims_model: str | None = None) -> None:
    """Give each statement of a batch its check-worthiness (from its content and the vector already in
    `rows.statement_vectors`: the encoder does not run again) and fill `rows.article_claims` with the
    sentences of each article's attributed part that no statement covers, scored by `claims_model`
    (the TF-IDF-only model by default: encoding every such sentence would cost more than attribution)."""
    statements_model = cached_model(str(SHIPPED_MODEL))
    vectors = {row["statement_id"]: row["vector"] for row in rows.statement_vectors}
    if rows.statements:
        texts = [row["content"] for row in rows.statements]
        known = [vectors.get(row["statement_id"]) for row in rows.statements]
        # Every statement has its vector in the batch; rows built without them (a test, a tool) are encoded here.
        embeddings = np.stack(known) if all(v is not None for v in known) else None
        _set_scores(rows.statements, statements_model, texts, embeddings)
    rows.article_claims = article_claim_rows(rows, cached_model(str(claims_model or SENTENCE_MODEL)))


def article_claim_rows(rows: RunRows, model) -> list[dict[str, Any]]:
    """The `article_claims` rows of a batch: each article's own sentences (in the part attribution read)
    that overlap no statement's content, cue or source, scored by `model`."""
    covered: dict[str, list[tuple[int, int]]] = {}
    for row in rows.statements:
        spans = covered.setdefault(row["article_id"], [])
        spans.append((row["content_start"], row["content_end"]))
        for start, end in ((row["cue_start"], row["cue_end"]), (row["source_start"], row["source_end"])):
            if start is not None:
                spans.append((start, end))
    claims = []
    for article in rows.articles:
        text = article["text"] or ""
        read = text[: article.get("attributed_chars") or 0] if "attributed_chars" in article else text
        for start, end in uncovered_sentences(read, covered.get(article["article_id"], [])):
            claims.append({"sentence_id": stable_id("sentence", article["article_id"], start, end),
                           "article_id": article["article_id"], "sentence_start": start, "sentence_end": end,
                           "text": text[start:end]})
    _set_scores(claims, model, [row["text"] for row in claims], None)
    return claims


def _set_scores(rows: list[dict[str, Any]], model, texts: list[str], embeddings: np.ndarray | None) -> None:
    scores = model.score(texts, embeddings)
    identity = model.card["model_id"]
    for row, score in zip(rows, scores, strict=True):
        row["check_worthiness"] = float(score)
        row["check_worthy"] = bool(score >= model.threshold)
        row["check_worthiness_model"] = identity
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
