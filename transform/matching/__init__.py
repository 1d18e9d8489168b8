"""Matching statements against fact-checked claims: BM25 retrieval and sentence-vector re-ranking, fused and
calibrated to a 0-1 score (see index.py); the constants in settings.py. A matcher trained with
`citeline train-matcher` re-ranks the top candidates: `load_matcher(path).index(claim_index)` (reranker.py).

Names are imported on first use: text.py loads scikit-learn's stop words (seconds on a busy machine), which a
run whose matching step has nothing to do never needs (importing transform.matching.settings stays cheap)."""

from importlib import import_module
from typing import Any

_SOURCES = {
    "ClaimIndex": "index", "FactCheckClaim": "index", "Match": "index", "encode_claims": "index",
    "DEFAULT_SETTINGS": "settings", "MatcherSettings": "settings", "clean_query": "text", "terms": "text",
    "MatcherModelError": "reranker", "RerankedIndex": "reranker", "TrainedMatcher": "reranker",
    "load_matcher": "reranker", "matcher_id_at": "reranker",
}

__all__ = ["DEFAULT_SETTINGS", "ClaimIndex", "FactCheckClaim", "Match", "MatcherModelError", "MatcherSettings",
           "RerankedIndex", "TrainedMatcher", "clean_query", "encode_claims", "load_matcher", "matcher_id_at", "terms"]


def __getattr__(name: str) -> Any:
    if name not in _SOURCES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_SOURCES[name]}"), name)
