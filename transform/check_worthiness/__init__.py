"""Check-worthiness: how likely a sentence is a factual claim of public importance (ClaimBuster's sense).

`score_check_worthiness(texts)` gives 0-1 scores from the model shipped in transform/data/check_worthiness/
(trained on ClaimBuster, CC BY 4.0); `default_threshold()` reads the one default from that model's card.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from transform.check_worthiness.model import SHIPPED_MODEL, CheckWorthinessModel, cached_model, load_model

__all__ = ["SHIPPED_MODEL", "CheckWorthinessModel", "default_threshold", "load_model", "score_check_worthiness"]


def default_threshold(model: Path | str | None = None) -> float:
    """The score from which a sentence counts as check-worthy: chosen at training time, kept on the model's card."""
    return cached_model(str(model or SHIPPED_MODEL)).threshold


def score_check_worthiness(texts: Sequence[str], model: Path | str | None = None,
                           embeddings: np.ndarray | None = None) -> list[float]:
    """0-1 check-worthiness of each text. `embeddings` (transform.encoder.encode of the same texts) can be
    passed when a caller already has them, so the sentence encoder runs once per sentence."""
    return [float(p) for p in cached_model(str(model or SHIPPED_MODEL)).score(list(texts), embeddings)]
