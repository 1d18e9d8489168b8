"""Find quoted passages in article text, tolerating straight, curly and unbalanced quote marks."""

from __future__ import annotations

from transform.model import Span

OPENING = {"\u201c": "\u201d", "\u00ab": "\u00bb", "\u201e": "\u201d"}
CLOSING = {"\u201d", "\u00bb"}
STRAIGHT = '"'


def find_quotes(text: str) -> list[Span]:
    """Spans of quoted text, marks excluded, in document order.

    A quote left open at the end of a paragraph continues into the next paragraph when that one
    opens with a quote mark again (the news convention for quotes running over several paragraphs);
    otherwise it is closed at the paragraph's end, so one stray mark never swallows the article.
    """
    spans: list[Span] = []
    open_at: int | None = None
    pos = 0
    length = len(text)
    for paragraph_end in _paragraph_ends(text):
        paragraph_start = pos
        for i in range(paragraph_start, paragraph_end):
            ch = text[i]
            if open_at is None:
                if ch in OPENING or ch == STRAIGHT:
                    open_at = i + 1
            elif ch in CLOSING or ch == STRAIGHT:
                if i > open_at:
                    spans.append(Span(open_at, i))
                open_at = None
            elif ch in OPENING and i == paragraph_start:
                # Continuation mark of a multi-paragraph quote: the quote goes on.
                pass
        if open_at is not None:
            next_start = paragraph_end + 1
            continues = next_start < length and _starts_with_quote(text, next_start)
            if not continues:
                if paragraph_end > open_at:
                    spans.append(Span(open_at, _rstrip(text, open_at, paragraph_end)))
                open_at = None
            else:
                # Record this paragraph's part; the next paragraph's part starts after its mark.
                spans.append(Span(open_at, _rstrip(text, open_at, paragraph_end)))
                open_at = None
                pos = next_start
                # Skip the continuation mark by treating the next paragraph as opening a quote.
                continue
        pos = paragraph_end + 1
    return [span for span in spans if text[span.start : span.end].strip()]


def _paragraph_ends(text: str) -> list[int]:
    ends = [i for i, ch in enumerate(text) if ch == "\n"]
    ends.append(len(text))
    return ends


def _starts_with_quote(text: str, index: int) -> bool:
    while index < len(text) and text[index] in " \t":
        index += 1
    return index < len(text) and (text[index] in OPENING or text[index] == STRAIGHT)


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def inside(span: Span, quotes: list[Span]) -> bool:
    """True when `span` lies within one of the quoted passages."""
    return any(q.start <= span.start and span.end <= q.end for q in quotes)
