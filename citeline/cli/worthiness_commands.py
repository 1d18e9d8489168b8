"""`citeline check-worthiness` and `train-check-worthiness`: scoring sentences for how worth fact-checking they are."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from citeline.cli.common import UsageError
from citeline.core.errors import CitelineError


class CheckWorthinessInputError(CitelineError):
    """A line given to `citeline check-worthiness` cannot be scored; the message names the file and line."""


def _read_worthiness_input(name: str, jsonl: bool) -> list[dict[str, Any]]:
    """Every scoreable line of one input (`-`: standard input), each as the record to print."""
    label = "standard input" if name == "-" else repr(name)
    try:
        lines = sys.stdin.read().splitlines() if name == "-" else Path(name).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CheckWorthinessInputError(f"cannot read {label}: {getattr(error, 'strerror', None) or error}") from None
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if not jsonl:
            records.append({"file": name, "line": number, "text": line})
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise CheckWorthinessInputError(f"{label} line {number}: not JSON") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise CheckWorthinessInputError(f"{label} line {number}: not a JSON object with a string `text`")
        records.append(record)
    return records


def cmd_check_worthiness(args: argparse.Namespace) -> int:
    from transform.check_worthiness import default_threshold, score_check_worthiness
    from transform.check_worthiness.model import CheckWorthinessModelError

    if args.threshold is not None and not 0 <= args.threshold <= 1:
        raise UsageError(f"--threshold must be in [0, 1], not {args.threshold}")
    if args.files.count("-") > 1:
        raise UsageError("`-` (standard input) can be given once")
    # Every input is read and checked before anything is printed: bad input prints nothing but the error.
    records = [record for name in args.files for record in _read_worthiness_input(name, args.jsonl)]
    try:
        threshold = default_threshold(args.model) if args.threshold is None else args.threshold
        scores = score_check_worthiness([r["text"] for r in records], model=args.model)
    except CheckWorthinessModelError as error:
        raise UsageError(str(error)) from None
    out = sys.stdout
    for record, score in zip(records, scores, strict=True):
        record["check_worthiness"] = round(score, 4)
        record["check_worthy"] = score >= threshold
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()
    return 0


def cmd_train_check_worthiness(args: argparse.Namespace) -> int:
    from transform.check_worthiness.model import SHIPPED_MODEL
    from transform.check_worthiness.training import DEFAULT_DATA, CheckWorthinessTrainingError, TrainingSettings, train

    if args.limit is not None and args.limit < 10:
        raise UsageError(f"--limit must be at least 10, not {args.limit}")
    data = args.data or DEFAULT_DATA
    out = args.out or SHIPPED_MODEL
    try:
        card = train(data, out, seed=args.seed, limit=args.limit, settings=TrainingSettings(features=args.features),
                     progress=lambda message: print(message, file=sys.stderr, flush=True))
    except CheckWorthinessTrainingError as error:
        raise UsageError(str(error)) from None
    except ValueError as error:  # too few examples of a class for a stratified split or the folds
        raise UsageError(f"{str(data)!r}: {error}") from None
    h = card["held_out"]
    print(f"model {card['model_id']} written to {out} in {card['training_seconds']:.0f} s; held-out F1 {h['f1']:.3f} "
          f"(precision {h['precision']:.3f}, recall {h['recall']:.3f}) at threshold {card['threshold']:.3f}")
    return 0
