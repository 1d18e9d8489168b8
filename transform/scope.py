"""How much of an article's text attribution reads: the rules read English only, and one article's text
is read up to a bound, so no page can hold a run (a 9.9 MB paragraph was still being attributed at 586 s).
"""

from __future__ import annotations

from dataclasses import dataclass

NOT_ENGLISH = "not_english"
TEXT_CUT = "text_cut"
ENGLISH_CODES = {"en", "eng"}


@dataclass(frozen=True)
class Scope:
    """The first `chars` characters of the text are attributed; `limit` says why not all (None: all are)."""

    chars: int
    limit: str | None = None


def attribution_scope(text: str, language: str | None, max_chars: int) -> Scope:
    """What of `text` to attribute: none of a page declared in another language than English (the cue
    words, the parser and the rules are English), and of a longer text its first `max_chars` characters,
    cut at the last line break or space before the bound, so no word or line is cut in two."""
    if language and language.lower() not in ENGLISH_CODES:
        return Scope(0, NOT_ENGLISH)
    if len(text) <= max_chars:
        return Scope(len(text))
    cut = text.rfind("\n", 0, max_chars + 1)
    if cut < max_chars // 2:
        cut = max(text.rfind(" ", 0, max_chars + 1), 0) or max_chars
    return Scope(cut, TEXT_CUT)
