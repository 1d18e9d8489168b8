"""How it was said: "in a statement", "on Twitter", the phrase on the cue that names the channel."""

from __future__ import annotations

import re

from transform.content import that_clause_inside
from transform.model import Span
from transform.spans import span_of

CHANNEL_PATTERN = re.compile(
    r"\b(?:in|on|via|through|at|during|over|to)\s+(?:a|an|the|his|her|its|their|state|social)?\s*"
    r"(?:[\w'-]+\s){0,2}?"
    r"(statement|interview|tweet|twitter|facebook|instagram|telegram|post|posts|blog|press conference|"
    r"news conference|press release|briefing|speech|letter|email|e-mail|television|tv|radio|podcast|"
    r"video|broadcast|op-ed|column|memo|hearing|rally|social media)\b",
    re.IGNORECASE,
)


def channel_of(cue, sent, offset: int, text: str, speaker: Span | None = None) -> tuple[set[int], str]:
    for child in cue.children:
        if child.dep_ in {"prep", "agent"}:
            # 'said in a statement that "..."', with the that-clause hung on "statement": the clause is what was said
            clause = that_clause_inside(child) if child.i > cue.i else None
            inner = {t.i for t in clause.subtree} if clause is not None else set()
            phrase_tokens = [t for t in child.subtree if t.i not in inner]
            if speaker is not None and child.i < cue.i:
                # "In a statement to the Observer, her adviser, Jake Sullivan, said", with the speaker hung on the phrase
                phrase_tokens = [t for t in phrase_tokens if offset + t.idx < speaker.start]
            phrase = " ".join(t.text for t in phrase_tokens)
            if CHANNEL_PATTERN.search(phrase):
                span = span_of(phrase_tokens, offset, text)
                if span is not None:
                    return {t.i for t in phrase_tokens}, text[span.start : span.end]
    return set(), ""
