"""Same-claim decision on MSRP's training file (../shared/msrp/train.tsv, research use only: read, never
committed): accuracy on the held-out half and the whole file, the ablation (encoder cosine alone, + lexical
features, + the number rule), and pairs scored per second.

The tuning half (evaluation.same_claim_eval.in_tuning_part) is where transform/same_claim.py's constants were
chosen; `--refit` re-derives them there (scikit-learn, L2-penalised logistic regression) so the choice can be
checked (it reproduces them to within 0.02); nothing it prints is read by the project.

    .venv/bin/python benchmarks/same_claim_benchmark.py [--file ../shared/msrp/train.tsv] [--refit]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evaluation.same_claim_eval import in_tuning_part, read_pairs, scores_of  # noqa: E402
from transform.encoder import encode  # noqa: E402
from transform.same_claim import COEFFICIENTS, DEFAULT_THRESHOLD, numbers_conflict, pair_features, same_claim_scores  # noqa: E402

DEFAULT_FILE = Path(__file__).resolve().parent.parent.parent / "shared" / "msrp" / "train.tsv"


def best_threshold(scores: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    candidates = np.unique(np.round(scores, 3))
    accuracies = [float(((scores >= t) == gold).mean()) for t in candidates]
    best = int(np.argmax(accuracies))
    return float(candidates[best]), accuracies[best]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--refit", action="store_true", help="re-derive the model's constants on the tuning half")
    args = parser.parse_args()
    pairs = read_pairs(args.file)
    gold = np.array([p.same for p in pairs])
    tuning = np.array([in_tuning_part(p) for p in pairs])
    print(f"{len(pairs)} pairs: tuning {tuning.sum()}, held-out {(~tuning).sum()}; "
          f"majority class on held-out {max(gold[~tuning].mean(), 1 - gold[~tuning].mean()):.4f}")

    texts = [(p.first, p.second) for p in pairs]
    started = time.perf_counter()
    shipped = np.array(same_claim_scores(texts))
    seconds = time.perf_counter() - started
    lenient = np.array(same_claim_scores(texts, numbers_must_agree=False))

    vectors = encode([t for pair in texts for t in pair])
    cosine = (vectors[0::2] * vectors[1::2]).sum(axis=1)
    cosine_threshold, _ = best_threshold(cosine[tuning], gold[tuning])

    def row(name: str, predicted: np.ndarray) -> None:
        held = scores_of(list(gold[~tuning]), list(predicted[~tuning]))
        whole = scores_of(list(gold), list(predicted))
        print(f"{name:58s} held-out acc {held['accuracy']:.4f} F1 {held['f1']:.4f} | whole acc {whole['accuracy']:.4f} F1 {whole['f1']:.4f}")

    row(f"encoder cosine alone (threshold {cosine_threshold:.3f} chosen on tuning)", cosine >= cosine_threshold)
    row("+ overlap, number mismatch, length ratio (logistic)", lenient >= DEFAULT_THRESHOLD)
    row("+ number rule (shipped: same-claim-eval's default)", shipped >= DEFAULT_THRESHOLD)
    print(f"scoring {len(pairs)} pairs: {seconds:.1f} s, {len(pairs) / seconds:.0f} pairs/s "
          "(one encoder thread, two sentences encoded per pair)")

    if args.refit:
        from sklearn.linear_model import LogisticRegression

        names = list(COEFFICIENTS)
        features = np.array([[pair_features(float(c), a, b)[n] for n in names] for c, (a, b) in zip(cosine, texts)])
        model = LogisticRegression(C=10.0, max_iter=2000).fit(features[tuning], gold[tuning])
        print("refit on tuning: intercept", round(float(model.intercept_[0]), 3),
              dict(zip(names, (round(float(w), 3) for w in model.coef_[0]))))
        refit = model.predict_proba(features)[:, 1]
        threshold, accuracy = best_threshold(refit[tuning], gold[tuning])
        print(f"threshold maximising tuning accuracy {threshold} (tuning {accuracy:.4f}, "
              f"held-out {((refit[~tuning] >= threshold) == gold[~tuning]).mean():.4f}); "
              f"number-conflict pairs {sum(numbers_conflict(a, b) for a, b in texts)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
