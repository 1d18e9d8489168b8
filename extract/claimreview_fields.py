"""One ClaimReview node's fields → a FactCheck: texts, names, numbers, dates and URLs coerced, each problem a
recorded Reason against the review it is in (never an exception on a page's content).

A key may be written plainly, prefixed ("schema:url") or as a full IRI, and values as expanded JSON-LD
([{"@value"}], {"@id"} references): JSON-LD, microdata and RDFa share this one reader.
"""

from __future__ import annotations

import html as html_lib
import math
import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import urljoin

from extract.fact_checks import ClaimReviewLimits, FactCheck, Reason, fact_check_id
from extract.urls import UnsupportedURL, canonicalize_url
from extract.verdicts import verdict as verdict_of

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?", re.ASCII)
SCHEMA_PREFIXES = ("", "schema:", "http://schema.org/", "https://schema.org/", "http://www.schema.org/", "https://www.schema.org/")


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
        for prefix in SCHEMA_PREFIXES:
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
