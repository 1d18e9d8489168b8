"""Features of a statement's candidate fact-checks (the default matcher's top K) for a trained re-ranker.

Per candidate: the default matcher's own scores (fused, claim and headline cosine, BM25 coverage) and rank;
the same scores relative to the other candidates of the statement (gap to the best, z-score, rank); overlap
of numbers, capitalised words and terms; the length ratio; the cosine of a learned linear adaptation of the
statement's vector (when the model has one); and near-twin features: whether another candidate is nearly
the same claim, and which quote style the claim uses (CheckThat!'s claims hold many fact-checks twice, once
with double and once with single quotes, and its qrels name one of them: a trained model learns which).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from transform.matching.text import terms

# Cosine between two candidates' claim vectors from which they count as near-twins (the same claim in other
# punctuation scores 0.98-1.0; distinct claims on one story stay below 0.95).
TWIN_COSINE = 0.97

BASE = ("fused", "claim_cosine", "title_cosine", "bm25_coverage")
RELATIVE = tuple(f"{name}_{kind}" for name in BASE for kind in ("gap", "z", "rank"))
OVERLAP = ("number_jaccard", "number_mismatch", "capitalised_jaccard", "term_jaccard", "log_length_ratio")
TWINS = ("twin_cosine", "has_twin", "double_quoted", "single_quoted", "twin_x_double", "twin_x_single")
ADAPTED = ("adapted_cosine", "adapted_cosine_gap", "adapted_cosine_z")
FEATURE_NAMES = (*BASE, "reciprocal_rank", *RELATIVE, *OVERLAP, *TWINS)

_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]+")
_SINGLE_QUOTED = re.compile(r"(?:^|\W)'\w[^']*\w'(?:\W|$)")


def feature_names(adapted: bool) -> tuple[str, ...]:
    """The features' names in column order; the adapted cosine's three come last when the model has one."""
    return (*FEATURE_NAMES, *ADAPTED) if adapted else FEATURE_NAMES


@dataclass(frozen=True)
class TextKeys:
    """What the overlap features compare in one text: its numbers, capitalised words and terms, and length."""

    numbers: frozenset[str]
    capitalised: frozenset[str]
    terms: frozenset[str]
    length: int
    double_quoted: bool
    single_quoted: bool


def text_keys(text: str, quoting: str | None = None) -> TextKeys:
    """The keys of `text`; the quote style is read from `quoting` when given (a claim's, not its headline's)."""
    quoting = text if quoting is None else quoting
    return TextKeys(frozenset(n.replace(",", "") for n in _NUMBER.findall(text)),
                    frozenset(w.lower() for w in _CAPITALISED.findall(text)), frozenset(terms(text)), len(quoting),
                    '"' in quoting or "\u201c" in quoting, bool(_SINGLE_QUOTED.search(quoting)))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def relative_columns(x: np.ndarray) -> np.ndarray:
    """(K,) -> (K, 3): gap to the best candidate, z-score among the candidates, rank among them over K."""
    order = np.argsort(-x, kind="stable")
    rank = np.empty(len(x), dtype=np.float32)
    rank[order] = np.arange(len(x))
    return np.stack([x - x.max(), (x - x.mean()) / (x.std() + 1e-6), rank / max(len(x), 1)], axis=-1)


def candidate_features(statement: TextKeys, base: np.ndarray, claims: Sequence[TextKeys],
                       claim_vectors: np.ndarray, adapted: np.ndarray | None = None) -> np.ndarray:
    """(K, features) float32 for one statement's K candidates, best first by the default matcher.

    `base` is (K, 4): fused, claim cosine, headline cosine, BM25 coverage; `claims` the candidates' keys;
    `claim_vectors` their unit claim vectors (K, 384); `adapted` (K,) the adapted cosines, or None."""
    k = len(claims)
    if k == 0:
        return np.zeros((0, len(feature_names(adapted is not None))), dtype=np.float32)
    columns = [base, (1.0 / (1.0 + np.arange(k, dtype=np.float32)))[:, None]]
    columns += [relative_columns(base[:, i]) for i in range(base.shape[1])]
    overlap = np.array([[_jaccard(statement.numbers, c.numbers),
                         float(bool(statement.numbers) and bool(c.numbers) and not statement.numbers & c.numbers),
                         _jaccard(statement.capitalised, c.capitalised), _jaccard(statement.terms, c.terms),
                         np.log((c.length + 1) / (statement.length + 1))] for c in claims], dtype=np.float32)
    similarity = claim_vectors @ claim_vectors.T
    np.fill_diagonal(similarity, -1.0)
    twin = similarity.max(axis=1) if k > 1 else np.zeros(1, dtype=np.float32)
    has_twin = (twin > TWIN_COSINE).astype(np.float32)
    double = np.array([c.double_quoted for c in claims], dtype=np.float32)
    single = np.array([c.single_quoted for c in claims], dtype=np.float32)
    columns += [overlap, np.stack([twin, has_twin, double, single, has_twin * double, has_twin * single], axis=-1)]
    if adapted is not None:
        columns += [adapted[:, None], relative_columns(adapted)[:, :2]]
    return np.concatenate([np.asarray(c, dtype=np.float32).reshape(k, -1) for c in columns], axis=1)
