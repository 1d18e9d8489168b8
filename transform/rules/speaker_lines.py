""""Rubio: I still believe ..." and "- Carl Bialik: “...”": a name and a colon introduce what follows."""

from __future__ import annotations

import re

from transform.lexicon import word_list
from transform.model import Span
from transform.nlp import entity_of
from transform.relation import Relation
from transform.sources import ArticleContext, resolve_source
from transform.spans import SpanIndex, trim

LETTER_WORD = re.compile(r"[^\W\d_]{2,}")  # a word of two or more letters


SPEAKER_LINE = re.compile(
    r"^[ \t]*((?:[A-Z][\w.'’-]*)(?:[ \t]+(?:[A-Z][\w.'’-]*|of|the|on|de|van|von)){0,4})[ \t]*(:)[ \t]+(\S[^\n]*)$", re.MULTILINE)


NOT_SPEAKERS = word_list("not_speakers")


# Photo and image credits ("Kamala Harris Image: U.S. Senate."), a bare "Photo:" or "Video:" label included.
MEDIA_CREDIT = re.compile(r"(?:image|photo|picture|credit|caption|video|file)s?$", re.IGNORECASE)


def speaker_line_relations(text: str, relations: list[Relation], context: ArticleContext) -> list[Relation]:
    """'Rubio: I still believe ...' and transcript lines ('Q: ...', 'TAPPER: ...'): the name before the colon speaks the line."""
    cues = [r.cue.start for r in relations]
    found = []
    for match in SPEAKER_LINE.finditer(text):
        name = match.group(1)
        if name.lower() in NOT_SPEAKERS or name.lower().startswith(("according to", "follow ")) or MEDIA_CREDIT.search(name):
            continue
        content = trim(text, Span(match.start(3), match.end(3)))
        if content is None or any(content.start <= cue < content.end for cue in cues):
            continue
        if len(LETTER_WORD.findall(content.text(text))) < 2:  # 'Ortega: 1,547.' is a tally, not a line spoken
            continue
        found.append(_named_speaker(name, Span(match.start(1), match.end(1)), Span(match.start(2), match.end(2)), content, context))
    return found


# "... - Carl Bialik: “...”", "More from the report: “...”": a name and a colon introduce a quote.
NAME_BEFORE_QUOTE = re.compile(
    r"(?:^|\s[-–—]+\s*|\b[Ff]rom\s+)((?:the report|the study|[A-Z][\w.'’-]*(?:[ \t]+(?:[A-Z][\w.'’-]*|and|of)){0,5})):[ \t]*(?:''|``|[\"“«„])$")


def named_quote_relations(text: str, quotes: list[Span], relations: list[Relation], context: ArticleContext) -> list[Relation]:
    """A quote after "Name:" within a line (newsletters quoting their sources), where no cue verb says who speaks."""
    taken = SpanIndex(r.content for r in relations)
    found = []
    for quote in quotes:
        line_start = text.rfind("\n", 0, quote.start) + 1
        match = NAME_BEFORE_QUOTE.search(text, max(line_start, quote.start - 120), quote.start)
        if match is None or match.start(1) == line_start or taken.overlaps(quote):
            continue  # a name at the line's start is a speaker line, read by speaker_line_relations
        name = match.group(1)
        if name.lower() in NOT_SPEAKERS or name.split()[-1] in {"and", "of"}:
            continue
        content = trim(text, quote)
        if content is None or len(LETTER_WORD.findall(content.text(text))) < 3:
            continue
        found.append(_named_speaker(name, Span(match.start(1), match.end(1)), Span(match.end(1), match.end(1) + 1), content, context))
    return found


def _named_speaker(name: str, source: Span, cue: Span, content: Span, context: ArticleContext) -> Relation:
    """A direct quote by the person or body `name` (a speaker line's or a "Name:" quote's), resolved in context."""
    label, entity_text = entity_of(name)
    resolved = resolve_source(name, entity_label=label, head_lemma=name.split()[-1].lower(), head_text=name.split()[-1],
                              position=source.start, context=context, entity_text=entity_text)
    return Relation(
        content=content, kind="direct", cue=cue, source=source,
        source_text=name, source_name=resolved.name, source_type=resolved.type, lemma="say", channel="", confidence=0.6,
    )
