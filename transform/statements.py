"""Relations as the Statements the pipeline publishes: content parts, stance and bounded confidence."""

from __future__ import annotations

from transform.lexicon import cue_noun_stances, cue_stances, reaction_noun_stances
from transform.model import Span, Statement
from transform.quotes import QUOTE_CHARACTERS
from transform.relation import Relation
from transform.spans import trim


def _quoted_parts(r: Relation, quotes: list[Span], text: str) -> list[Span]:
    """The quotes that make up a direct statement whose own attribution stands between them."""
    inside = [m for m in (r.cue, r.source) if m is not None and r.content.start <= m.start < r.content.end]
    if r.kind != "direct" or not inside:
        return []
    parts = []
    for quote in quotes:
        start, end = max(quote.start, r.content.start), min(quote.end, r.content.end)
        if start < end:
            part = trim(text, Span(start, end))
            while part is not None and text[part.start] in QUOTE_CHARACTERS:
                part = trim(text, Span(part.start + 1, part.end))
            while part is not None and text[part.end - 1] in QUOTE_CHARACTERS:
                part = trim(text, Span(part.start, part.end - 1))
            if part is not None:
                parts.append(part)
    return parts if len(parts) >= 2 else []


# Marks that end the words before an attribution set off inside content; a hyphen joins words, so it is not one.
PARENTHESIS_MARKS = (",", "—", "–", "--")


def _parts_around_attribution(r: Relation, text: str) -> list[Span]:
    """'A, X said, B' outside quotes: the content is A and B, without the attribution set off between them."""
    inside = [m for m in (r.cue, r.source) if m is not None and r.content.start < m.start < r.content.end]
    if len(inside) < (2 if r.source is not None else 1):
        return []
    start, end = min(m.start for m in inside), max(m.end for m in inside)
    left_end = max(text.rfind(mark, r.content.start, start) for mark in PARENTHESIS_MARKS)
    right_start = min((i for i in (text.find(mark, end, r.content.end) for mark in PARENTHESIS_MARKS) if i >= 0), default=-1)
    if left_end < 0 or right_start < 0:
        return []
    parts = [trim(text, Span(r.content.start, left_end)), trim(text, Span(right_start + 1, r.content.end))]
    return parts if all(parts) else []


def to_statement(r: Relation, quotes: list[Span], text: str) -> Statement:
    return Statement(
        content_parts=r.parts or _quoted_parts(r, quotes, text) or _parts_around_attribution(r, text),
        content=r.content, kind=r.kind, source=r.source, cue=r.cue, source_text=r.source_text,
        source_name=r.source_name, source_type=r.source_type, cue_lemma=r.lemma,
        stance="report" if r.kind == "according_to" else cue_stances().get(r.lemma) or cue_noun_stances().get(r.lemma) or reaction_noun_stances().get(r.lemma, "assert"), channel=r.channel, via=list(r.via),
        confidence=max(0.0, min(1.0, r.confidence)),
    )
