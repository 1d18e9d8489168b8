"""Choose the fact-check matcher's constants on the tuning half of CheckThat! 2020 Task 2 `train`, and report
every component's MAP@5 on the tuning half, the held-out half and the whole split (the ablation table).

    .venv/bin/python benchmarks/match_tuning.py [../shared/checkthat2020] [--late-interaction]

--late-interaction also measures MaxSim over word-piece vectors (ColBERT-style late interaction) as a
re-ranker of the shipped matcher's top 20: about 90 s more for the claims' token vectors (not shipped).

Prints the constants for transform/matching/settings.py; writes nothing (the data is research-use only:
neither it nor anything derived from its text may enter the repository; the claim vectors go to the
user's cache, outside it, keyed by content hash).
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evaluation.match_eval import claim_vectors, read_eval_set, scores  # noqa: E402
from evaluation.splits import in_tuning_part  # noqa: E402
from transform.encoder import get_encoder  # noqa: E402
from transform.matching import ClaimIndex, FactCheckClaim, MatcherSettings  # noqa: E402
from transform.matching.text import clean_query  # noqa: E402

TITLE_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
BM25_WEIGHTS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0)
CALIBRATION_DEPTH = 20  # candidates per tuning query the logistic curve is fitted on


def measure_top(ids: np.ndarray, qids: list[str], data, parts: dict) -> callable:
    def measure(candidates: np.ndarray, matrix: np.ndarray) -> dict[str, float]:
        order = np.argsort(-matrix, axis=1, kind="stable")[:, :5]
        ranking = {q: list(candidates[i][order[i]]) for i, q in enumerate(qids)}
        return {name: scores(ranking, {q: data.qrels[q] for q, m in zip(qids, mask, strict=True) if m})["map_at_5"]
                for name, mask in parts.items()}
    return measure


def late_interaction_rows(data, claims, qids, texts, measure_top, settings) -> list:
    """MaxSim (mean over the statement's word pieces of the best cosine to a claim's word piece) added to the
    shipped fused score, over its top 20 candidates."""
    index = ClaimIndex(claims, *claim_vectors(data.claims), settings=settings)
    encoder = get_encoder()

    def unit(token_vectors):
        return [(t.vectors / np.maximum(np.linalg.norm(t.vectors, axis=1, keepdims=True), 1e-9)).astype(np.float16)
                for t in token_vectors]

    started = time.perf_counter()
    statement_tokens = unit(encoder.token_vectors(index.prepare(texts)))
    claim_tokens = unit(encoder.token_vectors([c.claim for c in claims]))
    print(f"token vectors: {time.perf_counter() - started:.0f} s, claims' {sum(t.nbytes for t in claim_tokens) / 2**20:.0f} MB (float16)")
    position = {c.claim_id: i for i, c in enumerate(claims)}
    results = index.search(texts, top_k=20)
    candidates = np.array([[m.claim_id for m in r] for r in results])
    fused = np.array([[m.fused for m in r] for r in results])
    maxsim = np.array([[float((statement_tokens[i].astype(np.float32)
                                @ claim_tokens[position[m.claim_id]].astype(np.float32).T).max(axis=1).mean())
                        for m in r] for i, r in enumerate(results)])
    rows = [("MaxSim alone over the shipped top 20", measure_top(candidates, maxsim))]
    for weight in (2.0, 8.0, 16.0):
        rows.append((f"shipped fused + {weight:g} x MaxSim (top 20 re-ranked)", measure_top(candidates, fused + weight * maxsim)))
    return rows


def main(folder: Path, late_interaction: bool = False) -> None:
    data = read_eval_set(folder, "train")
    claims = [FactCheckClaim(c.claim_id, c.claim, c.title) for c in data.claims]
    started = time.perf_counter()
    vectors = claim_vectors(data.claims)
    print(f"claim vectors: {time.perf_counter() - started:.1f} s (cached after the first run)")
    qids = list(data.queries)
    texts = [data.queries[q] for q in qids]
    started = time.perf_counter()
    clean_vectors = get_encoder().encode([clean_query(t) for t in texts])
    raw_vectors = get_encoder().encode(texts)
    print(f"query vectors: {time.perf_counter() - started:.1f} s for 2 x {len(texts)}")
    tuning = np.array([in_tuning_part(q) for q in qids])
    parts = {"tuning": tuning, "held-out": ~tuning, "whole": np.ones_like(tuning)}
    print(f"queries: {int(tuning.sum())} tuning, {int((~tuning).sum())} held out")
    ids = np.array([c.claim_id for c in claims])

    def measure(matrix: np.ndarray) -> dict[str, float]:
        # A view with its columns reversed (matrix[:, ::-1]) breaks ties the other way round.
        reversed_ = matrix.strides[1] < 0
        top = np.argsort(-matrix, axis=1, kind="stable")[:, :5]
        columns = ids[::-1] if reversed_ else ids
        ranking = {q: list(columns[top[i]]) for i, q in enumerate(qids)}
        return {name: scores(ranking, {q: data.qrels[q] for q, m in zip(qids, mask, strict=True) if m})["map_at_5"]
                for name, mask in parts.items()}

    base = MatcherSettings()
    indexes = {(clean, stem): ClaimIndex(claims, *vectors, settings=dataclasses.replace(base, clean_queries=clean, stem=stem))
               for clean in (False, True) for stem in (False, True)}
    feats = {key: index.features(texts, clean_vectors if key[0] else raw_vectors) for key, index in indexes.items()}
    f = feats[(True, True)]

    def ranks(matrix: np.ndarray) -> np.ndarray:
        # Tied scores share the best rank, so RRF cannot favour a claim for where it sits in the file.
        from scipy.stats import rankdata

        return rankdata(-matrix, method="min", axis=1)

    rows: list[tuple[str, dict[str, float]]] = []
    for (clean, stem), g in feats.items():
        rows.append((f"BM25 claim+headline, {'cleaned' if clean else 'raw'} query, {'stemmed' if stem else 'no stemming'}",
                     measure(g.bm25_coverage)))
    for clean in (False, True):
        g = feats[(clean, True)]
        label = "cleaned" if clean else "raw"
        rows.append((f"dense cosine to claim, {label} query", measure(g.claim_cosine)))
        rows.append((f"dense cosine to headline, {label} query", measure(g.title_cosine)))
        rows.append((f"dense claim + headline, {label} query", measure(g.claim_cosine + g.title_cosine)))
    for k in (10, 60):
        rrf = sum(1.0 / (k + r) for r in (ranks(f.bm25_coverage), ranks(f.claim_cosine), ranks(f.title_cosine)))
        rows.append((f"RRF k={k} of BM25, claim cosine, headline cosine", measure(rrf)))
        rows.append((f"RRF k={k} of BM25 and claim+headline cosine",
                     measure(1.0 / (k + ranks(f.bm25_coverage)) + 1.0 / (k + ranks(f.claim_cosine + f.title_cosine)))))
    rows.append(("linear 0.2 BM25 + 0.8 dense claim (the issue's baseline mix)", measure(0.2 * f.bm25_coverage + 0.8 * f.claim_cosine)))

    # The weights: grid on the tuning half only; ties go to the smaller weights (earlier in the grid).
    best = max(itertools.product(TITLE_WEIGHTS, BM25_WEIGHTS),
               key=lambda w: measure(f.claim_cosine + w[0] * f.title_cosine + w[1] * f.bm25_coverage)["tuning"])
    wt, wb = best
    fused = f.claim_cosine + wt * f.title_cosine + wb * f.bm25_coverage
    rows.append((f"linear claim + {wt} headline + {wb} BM25 (chosen on tuning)", measure(fused)))
    raw_g = feats[(False, True)]
    rows.append(("  the same, raw queries (no cleaning)",
                 measure(raw_g.claim_cosine + wt * raw_g.title_cosine + wb * raw_g.bm25_coverage)))
    rows.append(("  the same without the headline cosine", measure(f.claim_cosine + wb * f.bm25_coverage)))
    # The claims hold near-twins (the same fact-check twice, differing in quote marks) and the qrels name one:
    # ties are broken by index order (the first indexed wins). Breaking them the other way shows what that is worth.
    rows.append(("  the same, ties broken by last-indexed first", measure(fused[:, ::-1])))
    rows.append(("BM25 (cleaned, stemmed), ties broken by last-indexed first", measure(f.bm25_coverage[:, ::-1])))

    if late_interaction:
        rows.extend(late_interaction_rows(data, claims, qids, texts, measure_top=measure_top(ids, qids, data, parts),
                                          settings=dataclasses.replace(base)))

    print(f"\n{'component':<72} {'tuning':>7} {'held-out':>8} {'whole':>7}")
    for label, m in rows:
        print(f"{label:<72} {m['tuning']:7.3f} {m['held-out']:8.3f} {m['whole']:7.3f}")

    # Calibration: a logistic curve over the fused score of the top candidates of the tuning queries.
    from sklearn.linear_model import LogisticRegression

    top = np.argsort(-fused, axis=1, kind="stable")[:, :CALIBRATION_DEPTH]
    x, y, part = [], [], []
    for i, q in enumerate(qids):
        for j in top[i]:
            x.append(fused[i, j])
            y.append(ids[j] in data.qrels.get(q, set()))
            part.append(tuning[i])
    x, y, part = np.array(x)[:, None], np.array(y), np.array(part)
    rank_in_query = np.tile(np.arange(CALIBRATION_DEPTH), len(qids))
    curve = LogisticRegression(C=1e6).fit(x[part], y[part])
    slope, bias = float(curve.coef_[0, 0]), float(curve.intercept_[0])
    print(f"\nconstants: claim_cosine={slope:.3f} title_cosine={slope * wt:.3f} bm25_coverage={slope * wb:.3f} bias={bias:.3f}")
    probability = 1 / (1 + np.exp(-(slope * x[:, 0] + bias)))
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        for name, mask in (("tuning", part), ("held-out", ~part)):
            above = (probability >= threshold) & mask
            precision = y[above].mean() if above.any() else float("nan")
            # Recall over the held-out queries' relevant pairs (each query has at least one).
            recall = y[above].sum() / sum(len(data.qrels[q]) for q, m in zip(qids, tuning if name == "tuning" else ~tuning, strict=True) if m)
            # The statement's best match alone, as a reader sees "already fact-checked".
            first = above & (rank_in_query == 0)
            p_first = y[first].mean() if first.any() else float("nan")
            print(f"threshold {threshold:.1f} {name:>8}: {int(above.sum()):4d} pairs above, precision {precision:.3f}, "
                  f"recall {recall:.3f}; best match only: {int(first.sum())} statements, precision {p_first:.3f}")
    # Calibration check on the held-out pairs: mean predicted probability vs observed rate per bin.
    print("\nheld-out calibration (predicted -> observed, pairs):")
    bins = np.linspace(0, 1, 6)
    for lo, hi in zip(bins[:-1], bins[1:], strict=True):
        sel = (~part) & (probability >= lo) & (probability < hi if hi < 1 else probability <= hi)
        if sel.any():
            print(f"  [{lo:.1f}, {hi:.1f}): {probability[sel].mean():.3f} -> {y[sel].mean():.3f} ({int(sel.sum())})")


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--late-interaction"]
    main(Path(arguments[0]) if arguments else Path(__file__).resolve().parents[2] / "shared" / "checkthat2020",
         late_interaction="--late-interaction" in sys.argv[1:])
