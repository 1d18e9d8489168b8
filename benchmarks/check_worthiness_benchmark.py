"""Check-worthiness: F1 on the held-out part of ClaimBuster's training file, and statements/s on one core.

    .venv/bin/python benchmarks/check_worthiness_benchmark.py [--model DIR] [--data ../shared/claimbuster/train.jsonl] [--n 2000]

The held-out part is re-drawn from the model card's seed (the same stratified split training used), so the
F1 here checks the card's. Speed runs in a fresh process pinned to CPU 0 (taskset) with one thread for
onnxruntime and the numeric libraries, after a warm-up, and is reported three ways: end to end (the sentence
encoder and the classifier), the sentence encoder alone, and the classifier given embeddings a caller already
has (what scoring adds when the fact-check matcher has embedded the statements anyway).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def held_out_scores(model_dir: Path, data: Path) -> dict:
    import numpy as np
    from sklearn.model_selection import train_test_split

    from transform.check_worthiness import load_model
    from transform.check_worthiness.training import read_examples, scores_at

    model = load_model(model_dir)
    card = model.card
    texts, y = read_examples(data)
    if card["training_data"]["limit"] is not None or card["training_data"]["sentences"] != len(texts):
        sys.exit("the model was trained on a subset or other data: its held-out part cannot be re-drawn here")
    _, held = train_test_split(np.arange(len(texts)), test_size=card["training_data"]["held_out_part"], stratify=y,
                               random_state=card["seed"])
    held = np.sort(held)
    p = model.score([texts[i] for i in held])
    return {"model_id": card["model_id"], "threshold": model.threshold, **scores_at(y[held], p, model.threshold)}


def speed_worker(model_dir: Path, data: Path, n: int) -> dict:
    from transform.check_worthiness import load_model
    from transform.check_worthiness.training import read_examples
    from transform.encoder import encode

    texts, _ = read_examples(data)
    texts = (texts * (n // len(texts) + 1))[:n]
    model = load_model(model_dir)
    model.score(texts[:64])  # warm-up: the encoder's session and the vocabulary are loaded once per process
    figures = {"statements": n, "mean_words": round(sum(len(t.split()) for t in texts) / n, 1)}
    embeddings = None

    def timed(name, work):
        # CPU seconds beside wall seconds: on a shared machine the wall clock counts other jobs' turns too.
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        figures[name] = {"per_wall_s": round(n / (time.perf_counter() - wall), 1), "per_cpu_s": round(n / (time.process_time() - cpu), 1)}
        return result

    timed("end_to_end", lambda: model.score(texts))
    embeddings = timed("encoder_alone", lambda: encode(texts))
    timed("given_embeddings", lambda: model.score(texts, embeddings=embeddings if model.uses_embedding else None))
    return figures


def main() -> None:
    from transform.check_worthiness.model import SHIPPED_MODEL
    from transform.check_worthiness.training import DEFAULT_DATA

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=SHIPPED_MODEL)
    parser.add_argument("--data", type=Path, default=PROJECT.parent / DEFAULT_DATA.relative_to(".."))
    parser.add_argument("--n", type=int, default=2000, help="statements scored for the speed figures (default 2000)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(speed_worker(args.model, args.data, args.n)))
        return
    report = {"held_out": held_out_scores(args.model, args.data)}
    command = [sys.executable, __file__, "--worker", "--model", str(args.model), "--data", str(args.data), "--n", str(args.n)]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "CITELINE_ENCODER_THREADS": "1"}
    report["one_core"] = json.loads(subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout)
    report["load_average"] = os.getloadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
