"""`citeline match-eval DIR [--split NAME] [--run FILE] [--json]`: score the fact-check matcher on a folder in
CheckThat! 2020 Task 2's layout. Its own module, as each family of commands has one."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from evaluation.match_eval import DEFAULT_SPLIT, RUN_DEPTH, RUN_TAG, MatchEvalError


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("match-eval", help="Score fact-check matching on a folder in CheckThat! 2020 Task 2's layout.",
                            description="Index DIR/verified_claims.docs.tsv with the matcher a run uses, rank the verified "
                                        "claims for every query of DIR/NAME/tweets.queries.tsv and print MAP@5, MRR@5 and P@1 "
                                        "against DIR/NAME/tweet-vclaim-pairs.qrels.")
    parser.add_argument("folder", metavar="DIR", type=Path)
    parser.add_argument("--split", default=DEFAULT_SPLIT, metavar="NAME", help=f"subfolder with the queries and qrels (default {DEFAULT_SPLIT})")
    parser.add_argument("--run", metavar="FILE", type=Path, help=f"also write the ranking in TREC format, top {RUN_DEPTH} per query")
    parser.add_argument("--json", action="store_true", help="print map_at_5, mrr_at_5 and p_at_1 as JSON")
    parser.add_argument("--no-cache", dest="cache", action="store_false",
                        help="compute the claims' vectors afresh instead of reusing them (cached by content hash outside the repository)")


def cmd_match_eval(args: argparse.Namespace) -> int:
    from evaluation.match_eval import evaluate_matcher, trec_lines

    if args.run is not None and (args.run.is_dir() or not args.run.parent.is_dir()):
        raise MatchEvalError(f"--run {str(args.run)!r}: not a file in an existing folder")
    result = evaluate_matcher(args.folder, args.split, use_cache=args.cache)
    if args.run is not None:
        lines = [line for query_id, ranked in result.rankings.items() for line in trec_lines(query_id, ranked, RUN_TAG)]
        # Written whole or not at all: a temporary file beside it, renamed over it.
        with tempfile.NamedTemporaryFile("w", dir=args.run.parent, suffix=".tmp", delete=False, encoding="utf-8") as handle:
            handle.write("".join(line + "\n" for line in lines))
        os.replace(handle.name, args.run)
    s = result.scores
    if args.json:
        print(json.dumps({"map_at_5": round(s["map_at_5"], 4), "mrr_at_5": round(s["mrr_at_5"], 4),
                          "p_at_1": round(s["p_at_1"], 4), "queries": s["queries"], "claims": result.claims}))
    else:
        print(f"{s['queries']} queries against {result.claims} verified claims "
              f"(vectors {result.seconds_vectors:.1f} s, matching {result.seconds_matching:.1f} s)", file=sys.stderr)
        print(f"MAP@5  {s['map_at_5']:.4f}\nMRR@5  {s['mrr_at_5']:.4f}\nP@1    {s['p_at_1']:.4f}")
    return 0
