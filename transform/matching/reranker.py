"""A trained re-ranker of the default matcher's top candidates, and its model folder.

A model folder (written by `citeline train-matcher`, never shipped) holds `matcher.npz` (numpy arrays only,
read without pickle: the features' scaling, the logistic weights and, when trained, the 384 x 384 adaptation
of the statement's vector) and `model.json`, its card: what it was trained on, its held-out scores and the
SHA-256 of the weights, checked on every load, so a damaged or replaced file is refused with the folder named.

Matching with it: the default matcher (`ClaimIndex`) retrieves each statement's top `depth` fact-checks,
the re-ranker scores each candidate from their features (rerank_features.py) through one logistic model,
fitted on the candidates of the tuning queries, so its probability is the calibrated 0-1 score.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from citeline.core.errors import CitelineError
from citeline.core.user_files import UserFileError, read_user_file
from transform.matching.index import ClaimIndex, Match
from transform.matching.rerank_features import TextKeys, candidate_features, feature_names, text_keys

WEIGHTS_FILE = "matcher.npz"
CARD_FILE = "model.json"
FORMAT = "citeline-matcher-1"
CHECKSUM_KEY = "weights_sha256"
MAX_WEIGHTS_BYTES = 64 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ARRAYS = ("mean", "scale", "coef", "intercept")


class MatcherModelError(CitelineError):
    """A trained matcher's folder is missing, incomplete, damaged or of a format this version cannot read."""


@dataclass(frozen=True)
class Reranker:
    """The learned part: feature scaling, logistic weights, the depth re-ranked and the optional adaptation."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    depth: int
    threshold: float = 0.5
    adaptation: np.ndarray | None = None  # (384, 384): the statement's vector is W @ v before its cosine

    @property
    def names(self) -> tuple[str, ...]:
        return feature_names(self.adaptation is not None)

    def logits(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean) / self.scale) @ self.coef + self.intercept

    def arrays(self) -> dict[str, np.ndarray]:
        arrays = {"mean": self.mean, "scale": self.scale, "coef": self.coef,
                  "intercept": np.array([self.intercept], dtype=np.float64)}
        if self.adaptation is not None:
            arrays["adaptation"] = self.adaptation
        return arrays


def adapt(vectors: np.ndarray, adaptation: np.ndarray) -> np.ndarray:
    """Statement vectors through the learned adaptation, back to unit length."""
    adapted = vectors @ adaptation.T
    return (adapted / np.maximum(np.linalg.norm(adapted, axis=1, keepdims=True), 1e-12)).astype(np.float32)


class RerankedIndex:
    """A `ClaimIndex` whose top candidates a trained `Reranker` re-orders and re-scores; `search` as ClaimIndex's."""

    def __init__(self, index: ClaimIndex, reranker: Reranker, model_id: str = "") -> None:
        self.index = index
        self.reranker = reranker
        self.model_id = model_id
        # The index's settings with the re-ranker's threshold, so `settings.threshold` is the one to apply.
        self.settings = dataclasses.replace(index.settings, threshold=reranker.threshold)
        self._claim_keys: list[TextKeys] | None = None

    @property
    def claims(self):
        return self.index.claims

    def __len__(self) -> int:
        return len(self.index)

    def claim_keys(self) -> list[TextKeys]:
        if self._claim_keys is None:  # computed on first search: ~1 s at 10,000 claims
            self._claim_keys = [text_keys(f"{c.claim} {c.title}", quoting=c.claim) for c in self.index.claims]
        return self._claim_keys

    def encode_statements(self, statements: Sequence[str]) -> np.ndarray:
        return self.index.encode_statements(statements)

    def candidates(self, statements: Sequence[str], vectors: np.ndarray | None = None
                   ) -> tuple[list[list[Match]], list[np.ndarray]]:
        """The default matcher's top `depth` per statement and each one's (depth, features) matrix."""
        if vectors is None:
            vectors = self.encode_statements(statements)
        found = self.index.search(statements, vectors=vectors, top_k=self.reranker.depth)
        position = {c.claim_id: i for i, c in enumerate(self.index.claims)}
        keys, prepared = self.claim_keys(), self.index.prepare(statements)
        adapted_vectors = None if self.reranker.adaptation is None else adapt(vectors, self.reranker.adaptation)
        matrices = []
        for row, matches in enumerate(found):
            columns = [position[m.claim_id] for m in matches]
            base = np.array([[m.fused, m.claim_cosine, m.title_cosine, m.bm25_coverage] for m in matches],
                            dtype=np.float32).reshape(len(matches), 4)
            candidate_vectors = self.index.claim_vectors[columns]
            adapted = None if adapted_vectors is None else candidate_vectors @ adapted_vectors[row]
            matrices.append(candidate_features(text_keys(prepared[row]), base, [keys[c] for c in columns],
                                               candidate_vectors, adapted))
        return found, matrices

    def search(self, statements: Sequence[str], vectors: np.ndarray | None = None, top_k: int | None = None,
               threshold: float | None = None) -> list[list[Match]]:
        """As `ClaimIndex.search`: the best `top_k` (at most the re-ranked depth) per statement, best first,
        scored 0-1 by the re-ranker; `fused` holds its logit. The cosines and BM25 share are the default's."""
        top_k = self.settings.top_k if top_k is None else top_k
        found, matrices = self.candidates(statements, vectors)
        results = []
        for matches, matrix in zip(found, matrices, strict=True):
            if not matches:
                results.append([])
                continue
            logits = self.reranker.logits(matrix)
            probabilities = 1.0 / (1.0 + np.exp(-logits))
            order = np.argsort(-logits, kind="stable")[:top_k]
            ranked = []
            for rank, i in enumerate(order, start=1):
                if threshold is not None and probabilities[i] < threshold:
                    break
                m = matches[i]
                ranked.append(Match(m.claim_id, rank, float(probabilities[i]), float(logits[i]), m.claim_cosine,
                                    m.title_cosine, m.bm25_coverage))
            results.append(ranked)
        return results


@dataclass(frozen=True)
class TrainedMatcher:
    """A loaded model folder: its id, its card and the re-ranker; `index` puts it over a ClaimIndex."""

    path: Path
    model_id: str
    card: dict[str, Any]
    reranker: Reranker = field(repr=False)

    @property
    def threshold(self) -> float:
        return self.reranker.threshold

    def index(self, index: ClaimIndex) -> RerankedIndex:
        return RerankedIndex(index, self.reranker, self.model_id)


def weights_checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def model_id_of(checksum: str, name: str) -> str:
    """`NAME-` and the first 12 hex digits of the weights' SHA-256, as the attribution model's ids."""
    return f"{name}-{checksum[:12]}"


def weights_bytes(reranker: Reranker) -> bytes:
    """The weights file's bytes: the same for the same arrays (numpy's zip entries carry a fixed date)."""
    buffer = io.BytesIO()
    np.savez(buffer, **reranker.arrays())
    return buffer.getvalue()


def load_matcher(path: str | Path) -> TrainedMatcher:
    """The trained matcher in folder `path`, its weights checked against its card; loaded once per process
    and again when the weights file changes."""
    folder = Path(path).expanduser().resolve()
    try:
        stat = (folder / WEIGHTS_FILE).stat()
        identity = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    except OSError:
        identity = None
    return _load(folder, identity)


def matcher_id_at(folder: str | Path | None) -> str | None:
    """The id of the trained matcher in `folder`, or None for the default matcher."""
    return None if folder is None else load_matcher(folder).model_id


@lru_cache(maxsize=4)
def _load(folder: Path, identity: tuple[int, int, int] | None) -> TrainedMatcher:
    from transform.encoder import DIMENSIONS, MODEL_ID

    where = f"matcher {str(folder)!r}"
    if not folder.is_dir():
        raise MatcherModelError(f"{where} is not a folder (train one with `citeline train-matcher DIR --out {folder}`)")
    for needed in (folder / WEIGHTS_FILE, folder / CARD_FILE):
        if not needed.exists():
            raise MatcherModelError(f"{where} has no {needed.name}: not a matcher folder, or its training did not finish")
    try:
        card = json.loads(read_user_file(folder / CARD_FILE, max_bytes=1 << 20).decode("utf-8"))
        data = read_user_file(folder / WEIGHTS_FILE, max_bytes=MAX_WEIGHTS_BYTES)
    except (UserFileError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MatcherModelError(f"{where}: {error}") from error
    if not isinstance(card, dict) or card.get("format") != FORMAT:
        found = card.get("format") if isinstance(card, dict) else None
        raise MatcherModelError(f"{where} is of format {found!r}; this citeline reads {FORMAT!r}")
    expected = card.get(CHECKSUM_KEY)
    if not isinstance(expected, str) or not _SHA256.fullmatch(expected):
        raise MatcherModelError(f"{where}: {CARD_FILE} has {CHECKSUM_KEY} {expected!r}, not a SHA-256 in hex")
    checksum = weights_checksum(data)
    if checksum != expected:
        raise MatcherModelError(f"{where}: {WEIGHTS_FILE} does not match the checksum on its card (damaged, truncated "
                                f"or replaced); restore the folder or retrain the matcher")
    model_id = model_id_of(checksum, str(card.get("name") or folder.name))
    if card.get("model_id") != model_id:
        raise MatcherModelError(f"{where}: {CARD_FILE} names model {card.get('model_id')!r}, but its weights are {model_id!r}")
    if card.get("encoder") != MODEL_ID:
        raise MatcherModelError(f"{where} was trained on {card.get('encoder')!r} vectors; this citeline's encoder is {MODEL_ID!r}")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            arrays = {name: np.asarray(stored[name], dtype=np.float64) for name in _ARRAYS}
            adaptation = np.asarray(stored["adaptation"], dtype=np.float32) if "adaptation" in stored.files else None
        settings = card["settings"]
        reranker = Reranker(arrays["mean"], arrays["scale"], arrays["coef"], float(arrays["intercept"].reshape(-1)[0]),
                            depth=int(settings["depth"]), threshold=float(settings["threshold"]), adaptation=adaptation)
    except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
        raise MatcherModelError(f"{where}: {WEIGHTS_FILE} or its card cannot be read as a matcher ({error})") from error
    names = reranker.names
    if list(names) != card.get("features") or any(a.shape != (len(names),) for a in (reranker.mean, reranker.scale, reranker.coef)) \
            or (adaptation is not None and adaptation.shape != (DIMENSIONS, DIMENSIONS)) or not 1 <= reranker.depth <= 1000 \
            or not np.all(np.isfinite(reranker.coef)) or not np.all(reranker.scale > 0):
        raise MatcherModelError(f"{where}: its features or weights are not the ones this citeline computes; retrain it")
    return TrainedMatcher(folder, model_id, card, reranker)
