"""Find quoted passages in article text, tolerating straight, curly, doubled and unbalanced quote marks."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from transform.model import Span

# '' and `` are the quote marks of some wire and archive styles (e.g. ''like this'').
MARK = re.compile(r"''|``|[\"\u201c\u201d\u00ab\u00bb\u201e]")
OPENERS = {"\u201c", "\u00ab", "\u201e", "``"}
CLOSERS = {"\u201d", "\u00bb"}
AMBIGUOUS = {'"', "''"}
QUOTABLE = re.compile(r"[^\W_]")  # a letter or a digit, in any script
QUOTE_MARKS = set('"\u201c\u201d\u00ab\u00bb\u201e')
QUOTE_CHARACTERS = QUOTE_MARKS | {"'", "\u2018", "\u2019"}  # with the single marks that close '' quotes
WITHOUT_QUOTE_CHARACTERS = str.maketrans("", "", "".join(QUOTE_CHARACTERS))


def find_quotes(text: str) -> list[Span]:
    """Spans of quoted text, marks excluded, in document order.

    A quote still open at the end of its paragraph ends there: news style opens each paragraph of a
    long quote again, so the next paragraph's part is a quote of its own, and one stray mark never
    swallows the rest of the article.
    """
    spans: list[Span] = []
    position = 0
    for line in text.split("\n"):
        spans.extend(_paragraph_quotes(line, position))
        position += len(line) + 1
    # Marks with nothing quotable between them ('"“"“', '" , "') quote nothing; kept, a file of marks
    # alone would make millions of one-character quotes.
    return [span for span in spans if QUOTABLE.search(text, span.start, span.end)]


def quotes_between(quotes: list[Span], start: int, end: int) -> list[Span]:
    """The quotes overlapping [start, end), found by bisection: `quotes` is in document order and without
    overlaps, as find_quotes gives it, so a long article costs no scan of every quote per paragraph."""
    return quotes[bisect_right(quotes, start, key=lambda q: q.end) : bisect_left(quotes, end, key=lambda q: q.start)]


def first_quote_from(quotes: list[Span], position: int) -> Span | None:
    """The first quote opening at or after `position`, in a list in document order."""
    i = bisect_left(quotes, position, key=lambda q: q.start)
    return quotes[i] if i < len(quotes) else None


def _paragraph_quotes(paragraph: str, offset: int) -> list[Span]:
    spans: list[Span] = []
    open_at: int | None = None
    for match in MARK.finditer(paragraph):
        mark = match.group()
        if open_at is None:
            if mark in OPENERS or mark in AMBIGUOUS:
                open_at = match.end()
        elif mark in CLOSERS or mark in AMBIGUOUS or _opener_typed_for_closer(paragraph, match):
            if match.start() > open_at:
                spans.append(Span(offset + open_at, offset + match.start()))
            open_at = None
    if open_at is not None:
        end = len(paragraph.rstrip())
        if end > open_at:
            spans.append(Span(offset + open_at, offset + end))
    return spans


def _opener_typed_for_closer(paragraph: str, match: re.Match) -> bool:
    """'“It's unusual,“ said X': an opening mark right after the quote's last punctuation and before a space
    closes the quote; read as an opener, it would hide the attribution inside one long quote."""
    before = paragraph[match.start() - 1 : match.start()]
    after = paragraph[match.end() : match.end() + 1]
    return match.group() in OPENERS and before in {",", ".", "?", "!"} and (after == "" or after.isspace())


def only_quote_marks(gap: str) -> bool:
    """Nothing but quote marks and space between two places ('Dr. Ward stated:' and the quote below it)."""
    return not gap.translate(WITHOUT_QUOTE_CHARACTERS).strip()
