"""The tagger's label set, and the conversions between character spans and per-token labels.

A token carries one role: cue, source or content, in that order of precedence, so in "X said Y claimed
Z" the inner attribution wins its tokens. A content part that continues an earlier part of the same
statement ('"A," he said, "B."') starts with its own label, so decoding can join the parts again.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from transform.model import Statement

CUE, SOURCE, CONTENT = "C", "S", "T"
CONTINUATION = "X"  # the first token of a later content part of the statement before it
OUTSIDE = "O"
LABELS = ("O", "B-C", "I-C", "B-S", "I-S", "B-T", "I-T", "B-X")
_PRECEDENCE = {CUE: 0, SOURCE: 1, CONTENT: 2}

TokenSpans = Sequence[tuple[int, int]]  # (start, end) character offsets of each token, in order


@dataclass(frozen=True)
class RoleRange:
    """One character range playing one role in one relation."""

    start: int
    end: int
    role: str
    relation: int
    part: int = 0


def _assign(spans: TokenSpans, ranges: Iterable[RoleRange]) -> list[RoleRange | None]:
    """For each token, the range that claims it: the highest-precedence role, then the narrowest range."""
    starts = [s for s, _ in spans]
    best: list[RoleRange | None] = [None] * len(spans)
    for r in ranges:
        i = max(0, bisect_left(starts, r.start) - 1)
        while i < len(spans) and spans[i][0] < r.end:
            s, e = spans[i]
            if e > r.start and s < r.end:
                held = best[i]
                if held is None or (_PRECEDENCE[r.role], r.end - r.start) < (_PRECEDENCE[held.role], held.end - held.start):
                    best[i] = r
            i += 1
    return best


def _bio(claims: list[RoleRange | None]) -> list[str]:
    labels = []
    previous: RoleRange | None = None
    for claim in claims:
        if claim is None:
            labels.append(OUTSIDE)
        elif previous is not None and (previous.role, previous.relation, previous.part) == (claim.role, claim.relation, claim.part):
            labels.append("I-" + claim.role)
        elif claim.role == CONTENT and claim.part > 0:
            labels.append("B-" + CONTINUATION)
        else:
            labels.append("B-" + claim.role)
        previous = claim
    return labels


def statement_ranges(statements: Sequence[Statement]) -> list[RoleRange]:
    """The role ranges of statements (the rules'), numbered by their order: a feature's input."""
    ranges = []
    for k, s in enumerate(statements):
        for part, span in enumerate(s.content_parts or [s.content]):
            ranges.append(RoleRange(span.start, span.end, CONTENT, k, part))
        if s.cue is not None:
            ranges.append(RoleRange(s.cue.start, s.cue.end, CUE, k))
        if s.source is not None:
            ranges.append(RoleRange(s.source.start, s.source.end, SOURCE, k))
    return ranges


def relation_ranges(relations) -> list[RoleRange]:
    """Ranges of gold relations (evaluation.brat.Relation: tuples of (start, end) per role)."""
    ranges = []
    for k, r in enumerate(relations):
        for part, (start, end) in enumerate(sorted(r.content)):
            ranges.append(RoleRange(start, end, CONTENT, k, part))
        ranges += [RoleRange(start, end, CUE, k) for start, end in r.cue]
        ranges += [RoleRange(start, end, SOURCE, k) for start, end in r.source]
    return ranges


def token_labels(spans: TokenSpans, ranges: Iterable[RoleRange]) -> list[str]:
    """Training labels: one of LABELS per token."""
    return _bio(_assign(spans, ranges))


def role_marks(spans: TokenSpans, rule_ranges: Sequence[RoleRange]) -> list[str]:
    """The rules' decisions (their statements as ranges) as per-token marks, in the tagger's own label
    set: a feature, not a label."""
    return _bio(_assign(spans, rule_ranges))


@dataclass
class TaggedSpan:
    """A run of tokens [first, last] with one role; content runs may gather continuation parts."""

    role: str
    first: int
    last: int
    parts: list[tuple[int, int]]  # token index ranges, inclusive, for content


def decode(labels: Sequence[str]) -> list[TaggedSpan]:
    """Runs of tokens per role, in order; a continuation joins the content run before it."""
    found: list[TaggedSpan] = []
    current: TaggedSpan | None = None
    last_content: TaggedSpan | None = None
    for i, label in enumerate(labels):
        if label == OUTSIDE:
            current = None
            continue
        prefix, role = label.split("-")
        if role == CONTINUATION:
            if last_content is not None:
                last_content.parts.append((i, i))
                last_content.last = i
                current = last_content
                continue
            role = CONTENT
        if prefix == "I" and current is not None and current.role == role:
            current.last = i
            if role == CONTENT:
                first, _ = current.parts[-1]
                current.parts[-1] = (first, i)
            continue
        current = TaggedSpan(role, i, i, [(i, i)])
        found.append(current)
        if role == CONTENT:
            last_content = current
    return found
