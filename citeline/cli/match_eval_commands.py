"""`citeline match-eval DIR [--split NAME] [--run FILE] [--json] [--matcher PATH]`: score the fact-check matcher
on a folder in CheckThat! 2020 Task 2's layout; `citeline train-matcher DIR --out PATH`: train a re-ranker on
the tuning half of a split there. Their own module, as each family of commands has one."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from citeline.core.workspace import DEFAULT_MATCHER
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
    from flows.run_config import RunConfig

    # The help of `run --matcher` and `matcher` in citeline.toml, from their one source.
    parser.add_argument("--matcher", metavar="PATH", type=Path,
                        help=f"{RunConfig.model_fields['matcher'].description} (default: the default matcher alone)")

    train = sub.add_parser("train-matcher", help="Train a fact-check re-ranker on a folder in CheckThat! 2020 Task 2's layout.",
                           description="Train a re-ranker of the default matcher's top candidates on the tuning half of a split "
                                       "(evaluation/splits.py; never on the held-out half), score it and the default matcher on "
                                       "the held-out half, and write the model and its card to a folder. Deterministic for a "
                                       "seed. The model is derived from the data: keep it where the data is, never ship it.")
    train.add_argument("folder", metavar="DIR", type=Path)
    train.add_argument("--split", default=DEFAULT_SPLIT, metavar="NAME", help=f"subfolder with the queries and qrels (default {DEFAULT_SPLIT})")
    train.add_argument("--out", type=Path, default=DEFAULT_MATCHER, help=f"model folder to write (default {DEFAULT_MATCHER})")
    train.add_argument("--seed", type=int, default=0, help="splits the training queries into the cross-fitting folds (default 0)")
    train.add_argument("--no-cache", dest="cache", action="store_false", help="compute the claims' vectors afresh (as match-eval)")


def cmd_match_eval(args: argparse.Namespace) -> int:
    from evaluation.match_eval import evaluate_matcher, trec_lines

    if args.run is not None and (args.run.is_dir() or not args.run.parent.is_dir()):
        raise MatchEvalError(f"--run {str(args.run)!r}: not a file in an existing folder")
    result = evaluate_matcher(args.folder, args.split, use_cache=args.cache, matcher=args.matcher)
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


def cmd_train_matcher(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from evaluation.match_training import train_on_folder
    from transform.matching.training import MatcherTrainingSettings, check_replaceable

    check_replaceable(args.out)  # before minutes of work, not after
    settings = MatcherTrainingSettings()
    console = Console(stderr=True)
    columns = (TextColumn("{task.description:<34}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        tasks = {"candidates": bar.add_task("candidates (tuning queries)", total=None),
                 "adaptation": bar.add_task("vector adaptation (epochs)", total=None),
                 "fit": bar.add_task("re-ranker fit", total=1)}

        def report(stage: str, done: int, total: int) -> None:
            bar.update(tasks[stage], completed=done, total=total)

        card = train_on_folder(args.folder, args.out, split=args.split, seed=args.seed, use_cache=args.cache,
                               settings=settings, progress=report, say=console.print)
    held = card["scores"]["held_out"]
    print(f"matcher {card['model_id']} written to {args.out} in {card['training_seconds']:.0f} s "
          f"({card['training_data']['statements']} tuning queries, {card['training_data']['candidates']:,} candidates)")
    if held:
        d, t = held["default"], held["trained"]
        print(f"held-out half ({t['queries']} queries): MAP@5 {d['map_at_5']:.4f} -> {t['map_at_5']:.4f}, "
              f"MRR@5 {d['mrr_at_5']:.4f} -> {t['mrr_at_5']:.4f}, P@1 {d['p_at_1']:.4f} -> {t['p_at_1']:.4f}; "
              f"precision above {t['threshold']:g}: {t['precision_above_threshold']} ({t['pairs_above_threshold']} pairs)")
    print(f"use it with: citeline match-eval {args.folder} --matcher {args.out}   "
          f"(or citeline run --matcher {args.out}, matcher = \"{args.out}\" in citeline.toml)")
    return 0
