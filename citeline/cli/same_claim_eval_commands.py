"""`citeline same-claim-eval FILE.tsv [--predictions OUT] [--json] [--threshold X]`: score the same-claim decision
on sentence pairs in the Microsoft Research Paraphrase Corpus's layout. Its own module, as each family of
commands has one."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from evaluation.same_claim_eval import SameClaimEvalError
from transform.same_claim import DEFAULT_THRESHOLD


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("same-claim-eval", help="Score the same-claim decision on sentence pairs in MSRP's layout.",
                            description="Read FILE (tab-separated, a header line, then Quality, #1 ID, #2 ID, #1 String, "
                                        "#2 String per pair), decide for each pair whether it makes the same claim and "
                                        "print accuracy, precision, recall and F1 of the 'same' class.")
    parser.add_argument("file", metavar="FILE.tsv", type=Path)
    parser.add_argument("--predictions", metavar="OUT", type=Path,
                        help="also write id1<TAB>id2<TAB>score<TAB>same (1 or 0) per pair")
    parser.add_argument("--json", action="store_true", help="print accuracy, precision, recall and f1 as JSON")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, metavar="X",
                        help=f"score at and above which a pair is the same claim (default {DEFAULT_THRESHOLD})")


def cmd_same_claim_eval(args: argparse.Namespace) -> int:
    from evaluation.same_claim_eval import read_pairs, scores_of, write_predictions
    from transform.same_claim import same_claim_scores

    if not 0.0 <= args.threshold <= 1.0:
        raise SameClaimEvalError(f"--threshold {args.threshold}: must be between 0 and 1")
    if args.predictions is not None and (args.predictions.is_dir() or not args.predictions.parent.is_dir()):
        raise SameClaimEvalError(f"--predictions {str(args.predictions)!r}: not a file in an existing folder")
    pairs = read_pairs(args.file)
    started = time.perf_counter()
    scores = same_claim_scores([(p.first, p.second) for p in pairs])
    seconds = time.perf_counter() - started
    predicted = [s >= args.threshold for s in scores]
    if args.predictions is not None:
        write_predictions(args.predictions, pairs, scores, args.threshold)
    s = scores_of([p.same for p in pairs], predicted)
    if args.json:
        print(json.dumps({"accuracy": round(s["accuracy"], 4), "precision": round(s["precision"], 4),
                          "recall": round(s["recall"], 4), "f1": round(s["f1"], 4), "pairs": s["pairs"],
                          "threshold": args.threshold}))
    else:
        print(f"{s['pairs']} pairs at threshold {args.threshold} ({seconds:.1f} s)", file=sys.stderr)
        print(f"accuracy   {s['accuracy']:.4f}\nprecision  {s['precision']:.4f}\n"
              f"recall     {s['recall']:.4f}\nF1         {s['f1']:.4f}")
    return 0
