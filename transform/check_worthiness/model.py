"""The check-worthiness model: a logistic regression over TF-IDF n-grams and, optionally, the shared sentence
embedding, stored as arrays (weights.npz), a vocabulary (vocabulary.json) and a card (model.json); no pickle."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack

from transform.check_worthiness.features import TfidfBlock

SHIPPED_MODEL = Path(__file__).resolve().parent.parent / "data" / "check_worthiness"
# TF-IDF alone, for the many sentences nothing else encodes (an article's own sentences): no encoder pass.
SENTENCE_MODEL = Path(__file__).resolve().parent.parent / "data" / "check_worthiness_tfidf"
CARD_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"
VOCABULARY_FILE = "vocabulary.json"
MODEL_FILES = frozenset({CARD_FILE, WEIGHTS_FILE, VOCABULARY_FILE, "README.md"})
FORMAT = "citeline-check-worthiness/1"
FEATURE_SETS = ("tfidf", "tfidf+embedding")


class CheckWorthinessModelError(RuntimeError):
    """A model folder is missing a file or holds one this code cannot read."""


@dataclass
class CheckWorthinessModel:
    """Scores sentences 0-1 for how worth checking they are; `threshold` turns a score into a yes."""

    blocks: list[TfidfBlock]
    coef: np.ndarray  # one weight per column: the blocks' in order, then the embedding's 384 if used
    intercept: float
    features: str
    threshold: float
    card: dict

    @property
    def uses_embedding(self) -> bool:
        return self.features == "tfidf+embedding"

    def design(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> csr_matrix:
        """The feature matrix of `texts`; `embeddings` (from transform.encoder) saves recomputing them."""
        parts = [block.transform(texts) for block in self.blocks]
        if self.uses_embedding:
            if embeddings is None:
                from transform.encoder import encode

                embeddings = encode(texts)
            if embeddings.shape != (len(texts), 384):
                raise ValueError(f"embeddings must be ({len(texts)}, 384), not {embeddings.shape}")
            parts.append(csr_matrix(embeddings.astype(np.float64)))
        return hstack(parts, format="csr")

    def score(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """Probability that each text is a check-worthy factual claim."""
        if not len(texts):
            return np.zeros(0)
        margin = self.design(texts, embeddings) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-margin))


def save_model(folder: Path, model: CheckWorthinessModel) -> None:
    """Write the weights, the vocabulary and the card into `folder` (which exists)."""
    arrays = {f"idf_{b.analyzer}": b.idf for b in model.blocks}
    np.savez(folder / WEIGHTS_FILE, coef=model.coef, intercept=np.array([model.intercept]), **arrays)
    vocabulary = {b.analyzer: b.terms() for b in model.blocks}
    (folder / VOCABULARY_FILE).write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
    (folder / CARD_FILE).write_text(json.dumps(model.card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def load_model(folder: Path | str = SHIPPED_MODEL) -> CheckWorthinessModel:
    """Read a model folder; the shipped one by default."""
    folder = Path(folder)
    try:
        card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
        vocabulary = json.loads((folder / VOCABULARY_FILE).read_text(encoding="utf-8"))
        # allow_pickle=False: a weights file can hold numbers only, never code.
        with np.load(folder / WEIGHTS_FILE, allow_pickle=False) as weights:
            arrays = {k: weights[k] for k in weights.files}
    except (OSError, ValueError) as error:
        raise CheckWorthinessModelError(f"{str(folder)!r} is not a readable check-worthiness model: {error}") from error
    if card.get("format") != FORMAT or card.get("features") not in FEATURE_SETS:
        raise CheckWorthinessModelError(f"{str(folder)!r} holds a model of another format ({card.get('format')!r})")
    blocks = [TfidfBlock(name, {t: i for i, t in enumerate(vocabulary[name])}, arrays[f"idf_{name}"])
              for name in card["analyzers"]]
    return CheckWorthinessModel(blocks, arrays["coef"], float(arrays["intercept"][0]), card["features"],
                                float(card["threshold"]), card)


def model_id(model: CheckWorthinessModel) -> str:
    """A digest of what decides the scores (weights, vocabulary, threshold): equal ids, equal scores."""
    digest = hashlib.sha256()
    for block in model.blocks:
        digest.update("\n".join(block.terms()).encode())
        digest.update(block.idf.tobytes())
    digest.update(model.coef.tobytes())
    digest.update(np.float64(model.intercept).tobytes())
    digest.update(repr(model.threshold).encode())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=4)
def cached_model(folder: str = str(SHIPPED_MODEL)) -> CheckWorthinessModel:
    """The process's copy of a model folder, read once."""
    return load_model(folder)
