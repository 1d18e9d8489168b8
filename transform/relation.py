"""The one type every rule produces: a candidate attributed statement before chains are collapsed."""

from __future__ import annotations

from dataclasses import dataclass, field

from transform.model import ChainLink, Span


@dataclass
class Relation:
    content: Span
    kind: str
    cue: Span
    source: Span | None
    source_text: str
    source_name: str
    source_type: str
    lemma: str
    channel: str
    via: list[ChainLink] = field(default_factory=list)
    confidence: float = 0.5
    parts: list[Span] = field(default_factory=list)
