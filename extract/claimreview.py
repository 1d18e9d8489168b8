"""schema.org ClaimReview markup in a page → FactCheck records, with every piece of bad markup a recorded reason.

A page is scanned only if it names ClaimReview at all (a byte search: ordinary news pages pay about nothing);
JSON-LD is read here with lxml and json (so a broken block is a reason naming it, and the others still count);
microdata and RDFa are read by extruct, and only when an `itemtype` or `typeof` attribute names ClaimReview.
Nothing in here raises on a page's content: what cannot be used is left out, or kept as null, with a
(reason, detail) saying so. The reasons are the names in extract.fact_checks.REASONS; the records and their
IDs are extract/fact_checks.py's, and one review node's fields are read by extract/claimreview_fields.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from lxml import etree

from extract.claimreview_fields import SCHEMA_PREFIXES, ReviewReader
from extract.decode import decode_html
from extract.fact_checks import DEFAULT_LIMITS, ClaimReviewLimits, ClaimReviews, FactCheck, Reason, note_cap

_MENTION = re.compile(rb"claimreview", re.IGNORECASE)
_MICRODATA = re.compile(rb"""itemtype\s*=\s*["']?[^"'>]*claimreview""", re.IGNORECASE)
_RDFA = re.compile(rb"""typeof\s*=\s*["']?[^"'>]*claimreview""", re.IGNORECASE)


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
    for prefix in SCHEMA_PREFIXES[1:]:
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
