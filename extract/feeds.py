"""Read article URLs out of RSS, Atom and sitemap documents."""

from __future__ import annotations

from dataclasses import dataclass

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
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    except etree.XMLSyntaxError as error:
        raise NotAFeed(f"not well-formed XML: {error}") from error
    if root is None:
        raise NotAFeed("empty document")
    tag = etree.QName(root).localname.lower()
    if tag == "rss" or tag == "rdf":
        # Only items' links: the channel's own <link> is the site's homepage, not an article.
        links = [
            child.text.strip()
            for item in root.iter()
            if _local(item) == "item"
            for child in item
            if _local(child) == "link" and child.text and child.text.strip()
        ]
        return FeedLinks(links, [])
    if tag == "feed":
        links = []
        for entry in (el for el in root if _local(el) == "entry"):
            for link in (el for el in entry if _local(el) == "link"):
                if link.get("rel", "alternate") == "alternate" and link.get("href"):
                    links.append(link.get("href").strip())
                    break
        return FeedLinks(links, [])
    if tag in {"urlset", "sitemapindex"}:
        locs = [el.text.strip() for el in root.iter() if _local(el) == "loc" and el.text and el.text.strip()]
        return FeedLinks([], locs) if tag == "sitemapindex" else FeedLinks(locs, [])
    raise NotAFeed(f"root element <{tag}> is not rss, feed, urlset or sitemapindex")


def _local(element) -> str:
    return etree.QName(element).localname.lower() if isinstance(element.tag, str) else ""
