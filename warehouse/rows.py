"""Build warehouse rows from pipeline results, with stable IDs so every load is an upsert."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from transform.lexicon import alias_table
from transform.model import Statement


def stable_id(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def source_name(name: str) -> str:
    """A source's name as the warehouse keys and shows it: NFKC-normalised, spaces collapsed, so a name
    spelled in fullwidth letters or ligatures ("Ｊｏｈｎ Smith") is the same source as in plain letters.
    (Bidi and zero-width characters never get this far: the extractor strips them from page text.)"""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def source_id(name: str, kind: str) -> str:
    return stable_id("source", kind, source_name(name).lower())


def statement_id(article_id: str, statement: Statement) -> str:
    cue_start = statement.cue.start if statement.cue else -1
    return stable_id("statement", article_id, statement.content.start, statement.content.end, cue_start)


@dataclass
class RunRows:
    """Everything one run stages: rows per table, plain dicts ready for a DataFrame."""

    articles: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    statement_sources: list[dict[str, Any]] = field(default_factory=list)
    statement_vectors: list[dict[str, Any]] = field(default_factory=list)  # statement_id, encoder_id, vector
    fact_checks: list[dict[str, Any]] = field(default_factory=list)  # ClaimReviews found on the batch's pages
    fact_check_issues: list[dict[str, Any]] = field(default_factory=list)  # found_at, article_id, reason, detail

    def add_source(self, name: str, kind: str) -> str:
        name = source_name(name)
        key = source_id(name, kind)
        self.sources.setdefault(key, {"source_id": key, "name": name, "type": kind})
        return key


@dataclass
class RunTally:
    """What a run staged, kept as counts (and a small sample) so memory stays flat however many batches pass."""

    articles: int = 0
    statements: int = 0
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    cited: Counter = field(default_factory=Counter)
    sample: list[dict[str, Any]] = field(default_factory=list)
    limits: Counter = field(default_factory=Counter)  # articles not attributed whole, by attribution_limit
    fact_checks: int = 0
    fact_check_issues: int = 0

    def add(self, rows: RunRows, sample_size: int = 1000) -> None:
        self.articles += len(rows.articles)
        self.limits.update(a["attribution_limit"] for a in rows.articles if a.get("attribution_limit"))
        self.statements += len(rows.statements)
        self.fact_checks += len(rows.fact_checks)
        self.fact_check_issues += len(rows.fact_check_issues)
        self.sources.update(rows.sources)
        self.cited.update(s["source_id"] for s in rows.statements)
        for statement in rows.statements[: max(0, sample_size - len(self.sample))]:
            self.sample.append({k: statement[k] for k in ("statement_id", "source_id", "kind", "stance", "content")})


def publisher_of(sitename: str | None, canonical_url: str) -> tuple[str, str]:
    """The outlet that published an article: its alias-table name if known, else its site name or host."""
    host = canonical_url.split("/")[2] if "://" in canonical_url else ""
    label = sitename or host or "unknown"
    known = alias_table().lookup(label)
    return (known.name, known.type) if known else (label, "media_outlet")


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def add_article(
    rows: RunRows,
    *,
    article: dict[str, Any],
    text: str,
    statements: list[Statement],
    engine_version: str,
    model_id: str | None = None,
) -> None:
    """Add one article and its statements, sources and chain links to `rows`; `model_id` names the trained
    model that stood beside the rules engine, if one did."""
    article_id = article["article_id"]
    publisher_name, publisher_type = publisher_of(article.get("sitename"), article["canonical_url"])
    publisher = rows.add_source(publisher_name, publisher_type)
    rows.articles.append({**article, "text": text, "publisher_id": publisher, "engine_version": engine_version,
                          "model_id": model_id})
    for statement in statements:
        sid = statement_id(article_id, statement)
        speaker = rows.add_source(statement.source_name or "unknown", statement.source_type)
        rows.statements.append({
            "statement_id": sid,
            "article_id": article_id,
            "content_start": statement.content.start,
            "content_end": statement.content.end,
            "content": statement.content.text(text),
            "content_parts": json.dumps([[part.start, part.end] for part in statement.content_parts or [statement.content]]),
            "cue_start": statement.cue.start if statement.cue else None,
            "cue_end": statement.cue.end if statement.cue else None,
            "cue": statement.cue.text(text) if statement.cue else None,
            "cue_lemma": statement.cue_lemma,
            "stance": statement.stance,
            "source_start": statement.source.start if statement.source else None,
            "source_end": statement.source.end if statement.source else None,
            "source_mention": statement.source.text(text) if statement.source else None,
            "source_id": speaker,
            "kind": statement.kind,
            "channel": statement.channel or None,
            "confidence": statement.confidence,
            "chain_length": len(statement.via),
            "engine_version": engine_version,
            "model_id": statement.model_id or None,
        })
        chain = [(speaker, "speaker", statement.cue_lemma, statement.source_text)]
        chain += [(rows.add_source(link.name, link.type), "intermediary", link.cue, link.mention) for link in statement.via]
        chain.append((publisher, "publisher", "published", publisher_name))
        for position, (source, role, cue, mention) in enumerate(chain):
            rows.statement_sources.append({
                "statement_id": sid, "source_id": source, "role": role, "position": position,
                "cue": cue, "mention": mention,
            })
