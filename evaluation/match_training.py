"""`citeline train-matcher`: train the matcher's re-ranker on the tuning half of a split in CheckThat! 2020
Task 2's layout (evaluation/splits.py), never on the held-out half, and score the default and the trained
matcher on the held-out half for the model's card."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evaluation.match_eval import CUTOFF, DEFAULT_SPLIT, claim_vectors, read_eval_set, scores
from evaluation.splits import TUNING_SHARE, in_tuning_part

LICENCE_NOTE = ("Trained on the fact-checks and queries of the folder named here. CheckThat! 2020's data is for "
                "research use only: the model is derived from it, so keep it where the data is, and never ship or "
                "commit it.")


def held_out_figures(index, statements: Sequence[str], vectors, relevant: Sequence[set[str]], threshold: float) -> dict[str, Any]:
    """MAP@5, MRR@5 and P@1 of `index` (a ClaimIndex or RerankedIndex) over the statements, and the precision of
    its candidates scoring at least `threshold` (all pairs, and each statement's best match alone)."""
    found = index.search(statements, vectors=vectors, top_k=max(CUTOFF, 20))
    keys = [str(i) for i in range(len(statements))]
    measured = scores({k: [m.claim_id for m in matches] for k, matches in zip(keys, found, strict=True)},
                      dict(zip(keys, relevant, strict=True)))
    above = [(m.claim_id in rel, m.rank == 1) for matches, rel in zip(found, relevant, strict=True) for m in matches
             if m.score >= threshold]
    best = [hit for hit, first in above if first]
    return {**{k: round(v, 4) if isinstance(v, float) else v for k, v in measured.items()}, "threshold": threshold,
            "pairs_above_threshold": len(above), "precision_above_threshold": round(sum(h for h, _ in above) / len(above), 4) if above else None,
            "best_matches_above_threshold": len(best), "precision_of_best_above_threshold": round(sum(best) / len(best), 4) if best else None}


def train_on_folder(folder: Path, out: Path, split: str = DEFAULT_SPLIT, seed: int = 0, use_cache: bool = True,
                    settings=None, progress: Callable[[str, int, int], None] | None = None,
                    say: Callable[[str], None] = lambda message: None) -> dict[str, Any]:
    """Train on the tuning half of `split`'s queries that have qrels, write the model folder `out`, and return
    its card (with both matchers' held-out figures)."""
    from citeline.core import __version__
    from transform.matching import ClaimIndex, FactCheckClaim
    from transform.matching.reranker import RerankedIndex
    from transform.matching.training import MatcherTrainingSettings, train_reranker, write_matcher

    settings = settings or MatcherTrainingSettings()
    data = read_eval_set(folder, split)
    judged = [q for q in data.queries if data.qrels.get(q)]
    tuning = [q for q in judged if in_tuning_part(q)]
    held_out = [q for q in judged if not in_tuning_part(q)]
    say(f"{len(data.claims):,} verified claims; {len(tuning)} tuning queries to train on, {len(held_out)} held out "
        f"(of {len(data.queries)} in {split})")
    started = time.perf_counter()
    vectors = claim_vectors(data.claims, use_cache)
    index = ClaimIndex([FactCheckClaim(c.claim_id, c.claim, c.title) for c in data.claims], *vectors)
    say(f"claim vectors ready in {time.perf_counter() - started:.1f} s")
    texts = [data.queries[q] for q in tuning + held_out]
    statement_vectors = index.encode_statements(texts)
    tuning_vectors, held_vectors = statement_vectors[:len(tuning)], statement_vectors[len(tuning):]
    trained_at = time.perf_counter()
    reranker, summary = train_reranker(index, texts[:len(tuning)], [data.qrels[q] for q in tuning], seed=seed,
                                       settings=settings, vectors=tuning_vectors, progress=progress)
    seconds = time.perf_counter() - trained_at
    held_texts, held_relevant = texts[len(tuning):], [data.qrels[q] for q in held_out]
    figures = {}
    if held_out:
        figures = {"default": held_out_figures(index, held_texts, held_vectors, held_relevant, index.settings.threshold),
                   "trained": held_out_figures(RerankedIndex(index, reranker), held_texts, held_vectors, held_relevant,
                                               reranker.threshold)}
    card = {"created": datetime.now(UTC).isoformat(timespec="seconds"), "citeline_version": __version__,
            "training_data": {"folder": str(Path(folder).resolve()), "split": split, "part": "tuning",
                              "tuning_share": TUNING_SHARE, "claims": len(data.claims), "held_out_queries": len(held_out),
                              **summary, "licence": LICENCE_NOTE},
            "seed": seed, "settings": asdict(settings), "training_seconds": round(seconds, 1),
            "scores": {"held_out": figures}}
    return write_matcher(reranker, out, card)
