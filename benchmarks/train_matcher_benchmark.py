"""The trained matcher (`citeline train-matcher`) against the default on CheckThat! 2020 Task 2 `train`: trained
on the tuning half (evaluation/splits.py), scored on the held-out half, with an ablation of its parts.

    .venv/bin/python benchmarks/train_matcher_benchmark.py [../shared/checkthat2020] [--quick]

Prints held-out MAP@5, MRR@5, P@1 and the precision of pairs scoring >= 0.5 for the default matcher and each
trained variant, each variant's training time, and the process's peak memory. --quick trains the full model
only. Writes nothing (the data is research-use only; the claim vectors go to the user's cache, outside the
repository, as match-eval's do).
"""

from __future__ import annotations

import dataclasses
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evaluation.match_eval import claim_vectors, read_eval_set  # noqa: E402
from evaluation.match_training import held_out_figures  # noqa: E402
from evaluation.splits import in_tuning_part  # noqa: E402
from transform.matching import ClaimIndex, FactCheckClaim  # noqa: E402
from transform.matching.rerank_features import OVERLAP, RELATIVE, TWINS  # noqa: E402
from transform.matching.reranker import RerankedIndex  # noqa: E402
from transform.matching.training import MatcherTrainingSettings, train_reranker  # noqa: E402

FULL = MatcherTrainingSettings()
VARIANTS = [
    ("trained (shipped settings)", FULL),
    ("  without the vector adaptation", dataclasses.replace(FULL, adaptation=False)),
    ("  without near-twin and quote-style features", dataclasses.replace(FULL, drop_features=TWINS)),
    ("  without twins and adaptation", dataclasses.replace(FULL, adaptation=False, drop_features=TWINS)),
    ("  default's scores and ranks only (no overlap, twins, adaptation)",
     dataclasses.replace(FULL, adaptation=False, drop_features=(*TWINS, *OVERLAP))),
    ("  default's four scores alone", dataclasses.replace(FULL, adaptation=False,
                                                           drop_features=(*TWINS, *OVERLAP, *RELATIVE, "reciprocal_rank"))),
    ("  top 30 re-ranked", dataclasses.replace(FULL, depth=30)),
]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(folder: Path, quick: bool) -> None:
    data = read_eval_set(folder, "train")
    judged = [q for q in data.queries if data.qrels.get(q)]
    tuning = [q for q in judged if in_tuning_part(q)]
    held = [q for q in judged if not in_tuning_part(q)]
    started = time.perf_counter()
    index = ClaimIndex([FactCheckClaim(c.claim_id, c.claim, c.title) for c in data.claims], *claim_vectors(data.claims))
    vectors = index.encode_statements([data.queries[q] for q in tuning + held])
    print(f"{len(data.claims):,} claims, {len(tuning)} tuning queries, {len(held)} held out; "
          f"vectors {time.perf_counter() - started:.1f} s (claims' cached after the first run); peak {peak_mb():.0f} MB")
    held_texts, held_vectors = [data.queries[q] for q in held], vectors[len(tuning):]
    relevant = [data.qrels[q] for q in held]
    rows = [("default matcher", held_out_figures(index, held_texts, held_vectors, relevant, index.settings.threshold), None)]
    for label, settings in VARIANTS[:1] if quick else VARIANTS:
        started = time.perf_counter()
        reranker, _ = train_reranker(index, [data.queries[q] for q in tuning], [data.qrels[q] for q in tuning],
                                     settings=settings, vectors=vectors[:len(tuning)])
        seconds = time.perf_counter() - started
        rows.append((label, held_out_figures(RerankedIndex(index, reranker), held_texts, held_vectors, relevant,
                                             reranker.threshold), seconds))
    print(f"\nheld-out half of train ({len(held)} queries)")
    print(f"{'matcher':<66} {'MAP@5':>6} {'MRR@5':>6} {'P@1':>6} {'prec>=.5':>8} {'pairs':>5} {'train s':>7}")
    for label, f, seconds in rows:
        trained = "" if seconds is None else f"{seconds:7.1f}"
        print(f"{label:<66} {f['map_at_5']:6.4f} {f['mrr_at_5']:6.4f} {f['p_at_1']:6.4f} "
              f"{f['precision_above_threshold']:8.4f} {f['pairs_above_threshold']:5d} {trained}")
    trained = RerankedIndex(index, train_reranker(index, [data.queries[q] for q in tuning], [data.qrels[q] for q in tuning],
                                                  vectors=vectors[:len(tuning)])[0])
    # Calibration on the held-out pairs (every candidate the trained matcher returns): mean score against the
    # share that are the qrels' match, per score bin.
    pairs = [(m.score, m.claim_id in rel) for matches, rel in zip(trained.search(held_texts, vectors=held_vectors), relevant)
             for m in matches]
    print("\nheld-out calibration of the trained score (bin: mean score -> share matching, pairs)")
    for low in (0.0, 0.1, 0.3, 0.5, 0.7, 0.9):
        high = {0.0: 0.1, 0.1: 0.3, 0.3: 0.5, 0.5: 0.7, 0.7: 0.9, 0.9: 1.01}[low]
        chosen = [(s, y) for s, y in pairs if low <= s < high]
        if chosen:
            print(f"  [{low:.1f}, {min(high, 1.0):.1f}): {sum(s for s, _ in chosen) / len(chosen):.3f} -> "
                  f"{sum(y for _, y in chosen) / len(chosen):.3f} ({len(chosen)})")
    # Matching speed given the statements' vectors (a run computes them once): all 800 queries, CPU seconds
    # (wall time is noisy on a shared machine).
    texts = [data.queries[q] for q in tuning + held]
    trained.claim_keys()  # built once per index (~0.6 CPU-s at 10,375 claims)
    for label, matcher in (("default", index), ("trained", trained)):
        cpu = time.process_time()
        matcher.search(texts, vectors=vectors, top_k=20)
        print(f"{label} matching: {len(texts) / (time.process_time() - cpu):,.0f} statements per CPU-second, given vectors")
    print(f"\npeak memory (max RSS of this process, encoder and claim vectors included): {peak_mb():.0f} MB")


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--quick"]
    main(Path(arguments[0]) if arguments else Path(__file__).resolve().parents[2] / "shared" / "checkthat2020",
         quick="--quick" in sys.argv[1:])
