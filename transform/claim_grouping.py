"""Grouping statements into claims: statements that make the same claim, reworded, in other articles,
outlets or mouths.

Leader clustering over the statements' unit sentence vectors, in the order given: each statement joins the
claim whose representative (the statement that founded it) it makes the same claim as, by the same-claim
decision of transform/same_claim.py, or founds a claim of its own. Why a representative and not any member:
"A said X" ~ "A said X, B said" ~ "B said" would chain unrelated statements into one claim through members
that each resemble the next; every member of a claim is judged against one statement, so none can drift.
Statements with too few content words ("It is true", "he said") say too little to be judged the same as
anything: each stays a claim of its own, and no statement joins it.

The result depends only on the statements and their order: grouping them in one call or over several
(passing on the claims the earlier calls founded) gives the same claims, which makes the warehouse's
incremental grouping equal to grouping everything at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from transform.same_claim import Lexical, lexical, lexical_score

# Same-claim score at and above which a statement joins a claim. Stricter than the decision's own
# DEFAULT_THRESHOLD (0.5): its odds are MSRP's, whose pairs were picked as likely paraphrases (two in three
# are), while among a corpus's nearest neighbours few are. At 0.5 about half the demo corpus's groupings
# judged by eye were different claims on one topic ("tested positive for COVID-19" / "would not take a
# COVID-19 vaccine"); at 0.75 few were (the report of issue #27 quotes both).
CLAIM_THRESHOLD = 0.75
# Fewer content words (stopwords left out, numbers counted) than this: too little to tell one claim from
# another. "It is true" has one; "three people died" has three and is a different claim in every article
# about another accident. 27% of the demo corpus's statements have fewer than four and stay alone.
MIN_CONTENT_WORDS = 4
# Candidate representatives are those whose vectors' cosine with the statement's reaches this, at most
# CANDIDATES of them (the nearest): below it a pair passes the same-claim threshold only when nearly all
# its words agree, which rewordings rarely do and which the cosine then would reach anyway.
CANDIDATE_COSINE = 0.5
CANDIDATES = 8
# Statements compared with the representatives in one matrix product; bounds memory to
# BLOCK x REPRESENTATIVES_CHUNK floats (64 MB at these values).
BLOCK = 1024
REPRESENTATIVES_CHUNK = 16_384
# Margin below CANDIDATE_COSINE kept in retrieval, so that a product computed in another block shape
# (last-bit differences) cannot change which candidates are scored.
_RETRIEVAL_MARGIN = 1e-4


@dataclass(frozen=True)
class Settings:
    """The grouping's constants, one object so tests and benchmarks can vary them."""

    threshold: float = CLAIM_THRESHOLD
    min_content_words: int = MIN_CONTENT_WORDS
    candidate_cosine: float = CANDIDATE_COSINE
    candidates: int = CANDIDATES


def can_be_claim(reading: Lexical, settings: Settings = Settings()) -> bool:
    """Whether a statement says enough to join a claim or have others join its own."""
    return len(reading.words) >= settings.min_content_words


class Representatives:
    """The claims so far, each by its representative (founding) statement: its id, text and unit vector.
    A text is read (`lexical`) only when it is first a candidate: most representatives never are."""

    def __init__(self, dimensions: int, settings: Settings = Settings()) -> None:
        self.settings = settings
        self.ids: list[str] = []
        self.texts: list[str] = []
        self._readings: dict[int, Lexical] = {}
        self._vectors = np.zeros((1024, dimensions), dtype=np.float32)

    @classmethod
    def of(cls, ids: Sequence[str], texts: Sequence[str], vectors: np.ndarray, settings: Settings = Settings()) -> Representatives:
        """The representatives of existing claims (their founding statements' ids, texts and vectors). Those
        that cannot be claims are kept too, and never chosen (`can_join`), as if they had not been added."""
        if len(ids) != len(texts) or len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} ids, {len(texts)} texts and {len(vectors)} vectors")
        known = cls(vectors.shape[1], settings)
        known.ids, known.texts = list(ids), list(texts)
        known._vectors = np.zeros((max(1024, len(ids) + len(ids) // 4), vectors.shape[1]), dtype=np.float32)
        known._vectors[: len(ids)] = vectors
        return known

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def vectors(self) -> np.ndarray:
        return self._vectors[: len(self.ids)]

    def reading(self, index: int) -> Lexical:
        if index not in self._readings:
            self._readings[index] = lexical(self.texts[index])
        return self._readings[index]

    def can_join(self, index: int) -> bool:
        """Whether a statement may join the claim of the representative at `index`."""
        return can_be_claim(self.reading(index), self.settings)

    def add(self, statement_id: str, text: str, reading: Lexical, vector: np.ndarray) -> None:
        n = len(self.ids)
        if n == len(self._vectors):
            grown = np.zeros((2 * n, self._vectors.shape[1]), dtype=np.float32)
            grown[:n] = self._vectors
            self._vectors = grown
        self._vectors[n] = vector
        self._readings[n] = reading
        self.ids.append(statement_id)
        self.texts.append(text)


def _within(block: np.ndarray, known: np.ndarray, floor: float) -> list[list[int]]:
    """For each row of `block`, the indices of the `known` rows whose cosine with it reaches `floor`."""
    found: list[list[int]] = [[] for _ in range(len(block))]
    for start in range(0, len(known), REPRESENTATIVES_CHUNK):
        rows, cols = np.nonzero(block @ known[start:start + REPRESENTATIVES_CHUNK].T >= floor)
        for row, col in zip(rows.tolist(), cols.tolist()):
            found[row].append(start + col)
    return found


def group(ids: Sequence[str], texts: Sequence[str], vectors: np.ndarray, known: Representatives) -> list[str]:
    """The representative (founding statement id) of the claim each statement makes, in the order given.

    `vectors` are the statements' unit sentence vectors (float32, one row each); `known` holds the claims
    so far and gains those these statements found (a statement founds one when it joins none: its own id).
    Its candidates are the representatives nearest it by cosine; it joins the one it scores highest with
    at or above the threshold (ties: the lower representative id)."""
    settings = known.settings
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    floor = settings.candidate_cosine - _RETRIEVAL_MARGIN
    claims: list[str] = []
    for start in range(0, len(ids), BLOCK):
        block = vectors[start:start + BLOCK]
        earlier = _within(block, known.vectors, floor) if len(known) else [[] for _ in block]
        within = block @ block.T
        founded_here: list[tuple[int, int]] = []  # (row in block, index in known) of claims this block founded
        for row in range(len(block)):
            statement_id, reading = ids[start + row], lexical(texts[start + row])
            if not can_be_claim(reading, settings):
                claims.append(statement_id)
                continue
            joined = _best_claim(block[row], reading, earlier[row] + [index for other, index in founded_here if within[row, other] >= floor],
                                 known)
            if joined is None:
                founded_here.append((row, len(known)))
                known.add(statement_id, texts[start + row], reading, block[row])
                claims.append(statement_id)
            else:
                claims.append(joined)
    return claims


def _best_claim(vector: np.ndarray, reading: Lexical, near: list[int], known: Representatives) -> str | None:
    """The representative, among the `near` ones, of the claim the statement makes, or None."""
    if not near:
        return None
    settings = known.settings
    indices = np.asarray(near, dtype=np.int64)
    # The cosines again, in double precision and summed row by row: the same values however the statements
    # were blocked, so which candidates are scored does not depend on how the grouping was split up.
    cosines = (known.vectors[indices].astype(np.float64) * vector.astype(np.float64)).sum(axis=1)
    nearest = sorted((-float(cosines[j]), known.ids[int(indices[j])], int(indices[j]))
                     for j in np.flatnonzero(cosines >= settings.candidate_cosine))
    # The nearest `candidates` that can be joined (read lazily: most representatives never get this far).
    chosen = [(c, r, i) for c, r, i in nearest[: settings.candidates] if known.can_join(i)]
    for c, r, i in nearest[settings.candidates:]:
        if len(chosen) == settings.candidates:
            break
        if known.can_join(i):
            chosen.append((c, r, i))
    best: tuple[float, str] | None = None
    for negative_cosine, representative, index in chosen:
        score = lexical_score(-negative_cosine, reading, known.reading(index))
        if score >= settings.threshold and (best is None or (-score, representative) < (-best[0], best[1])):
            best = (score, representative)
    return None if best is None else best[1]
