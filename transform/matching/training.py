"""Train the matcher's re-ranker on statements with known fact-checks, and write its model folder.

Two learned parts, both in numpy/scikit-learn on the CPU in well under a minute at CheckThat!'s size:
- an adaptation W (384 x 384, from the identity) of the statement's sentence vector, trained with a softmax
  over the known fact-check, the other statements' fact-checks (in-batch negatives) and the statement's own
  top candidates (hard negatives); its cosine becomes a feature. Cross-fitted: the logistic model below sees
  cosines from a W that never saw that statement, so it does not overrate a feature the W has memorised.
- a logistic model over the features of every statement's top `depth` candidates (match or not), whose
  probability is the calibrated 0-1 score.

Deterministic for a seed: the seed splits the statements into the cross-fitting folds; gradient descent is
full-batch and L-BFGS has no randomness, so one seed and one data set give byte-identical weights.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from citeline.core.errors import CitelineError
from transform.matching.index import ClaimIndex
from transform.matching.rerank_features import feature_names, relative_columns
from transform.matching.reranker import (
    CARD_FILE,
    CHECKSUM_KEY,
    FORMAT,
    WEIGHTS_FILE,
    RerankedIndex,
    Reranker,
    adapt,
    model_id_of,
    weights_bytes,
    weights_checksum,
)

# (stage, done, total): stages "candidates" (statements), "adaptation" (epochs), "fit" (0/1).
Progress = Callable[[str, int, int], None]


class MatcherTrainingError(CitelineError):
    """Nothing to train on, or a folder that training must not replace."""


@dataclass(frozen=True)
class MatcherTrainingSettings:
    """How the re-ranker is trained. Chosen on CheckThat! 2020 `train`'s tuning half (benchmarks/
    train_matcher_benchmark.py); the held-out half was read only for the scores on the card."""

    depth: int = 20  # candidates re-ranked per statement (the default matcher finds 98% of matches in its top 20)
    c: float = 0.1  # inverse L2 strength of the logistic model, over standardised features
    adaptation: bool = True
    epochs: int = 100
    learning_rate: float = 1.0
    l2: float = 0.01  # pulls W towards the identity
    temperature: float = 0.05
    folds: int = 2
    threshold: float = 0.5
    # Features held at zero weight (ablations in benchmarks/train_matcher_benchmark.py); none in a real model.
    drop_features: tuple[str, ...] = ()


def _pairs(index: ClaimIndex, relevant: Sequence[set[str]]) -> list[tuple[int, int]]:
    position = {c.claim_id: i for i, c in enumerate(index.claims)}
    return [(row, position[claim_id]) for row, ids in enumerate(relevant) for claim_id in sorted(ids) if claim_id in position]


def train_adaptation(vectors: np.ndarray, gold: np.ndarray, hard: np.ndarray, hard_gold: np.ndarray,
                     settings: MatcherTrainingSettings, progress: Progress | None = None) -> np.ndarray:
    """W (384 x 384) by full-batch gradient descent on the softmax loss: `vectors` (n, d) statements, `gold`
    (n, d) their fact-checks, `hard` (n, K, d) their top candidates, `hard_gold` (n, K) which of those match."""
    n, d = vectors.shape
    identity = np.eye(d, dtype=np.float32)
    delta = np.zeros((d, d), dtype=np.float32)
    positives = np.concatenate([np.eye(n, dtype=np.float32), hard_gold.astype(np.float32)], axis=1)
    target = positives / positives.sum(axis=1, keepdims=True)
    for epoch in range(settings.epochs):
        projected = vectors @ (identity + delta).T
        norm = np.maximum(np.linalg.norm(projected, axis=1, keepdims=True), 1e-12)
        unit = projected / norm
        logits = np.concatenate([unit @ gold.T, np.einsum("nd,nkd->nk", unit, hard)], axis=1) / settings.temperature
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        dlogits = (p - target) / settings.temperature / n
        dunit = dlogits[:, :n] @ gold + np.einsum("nk,nkd->nd", dlogits[:, n:], hard)
        dprojected = (dunit - (dunit * unit).sum(axis=1, keepdims=True) * unit) / norm
        delta -= settings.learning_rate * (dprojected.T @ vectors + settings.l2 * delta)
        if progress:
            progress("adaptation", epoch + 1, settings.epochs)
    return identity + delta


def _adaptation_inputs(index: ClaimIndex, vectors: np.ndarray, candidates: list[list[int]],
                       pairs: list[tuple[int, int]], rows: set[int]):
    chosen = [(row, claim) for row, claim in pairs if row in rows and candidates[row]]
    depth = min(len(candidates[row]) for row, _ in chosen) if chosen else 0
    hard_ids = np.array([candidates[row][:depth] for row, _ in chosen], dtype=np.int64).reshape(len(chosen), depth)
    return (vectors[[row for row, _ in chosen]], index.claim_vectors[[claim for _, claim in chosen]],
            index.claim_vectors[hard_ids], hard_ids == np.array([claim for _, claim in chosen])[:, None])


def train_reranker(index: ClaimIndex, statements: Sequence[str], relevant: Sequence[set[str]], *, seed: int = 0,
                   settings: MatcherTrainingSettings = MatcherTrainingSettings(),
                   vectors: np.ndarray | None = None, progress: Progress | None = None) -> tuple[Reranker, dict[str, Any]]:
    """The re-ranker learned from `statements` and the ids of the fact-checks that match each (`relevant`),
    and a summary of the training data (statements, pairs, candidates, positives among them)."""
    from sklearn.linear_model import LogisticRegression

    report = progress or (lambda stage, done, total: None)
    if len(statements) != len(relevant):
        raise ValueError(f"{len(statements)} statements but {len(relevant)} sets of relevant fact-checks")
    pairs = _pairs(index, relevant)
    if not pairs:
        raise MatcherTrainingError("nothing to train on: no statement has a known fact-check among the indexed claims")
    if vectors is None:
        vectors = index.encode_statements(statements)
    position = {c.claim_id: i for i, c in enumerate(index.claims)}
    found = index.search(statements, vectors=vectors, top_k=settings.depth)
    candidates = [[position[m.claim_id] for m in matches] for matches in found]
    report("candidates", len(statements), len(statements))

    adapted_cosines: list[np.ndarray] | None = None
    adaptation = None
    if settings.adaptation:
        # Cross-fitting: each fold's adapted cosines come from a W trained on the other folds.
        fold_of = np.random.default_rng(seed).permutation(len(statements)) % settings.folds
        adapted_cosines = [np.zeros(0, dtype=np.float32)] * len(statements)
        total = settings.epochs * (settings.folds + 1)
        for fold in range(settings.folds):
            train_rows = {int(r) for r in np.flatnonzero(fold_of != fold)}
            w = train_adaptation(*_adaptation_inputs(index, vectors, candidates, pairs, train_rows), settings,
                                 lambda _s, done, _t, f=fold: report("adaptation", f * settings.epochs + done, total))
            projected = adapt(vectors, w)
            for row in np.flatnonzero(fold_of == fold):
                adapted_cosines[row] = index.claim_vectors[candidates[row]] @ projected[row]
        adaptation = train_adaptation(*_adaptation_inputs(index, vectors, candidates, pairs, set(range(len(statements)))),
                                      settings, lambda _s, done, _t: report("adaptation", settings.folds * settings.epochs + done, total))

    # Features with the default's candidates (and the cross-fitted cosines) through a provisional re-ranker.
    probe = RerankedIndex(index, Reranker(np.zeros(1), np.ones(1), np.zeros(1), 0.0, settings.depth))
    _, matrices = probe.candidates(statements, vectors)
    if adapted_cosines is not None:
        matrices = [np.concatenate([m, c[:, None], relative_columns(c)[:, :2]], axis=1).astype(np.float32) if len(c) else
                    np.zeros((0, m.shape[1] + 3), dtype=np.float32) for m, c in zip(matrices, adapted_cosines, strict=True)]
    x = np.concatenate(matrices, axis=0).astype(np.float64)
    y = np.concatenate([[c in relevant[row] for c in (index.claims[i].claim_id for i in candidates[row])]
                        for row in range(len(statements))]).astype(bool)
    if not y.any() or y.all():
        raise MatcherTrainingError("nothing to train on: no statement's known fact-check is among its candidates")
    names = feature_names(settings.adaptation)
    unknown = set(settings.drop_features) - set(names)
    if unknown:
        raise ValueError(f"no such features: {sorted(unknown)}")
    dropped = np.array([name in settings.drop_features for name in names])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    standardised = (x - mean) / scale
    standardised[:, dropped] = 0.0
    model = LogisticRegression(C=settings.c, max_iter=5000).fit(standardised, y)
    report("fit", 1, 1)
    coef = model.coef_[0].astype(np.float64)
    coef[dropped] = 0.0
    reranker = Reranker(mean, scale, coef, float(model.intercept_[0]), settings.depth, settings.threshold, adaptation)
    summary = {"statements": len(statements), "pairs": len(pairs), "candidates": int(len(y)), "positives": int(y.sum()),
               "statements_with_a_match_in_candidates": int(sum(any(index.claims[i].claim_id in relevant[r] for i in candidates[r])
                                                                 for r in range(len(statements))))}
    return reranker, summary


def write_matcher(reranker: Reranker, out: Path, card: dict[str, Any]) -> dict[str, Any]:
    """Write the model folder `out` whole or not at all (a staging folder beside it, swapped in), with the
    card's identity fields (format, name, model id, checksum, features, settings) filled in; returns the card."""
    from transform.encoder import MODEL_ID
    from transform.model_folder import replace_folder

    out = Path(out)
    check_replaceable(out)
    data = weights_bytes(reranker)
    checksum = weights_checksum(data)
    card = {"format": FORMAT, "name": out.name, "model_id": model_id_of(checksum, out.name), CHECKSUM_KEY: checksum,
            "encoder": MODEL_ID, "features": list(reranker.names),
            **card, "settings": {**card.get("settings", {}), "depth": reranker.depth, "threshold": reranker.threshold}}
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (staging / WEIGHTS_FILE).write_bytes(data)
        (staging / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
        replace_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return card


def check_replaceable(out: Path) -> None:
    """Only a matcher folder (or nothing) is replaced: `--out data` must never delete a warehouse."""
    if not out.exists():
        return
    names = {p.name for p in out.iterdir()} if out.is_dir() else None
    if names is None or not names <= {WEIGHTS_FILE, CARD_FILE}:
        raise MatcherTrainingError(f"{str(out)!r} exists and is not a matcher folder (it holds more than {WEIGHTS_FILE} "
                                   f"and {CARD_FILE}): give --out a new folder, or a matcher's own")
