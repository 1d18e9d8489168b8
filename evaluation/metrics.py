"""PolNeAR-style scoring: pair predicted and gold relations one-to-one by content overlap, then score roles."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from evaluation.brat import Relation
from evaluation.cue_kinds import CueKindTally, cue_kind

# Share of the larger content a predicted relation must overlap to pair with a gold one (PolNeAR's 0.5):
# the one default of eval, agreement and the scores on a trained model's card.
DEFAULT_OVERLAP = 0.5


def content_chars(text: str, ranges: tuple[tuple[int, int], ...]) -> frozenset[int]:
    """Offsets of the content's characters, whitespace and punctuation left out."""
    chars = set()
    for start, end in ranges:
        for i in range(max(0, start), min(len(text), end)):
            ch = text[i]
            if not ch.isspace() and not unicodedata.category(ch).startswith("P"):
                chars.add(i)
    return frozenset(chars)


def spans_overlap(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


@dataclass
class Tally:
    gold: int = 0
    predicted: int = 0
    pairs: int = 0
    source_right: int = 0
    cue_right: int = 0
    both_right: int = 0
    tokens: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process's CPU time: on a shared machine, what wall time cannot say
    documents: int = 0
    by_cue: CueKindTally = field(default_factory=CueKindTally)

    def add(self, other: Tally) -> None:
        for name in ("gold", "predicted", "pairs", "source_right", "cue_right", "both_right", "tokens", "documents"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds += other.seconds
        self.cpu_seconds += other.cpu_seconds
        self.by_cue.add(other.by_cue)

    def report(self) -> dict:
        def prf(hits: int) -> tuple[float, float, float]:
            p = hits / self.predicted if self.predicted else 0.0
            r = hits / self.gold if self.gold else 0.0
            return p, r, (2 * p * r / (p + r) if p + r else 0.0)

        cp, cr, cf = prf(self.pairs)
        rp, rr, rf = prf(self.both_right)
        return {
            "documents": self.documents, "gold": self.gold, "predicted": self.predicted, "pairs": self.pairs,
            "content_precision": cp, "content_recall": cr, "content_f1": cf,
            "source_accuracy": self.source_right / self.pairs if self.pairs else 0.0,
            "cue_accuracy": self.cue_right / self.pairs if self.pairs else 0.0,
            "relation_precision": rp, "relation_recall": rr, "relation_f1": rf,
            "tokens_per_second": self.tokens / self.seconds if self.seconds else 0.0,
            "tokens_per_cpu_second": self.tokens / self.cpu_seconds if self.cpu_seconds else 0.0,
            "by_cue": self.by_cue.report(),
        }


def pair_relations(text: str, gold: list[Relation], predicted: list[Relation], overlap: float) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, predicted index), best overlap first, each at least `overlap`."""
    gold_chars = [content_chars(text, g.content) for g in gold]
    pred_chars = [content_chars(text, p.content) for p in predicted]
    candidates = []
    for gi, g in enumerate(gold_chars):
        for pi, p in enumerate(pred_chars):
            larger = max(len(g), len(p))
            if not larger:
                continue
            score = len(g & p) / larger
            if score >= overlap:
                candidates.append((score, gi, pi))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_gold, used_pred, pairs = set(), set(), []
    for _score, gi, pi in candidates:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        pairs.append((gi, pi))
    return pairs


def score_document(text: str, gold: list[Relation], predicted: list[Relation], overlap: float = DEFAULT_OVERLAP) -> Tally:
    tally = Tally(gold=len(gold), predicted=len(predicted), documents=1)
    kinds = [cue_kind(text, g) for g in gold]
    for kind in kinds:
        tally.by_cue.gold[kind] += 1
    for gi, pi in pair_relations(text, gold, predicted, overlap):
        g, p = gold[gi], predicted[pi]
        tally.pairs += 1
        source_ok = spans_overlap(g.source, p.source) if g.source else not p.source
        cue_ok = spans_overlap(g.cue, p.cue)
        tally.source_right += source_ok
        tally.cue_right += cue_ok
        tally.both_right += source_ok and cue_ok
        tally.by_cue.content[kinds[gi]] += 1
        tally.by_cue.relation[kinds[gi]] += source_ok and cue_ok
    return tally
