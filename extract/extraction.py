"""Extract article text and metadata from HTML with trafilatura."""

from __future__ import annotations

import re
from dataclasses import dataclass

import trafilatura

EXTRACTOR_VERSION = f"trafilatura-{trafilatura.__version__}"
HTML_LANG = re.compile(r"""<html[^>]*\blang\s*=\s*["']?([A-Za-z]{2,3})""", re.IGNORECASE)
META_LANG = re.compile(r"""<meta[^>]+(?:http-equiv=["']content-language["'][^>]*content|property=["']og:locale["'][^>]*content)=["']([A-Za-z]{2,3})""", re.IGNORECASE)


@dataclass(frozen=True)
class ExtractedArticle:
    title: str | None
    author: str | None
    date: str | None
    sitename: str | None
    language: str | None
    url: str | None
    text: str

    def as_json(self) -> dict[str, str | None]:
        return {
            "title": self.title, "author": self.author, "date": self.date, "sitename": self.sitename,
            "language": self.language, "url": self.url, "text": self.text,
        }


class ExtractionFailed(Exception):
    """No article text could be extracted; the message says why."""


def extract_article(html: str, url: str | None = None) -> ExtractedArticle:
    """Main text and metadata of one page; raises ExtractionFailed when there is no article text."""
    if not html or not html.strip():
        raise ExtractionFailed("empty document")
    try:
        document = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False,
            include_images=False, deduplicate=False,
        )
    except Exception as error:  # trafilatura raises assorted lxml/parser errors on hostile markup
        raise ExtractionFailed(f"extractor error: {type(error).__name__}: {error}") from error
    if document is None:
        raise ExtractionFailed("no main text found")
    text = (document.text or "").strip()
    if not text:
        raise ExtractionFailed("main text is empty")
    return ExtractedArticle(
        title=_clean(document.title),
        author=_clean(document.author),
        date=_clean(document.date),
        sitename=_clean(document.sitename),
        language=_language(html),
        url=_clean(document.url) or url,
        text=text,
    )


def _language(html: str) -> str | None:
    head = html[:8192]
    match = HTML_LANG.search(head) or META_LANG.search(head)
    return match.group(1).lower() if match else None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
