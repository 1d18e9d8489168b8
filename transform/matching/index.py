"""An in-memory index of fact-checked claims and the matcher over it: BM25 over the claim and headline,
cosine to the claim's and to the headline's sentence vector, fused linearly and calibrated to 0-1.

Every statement is scored against every indexed claim (one sparse and two dense matrix products per batch),
which at ~10,000 fact-checks costs well under a millisecond a statement; `benchmarks/match_benchmark.py`
measures it and the growth to 100,000. Vectors can be given precomputed, so a warehouse stores them once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from transform.matching.bm25 import BM25
from transform.matching.settings import DEFAULT_SETTINGS, MatcherSettings
from transform.matching.text import clean_query, terms

# (statements x claims) scores held per batch: bounds the score matrices' memory at ~8 MB each whatever the
# index size (200 statements a batch at 10,000 claims, 20 at 100,000).
BATCH_CELLS = 2_000_000


@dataclass(frozen=True)
class FactCheckClaim:
    """One fact-checked claim to match against: its id, the claim as the fact-checker worded it, and the
    fact-check's headline (empty when there is none)."""

    claim_id: str
    claim: str
    title: str = ""


@dataclass(frozen=True)
class Match:
    claim_id: str
    rank: int
    score: float  # calibrated, 0-1
    fused: float
    claim_cosine: float
    title_cosine: float
    bm25_coverage: float


@dataclass(frozen=True)
class Features:
    """Per (statement, claim) features of a batch, each (statements, claims) float32."""

    claim_cosine: np.ndarray
    title_cosine: np.ndarray
    bm25_coverage: np.ndarray


def claim_texts(claims: Sequence[FactCheckClaim]) -> tuple[list[str], list[str]]:
    """The texts whose sentence vectors an index needs: the claims, and the headlines."""
    return [c.claim for c in claims], [c.title for c in claims]


def encode_claims(claims: Sequence[FactCheckClaim], threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Unit sentence vectors of the claims and of their headlines, (n, 384) float32 each, computed in
    length-sorted batches by the shared encoder. An empty headline gets a zero vector (cosine 0)."""
    from transform.encoder import get_encoder

    encoder = get_encoder(threads)
    claim_texts_, titles = claim_texts(claims)
    claim_vectors = encoder.encode(claim_texts_)
    present = [i for i, title in enumerate(titles) if title.strip()]
    title_vectors = np.zeros_like(claim_vectors)
    if present:
        title_vectors[present] = encoder.encode([titles[i] for i in present])
    return claim_vectors, title_vectors


class ClaimIndex:
    """Fact-checked claims held for matching: a BM25 index over claim and headline, and their vectors."""

    def __init__(self, claims: Sequence[FactCheckClaim], claim_vectors: np.ndarray | None = None,
                 title_vectors: np.ndarray | None = None, settings: MatcherSettings = DEFAULT_SETTINGS,
                 threads: int | None = None) -> None:
        self.claims = list(claims)
        self.settings = settings
        self.threads = threads
        if claim_vectors is None or title_vectors is None:
            claim_vectors, title_vectors = encode_claims(self.claims, threads)
        for name, vectors in (("claim_vectors", claim_vectors), ("title_vectors", title_vectors)):
            if vectors.shape != (len(self.claims), claim_vectors.shape[1]):
                raise ValueError(f"{name} has shape {vectors.shape}, expected ({len(self.claims)}, dimensions)")
        self.claim_vectors = np.ascontiguousarray(claim_vectors, dtype=np.float32)
        self.title_vectors = np.ascontiguousarray(title_vectors, dtype=np.float32)
        self.bm25 = BM25([terms(f"{c.claim} {c.title}", settings.stem) for c in self.claims])
        # The dense part of the fused score as one matrix: a statement needs one product, not two.
        # Built a block of rows at a time: whole-matrix temporaries were 4 copies of the vectors at once
        # (612 MB at 100,000 claims).
        self._dense_weighted = np.empty_like(self.claim_vectors)
        for start in range(0, len(self.claims), 8192):
            rows = slice(start, start + 8192)
            np.multiply(self.claim_vectors[rows], np.float32(settings.claim_cosine), out=self._dense_weighted[rows])
            self._dense_weighted[rows] += np.float32(settings.title_cosine) * self.title_vectors[rows]

    def __len__(self) -> int:
        return len(self.claims)

    def subset(self, positions: Sequence[int]) -> ClaimIndex:
        """The index of only the claims at `positions`, scored exactly as the whole index scores them (BM25's
        idf and lengths are the whole index's): a few new fact-checks matched against earlier statements get
        the scores a search of the whole index would give them."""
        rows = np.asarray(positions, dtype=np.int64)
        part = object.__new__(ClaimIndex)
        part.claims = [self.claims[i] for i in rows]
        part.settings, part.threads = self.settings, self.threads
        part.claim_vectors = self.claim_vectors[rows]
        part.title_vectors = self.title_vectors[rows]
        part._dense_weighted = self._dense_weighted[rows]
        part.bm25 = self.bm25.subset(rows)
        return part

    @property
    def nbytes(self) -> int:
        """Memory held by the vectors and the BM25 weights (the claims' texts not counted)."""
        weights = self.bm25._weights_t
        return (self.claim_vectors.nbytes + self.title_vectors.nbytes + self._dense_weighted.nbytes + weights.data.nbytes
                + weights.indices.nbytes + weights.indptr.nbytes)

    def prepare(self, statements: Sequence[str]) -> list[str]:
        """The statements as the matcher reads them (tweet signatures and links cut when the settings say so)."""
        return [clean_query(s) for s in statements] if self.settings.clean_queries else list(statements)

    def encode_statements(self, statements: Sequence[str]) -> np.ndarray:
        from transform.encoder import get_encoder

        return get_encoder(self.threads).encode(self.prepare(statements))

    def features(self, statements: Sequence[str], vectors: np.ndarray) -> Features:
        """Every feature of every (statement, claim) pair; `vectors` are the statements' unit vectors."""
        prepared = self.prepare(statements)
        bm25, ceiling = self.bm25.score([terms(s, self.settings.stem) for s in prepared])
        coverage = bm25 / np.maximum(ceiling, 1e-6)[:, None]
        return Features(vectors @ self.claim_vectors.T, vectors @ self.title_vectors.T, coverage)

    def fused(self, features: Features) -> np.ndarray:
        s = self.settings
        return (s.claim_cosine * features.claim_cosine + s.title_cosine * features.title_cosine
                + s.bm25_coverage * features.bm25_coverage)

    def calibrate(self, fused: np.ndarray) -> np.ndarray:
        """0-1: the fused score through the logistic curve fitted on the tuning queries."""
        return 1.0 / (1.0 + np.exp(-(fused + self.settings.bias)))

    def search(self, statements: Sequence[str], vectors: np.ndarray | None = None, top_k: int | None = None,
               threshold: float | None = None) -> list[list[Match]]:
        """The best `top_k` fact-checked claims for each statement, best first, with calibrated scores; with
        `threshold`, only those scoring at least that. `vectors` are the statements' sentence vectors (of
        the prepared text, `encode_statements`), computed here when not given."""
        top_k = self.settings.top_k if top_k is None else top_k
        if vectors is None:
            vectors = self.encode_statements(statements)
        if len(vectors) != len(statements):
            raise ValueError(f"{len(vectors)} vectors for {len(statements)} statements")
        results: list[list[Match]] = []
        k = min(top_k, len(self.claims))
        step = max(1, BATCH_CELLS // max(len(self.claims), 1))
        for start in range(0, len(statements), step):
            batch = self.prepare(statements[start:start + step])
            query_vectors = np.asarray(vectors[start:start + step], dtype=np.float32)
            if k == 0:
                results.extend([] for _ in batch)
                continue
            # The fused score without materialising each feature: one matrix product against the weighted sum
            # of claim and headline vectors, plus the BM25 scores (sparse) scaled per statement.
            fused = query_vectors @ self._dense_weighted.T
            bm25, ceiling = self.bm25.score_sparse([terms(text, self.settings.stem) for text in batch])
            rows = np.repeat(np.arange(bm25.shape[0]), np.diff(bm25.indptr))
            scale = self.settings.bm25_coverage / np.maximum(ceiling, 1e-6)
            fused[rows, bm25.indices] += scale[rows] * bm25.data
            top = np.argpartition(-fused, k - 1, axis=1)[:, :k]
            for row in range(len(batch)):
                # Best first; equal scores in index order, so the first-indexed of two identical fact-checks wins.
                order = top[row][np.lexsort((top[row], -fused[row, top[row]]))]
                calibrated = self.calibrate(fused[row, order])
                claim_cosines = self.claim_vectors[order] @ query_vectors[row]
                title_cosines = self.title_vectors[order] @ query_vectors[row]
                # BM25's share is what the dense part leaves of the fused score (no sparse look-up needed).
                dense = self.settings.claim_cosine * claim_cosines + self.settings.title_cosine * title_cosines
                coverages = ((fused[row, order] - dense) / self.settings.bm25_coverage
                             if self.settings.bm25_coverage else np.zeros(len(order)))
                matches = []
                for rank, col in enumerate(order, start=1):
                    score = float(calibrated[rank - 1])
                    if threshold is not None and score < threshold:
                        break
                    matches.append(Match(self.claims[col].claim_id, rank, score, float(fused[row, col]),
                                         float(claim_cosines[rank - 1]), float(title_cosines[rank - 1]),
                                         float(coverages[rank - 1])))
                results.append(matches)
        return results
