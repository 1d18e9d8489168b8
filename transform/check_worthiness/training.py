"""Train the check-worthiness model on ClaimBuster-style JSONL (`text`, `label` 0/1), deterministically for a seed.

A stratified part (HELD_OUT) is kept out of everything (vocabulary, C, threshold) and scored last, for the
card; C and the threshold are chosen by cross-validation inside the rest, on the check-worthy class's F1.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from transform.check_worthiness.features import ANALYZERS, TfidfBlock
from transform.check_worthiness.model import CARD_FILE, FEATURE_SETS, FORMAT, MODEL_FILES, CheckWorthinessModel, model_id, save_model

DEFAULT_DATA = Path("..") / "shared" / "claimbuster" / "train.jsonl"
ATTRIBUTION = ("ClaimBuster: Fatma Arslan, Naeemul Hassan, Chengkai Li and Mark Tremayne, \"A Benchmark Dataset of "
               "Check-worthy Factual Claims\", ICWSM 2020; dataset DOI 10.5281/zenodo.3609356")
LICENCE = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"


class CheckWorthinessTrainingError(RuntimeError):
    """The training data or the output folder cannot be used; the message names which."""


@dataclass(frozen=True)
class TrainingSettings:
    held_out: float = 0.2
    folds: int = 5
    cs: tuple[float, ...] = (1.0, 4.0, 10.0)
    min_df: int = 2
    features: str = "tfidf+embedding"
    analyzers: tuple[str, ...] = field(default=("word", "char"))


def read_examples(path: Path) -> tuple[list[str], np.ndarray]:
    """Texts and 0/1 labels of a JSONL file; a bad line is named with its number."""
    texts, labels = [], []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CheckWorthinessTrainingError(f"cannot read {str(path)!r}: {error}") from error
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, label = row["text"], row["label"]
        except (ValueError, KeyError, TypeError):
            raise CheckWorthinessTrainingError(f"{str(path)!r} line {number}: not a JSON object with `text` and `label`") from None
        if not isinstance(text, str) or label not in (0, 1):
            raise CheckWorthinessTrainingError(f"{str(path)!r} line {number}: `text` must be a string and `label` 0 or 1")
        texts.append(text)
        labels.append(int(label))
    if len(set(labels)) < 2:
        raise CheckWorthinessTrainingError(f"{str(path)!r} needs examples of both labels")
    return texts, np.array(labels)


def _f1_curve(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """(best F1 of the positive class, the threshold giving it) over all cut points of the scores."""
    order = np.argsort(-p, kind="stable")
    hits = np.cumsum(y[order])
    k = np.arange(1, len(y) + 1)
    f1 = 2 * hits / (k + y.sum())
    best = int(np.argmax(f1))
    # Half way to the next score, so the threshold does not sit on one training example's score.
    threshold = p[order[best]] if best + 1 == len(y) else (p[order[best]] + p[order[best + 1]]) / 2
    return float(f1[best]), float(threshold)


def scores_at(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, float]:
    predicted = p >= threshold
    tp = int((predicted & (y == 1)).sum())
    precision = tp / max(int(predicted.sum()), 1)
    recall = tp / max(int(y.sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": round(f1, 4), "precision": round(precision, 4), "recall": round(recall, 4),
            "accuracy": round(float((predicted == (y == 1)).mean()), 4), "examples": int(len(y)), "positives": int(y.sum())}


def _fit_design(texts, embeddings, settings: TrainingSettings):
    from scipy.sparse import csr_matrix, hstack

    blocks = [TfidfBlock.fit(a, texts, settings.min_df) for a in settings.analyzers]
    parts = [b.transform(texts) for b in blocks]
    if embeddings is not None:
        parts.append(csr_matrix(embeddings.astype(np.float64)))
    return blocks, hstack(parts, format="csr")


def _design(blocks, texts, embeddings):
    from scipy.sparse import csr_matrix, hstack

    parts = [b.transform(texts) for b in blocks]
    if embeddings is not None:
        parts.append(csr_matrix(embeddings.astype(np.float64)))
    return hstack(parts, format="csr")


def _logistic(c: float):
    from sklearn.linear_model import LogisticRegression

    # lbfgs on the same rows in the same order is deterministic: one seed, one model.
    return LogisticRegression(C=c, max_iter=5000, tol=1e-6)


def train(data: Path, out: Path, seed: int = 0, limit: int | None = None, settings: TrainingSettings = TrainingSettings(),
          progress: Callable[[str], None] = lambda message: None) -> dict:
    """Train, score on the held-out part and write the model to `out`, replacing it only once complete."""
    from sklearn.model_selection import StratifiedKFold, train_test_split

    if settings.features not in FEATURE_SETS:
        raise CheckWorthinessTrainingError(f"features must be one of {', '.join(FEATURE_SETS)}, not {settings.features!r}")
    unknown = set(settings.analyzers) - set(ANALYZERS)
    if unknown:
        raise CheckWorthinessTrainingError(f"unknown analyzers {sorted(unknown)}")
    out = Path(out)
    check_replaceable(out)
    started = time.perf_counter()
    texts, y = read_examples(data)
    rng = np.random.default_rng(seed)
    if limit is not None:
        keep = np.sort(rng.permutation(len(texts))[:limit])
        texts, y = [texts[i] for i in keep], y[keep]
    fit_rows, held_rows = train_test_split(np.arange(len(texts)), test_size=settings.held_out, stratify=y, random_state=seed)
    fit_rows, held_rows = np.sort(fit_rows), np.sort(held_rows)
    embeddings = None
    if settings.features == "tfidf+embedding":
        from transform.encoder import encode

        progress(f"embedding {len(texts):,} sentences")
        embeddings = encode(texts)

    def rows(index, emb=embeddings):
        return [texts[i] for i in index], (None if emb is None else emb[index])

    # Cross-validation inside the training part only: each fold fits its own vocabulary, as the final model will.
    folds = list(StratifiedKFold(settings.folds, shuffle=True, random_state=seed).split(fit_rows, y[fit_rows]))
    out_of_fold = {c: np.zeros(len(fit_rows)) for c in settings.cs}
    for number, (inner, outer) in enumerate(folds, 1):
        progress(f"cross-validation fold {number}/{len(folds)}")
        blocks, x_inner = _fit_design(*rows(fit_rows[inner]), settings)
        x_outer = _design(blocks, *rows(fit_rows[outer]))
        for c in settings.cs:
            out_of_fold[c][outer] = _logistic(c).fit(x_inner, y[fit_rows[inner]]).predict_proba(x_outer)[:, 1]
    cv = {c: _f1_curve(y[fit_rows], p) for c, p in out_of_fold.items()}
    best_c = max(settings.cs, key=lambda c: (cv[c][0], -c))
    cv_f1, threshold = cv[best_c]
    progress(f"fitting C={best_c:g} on {len(fit_rows):,} sentences")
    blocks, x_fit = _fit_design(*rows(fit_rows), settings)
    classifier = _logistic(best_c).fit(x_fit, y[fit_rows])
    held_scores = classifier.predict_proba(_design(blocks, *rows(held_rows)))[:, 1]
    model = CheckWorthinessModel(blocks, classifier.coef_[0].astype(np.float64), float(classifier.intercept_[0]),
                                 settings.features, round(threshold, 6), {})
    model.card = {
        "format": FORMAT, "model_id": model_id(model), "created": datetime.now(UTC).date().isoformat(),
        "task": "check-worthiness: 1 = a check-worthy factual claim, 0 = a non-factual or unimportant factual sentence",
        "features": settings.features, "analyzers": list(settings.analyzers),
        "encoder": "all-MiniLM-L6-v2 int8 ONNX (transform/encoder.py), mean-pooled, L2-normalised" if embeddings is not None else None,
        "classifier": f"logistic regression (scikit-learn lbfgs, C={best_c:g}) over TF-IDF word 1-2-grams, char_wb 2-5-grams (min_df {settings.min_df}, sublinear tf)"
                      + (" and the 384-d sentence embedding" if embeddings is not None else ""),
        "threshold": model.threshold,
        "threshold_choice": f"maximises the check-worthy class's F1 over {settings.folds}-fold cross-validation inside the training part",
        "training_data": {"file": str(data), "sentences": len(texts), "check_worthy": int(y.sum()),
                          "training_part": int(len(fit_rows)), "held_out_part": int(len(held_rows)), "limit": limit,
                          "attribution": ATTRIBUTION, "licence": LICENCE},
        "split": f"stratified {settings.held_out:.0%} held out (scikit-learn train_test_split, random_state = seed), never seen in training or tuning",
        "seed": seed,
        "cross_validation": {f"C={c:g}": round(cv[c][0], 4) for c in settings.cs},
        "held_out": scores_at(y[held_rows], held_scores, model.threshold),
        "held_out_best_possible_f1": round(_f1_curve(y[held_rows], held_scores)[0], 4),
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    write_atomically(out, model)
    return model.card


def check_replaceable(out: Path) -> None:
    """Training replaces `out` only when it is a check-worthiness model folder (or absent)."""
    if not out.exists():
        return
    names = {p.name for p in out.iterdir()} if out.is_dir() else None
    if names is None or CARD_FILE not in names or not names <= MODEL_FILES:
        raise CheckWorthinessTrainingError(f"{str(out)!r} exists and is not a check-worthiness model folder: "
                                           f"give --out a new folder, or a model's own")


def write_atomically(out: Path, model: CheckWorthinessModel) -> None:
    """Write into a temporary sibling, then swap it in: a reader sees the old model or the new, never half."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        staging.chmod(0o755)  # mkdtemp's 0700 would hide the model from other users of a shared install
        save_model(staging, model)
        readme = out / "README.md"
        if readme.exists():
            shutil.copy2(readme, staging / "README.md")
        if out.exists():
            retired = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(retired)
            staging.rename(out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
