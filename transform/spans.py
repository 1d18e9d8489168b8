"""Overlap look-ups over many spans at once, for article-long lists of statements."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from itertools import accumulate

from transform.model import Span


class SpanIndex:
    """Which of many spans overlap a given span or hold a given position, by bisection.

    An article's statements are asked this once per quote or per statement; a scan of all of them each
    time grows with the square of the article, which a long input (a 5 MB file) makes hours.
    """

    def __init__(self, spans: Iterable[Span]) -> None:
        self._spans = list(spans)
        self._order = sorted(range(len(self._spans)), key=lambda i: self._spans[i].start)
        self._starts = [self._spans[i].start for i in self._order]
        self._reach = list(accumulate((self._spans[i].end for i in self._order), max))  # furthest end among the first k
        self._longest = max((span.end - span.start for span in self._spans), default=0)

    def overlaps(self, span: Span) -> bool:
        """Whether any span shares a character with `span`."""
        opened_before_end = bisect_left(self._starts, span.end)
        return opened_before_end > 0 and self._reach[opened_before_end - 1] > span.start

    def containing(self, position: int) -> list[int]:
        """Indices, in the order the spans were given, of those with start <= position < end."""
        # A span opening more than the longest span's length before `position` has ended before it.
        first = bisect_left(self._starts, position - self._longest + 1)
        last = bisect_right(self._starts, position)
        return sorted(i for i in self._order[first:last] if position < self._spans[i].end)


def span_of(tokens, offset: int, text: str) -> Span | None:
    tokens = [t for t in tokens if not t.is_punct or t.text in {"%", "$"}]
    if not tokens:
        return None
    start = offset + min(t.idx for t in tokens)
    end = offset + max(t.idx + len(t.text) for t in tokens)
    return trim(text, Span(start, end))


def trim(text: str, span: Span) -> Span | None:
    start, end = span.start, span.end
    while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-"):
        end -= 1
    return Span(start, end) if end > start else None


def overlap(a: Span, b: Span) -> bool:
    return a.start <= b.start < a.end or b.start <= a.start < b.end
