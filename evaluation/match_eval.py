"""CheckThat! 2020 Task 2 (verified claim retrieval) for `citeline match-eval`: read a folder in its layout,
score a ranking with the task's measures (MAP@5, MRR@5, P@1), write the ranking as a TREC run, and split
queries deterministically into a tuning part and a held-out part.

Layout: DIR/verified_claims.docs.tsv (unnamed id column, `vclaim`, `title`; CSV-quoted, claims may span
lines), DIR/NAME/tweets.queries.tsv (`tweet_id`, `tweet_content`), DIR/NAME/tweet-vclaim-pairs.qrels
(`tweet_id 0 vclaim_id 1`).
"""

from __future__ import annotations

import csv
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from citeline.core.errors import CitelineError

if TYPE_CHECKING:  # numpy and the matcher load on use, so `citeline --help` does not pay for them
    import numpy as np

    from transform.matching.settings import MatcherSettings

CLAIMS_FILE = "verified_claims.docs.tsv"
QUERIES_FILE = "tweets.queries.tsv"
QRELS_FILE = "tweet-vclaim-pairs.qrels"
DEFAULT_SPLIT = "train"
CUTOFF = 5
RUN_DEPTH = 20
RUN_TAG = "citeline"


class MatchEvalError(CitelineError):
    """A folder in CheckThat! layout is missing a file or has one that cannot be read."""


@dataclass(frozen=True)
class VerifiedClaim:
    claim_id: str
    claim: str
    title: str


@dataclass(frozen=True)
class EvalSet:
    claims: list[VerifiedClaim]
    queries: dict[str, str]
    qrels: dict[str, set[str]]


def _require(path: Path) -> Path:
    if not path.is_file():
        raise MatchEvalError(f"{str(path)!r} is missing (expected CheckThat! 2020 Task 2 layout)")
    return path


def _rows(path: Path) -> list[list[str]]:
    csv.field_size_limit(sys.maxsize)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.reader(handle, delimiter="\t"))
    except (UnicodeDecodeError, csv.Error) as error:
        raise MatchEvalError(f"{str(path)!r} cannot be read as tab-separated UTF-8: {error}") from None


def read_claims(path: Path) -> list[VerifiedClaim]:
    """The verified claims of `verified_claims.docs.tsv`, in file order."""
    rows = _rows(_require(path))
    if not rows or len(rows[0]) < 3:
        raise MatchEvalError(f"{str(path)!r} has no header with an id, `vclaim` and `title` column")
    claims = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) < 3 or not row[0].strip():
            raise MatchEvalError(f"{str(path)!r} record {number} does not have an id, a claim and a title")
        claims.append(VerifiedClaim(row[0].strip(), row[1], row[2]))
    return claims


def read_queries(path: Path) -> dict[str, str]:
    """tweet_id -> tweet text, from `tweets.queries.tsv` (header line skipped)."""
    rows = _rows(_require(path))
    queries = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) < 2 or not row[0].strip():
            raise MatchEvalError(f"{str(path)!r} record {number} does not have a tweet id and a text")
        queries[row[0].strip()] = row[1]
    return queries


def read_qrels(path: Path) -> dict[str, set[str]]:
    """tweet_id -> the ids of the verified claims that check it (relevance > 0)."""
    qrels: dict[str, set[str]] = {}
    for number, line in enumerate(_require(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 4 or not fields[3].lstrip("-").isdigit():
            raise MatchEvalError(f"{str(path)!r} line {number} is not `query_id 0 vclaim_id relevance`")
        if int(fields[3]) > 0:
            qrels.setdefault(fields[0], set()).add(fields[2])
    return qrels


def read_eval_set(folder: Path, split: str = DEFAULT_SPLIT) -> EvalSet:
    """Claims, queries and qrels of one split; every file checked before any is parsed."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MatchEvalError(f"{str(folder)!r} is not a folder")
    paths = [folder / CLAIMS_FILE, folder / split / QUERIES_FILE, folder / split / QRELS_FILE]
    for path in paths:
        _require(path)
    return EvalSet(read_claims(paths[0]), read_queries(paths[1]), read_qrels(paths[2]))


def average_precision_at(ranked: Sequence[str], relevant: set[str], k: int = CUTOFF) -> float:
    """AP@k as trec_eval (and so the CheckThat! 2020 scorer, through trectools) computes it: precision at each
    relevant hit in the top k, summed, divided by the number of relevant claims."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for rank, claim_id in enumerate(ranked[:k], start=1):
        if claim_id in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def reciprocal_rank_at(ranked: Sequence[str], relevant: set[str], k: int = CUTOFF) -> float:
    for rank, claim_id in enumerate(ranked[:k], start=1):
        if claim_id in relevant:
            return 1.0 / rank
    return 0.0


def scores(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]]) -> dict[str, float]:
    """map_at_5, mrr_at_5 and p_at_1 over the queries that have qrels (a query without a ranking scores 0)."""
    judged = [q for q in qrels if qrels[q]]
    if not judged:
        return {"map_at_5": 0.0, "mrr_at_5": 0.0, "p_at_1": 0.0, "queries": 0}
    ap = [average_precision_at(rankings.get(q, ()), qrels[q]) for q in judged]
    rr = [reciprocal_rank_at(rankings.get(q, ()), qrels[q]) for q in judged]
    p1 = [1.0 if rankings.get(q) and rankings[q][0] in qrels[q] else 0.0 for q in judged]
    n = len(judged)
    return {"map_at_5": sum(ap) / n, "mrr_at_5": sum(rr) / n, "p_at_1": sum(p1) / n, "queries": n}


def trec_lines(query_id: str, ranked: Sequence[tuple[str, float]], tag: str = RUN_TAG,
               depth: int = RUN_DEPTH) -> list[str]:
    """`query_id Q0 vclaim_id rank score tag` for the top `depth` of one query's ranking."""
    return [f"{query_id} Q0 {claim_id} {rank} {score:.6f} {tag}"
            for rank, (claim_id, score) in enumerate(ranked[:depth], start=1)]


def cache_dir() -> Path:
    """Where claim vectors are kept between invocations: $XDG_CACHE_HOME/citeline/match-vectors (or
    ~/.cache/...), outside the repository, since research-only data must not end up in it."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "citeline" / "match-vectors"


def _content_key(claims: Sequence[VerifiedClaim]) -> str:
    from transform.encoder import MODEL_ID

    digest = hashlib.sha256(MODEL_ID.encode())
    for claim in claims:
        for text in (claim.claim, claim.title):
            data = text.encode("utf-8")
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
    return digest.hexdigest()


def claim_vectors(claims: Sequence[VerifiedClaim], use_cache: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The claims' and headlines' sentence vectors, from the cache when it holds this exact content (the key
    hashes the encoder's id and every text), else computed and, with `use_cache`, stored atomically."""
    import numpy as np

    from transform.encoder import DIMENSIONS
    from transform.matching import FactCheckClaim, encode_claims

    path = cache_dir() / f"{_content_key(claims)}.npz"
    if use_cache and path.is_file():
        try:
            with np.load(path, allow_pickle=False) as stored:
                vectors = stored["claims"], stored["titles"]
            if all(v.shape == (len(claims), DIMENSIONS) and v.dtype == np.float32 for v in vectors):
                return vectors
        except (OSError, ValueError, KeyError):
            pass  # unreadable or foreign: recompute and overwrite
    vectors = encode_claims([FactCheckClaim(c.claim_id, c.claim, c.title) for c in claims])
    if use_cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
                np.savez(handle, claims=vectors[0], titles=vectors[1])
            os.replace(handle.name, path)
        except OSError:
            pass  # a read-only cache only costs time
    return vectors


@dataclass(frozen=True)
class MatchEvalResult:
    scores: dict[str, float]
    rankings: dict[str, list[tuple[str, float]]]
    claims: int
    seconds_vectors: float
    seconds_matching: float


def evaluate_matcher(folder: Path, split: str = DEFAULT_SPLIT, use_cache: bool = True,
                     settings: MatcherSettings | None = None,
                     query_ids: Sequence[str] | None = None, matcher: str | Path | None = None) -> MatchEvalResult:
    """Index the folder's verified claims with the default matcher (re-ranked by the trained matcher in
    folder `matcher`, when given), rank them for every query of `split` (or only `query_ids`), and score the
    ranking against the qrels."""
    from transform.matching import DEFAULT_SETTINGS, ClaimIndex, FactCheckClaim
    from transform.matching.reranker import load_matcher

    trained = None if matcher is None else load_matcher(matcher)  # a broken folder fails before any encoding
    data = read_eval_set(folder, split)
    started = time.perf_counter()
    vectors = claim_vectors(data.claims, use_cache)
    index = ClaimIndex([FactCheckClaim(c.claim_id, c.claim, c.title) for c in data.claims], *vectors,
                       settings=settings or DEFAULT_SETTINGS)
    if trained is not None:
        index = trained.index(index)
    vectors_done = time.perf_counter()
    ids = list(data.queries) if query_ids is None else [q for q in query_ids if q in data.queries]
    results = index.search([data.queries[q] for q in ids], top_k=max(RUN_DEPTH, CUTOFF))
    rankings = {q: [(m.claim_id, m.score) for m in matches] for q, matches in zip(ids, results, strict=True)}
    qrels = {q: data.qrels.get(q, set()) for q in ids}
    measured = scores({q: [c for c, _ in ranked] for q, ranked in rankings.items()}, qrels)
    return MatchEvalResult(measured, rankings, len(data.claims), vectors_done - started,
                           time.perf_counter() - vectors_done)
