"""The one type every rule produces: a candidate attributed statement before chains are collapsed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from transform.model import ChainLink, Span
from transform.sources import ResolvedSource


class Speaker(NamedTuple):
    """Who a rule found speaking: the mention's span (None when no one is named, as in "is expected to"),
    its text, and the source it resolves to."""

    span: Span | None
    mention: str
    resolved: ResolvedSource


@dataclass
class Relation:
    """One rule's finding: what was said (content, and its parts when the attribution stands between them),
    the cue and its lemma, and who said it, flat as a Statement holds it (source is the mention's span or None).

    Mutable because collapsing chains fills in `via` and `channel` from the relation a statement came through.
    """

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
