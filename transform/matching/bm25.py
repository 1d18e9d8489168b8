"""Okapi BM25 over a scipy sparse matrix: the documents' term weights are computed once, so scoring a batch
of queries is one sparse product (queries x terms) @ (terms x documents).

In-process rather than DuckDB's full-text index, because `match-eval` and a run's matching hold the
fact-checks in memory anyway and score thousands of queries at a time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

K1 = 1.2
B = 0.75


class BM25:
    """BM25 weights of a fixed list of tokenised documents, with `score` for tokenised queries."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> None:
        vocabulary: dict[str, int] = {}
        rows, cols = [], []
        for row, document in enumerate(documents):
            for term in document:
                rows.append(row)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
        shape = (len(documents), max(len(vocabulary), 1))
        tf = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=shape)
        tf.sum_duplicates()
        lengths = np.asarray([len(d) for d in documents], dtype=np.float32)
        average = float(lengths.mean()) if len(documents) and lengths.mean() > 0 else 1.0
        df = np.bincount(tf.indices, minlength=shape[1]).astype(np.float32)
        # Lucene's idf: never negative, so a term in most documents still counts a little.
        self.idf = np.log1p((len(documents) - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = k1 * (1 - b + b * lengths / average)
        data = tf.data.copy()
        row_of = np.repeat(np.arange(shape[0]), np.diff(tf.indptr))
        data = data * (k1 + 1) / (data + norm[row_of])
        weights = sparse.csr_matrix((data * self.idf[tf.indices], tf.indices, tf.indptr), shape=shape)
        self._weights_t = weights.T.tocsr()  # terms x documents
        self.vocabulary = vocabulary
        self.k1 = k1
        self.n_documents = len(documents)

    def score(self, queries: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """(len(queries), documents) float32 BM25 scores, and each query's best possible score (each of its
        known terms matched at saturation), by which a score divides into a 0-1 coverage of the query."""
        scores, ceiling = self.score_sparse(queries)
        return scores.toarray().astype(np.float32, copy=False), ceiling

    def score_sparse(self, queries: Sequence[Sequence[str]]) -> tuple[sparse.csr_matrix, np.ndarray]:
        """As `score`, the scores as a sparse matrix: only documents sharing a term with the query are stored."""
        rows, cols = [], []
        for row, query in enumerate(queries):
            for term in set(query):
                col = self.vocabulary.get(term)
                if col is not None:
                    rows.append(row)
                    cols.append(col)
        q = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                              shape=(len(queries), self._weights_t.shape[0]))
        scores = (q @ self._weights_t).tocsr()  # a product's entries are unique; their order does not matter here
        ceiling = np.asarray(q @ self.idf, dtype=np.float32).reshape(-1) * (self.k1 + 1)
        return scores, ceiling
