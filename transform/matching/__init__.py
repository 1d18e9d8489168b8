"""Matching statements against fact-checked claims: BM25 retrieval and sentence-vector re-ranking, fused and
calibrated to a 0-1 score (see index.py); the constants in settings.py. A matcher trained with
`citeline train-matcher` re-ranks the top candidates: `load_matcher(path).index(claim_index)` (reranker.py)."""

from transform.matching.index import ClaimIndex, FactCheckClaim, Match, encode_claims
from transform.matching.reranker import MatcherModelError, RerankedIndex, TrainedMatcher, load_matcher, matcher_id_at
from transform.matching.settings import DEFAULT_SETTINGS, MatcherSettings
from transform.matching.text import clean_query, terms

__all__ = ["DEFAULT_SETTINGS", "ClaimIndex", "FactCheckClaim", "Match", "MatcherModelError", "MatcherSettings",
           "RerankedIndex", "TrainedMatcher", "clean_query", "encode_claims", "load_matcher", "matcher_id_at", "terms"]
