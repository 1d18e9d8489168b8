"""Does scoring a statement "in context" (its attribution around it) help? The shipped check-worthiness model
on the held-out part of ClaimBuster's training file (the card's split), each sentence scored alone, inside a
quote with its attribution after it, as reported speech, and with the attribution encoded too.

    .venv/bin/python benchmarks/check_worthiness_context.py [--data ../shared/claimbuster/train.jsonl]

A run scores a statement's content alone, with the vector its batch already has (README, check-worthiness).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def main() -> None:
    import numpy as np
    from sklearn.model_selection import train_test_split

    from transform.check_worthiness import load_model
    from transform.check_worthiness.training import _f1_curve, read_examples, scores_at
    from transform.encoder import encode

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=PROJECT.parent / "shared" / "claimbuster" / "train.jsonl")
    args = parser.parse_args()
    model = load_model()
    texts, y = read_examples(args.data)
    _, held = train_test_split(np.arange(len(texts)), test_size=model.card["training_data"]["held_out_part"], stratify=y,
                               random_state=model.card["seed"])
    held = np.sort(held)
    sentences, labels = [texts[i] for i in held], y[held]
    vectors = encode(sentences)
    quoted = [f'"{s}," the minister said.' for s in sentences]
    reported = [f"The minister said that {s[0].lower() + s[1:]}" for s in sentences]
    variants = {
        "content alone (as a run scores it)": model.score(sentences, vectors),
        "quoted with its attribution, content vector": model.score(quoted, vectors),
        "reported speech, content vector": model.score(reported, vectors),
        "quoted with its attribution, encoded again": model.score(quoted, encode(quoted)),
    }
    print(json.dumps({name: {**scores_at(labels, p, model.threshold), "best_f1": round(_f1_curve(labels, p)[0], 4)}
                      for name, p in variants.items()}, indent=2))


if __name__ == "__main__":
    main()
