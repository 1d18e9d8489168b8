"""`citeline eval`, `agreement` and `train`: attribution against gold annotations in PolNeAR's layout."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from contextlib import contextmanager

from citeline.cli.common import UsageError, loaded_model
from evaluation.metrics import DEFAULT_OVERLAP


@contextmanager
def _unreadable_files_named() -> Iterator[None]:
    from evaluation.corpus import GoldFolderError

    try:
        yield
    except OSError as error:
        raise GoldFolderError(f"cannot read {error.filename!r}: {error.strerror}") from error


def _check_overlap(args: argparse.Namespace) -> None:
    if not 0 < args.overlap <= 1:
        raise UsageError(f"--overlap must be in (0, 1], not {args.overlap}")
    _check_file_bound(args)


def _check_file_bound(args: argparse.Namespace) -> None:
    if args.max_file_bytes < 1:
        raise UsageError(f"--max-file-bytes must be at least 1, not {args.max_file_bytes}")


def cmd_eval(args: argparse.Namespace) -> int:
    from evaluation.corpus import evaluate

    _check_overlap(args)
    if args.pred and args.model:
        raise UsageError("--pred scores a file of predictions; --model runs the engine with a model: give one of them")
    model = loaded_model(args.model)
    with _unreadable_files_named():
        report = evaluate(args.gold_dir, overlap=args.overlap, predictions=args.pred, model=model,
                          max_bytes=args.max_file_bytes).report()
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"documents {report['documents']}  gold relations {report['gold']}  predicted {report['predicted']}  pairs {report['pairs']}  (overlap {args.overlap})")
    print(f"content   P {report['content_precision']:.3f}  R {report['content_recall']:.3f}  F1 {report['content_f1']:.3f}")
    print(f"relation  P {report['relation_precision']:.3f}  R {report['relation_recall']:.3f}  F1 {report['relation_f1']:.3f}")
    print(f"source accuracy {report['source_accuracy']:.3f}  cue accuracy {report['cue_accuracy']:.3f}  (over pairs)")
    if not args.pred:
        print(f"throughput {report['tokens_per_second']:,.0f} tokens/s (attribution step incl. parsing, one process, model load excluded; "
              f"{report['tokens_per_cpu_second']:,.0f} per CPU second)")
    _print_by_cue(report["by_cue"])
    return 0


def _print_by_cue(rows: list[dict], title: str = "") -> None:
    from evaluation.cue_kinds import format_table

    print(title or "by the kind of the gold relation's cue (evaluation/data/speech_cues.txt):")
    for line in format_table(rows):
        print("  " + line)


def cmd_agreement(args: argparse.Namespace) -> int:
    from evaluation.agreement import agreement

    _check_overlap(args)
    with _unreadable_files_named():
        result = agreement(args.gold_dir, overlap=args.overlap, model=loaded_model(args.model), max_bytes=args.max_file_bytes)
    human, engine = result.human.report(), result.engine.report()
    for report in (human, engine):
        report.pop("tokens_per_second")
        report.pop("tokens_per_cpu_second")
    if args.json:
        print(json.dumps({"documents": result.documents, "annotations": result.annotations, "overlap": args.overlap,
                          "annotator_vs_annotator": human, "engine_vs_annotator": engine}))
        return 0
    print(f"{result.documents} texts with two or more annotators, {result.annotations} annotation files  (overlap {args.overlap})")
    print(f"{'':26}{'content P':>10}{'R':>7}{'F1':>7}{'relation P':>12}{'R':>7}{'F1':>7}{'source':>8}{'cue':>7}")
    for label, report in (("annotator vs annotator", human), ("engine vs each annotator", engine)):
        print(f"{label:26}{report['content_precision']:>10.3f}{report['content_recall']:>7.3f}{report['content_f1']:>7.3f}"
              f"{report['relation_precision']:>12.3f}{report['relation_recall']:>7.3f}{report['relation_f1']:>7.3f}"
              f"{report['source_accuracy']:>8.3f}{report['cue_accuracy']:>7.3f}")
    _print_by_cue(engine["by_cue"], "engine vs each annotator, by the kind of the gold relation's cue (evaluation/data/speech_cues.txt):")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from evaluation.corpus import annotated_texts, evaluate, training_documents
    from transform.tagger.training import TrainingSettings, train_model, write_card

    if args.limit is not None and args.limit < 1:
        raise UsageError(f"--limit must be at least 1, not {args.limit}")
    if args.iterations is not None and args.iterations < 1:
        raise UsageError(f"--iterations must be at least 1, not {args.iterations}")
    _check_file_bound(args)
    if args.gold_dir.resolve().name == "dev" or (args.eval is not None and args.eval.resolve() == args.gold_dir.resolve()):
        raise UsageError(f"{str(args.gold_dir)!r} is a dev split: train on train and keep dev for the scores (--eval)")
    settings = TrainingSettings() if args.iterations is None else TrainingSettings(max_iterations=args.iterations)
    with _unreadable_files_named():
        documents, held_out = training_documents(args.gold_dir, args.max_file_bytes)
        if args.eval is not None:
            next(annotated_texts(args.eval), None)  # a --eval folder that cannot be read fails now, not after training
    console = Console(stderr=True)
    console.print(f"training on {len(documents) if args.limit is None else min(args.limit, len(documents))} texts of "
                  f"{args.gold_dir} ({held_out} texts with several annotators held out for `citeline agreement`)")
    columns = (TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        tasks = {"features": bar.add_task("parsing and features (texts)", total=None),
                 "train": bar.add_task("training (L-BFGS iterations)", total=settings.max_iterations)}

        def report(stage: str, done: int, total: int) -> None:
            bar.update(tasks[stage], completed=done, total=total)

        card = train_model(documents, args.out, seed=args.seed, limit=args.limit, settings=settings,
                           source=str(args.gold_dir), progress=report, kind=args.kind)
    if args.eval is not None:
        with _unreadable_files_named():
            scores = evaluate(args.eval, model=loaded_model(args.out), max_bytes=args.max_file_bytes).report()
        card["evaluation"] = {"folder": str(args.eval), "overlap": DEFAULT_OVERLAP, **{k: round(v, 4) if isinstance(v, float) else v for k, v in scores.items()}}
        write_card(args.out, card)
    print(f"model {card['model_id']} ({card.get('kind', 'crf')}) written to {args.out} in {card['training_seconds']:.0f} s "
          f"({card['training_data']['documents']} texts, {card['training_data']['tokens']:,} tokens)")
    if "evaluation" in card:
        e = card["evaluation"]
        print(f"on {args.eval}: content F1 {e['content_f1']:.3f}, relation F1 {e['relation_f1']:.3f}, "
              f"source accuracy {e['source_accuracy']:.3f}, cue accuracy {e['cue_accuracy']:.3f}")
    print(f"use it with: citeline run --model {args.out}   (or [citeline.attribution] model = \"{args.out}\" in citeline.toml)")
    return 0
