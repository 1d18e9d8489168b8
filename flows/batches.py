"""One batch of fetched pages to warehouse rows: the unit of work a Dask worker runs.

A worker extracts and attributes the pages it is sent (their bodies travel with them, so it needs no
raw store) and returns rows; it never opens the warehouse, which has one writer: the flow's process.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field

from extract.fetch import FetchOutcome
from extract.page_reviews import ReviewScan
from extract.pages import ArticleRecord, PageFailure, extract_pages
from flows.run_config import AttributionSettings
from transform.engine import ENGINE_VERSION
from transform.parallel import attribute_texts
from transform.scope import attribution_scope
from transform.tagger.model import model_id_at
from warehouse.batch_rows import add_page_reviews, rows_of_articles, statement_vector_rows
from warehouse.rows import RunRows

MAX_ATTRIBUTED_CHARS: int = AttributionSettings.model_fields["max_chars"].default


def bound_attribution(articles: list[ArticleRecord], max_chars: int) -> list[str]:
    """The text to attribute of each article: none of a page not in English, at most `max_chars` characters
    of any other; each article records what it was given and why (its row's attributed_chars, attribution_limit)."""
    for article in articles:
        scope = attribution_scope(article.text, article.language, max_chars)
        article.attributed_chars, article.attribution_limit = scope.chars, scope.limit
    return [article.attributed_text() for article in articles]


@dataclass
class BatchRows:
    """What one batch gave: its rows, its extraction failures, and where and how long it ran."""

    rows: RunRows
    failures: list[PageFailure]
    extracted: int
    statements: int
    # extract, attribute: wall seconds on the worker; *_cpu: its thread's CPU seconds, which fall short
    # of the wall seconds when the worker's machine has fewer free cores than busy processes.
    seconds: dict[str, float] = field(default_factory=dict)
    worker: str = ""


def rows_for_pages(pages: list[FetchOutcome], model: str | None = None, max_chars: int = MAX_ATTRIBUTED_CHARS) -> BatchRows:
    """Extract and attribute `pages` (each carrying its body) in this process, and build their rows;
    `model` is the folder of a trained model beside the rules, which must be at that path on the worker;
    `max_chars`, the most characters of one article attributed."""
    began, began_cpu = time.perf_counter(), time.thread_time()
    scan = ReviewScan()  # each page's ClaimReviews, read as extraction reads the page
    articles, failures = extract_pages(pages, on_page=scan)
    extracted, extracted_cpu = time.perf_counter(), time.thread_time()
    # In this process: a Dask worker is already one of many, and the spaCy pipeline and a trained model
    # stay loaded in it (transform.nlp and transform.tagger.model cache them per process) between batches.
    results = attribute_texts(bound_attribution(articles, max_chars), workers=1, model=model)
    rows = rows_of_articles(articles, results, ENGINE_VERSION, model_id_at(model))
    add_page_reviews(rows, scan.pages)
    done, done_cpu = time.perf_counter(), time.thread_time()
    rows.statement_vectors = statement_vector_rows(rows)  # one encoder thread: a worker is already one of many
    embedded, embedded_cpu = time.perf_counter(), time.thread_time()
    return BatchRows(rows=rows, failures=failures, extracted=len(articles), statements=sum(map(len, results)),
                     seconds={"extract": extracted - began, "attribute": done - extracted, "embed": embedded - done,
                              "extract_cpu": extracted_cpu - began_cpu, "attribute_cpu": done_cpu - extracted_cpu,
                              "embed_cpu": embedded_cpu - done_cpu},
                     worker=f"{socket.gethostname()}:{os.getpid()}")
