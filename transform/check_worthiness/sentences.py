"""An article's own sentences that no statement covers: what the outlet asserts in its own voice.

Sentences are split by a rule over punctuation, not by spaCy: the attribution engine parses only the
paragraphs that may attribute (transform.prefilter), so the outlet's own paragraphs have no parse to reuse,
and a sentencizer pass over every paragraph cost 0.8 s CPU for the demo's 295 articles against this rule's
few hundredths (benchmarks/check_worthiness_benchmark.py --run measures both).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# A sentence ends at . ! or ? (closing quotes and brackets kept with it) before a space and a capital,
# digit or opening quote; an abbreviation or an initial before the full stop ends nothing.
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|Capt|Cmdr|Adm|Maj|Rev|St|Jr|Sr|Inc|Ltd|Co|Corp|No|Nos|vs|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Mt|Ft|approx|est|etc|al)|\b[A-Z]|\b(?:[A-Za-z]\.)+[A-Za-z])$")
# Fewer words than this is a dateline, a caption or a heading, not a claim anyone could check.
MIN_WORDS = 5
_WORD = re.compile(r"[^\W\d_]{2,}")


def sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """Half-open [start, end) of each sentence of `text`, paragraph by paragraph (a line is a paragraph),
    without the spaces around it."""
    position = 0
    for line in text.split("\n"):
        start = 0
        for end in _END.finditer(line):
            if _ABBREVIATION.search(line, 0, end.start()):
                continue
            yield from _trimmed(line, position, start, end.end())
            start = end.end()
        yield from _trimmed(line, position, start, len(line))
        position += len(line) + 1


def _trimmed(line: str, offset: int, start: int, end: int) -> Iterator[tuple[int, int]]:
    stripped = line[start:end]
    left = len(stripped) - len(stripped.lstrip())
    right = len(stripped.rstrip())
    if right > left:
        yield offset + start + left, offset + start + right


def uncovered_sentences(text: str, covered: Iterable[tuple[int, int]], min_words: int = MIN_WORDS) -> list[tuple[int, int]]:
    """The sentences of `text` that overlap none of the `covered` spans (a statement's content, cue and
    source) and have at least `min_words` words."""
    spans = sorted(covered)
    sentences = []
    for start, end in sentence_spans(text):
        if any(s < end and start < e for s, e in spans):
            continue
        if len(_WORD.findall(text[start:end])) >= min_words:
            sentences.append((start, end))
    return sentences
