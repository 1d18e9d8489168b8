"""Which quotes an attribution introduces: those beside it, the one after its sentence, and the run that continues them."""

from __future__ import annotations

import re

from transform.model import Span
from transform.prefilter import WORD
from transform.quotes import QUOTE_CHARACTERS, WITHOUT_QUOTE_CHARACTERS, first_quote_from
from transform.spans import trim
from transform.tokens import cue_forms

WORD_WITH_CASE = re.compile(r"[A-Za-z]+")


def adjacent_quotes(text: str, quotes: list[Span], cue: Span, source: Span | None) -> list[Span]:
    """Quotes that stand right next to the attribution (only marks, commas or a colon between)."""
    lo = min(cue.start, source.start) if source else cue.start
    hi = max(cue.end, source.end) if source else cue.end
    near = []
    for q in quotes:
        gap = text[q.end : lo] if q.end <= lo else text[hi : q.start] if q.start >= hi else ""
        if len(gap) <= 12 and not any(ch.isalnum() for ch in gap):
            near.append(q)
    return near


def quote_after_attribution(text: str, quotes: list[Span], cue, offset: int) -> list[Span]:
    """'X said in a statement. "..."': a quote opening right after an attribution that ends its sentence."""
    end = offset + max(t.idx + len(t.text) for t in cue.subtree if not t.is_punct)
    q = first_quote_from(quotes, end)
    if q is None:
        return []
    gap = text[end : q.start]
    stripped = gap.strip()
    if len(stripped) > 5:
        return []
    bare = stripped.translate(WITHOUT_QUOTE_CHARACTERS).strip()
    if ("\n" in gap and bare != ":") or bare not in {".", ":", ",", ""}:
        return []
    # '... spoke to the crowd. "We will win," he said': the quote has a speaker of its own.
    return [] if _has_own_cue(text, q) else [q]


def _has_own_cue(text: str, quote: Span) -> bool:
    """'"...," he said': a cue word among the three words right after a quote that does not end its sentence."""
    if text[quote.start : quote.end].rstrip("".join(QUOTE_CHARACTERS) + " ").endswith("."):
        return False  # '"... ." He said': the words after it begin another sentence
    after = text[quote.end : quote.end + 40].split("\n")[0].lower()
    return any(word in cue_forms() for word in WORD.findall(after)[:3])


def another_cue_between(text: str, start: int, end: int, cue: Span) -> bool:
    """A cue word other than `cue` in text[start:end]."""
    forms = cue_forms()
    return any(match.group().lower() in forms for match in WORD_WITH_CASE.finditer(text, start, end)
               if not cue.start <= match.start() < cue.end)


def extend_quote_run(text: str, quotes: list[Span], content: Span, sentence_end: int, cue: Span) -> Span:
    """Grow a direct quote over the quotes that continue it in the paragraph.

    '"A," he said, noting X. "B. C."' is one statement: the rest of the attribution sentence may
    stand between the parts, but any other words end the run.
    """
    end = content.end
    for quote in sorted(quotes, key=lambda q: q.start):
        if quote.start < end:
            continue
        gap = text[max(end, sentence_end) : quote.start] if quote.start >= sentence_end else ""
        if any(ch.isalnum() for ch in gap) or "\n" in text[end : quote.start]:
            break
        if quote.start < sentence_end and another_cue_between(text, end, quote.start, cue):
            break  # '"A," she said, adding that "B"': B is what the second cue introduces
        if quote.start >= sentence_end and _has_own_cue(text, quote):
            break  # '"A," X said. "B," he said': B is the second cue's statement
        end = quote.end
    return trim(text, Span(content.start, end)) or content


def split_quote(quotes: list[Span], cue: Span) -> bool:
    """True for '"A," he said, "B"': the cue sits between two quoted parts of one statement."""
    return any(q.end <= cue.start for q in quotes) and any(q.start >= cue.end for q in quotes)
