"""Which paragraphs are worth a parse: the parser is most of the cost, and most paragraphs attribute nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from transform.lexicon import cue_noun_stances, reaction_noun_stances
from transform.quotes import QUOTE_MARKS
from transform.rules.reactions import RECEIVING_FORMS
from transform.tokens import cue_forms

MAX_PARAGRAPH_CHARS = 20_000


@lru_cache(maxsize=1)
def _cue_words() -> frozenset[str]:
    """Every cue form, plus the words of according-to and per, for the cheap pre-parse filter."""
    return frozenset(cue_forms()) | {"according", "per", "citing"}


@lru_cache(maxsize=1)
def _owned_cue_noun() -> re.Pattern:
    """A cue noun after a possessive ("Trump's criticism", "her vow") or a verb of receiving ("drew criticism"):
    the only noun cues worth a parse."""
    nouns = "|".join(sorted(re.escape(lemma) for lemma in cue_noun_stances()))
    reactions = "|".join(sorted(re.escape(lemma) for lemma in reaction_noun_stances()))
    receiving = "|".join(sorted(RECEIVING_FORMS))
    return re.compile(rf"(?:['’]s|\b(?:his|her|their|its))\s+(?:\w+\s+)?(?:{nouns})(?:e?s)?\b"
                      rf"|\b(?:{receiving})\s+(?:\w+\s+){{0,2}}(?:{reactions})(?:e?s)?\b", re.IGNORECASE)


WORD = re.compile(r"[a-z]+")


def may_attribute(paragraph: str) -> bool:
    """A quote mark or a cue word: a paragraph worth parsing."""
    if any(ch in QUOTE_MARKS for ch in paragraph) or "''" in paragraph:
        return True
    return mentions_a_cue(paragraph)


def mentions_a_cue(text: str) -> bool:
    """A cue verb form, according to / per, or an owned cue noun: worth a parse, and worth the rules."""
    words = _cue_words()
    return any(word in words for word in WORD.findall(text.lower())) or bool(_owned_cue_noun().search(text))


def paragraph_ranges(text: str) -> Iterator[tuple[int, int]]:
    """Paragraph ranges worth parsing; very long ones are cut so one odd input cannot stall a run."""
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            for chunk_start in range(pos, end, MAX_PARAGRAPH_CHARS):
                yield chunk_start, min(end, chunk_start + MAX_PARAGRAPH_CHARS)
        pos = end + 1
