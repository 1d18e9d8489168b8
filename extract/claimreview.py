"""schema.org ClaimReview markup → FactCheck records, with every piece of bad markup a recorded reason.

A page is scanned only if it names ClaimReview at all (a byte search: ordinary news pages pay about nothing);
JSON-LD is read here with lxml and json (so a broken block is a reason naming it, and the others still count);
microdata and RDFa are read by extruct, and only when an `itemtype` or `typeof` attribute names ClaimReview.
Nothing in here raises on a page's content: what cannot be used is left out, or kept as null, with a
(reason, detail) saying so. The reasons are the names in REASONS.

fact_check_id is the first 16 hex digits of SHA-256 over the review's identity and its claim:
`canonical review URL` (on a page, the page's URL when the review names none; in a dump without URLs,
`checkthat2020:vclaim_id`, or for a feed item with no URL at all just `claimreview-feed`),
a newline, then the claim with its case and spacing normalised. The same review read twice (a re-run, an
import twice, or the same review in JSON-LD and microdata on one page) has one ID.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import math
import re
import unicodedata
from collections.abc import Iterator, Sized
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple
from urllib.parse import urljoin

from lxml import etree

from extract.decode import decode_html
from extract.urls import UnsupportedURL, canonicalize_url
from extract.verdicts import verdict as verdict_of

# Why a review, or part of one, was left out, cut or kept as null.
REASONS = {
    "malformed_json": "a JSON-LD block (or feed) is not JSON; the block is skipped, the page's other blocks still read",
    "markup_unreadable": "extruct could not read the page's microdata or RDFa; that syntax is skipped",
    "too_deep": "JSON nested deeper than max_depth; the part below is not searched",
    "missing_claim": "a ClaimReview with no claimReviewed text; the review is skipped",
    "wrong_type": "a field of the wrong kind (a number or several values where one text is expected, an object "
                  "where a text or number is); a number is used as text, the first of several values is kept, "
                  "anything else is null",
    "field_truncated": "a text longer than max_text_chars is cut to it",
    "too_many_reviews": "more reviews than max_reviews on one page (or in one feed); the rest are left out and counted",
    "too_many_appearances": "more claim appearances than max_appearances; the rest are left out",
    "invalid_date": "a date that is not ISO 8601 (YYYY-MM-DD, optionally with a time); kept as null",
    "future_date": "a date after today (a day's grace for time zones); kept as null",
    "bad_url": "a URL that is not http(s), not a URL, or longer than max_url_chars; dropped",
    "bad_number": "a rating number that is not a finite number; kept as null",
    "duplicate": "the same fact_check_id twice in one page or file (e.g. in JSON-LD and in microdata); one is kept",
    "bad_row": "a row of a CheckThat! file without a claim, or one the CSV reader cannot read",
}

ORIGINS = ("json-ld", "microdata", "rdfa", "claimreview-feed", "checkthat2020")


@dataclass(frozen=True)
class ClaimReviewLimits:
    """Bounds on what one page or one imported file may make us hold; the defaults are the one source."""

    max_reviews: int = 100  # per page: a real fact-check page carries one to a few dozen
    max_feed_reviews: int = 1_000_000  # per imported file
    max_feed_bytes: int = 256 * 1024 * 1024
    max_text_chars: int = 2_000  # claims run to a few hundred characters; headlines and names less
    max_url_chars: int = 2_048
    max_appearances: int = 20
    max_depth: int = 64  # JSON-LD nesting searched for reviews (a DataFeed sits 4 deep)


DEFAULT_LIMITS = ClaimReviewLimits()  # the one source of the defaults, for every reader of reviews


class Reason(NamedTuple):
    """One thing left out, cut or nulled, and where: `reason` is a key of REASONS."""

    reason: str
    detail: str


@dataclass(frozen=True)
class FactCheck:
    """One ClaimReview, as a row of the future fact_checks table."""

    fact_check_id: str
    claim_reviewed: str
    claim_author: str | None
    claim_date: date | None
    claim_appearances: tuple[str, ...]
    rating_text: str | None
    rating_value: float | None
    best_rating: float | None
    worst_rating: float | None
    verdict: str
    reviewer: str | None
    review_date: date | None
    review_url: str | None
    review_headline: str | None
    language: str | None
    origin: str  # one of ORIGINS: how it was read
    found_at: str  # the page URL or the imported file it came from
    origin_id: str | None = None  # the review's key in its origin (a CheckThat! vclaim_id)

    def row(self) -> dict[str, Any]:
        values = asdict(self)
        values["claim_appearances"] = list(self.claim_appearances)
        return values


@dataclass
class ClaimReviews:
    """What one page or file gave: records, and the reasons for what it did not."""

    records: list[FactCheck] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)


_MENTION = re.compile(rb"claimreview", re.IGNORECASE)
_MICRODATA = re.compile(rb"""itemtype\s*=\s*["']?[^"'>]*claimreview""", re.IGNORECASE)
_RDFA = re.compile(rb"""typeof\s*=\s*["']?[^"'>]*claimreview""", re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?", re.ASCII)
_SCHEMA_PREFIXES = ("", "schema:", "http://schema.org/", "https://schema.org/", "http://www.schema.org/", "https://www.schema.org/")


def mentions_claimreview(page: str | bytes) -> bool:
    """The pre-check: whether the page names ClaimReview at all (every syntax must spell the type out)."""
    return _MENTION.search(page.encode("utf-8", "replace") if isinstance(page, str) else page) is not None


def find_claim_reviews(page: str | bytes, url: str, limits: ClaimReviewLimits = DEFAULT_LIMITS,
                       today: date | None = None, precheck: bool = True) -> ClaimReviews:
    """Every ClaimReview in a page's HTML (bytes or text), read from JSON-LD, microdata and RDFa; `url` is
    the page's own (relative URLs resolve against it, and it is the review URL when a review names none).
    precheck=False reads every page in full and always runs extruct (for benchmarks/claimreview_benchmark.py)."""
    raw = page.encode("utf-8", "replace") if isinstance(page, str) else page
    found = ClaimReviews()
    if precheck and not mentions_claimreview(raw):
        return found
    text = page if isinstance(page, str) else decode_html(page)
    nodes: list[tuple[str, Any, dict[str, Any]]] = []  # (origin, ClaimReview node, @id index)
    tree = _parse_html(text)
    page_language = _page_language(tree)
    for number, block in enumerate(_jsonld_blocks(tree), start=1):
        data, problem = load_json(block)
        if problem:
            found.reasons.append(Reason("malformed_json", f"{url}: JSON-LD block {number}: {problem}"))
            continue
        index = id_index(data)
        nodes.extend(("json-ld", node, index) for node, _fallback in claimreview_nodes(data, limits, found.reasons, f"{url}: JSON-LD block {number}"))
    syntaxes = [name for name, pattern in (("microdata", _MICRODATA), ("rdfa", _RDFA)) if not precheck or pattern.search(raw)]
    if syntaxes:
        nodes.extend(_extruct_nodes(text, url, syntaxes, limits, found.reasons))
    note_cap(nodes, limits.max_reviews, url, found.reasons)
    builder = ReviewReader(limits, today or date.today(), found.reasons)
    for origin, node, index in nodes[: limits.max_reviews]:
        record = builder.record(node, index, origin=origin, found_at=url, base_url=url, fallback_url=url, language=page_language, id_key=url)
        if record is not None:
            found.records.append(record)
    found.records = dedupe(found.records, found.reasons)
    return found


def dedupe(records: list[FactCheck], reasons: list[Reason]) -> list[FactCheck]:
    """Records with distinct fact_check_ids, first one kept, each repeat a `duplicate` reason."""
    seen: set[str] = set()
    kept = []
    for record in records:
        if record.fact_check_id in seen:
            reasons.append(Reason("duplicate", f"{record.found_at}: {record.fact_check_id} ({record.origin}) read twice"))
            continue
        seen.add(record.fact_check_id)
        kept.append(record)
    return kept


def fact_check_id(review_url: str | None, claim: str, fallback_key: str) -> str:
    """Stable ID of a review: its canonical URL (else `fallback_key`) and its claim, normalised; see the module doc."""
    try:
        identity = canonicalize_url(review_url) if review_url else fallback_key
    except UnsupportedURL:
        identity = fallback_key
    claim_key = " ".join(unicodedata.normalize("NFKC", claim).casefold().split())
    return hashlib.sha256(f"{identity}\n{claim_key}".encode()).hexdigest()[:16]


def note_cap(nodes: Sized, cap: int, where: str, reasons: list[Reason]) -> None:
    """Record a `too_many_reviews` reason if there are more than `cap` (the caller keeps the first `cap`)."""
    if len(nodes) > cap:
        reasons.append(Reason("too_many_reviews", f"{where}: {len(nodes):,} reviews, the first {cap:,} kept, {len(nodes) - cap:,} left out"))


# -- reading the page ------------------------------------------------------------------------------------

def _parse_html(text: str) -> Any:
    try:
        return etree.fromstring(text.encode("utf-8", "replace"), etree.HTMLParser(encoding="utf-8", no_network=True))
    except (etree.ParserError, ValueError):  # an empty or unparseable document
        return None


def _page_language(tree: Any) -> str | None:
    if tree is None:
        return None
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    return lang.strip()[:35] or None if lang else None


def _jsonld_blocks(tree: Any) -> Iterator[str]:
    if tree is None:
        return
    for script in tree.iter("script"):
        kind = (script.get("type") or "").split(";")[0].strip().lower()
        if kind == "application/ld+json":
            yield script.text or ""


_WRAPPERS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")


def load_json(text: str) -> tuple[Any, str | None]:
    """(data, None), or (None, why not), never an exception: HTML-comment and CDATA wrappers, and raw newlines in strings, are
    forgiven, as browsers and search engines forgive them."""
    try:
        return json.loads(_WRAPPERS.sub("", text), strict=False), None
    except json.JSONDecodeError as error:
        return None, f"{error.msg} at line {error.lineno} column {error.colno}"
    except ValueError as error:  # an integer past Python's int-to-text digit limit
        return None, str(error)[:200]
    except RecursionError:
        return None, "nested too deep to read"


def _extruct_nodes(text: str, url: str, syntaxes: list[str], limits: ClaimReviewLimits,
                   reasons: list[Reason]) -> list[tuple[str, Any, dict[str, Any]]]:
    import extruct  # imported here: only pages that carry microdata or RDFa ClaimReviews pay for it

    # extruct's RDFa is expanded JSON-LD (full IRIs as keys, values as [{"@value"}], references as {"@id"}):
    # ReviewReader.values reads those spellings too, so all three syntaxes share one reader.

    nodes: list[tuple[str, Any, dict[str, Any]]] = []
    for syntax in syntaxes:
        try:
            data = extruct.extract(text, base_url=url, syntaxes=[syntax], uniform=True, errors="strict")[syntax]
        except Exception as error:  # noqa: BLE001 - extruct and pyRdfa raise many kinds; the page's other syntaxes still count
            reasons.append(Reason("markup_unreadable", f"{url}: {syntax}: {type(error).__name__}: {str(error)[:200]}"))
            continue
        index = id_index(data)
        nodes.extend((syntax, node, index) for node, _fallback in claimreview_nodes(data, limits, reasons, f"{url}: {syntax}"))
    return nodes


def _local_name(iri: str) -> str:
    for prefix in _SCHEMA_PREFIXES[1:]:
        if iri.startswith(prefix):
            return iri[len(prefix):]
    return iri


# -- finding ClaimReview nodes ---------------------------------------------------------------------------

def _types(node: dict[str, Any]) -> list[str]:
    kinds = node.get("@type", node.get("type"))
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return [_local_name(kind) for kind in kinds if isinstance(kind, str)]


def _is_claimreview(node: Any) -> bool:
    return isinstance(node, dict) and any(kind.casefold() == "claimreview" for kind in _types(node))


def claimreview_nodes(data: Any, limits: ClaimReviewLimits, reasons: list[Reason], where: str) -> Iterator[tuple[dict[str, Any], str | None]]:
    """ClaimReview nodes anywhere in parsed JSON(-LD), in document order, each with the URL of the DataFeedItem
    that holds it (a feed's fallback review URL). Iterative, and bounded by max_depth, so no input recurses."""
    stack: list[tuple[Any, int, str | None]] = [(data, 0, None)]
    too_deep = False
    while stack:
        value, depth, fallback = stack.pop()
        if depth > limits.max_depth:
            too_deep = True
            continue
        if isinstance(value, list):
            stack.extend((item, depth + 1, fallback) for item in reversed(value))
        elif isinstance(value, dict):
            if _is_claimreview(value):
                yield value, fallback
                continue
            if "DataFeedItem" in _types(value) and isinstance(value.get("url"), str):
                fallback = value["url"]
            stack.extend((item, depth + 1, fallback) for key, item in reversed(value.items()) if key != "@context")
    if too_deep:
        reasons.append(Reason("too_deep", f"{where}: nested deeper than {limits.max_depth} levels; the part below not searched"))


def id_index(data: Any) -> dict[str, Any]:
    """@id → node for nodes that say more than their @id (an @graph's references point at them). Iterative,
    and linear in the input, which its reader has already bounded (a page's or a feed file's size)."""
    index: dict[str, Any] = {}
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            if isinstance(value.get("@id"), str) and len(value) > 1:
                index.setdefault(value["@id"], value)
            stack.extend(item for key, item in value.items() if key != "@context")
    return index


# -- one node → one record --------------------------------------------------------------------------------

class ReviewReader:
    """Reads the fields of ClaimReview nodes, recording each problem against the review it is in."""

    def __init__(self, limits: ClaimReviewLimits, today: date, reasons: list[Reason]) -> None:
        self.limits, self.today, self.reasons = limits, today, reasons
        # Set per review by record(): the node's @id index, the URL relative links resolve against, and
        # the review's name in reasons.
        self.index: dict[str, Any] = {}
        self.base_url: str | None = None
        self.where = ""

    def record(self, node: dict[str, Any], index: dict[str, Any], *, origin: str, found_at: str,
               base_url: str | None, fallback_url: str | None, language: str | None, id_key: str) -> FactCheck | None:
        """The record of one ClaimReview node, or None (with a reason) if it has no claim; `id_key` names it
        in its fact_check_id when it has no usable URL (see fact_check_id)."""
        self.index, self.base_url = index, base_url
        review_url = self.url(node, "url", f"{found_at}: review") or (
            self._usable_url(fallback_url, "url", f"{found_at}: review's fallback") if fallback_url else None)
        self.where = f"{found_at}: review {review_url or '(no URL)'}"
        claim = self.text(node, "claimReviewed")
        if not claim:
            self.reasons.append(Reason("missing_claim", f"{self.where}: no claimReviewed; skipped"))
            return None
        item = self.one_node(node, "itemReviewed")
        rating = self.one_node(node, "reviewRating")
        rating_text = self.text(rating, "alternateName") or self.text(rating, "name")
        value, best, worst = (self.number(rating, key) for key in ("ratingValue", "bestRating", "worstRating"))
        return FactCheck(
            fact_check_id=fact_check_id(review_url, claim, id_key),
            claim_reviewed=claim,
            claim_author=self.names(item, "author") or self.names(item, "creator"),
            claim_date=self.date(item, "datePublished") or self.date(item, "dateCreated"),
            claim_appearances=self.appearances(item),
            rating_text=rating_text, rating_value=value, best_rating=best, worst_rating=worst,
            verdict=verdict_of(rating_text, value, best, worst),
            reviewer=self.names(node, "author") or self.names(node, "publisher"),
            review_date=self.date(node, "datePublished") or self.date(node, "dateCreated"),
            review_url=review_url,
            review_headline=self.text(node, "headline") or self.text(node, "name"),
            language=self.language(node) or language,
            origin=origin, found_at=found_at,
        )

    # Field access: a key may be written plainly, prefixed ("schema:url") or as a full IRI.
    def values(self, node: Any, key: str) -> list[Any]:
        if not isinstance(node, dict):
            return []
        for prefix in _SCHEMA_PREFIXES:
            if prefix + key in node:
                value = node[prefix + key]
                break
        else:
            return []
        items = value if isinstance(value, list) else [value]
        return [self._resolve(item) for item in items if item is not None]

    def _resolve(self, item: Any) -> Any:
        if isinstance(item, dict):
            if "@value" in item:
                return item["@value"]
            if set(item) == {"@id"} and isinstance(item["@id"], str):
                return self.index.get(item["@id"], item)
        return item

    def text(self, node: Any, key: str) -> str | None:
        values = self.values(node, key)
        if not values:
            return None
        if len(values) > 1:
            self.reasons.append(Reason("wrong_type", f"{self.where}: {key} has {len(values)} values; the first kept"))
        value = values[0]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.reasons.append(Reason("wrong_type", f"{self.where}: {key} is {_kind(value)}, not text; null"))
            return None
        if not isinstance(value, str):
            self.reasons.append(Reason("wrong_type", f"{self.where}: {key} is a number, used as text"))
            value = str(value)
        return self._cap(" ".join(html_lib.unescape(value).split()), key)

    def _cap(self, value: str, key: str) -> str | None:
        if len(value) > self.limits.max_text_chars:
            self.reasons.append(Reason("field_truncated", f"{self.where}: {key} of {len(value):,} characters cut to {self.limits.max_text_chars:,}"))
            value = value[: self.limits.max_text_chars]
        return value or None

    def one_node(self, node: Any, key: str) -> dict[str, Any] | None:
        values = self.values(node, key)
        nodes = [value for value in values if isinstance(value, dict)]
        if len(values) > len(nodes):
            self.reasons.append(Reason("wrong_type", f"{self.where}: {key} holds {_kind(next(v for v in values if not isinstance(v, dict)))}, not an object"))
        if len(nodes) > 1:
            self.reasons.append(Reason("wrong_type", f"{self.where}: {key} has {len(nodes)} objects; the first kept"))
        return nodes[0] if nodes else None

    def names(self, node: Any, key: str) -> str | None:
        """Names of a person or organisation field: a string, an object's name, or a list of either, joined."""
        names: list[str] = []
        for value in self.values(node, key):
            if isinstance(value, dict):
                value = next(iter(self.values(value, "name")), None)
            if isinstance(value, str) and value.strip() and " ".join(value.split()) not in names:
                names.append(" ".join(html_lib.unescape(value).split()))
            elif value is not None and not isinstance(value, str):
                self.reasons.append(Reason("wrong_type", f"{self.where}: {key} name is {_kind(value)}, not text; left out"))
        return self._cap("; ".join(names), key) if names else None

    def number(self, node: Any, key: str) -> float | None:
        values = self.values(node, key)
        if not values:
            return None
        value = values[0]
        if isinstance(value, str):
            try:
                value = float(value.strip().replace(",", "."))
            except ValueError:
                self.reasons.append(Reason("bad_number", f"{self.where}: {key} {value[:40]!r} is not a number; null"))
                return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.reasons.append(Reason("wrong_type", f"{self.where}: {key} is {_kind(value)}, not a number; null"))
            return None
        try:
            value = float(value)
        except OverflowError:  # an integer past float's range
            value = math.inf
        if not math.isfinite(value):
            self.reasons.append(Reason("bad_number", f"{self.where}: {key} is not a finite number; null"))
            return None
        return value

    def date(self, node: Any, key: str) -> date | None:
        value = self.text(node, key)
        if value is None:
            return None
        match = _ISO_DATE.fullmatch(value.strip())
        try:
            if match is None:
                raise ValueError
            day = date(*(int(part) for part in match.groups()))
        except ValueError:
            self.reasons.append(Reason("invalid_date", f"{self.where}: {key} {value[:40]!r} is not a date; null"))
            return None
        if day > self.today + timedelta(days=1):
            self.reasons.append(Reason("future_date", f"{self.where}: {key} {day.isoformat()} is after today; null"))
            return None
        return day

    def _absolute(self, url: str) -> str | None:
        try:
            return urljoin(self.base_url, url) if self.base_url else url
        except ValueError:
            return None

    def url(self, node: Any, key: str, where: str) -> str | None:
        """The first usable http(s) URL of a field (a string, or an object's url or @id); others dropped, noted."""
        for value in self.values(node, key):
            candidate = value.get("url", value.get("@id")) if isinstance(value, dict) else value
            usable = self._usable_url(candidate, key, where)
            if usable:
                return usable
        return None

    def _usable_url(self, candidate: Any, key: str, where: str) -> str | None:
        if isinstance(candidate, list):
            candidate = candidate[0] if candidate else None
        if not isinstance(candidate, str):
            if candidate is not None:
                self.reasons.append(Reason("wrong_type", f"{where}: {key} is {_kind(candidate)}, not a URL; dropped"))
            return None
        candidate = candidate.strip()
        if len(candidate) > self.limits.max_url_chars:
            self.reasons.append(Reason("bad_url", f"{where}: {key} of {len(candidate):,} characters; dropped"))
            return None
        absolute = self._absolute(candidate)
        try:
            canonicalize_url(absolute or "")
        except UnsupportedURL as error:
            self.reasons.append(Reason("bad_url", f"{where}: {key} {str(error)[:200]}; dropped"))
            return None
        return absolute

    def appearances(self, item: Any) -> tuple[str, ...]:
        urls: list[str] = []
        for key in ("firstAppearance", "appearance"):
            for value in self.values(item, key):
                candidate = value.get("url", value.get("@id")) if isinstance(value, dict) else value
                usable = self._usable_url(candidate, key, self.where)
                if usable and usable not in urls:
                    urls.append(usable)
        if len(urls) > self.limits.max_appearances:
            self.reasons.append(Reason("too_many_appearances", f"{self.where}: {len(urls):,} appearances, the first {self.limits.max_appearances} kept"))
            urls = urls[: self.limits.max_appearances]
        return tuple(urls)

    def language(self, node: Any) -> str | None:
        for value in self.values(node, "inLanguage"):
            if isinstance(value, dict):
                value = next(iter(self.values(value, "alternateName") or self.values(value, "name")), None)
            if isinstance(value, str) and value.strip():
                return value.strip()[:35]
        return None


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean", str: "text"}.get(type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)
