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

    def subset(self, documents: Sequence[int]) -> BM25:
        """The index of only the documents at these positions, each weighted as in the whole (its idf and
        average length), so a query scores them exactly as the whole index does."""
        part = object.__new__(BM25)
        part._weights_t = self._weights_t[:, np.asarray(documents, dtype=np.int64)].tocsr()
        part.vocabulary, part.idf, part.k1, part.n_documents = self.vocabulary, self.idf, self.k1, self.n_documents
        return part

    def score(self, queries: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """(len(queries), documents) float32 BM25 scores, and each query's best possible score (each of its
        known terms matched at saturation), by which a score divides into a 0-1 coverage of the query."""
        scores, ceiling = self.score_sparse(queries)
        return scores.toarray().astype(np.float32, copy=False), ceiling

    def score_sparse(self, queries: Sequence[Sequence[str]]) -> tuple[sparse.csr_matrix, np.ndarray]:
        """As `score`, the scores as a sparse matrix: only documents sharing a term with the query are stored."""
        rows, cols = [], []
        unknown = np.zeros(len(queries), dtype=np.float32)
        for row, query in enumerate(queries):
            for term in set(query):
                col = self.vocabulary.get(term)
                if col is not None:
                    rows.append(row)
                    cols.append(col)
                else:
                    unknown[row] += 1
        q = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                              shape=(len(queries), self._weights_t.shape[0]))
        scores = (q @ self._weights_t).tocsr()  # a product's entries are unique; their order does not matter here
        # A term no document has counts in the ceiling at the idf of a term in none: otherwise, against a few
        # fact-checks, a statement sharing one word with one of them and none of its other words would cover it all.
        unseen_idf = np.log1p((self.n_documents + 0.5) / 0.5)
        ceiling = (np.asarray(q @ self.idf, dtype=np.float32).reshape(-1) + unknown * unseen_idf) * (self.k1 + 1)
        return scores, ceiling
