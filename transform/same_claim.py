"""Same-claim decision: do two sentences make the same claim, reworded? A score in 0-1 and a yes/no at a threshold.

The sentence encoder's cosine carries most of the meaning; a few cheap lexical features correct what it is blind
to: claims that share few words, and claims that differ in a number ("rose 5%" and "rose 7%" are
different claims though their vectors nearly coincide). They are combined by a tiny logistic model whose
coefficients below are constants, not a trained artefact: nothing is learnt from any corpus's vocabulary. Only
these few constants were chosen, on the tuning half of MSRP's training file (benchmarks/same_claim_benchmark.py),
as the issue allows; the held-out half measures them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

# Score at and above which two sentences are taken to make the same claim; the one source for the default.
# The logistic model's even-odds point: the threshold that maximised accuracy on the tuning half (0.469) was
# no better on the held-out half, so the unchosen value stays.
DEFAULT_THRESHOLD = 0.5

# Logistic model over the features of `pair_features`: five constants fitted (L2-penalised) on the tuning half
# of MSRP's training file, 2,062 pairs; no text, vocabulary or other trained artefact ships.
INTERCEPT = -6.533
COEFFICIENTS: dict[str, float] = {
    "cosine": 4.150,
    "overlap": 2.969,
    "number_mismatch": -0.578,
    "length_ratio": 3.248,
}
# Two claims that both state numbers but share none are different claims ("rose 5%" / "rose 7%"), however
# alike their words: their score is held to this cap, below DEFAULT_THRESHOLD. MSRP's judges are more lenient
# (a third of its pairs with disjoint numbers are labelled paraphrases), so on MSRP the rule costs about half a
# point of accuracy; it is a rule of what a claim is, not a constant tuned on MSRP.
NUMBER_CONFLICT_CAP = 0.25

_WORD = re.compile(r"\w+(?:[.,']\w+)*", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Words too common to say anything about whether two claims agree.
_STOPWORDS = frozenset("""a an the of to in on at for from by with and or but as is are was were be been being
it its this that these those he she they we i you his her their our your him them us has have had do does did
will would shall should can could may might must not no than then so said says say also which who whom whose what
when where while about into over after before up down out""".split())


@dataclass(frozen=True)
class Lexical:
    """What the lexical features read of a sentence: its content words (stopwords left out), its numbers and
    its length in tokens. Worked out once per sentence where one sentence is compared with many."""

    words: frozenset[str]
    numbers: frozenset[str]
    length: int


def lexical(text: str) -> Lexical:
    tokens = _WORD.findall(text)
    words = frozenset(t.lower() for t in tokens if t.lower() not in _STOPWORDS)
    # "1,000" and "1000" are one number.
    numbers = frozenset(n.replace(",", "") for n in _NUMBER.findall(text))
    return Lexical(words, numbers, len(tokens))


def _mismatch(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the items in either set that the other lacks; 0 when neither has any."""
    union = a | b
    return len(a ^ b) / len(union) if union else 0.0


def pair_features(cosine: float, first: str, second: str) -> dict[str, float]:
    """The model's inputs for one pair, given the cosine of its two sentence vectors."""
    return lexical_features(cosine, lexical(first), lexical(second))


def lexical_features(cosine: float, a: Lexical, b: Lexical) -> dict[str, float]:
    """`pair_features` of two sentences already read by `lexical`."""
    union = a.words | b.words
    return {
        "cosine": cosine,
        "overlap": len(a.words & b.words) / len(union) if union else 1.0,
        "number_mismatch": _mismatch(a.numbers, b.numbers),
        "length_ratio": min(a.length, b.length) / max(a.length, b.length, 1),
    }


def numbers_conflict(first: str, second: str) -> bool:
    """Both sentences state numbers and they share none: different claims, whatever else they share."""
    return _conflict(lexical(first), lexical(second))


def _conflict(a: Lexical, b: Lexical) -> bool:
    return bool(a.numbers) and bool(b.numbers) and not (a.numbers & b.numbers)


def score_from_features(features: dict[str, float]) -> float:
    """The logistic model's probability that a pair makes the same claim."""
    z = INTERCEPT + sum(COEFFICIENTS[name] * features[name] for name in COEFFICIENTS)
    return 1.0 / (1.0 + math.exp(-z))


def same_claim_scores(pairs: Sequence[tuple[str, str]], threads: int | None = None,
                      numbers_must_agree: bool = True) -> list[float]:
    """A 0-1 score per pair of sentences that they make the same claim; compare with DEFAULT_THRESHOLD.

    `numbers_must_agree=False` leaves out the number rule (NUMBER_CONFLICT_CAP), for the ablation only."""
    if not pairs:
        return []
    from transform.encoder import encode  # loads onnxruntime on first use only

    vectors = encode([text for pair in pairs for text in pair], threads=threads)
    return [lexical_score(float(vectors[2 * i] @ vectors[2 * i + 1]), lexical(first), lexical(second), numbers_must_agree)
            for i, (first, second) in enumerate(pairs)]


def lexical_score(cosine: float, a: Lexical, b: Lexical, numbers_must_agree: bool = True) -> float:
    """The same-claim score of two sentences read by `lexical`, given their vectors' cosine (what
    `same_claim_scores` gives, without encoding: for callers that hold the vectors already)."""
    score = score_from_features(lexical_features(cosine, a, b))
    if numbers_must_agree and _conflict(a, b):
        score = min(score, NUMBER_CONFLICT_CAP)
    return score


def same_claim(first: str, second: str, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """Whether two sentences make the same claim, at `threshold`."""
    return same_claim_scores([(first, second)])[0] >= threshold
