"""Read article URLs out of RSS, Atom and sitemap documents."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lxml import etree


class NotAFeed(ValueError):
    """The document is not RSS, Atom or a sitemap."""


@dataclass(frozen=True)
class FeedLinks:
    """Links found in a feed; `nested` are further sitemaps to read (a sitemap index)."""

    articles: list[str]
    nested: list[str]


def looks_like_feed(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return head.startswith(b"<?xml") or any(tag in head for tag in (b"<rss", b"<feed", b"<urlset", b"<sitemapindex"))


def parse_feed(body: bytes) -> FeedLinks:
    """Article links of an RSS/Atom feed or sitemap; raises NotAFeed for anything else."""
    articles: list[str] = []
    nested: list[str] = []
    for kind, link in iter_feed(io.BytesIO(body)):
        (nested if kind == NESTED else articles).append(link)
    return FeedLinks(articles, nested)


ARTICLE, NESTED = "article", "sitemap"
# Elements done with once they end: each is cleared, and the ones before it dropped, so a document of any
# size is read in the memory of one of them.
_DONE_WITH = {"item", "entry", "url", "sitemap"}


def iter_feed(source: str | Path | IO[bytes]) -> Iterator[tuple[str, str]]:
    """(ARTICLE or NESTED, link) of an RSS/Atom feed, sitemap or sitemap index, in document order, read
    incrementally from `source` (a path or a binary file), so a feed's links never all sit in memory at
    once; raises NotAFeed for anything else (before any link)."""
    events = etree.iterparse(source, events=("start", "end"), resolve_entities=False, no_network=True, recover=True)
    root_tag = None
    depth = 0
    try:
        for event, element in events:
            if not isinstance(element.tag, str):
                continue
            name = _local(element)
            if event == "start":
                if root_tag is None:
                    root_tag = name
                    if root_tag not in {"rss", "rdf", "feed", "urlset", "sitemapindex"}:
                        raise NotAFeed(f"root element <{root_tag}> is not rss, feed, urlset or sitemapindex")
                depth += 1
                continue
            depth -= 1
            parent = element.getparent()
            if root_tag in {"rss", "rdf"}:
                # Only items' links: the channel's own <link> is the site's homepage, not an article.
                if name == "link" and parent is not None and _local(parent) == "item" and (element.text or "").strip():
                    yield ARTICLE, element.text.strip()
            elif root_tag == "feed":
                if name == "entry" and depth == 1:
                    for link in (child for child in element if _local(child) == "link"):
                        if link.get("rel", "alternate") == "alternate" and link.get("href"):
                            yield ARTICLE, link.get("href").strip()
                            break
            elif name == "loc" and (element.text or "").strip():
                yield NESTED if root_tag == "sitemapindex" else ARTICLE, element.text.strip()
            if depth == 1 or name in _DONE_WITH:
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError as error:
        if root_tag is None:
            raise NotAFeed(f"not well-formed XML: {error}") from error
        # Past the root, as a recovering parse of the whole document would: the links read so far stand.
    if root_tag is None:
        raise NotAFeed("empty document")


def _local(element) -> str:
    return etree.QName(element).localname.lower() if isinstance(element.tag, str) else ""
