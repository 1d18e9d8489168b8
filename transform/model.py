"""Value types the attribution step produces: statements, their spans and their chain of sources."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("direct", "indirect", "mixed", "according_to")
SOURCE_TYPES = (
    "person",
    "government",
    "military",
    "news_agency",
    "state_media",
    "media_outlet",
    "social_platform",
    "organisation",
    "anonymous",
    "vague",
    "unknown",
)
STANCES = (
    "assert",
    "claim",
    "deny",
    "warn",
    "report",
    "believe",
    "reveal",
    "accuse",
    "promise",
    "question",
    "announce",
    "suggest",
    "support",
    "demand",
)


@dataclass(frozen=True)
class Span:
    """Half-open code-point range [start, end) into the article text."""

    start: int
    end: int

    def text(self, doc_text: str) -> str:
        return doc_text[self.start : self.end]

    def as_list(self) -> list[int]:
        return [self.start, self.end]


@dataclass(frozen=True)
class ChainLink:
    """One intermediary between the speaker and the article: who passed the statement on, and how."""

    name: str
    type: str
    cue: str
    mention: str = ""


@dataclass
class Statement:
    """One attributed statement: what was said (content), by whom (source), signalled by which cue."""

    content: Span
    kind: str
    source: Span | None = None
    cue: Span | None = None
    source_text: str = ""
    source_name: str = ""
    source_type: str = "unknown"
    cue_lemma: str = ""
    stance: str = "assert"
    channel: str = ""
    via: list[ChainLink] = field(default_factory=list)
    confidence: float = 0.5
    # The quoted parts when the attribution stands inside the content ('"A," she said, "B."'); else [content].
    content_parts: list[Span] = field(default_factory=list)
    # The trained model that found the statement; empty for the rules' own.
    model_id: str = ""

    def as_json(self) -> dict[str, Any]:
        """The JSON-lines contract of `citeline attribute` (without the `file` key)."""
        return {
            "content": self.content.as_list(),
            "content_parts": [part.as_list() for part in (self.content_parts or [self.content])],
            "source": self.source.as_list() if self.source else None,
            "cue": self.cue.as_list() if self.cue else None,
            "kind": self.kind,
            "source_text": self.source_text,
            "source_name": self.source_name,
            "source_type": self.source_type,
            "cue_lemma": self.cue_lemma,
            "stance": self.stance,
            "channel": self.channel,
            "via": [asdict(link) for link in self.via],
            "confidence": round(self.confidence, 3),
            # Only when a model found it, so rules-only output keeps its exact form.
            **({"model_id": self.model_id} if self.model_id else {}),
        }
