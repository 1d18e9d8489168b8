"""A paragraph that is only a quote goes on with the speaker of the direct quote before it."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from transform.model import Span
from transform.quotes import QUOTE_MARKS, quotes_between
from transform.relation import Relation
from transform.spans import trim


def quote_paragraph_continuations(text: str, quotes: list[Span], relations: list[Relation]) -> list[Relation]:
    """A paragraph that is only a quote continues the speaker of the direct quote just before it."""
    found: list[Relation] = []
    by_end = sorted((r for r in relations if r.kind == "direct"), key=lambda r: r.content.end)
    covered_starts = sorted(r.content.start for r in relations)
    position = 0
    previous: Relation | None = None
    for line in text.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        stripped = line.strip()
        earlier = bisect_right(by_end, start, key=lambda r: r.content.end)
        if earlier:
            latest = by_end[earlier - 1]
            previous = latest if previous is None or latest.content.end >= previous.content.end else previous
        opens_with_quote = bool(stripped) and (stripped[0] in QUOTE_MARKS or stripped.startswith("''"))
        if not opens_with_quote or previous is None:
            continue
        inside = quotes_between(quotes, start, end)  # a quote never runs past its line
        quoted = sum(q.end - q.start for q in inside)
        if not inside or quoted < 0.8 * len(stripped) or bisect_left(covered_starts, start) < bisect_left(covered_starts, end):
            continue
        content = trim(text, Span(inside[0].start, inside[-1].end))
        if content is None:
            continue
        found.append(Relation(
            content=content, kind="direct", cue=previous.cue,
            source=previous.source, source_text=previous.source_text, source_name=previous.source_name,
            source_type=previous.source_type, lemma=previous.lemma, channel=previous.channel,
            via=list(previous.via), confidence=0.6,
        ))
        previous = found[-1]
    return found
