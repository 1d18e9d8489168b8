"""Throughput and scores of the attribution step on one core, with the rules alone and with trained models.

    .venv/bin/python benchmarks/attribution_benchmark.py ../shared/polnear/dev --model data/models/tagger \
        --model data/models/encoder

Each --model (either kind: `citeline train --kind crf` or `--kind encoder`) gets a row of its own, named
by the kind on its card; the encoder kind's encoder runs on one thread, as a scheduled run's does.

Each configuration runs `citeline eval GOLD_DIR --json` in a fresh process pinned to one CPU (taskset), so
the figure is what one core of a scheduled run does: parsing, rules, the model's features and tagging,
with the one-off model load left out (eval warms up before it starts the clock). Per CPU second is the
same work over the process's CPU time: on a machine other jobs share, the wall-clock figure falls with
their load and this one does not.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def eval_on_one_core(gold_dir: Path, model: Path | None) -> dict:
    command = [str(Path(sys.executable).parent / "citeline"), "eval", str(gold_dir), "--json"]
    if model is not None:
        command += ["--model", str(model)]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    # One thread for the numeric libraries too, or "one core" would still spread over the others.
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "CITELINE_ENCODER_THREADS": "1"}
    done = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold_dir", type=Path)
    parser.add_argument("--model", type=Path, action="append", default=[],
                        help="a model folder from `citeline train` (repeat for several)")
    parser.add_argument("--by-cue", action="store_true", help="also print each engine's recall by the kind of the gold cue")
    args = parser.parse_args()
    print(f"{'engine':<22}{'content F1':>11}{'relation F1':>12}{'source':>8}{'cue':>7}{'tokens/s, 1 core':>18}{'per CPU s':>11}")
    for model in [None, *args.model]:
        label = "rules" if model is None else f"rules + {_kind(model)} model"
        r = eval_on_one_core(args.gold_dir, model)
        print(f"{label:<22}{r['content_f1']:>11.3f}{r['relation_f1']:>12.3f}{r['source_accuracy']:>8.3f}"
              f"{r['cue_accuracy']:>7.3f}{r['tokens_per_second']:>18,.0f}{r['tokens_per_cpu_second']:>11,.0f}")
        if args.by_cue:
            for row in r["by_cue"]:
                print(f"    {row['label']:<38} gold {row['gold']:>5}  content R {row['content_recall']:.3f}  relation R {row['relation_recall']:.3f}")


def _kind(model: Path) -> str:
    try:
        return json.loads((model / "model.json").read_text(encoding="utf-8")).get("kind", "crf")
    except (OSError, ValueError):
        return "?"


if __name__ == "__main__":
    main()
