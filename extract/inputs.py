"""Turn `citeline run` inputs (URLs, URL lists, feeds, sitemaps, folders, HTML files) into work to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from citeline.core.errors import CitelineError
from extract.feeds import NotAFeed, looks_like_feed, parse_feed

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}


class InputError(CitelineError):
    """An input that is neither an http(s) URL nor a readable file or folder."""


@dataclass
class InputPlan:
    """Remote URLs to fetch (feeds among them are expanded when fetched) and local pages to read."""

    urls: list[str] = field(default_factory=list)
    pages: list[Path] = field(default_factory=list)


def plan_inputs(inputs: list[str]) -> InputPlan:
    """Classify every input; raise InputError naming the first one that cannot be used."""
    plan = InputPlan()
    for item in inputs:
        if "://" in item:
            plan.urls.append(item)  # Non-http(s) schemes are refused, and logged, by the fetcher.
            continue
        path = Path(item)
        if path.is_dir():
            pages = sorted(p for p in path.rglob("*") if p.suffix.lower() in HTML_SUFFIXES and p.is_file())
            if not pages:
                raise InputError(f"input {item!r}: folder holds no .html files")
            plan.pages.extend(pages)
        elif path.is_file():
            _plan_file(path, plan)
        else:
            raise InputError(f"input {item!r}: no such file or folder, and not an http(s) URL")
    return plan


def _plan_file(path: Path, plan: InputPlan) -> None:
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        plan.pages.append(path)
        return
    try:
        body = path.read_bytes()
    except OSError as error:
        raise InputError(f"input {str(path)!r}: cannot be read: {error.strerror}") from error
    if suffix in FEED_SUFFIXES or looks_like_feed(body):
        try:
            links = parse_feed(body)
        except NotAFeed as error:
            raise InputError(f"input {str(path)!r}: not an RSS, Atom or sitemap file ({error})") from error
        plan.urls.extend(links.articles + links.nested)
        return
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"input {str(path)!r}: a URL list must be UTF-8 text") from error
    listed = 0
    for line in text.splitlines():
        # Whole-line and " #" trailing comments; a "#" inside a URL is its fragment.
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            plan.urls.append(line)
            listed += 1
    if not listed:
        raise InputError(f"input {str(path)!r}: lists no URL (one per line; # starts a comment)")
