"""The `citeline` command: run the pipeline, and look at extraction and attribution one file at a time."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from citeline import match_eval_command
from citeline import same_claim_eval_command
from citeline.console_errors import keep_reported_errors_off_console
from citeline.disk_full import disk_full
from citeline.errors import CitelineError
from citeline.paths import DEFAULT_DB, DEFAULT_MODEL

EXAMPLE_SQL = (
    "SELECT src.name, src.type, count(*) AS statements FROM statements s "
    "JOIN sources src USING (source_id) GROUP BY ALL ORDER BY statements DESC LIMIT 10"
)


def _quiet_telemetry() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citeline", description="Turn news articles into a DuckDB record of who said what, and on whose authority.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="Fetch, extract, attribute and load articles into the warehouse.",
                         description="Fetch, extract, attribute and load articles into the DuckDB warehouse, gated by data-quality checks.")
    run.add_argument("inputs", nargs="*", metavar="INPUT",
                     help="http(s) URLs, files of URLs (one per line, # comments), RSS/Atom feeds or sitemaps (URL or file), "
                          "or folders/files of .html. None: the bundled demo corpus.")
    run.add_argument("--config", type=Path, help="project config file (default ./citeline.toml when present)")
    run.add_argument("--db", help=f"warehouse file (default {DEFAULT_DB})")
    _add_model_flag(run)
    _add_fetch_flags(run)
    _add_scale_flags(run)

    reprocess = sub.add_parser("reprocess", help="Re-extract and re-attribute stored pages without the network.",
                               description="Re-run extraction and attribution over the stored raw pages of the published articles "
                                           "that another extractor, engine or model made (after an upgrade, or with --model); "
                                           "rows are replaced, not duplicated.")
    reprocess.add_argument("--since", type=date.fromisoformat, help="only articles fetched on or after this date (YYYY-MM-DD)")
    reprocess.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    reprocess.add_argument("--all", dest="everything", action="store_true",
                           help="redo every article, also those today's extractor, engine and model made")
    _add_model_flag(reprocess, default="[citeline.attribution] model in ./citeline.toml, else the rules alone")

    serve = sub.add_parser("serve", help="Serve the pipeline on the schedule in citeline.toml through Prefect.",
                           description="Serve the pipeline as a Prefect deployment on the cron schedule in citeline.toml, until interrupted.")
    serve.add_argument("--config", type=Path, help="project config file (default ./citeline.toml)")

    extract = sub.add_parser("extract", help="Extract text and metadata from HTML files and print them as JSON.",
                             description="Extract each HTML file's article text and metadata with trafilatura and print one JSON object per file.")
    extract.add_argument("files", nargs="+", metavar="FILE")
    extract.add_argument("--jsonl", action="store_true", help="one compact JSON object per line")

    attribute = sub.add_parser("attribute", help="Find attributed statements in plain-text files and print them as JSON.",
                               description="Find attributed statements in plain-text files and print one JSON object per statement "
                                           "(offsets are code points into the file read as UTF-8 with newline='').")
    attribute.add_argument("files", nargs="+", metavar="FILE")
    attribute.add_argument("--jsonl", action="store_true", help="one compact JSON object per line")
    _add_model_flag(attribute)

    evaluate = sub.add_parser("eval", help="Score attribution against gold annotations in PolNeAR's layout.",
                              description="Score attribution against a gold folder in PolNeAR's layout (text/NAME.txt, "
                                          "attributions/NAME_ANNOTATOR.ann): content, source, cue and relation scores, and throughput.")
    _add_scoring_flags(evaluate)
    evaluate.add_argument("--pred", type=Path, help="score this `citeline attribute --jsonl` output instead of running the engine")

    agree = sub.add_parser("agreement", help="How far annotators agree under eval's metric, beside the engine on the same texts.",
                           description="On the texts of a gold folder that have two or more annotation files, score every "
                                       "annotator against every other and the engine against each annotator, with eval's "
                                       "metric: what the metric can reach at all, and where the engine stands on that scale.")
    _add_scoring_flags(agree)

    train = sub.add_parser("train", help="Train an attribution model on gold annotations in PolNeAR's layout (its train split).",
                           description="Train the attribution tagger, stacked on the rules, on a gold folder in PolNeAR's layout "
                                       "(the train split, never dev), and write the model and its card to a folder. Deterministic "
                                       "for a seed. The model is derived from the corpus: keep it where the corpus is.")
    train.add_argument("gold_dir", metavar="GOLD_DIR", type=Path)
    train.add_argument("--out", type=Path, default=DEFAULT_MODEL, help=f"model folder to write (default {DEFAULT_MODEL})")
    train.add_argument("--seed", type=int, default=0, help="orders (and with --limit picks) the training texts (default 0)")
    train.add_argument("--limit", type=int, help="train on this many texts only (a quick, weaker model)")
    train.add_argument("--iterations", type=int, help="L-BFGS iterations (default from transform/tagger/training.py)")
    train.add_argument("--eval", type=Path, metavar="DIR", help="score the new model on this gold folder (e.g. PolNeAR dev) and put the scores on its card")
    _add_file_bound_flag(train)

    search = sub.add_parser("search", help="Rank statements by BM25 full-text relevance to some words.",
                            description="Rank published statements by BM25 full-text relevance to some words (over an index each publish updates).")
    search.add_argument("words", metavar="WORDS")
    search.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    search.add_argument("--limit", type=int, default=20, help="how many statements (default 20)")
    _add_reader_flags(search, rows=False)

    compact = sub.add_parser("compact", help="Rewrite fragmented warehouse tables into full row groups.",
                             description="Rewrite the published tables whose storage has fragmented (many small row groups, "
                                         "or many replaced rows), then refresh the readers' snapshot. "
                                         "Publishing does this by itself once a table is fragmented.")
    compact.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    compact.add_argument("--all", action="store_true", help="rewrite every published table, fragmented or not")

    dashboard = sub.add_parser("dashboard", help="Serve the web dashboard over the warehouse's read-only snapshot.",
                               description="Serve the dashboard (Streamlit) over the warehouse's read-only snapshot: it never "
                                           "takes the pipeline's write lock, and a reload shows the latest published run.")
    dashboard.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    dashboard.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    dashboard.add_argument("--port", type=int, default=8501, help="port (default 8501)")

    worthiness = sub.add_parser("check-worthiness", help="Score sentences for how worth fact-checking they are (0-1).",
                                description="Score each sentence (one a line; with --jsonl, the `text` of each JSON object) "
                                            "with the check-worthiness model and print one JSON object a line, adding "
                                            "`check_worthiness` (0-1) and `check_worthy` (at the threshold). `-` reads standard input.")
    worthiness.add_argument("files", metavar="FILE", nargs="+")
    worthiness.add_argument("--jsonl", action="store_true", help="each input line is a JSON object with a `text` field; other fields are passed through")
    worthiness.add_argument("--threshold", type=float, help="score from which a sentence is check-worthy (default: the model card's)")
    worthiness.add_argument("--model", metavar="DIR", type=Path, help="a model folder from train-check-worthiness (default: the shipped model)")

    train_worthiness = sub.add_parser("train-check-worthiness", help="Retrain the check-worthiness model on ClaimBuster-style JSONL.",
                                      description="Train the check-worthiness model on JSONL with `text` and `label` (0/1), holding "
                                                  "out a stratified 20% for the scores on its card, and swap it into --out whole. "
                                                  "Deterministic for a seed.")
    train_worthiness.add_argument("data", metavar="DATA.jsonl", type=Path, nargs="?", default=None,
                                  help="training data (default ../shared/claimbuster/train.jsonl)")
    train_worthiness.add_argument("--out", type=Path, default=None, help="model folder to write (default: the shipped model's, transform/data/check_worthiness)")
    train_worthiness.add_argument("--seed", type=int, default=0, help="the held-out split and the folds (default 0)")
    train_worthiness.add_argument("--limit", type=int, help="train on this many sentences only (quick, weaker)")
    train_worthiness.add_argument("--features", choices=("tfidf", "tfidf+embedding"), default="tfidf+embedding",
                                  help="TF-IDF n-grams alone (fast), or with the sentence embedding (default, more accurate)")

    match_eval_command.add_parser(sub)
    same_claim_eval_command.add_parser(sub)

    query = sub.add_parser("query", help="Run read-only SQL against the warehouse and print the result.",
                           description="Run read-only SQL (SELECT, or EXPLAIN of one) against the warehouse's snapshot and print "
                                       "the result; anything that would write or change a setting is refused before any of it runs.")
    query.add_argument("sql", metavar="SQL")
    query.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default table)")
    _add_reader_flags(query, rows=True)
    return parser


# Flags for the fetch settings whose flag reads as the opposite of the setting.
NEGATED_FLAGS = {"respect_robots": "--ignore-robots"}


def _add_fetch_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per fetch setting, its help and default read from citeline.run_config.FetchSettings.

    Every default is None, so a flag given overrides citeline.toml and a flag left out does not."""
    from citeline.run_config import FetchSettings

    for name, spec in FetchSettings.model_fields.items():
        if spec.annotation is bool:
            flag = NEGATED_FLAGS.get(name, "--" + name.replace("_", "-"))
            value = name not in NEGATED_FLAGS
            description = f"do not {spec.description}" if name in NEGATED_FLAGS else spec.description
            parser.add_argument(flag, dest=name, action="store_const", const=value, default=None, help=description)
        else:
            shown = f"{spec.default:,}" if spec.annotation is int else f"{spec.default:g}"
            parser.add_argument("--" + name.replace("_", "-"), dest=name, type=spec.annotation, default=None,
                                help=f"{spec.description} (default {shown})")


def _add_reader_flags(parser: argparse.ArgumentParser, rows: bool) -> None:
    """--timeout and --memory-limit (and --max-rows), help and defaults from warehouse.readers.ReaderSettings."""
    from warehouse.readers import ReaderSettings

    for name, spec in ReaderSettings.model_fields.items():
        if name == "max_rows" and not rows:
            continue
        shown = f"{spec.default:,}" if spec.annotation is int else f"{spec.default:g}" if spec.annotation is float else spec.default
        parser.add_argument("--" + name.replace("_", "-"), dest=name, type=spec.annotation, default=None,
                            help=f"{spec.description} (default {shown})")


def _reader_settings(args: argparse.Namespace):
    """The reader's bounds: ReaderSettings' defaults with the flags given on top; a bad value is one line naming its flag."""
    from pydantic import ValidationError

    from warehouse.readers import ReaderSettings

    given = {name: getattr(args, name) for name in ReaderSettings.model_fields if getattr(args, name, None) is not None}
    try:
        return ReaderSettings(**given)
    except ValidationError as error:
        item = error.errors()[0]
        name = str(item["loc"][0])
        raise UsageError(f"--{name.replace('_', '-')}: {item['msg']} (got {item['input']!r})") from None


def _add_scoring_flags(parser: argparse.ArgumentParser) -> None:
    """What eval and agreement share: the gold folder, the metric's overlap, JSON output and the model."""
    parser.add_argument("gold_dir", metavar="GOLD_DIR", type=Path)
    parser.add_argument("--overlap", type=float, default=0.5, help="content overlap needed to pair two relations, of the larger set (default 0.5)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    _add_model_flag(parser)
    _add_file_bound_flag(parser)


def _add_file_bound_flag(parser: argparse.ArgumentParser) -> None:
    """--max-file-bytes: the largest text or annotation file read from a gold folder."""
    from evaluation.corpus import MAX_FILE_BYTES

    parser.add_argument("--max-file-bytes", type=int, default=MAX_FILE_BYTES, metavar="N",
                        help=f"largest text or annotation file read from a gold folder; a larger one stops the command "
                             f"with its name (default {MAX_FILE_BYTES:,})")


def _add_model_flag(parser: argparse.ArgumentParser, default: str = "the rules alone") -> None:
    """--model PATH, its help from citeline.run_config.AttributionSettings."""
    from citeline.run_config import AttributionSettings

    description = AttributionSettings.model_fields["model"].description
    parser.add_argument("--model", metavar="PATH", help=f"{description} (default: {default})")


def _add_scale_flags(parser: argparse.ArgumentParser) -> None:
    """--dask-address, its help from citeline.run_config.ScaleSettings; None unless given, as above."""
    from citeline.run_config import ScaleSettings

    spec = ScaleSettings.model_fields["dask_address"]
    parser.add_argument("--dask-address", dest="dask_address", metavar="ADDRESS", default=None,
                        help=f"{spec.description} (docs/scaling.md)")


def main(argv: list[str] | None = None) -> int:
    _quiet_telemetry()
    args = build_parser().parse_args(argv)
    handler = {"run": cmd_run, "extract": cmd_extract, "attribute": cmd_attribute, "query": cmd_query, "eval": cmd_eval, "agreement": cmd_agreement, "search": cmd_search, "serve": cmd_serve, "reprocess": cmd_reprocess, "compact": cmd_compact, "dashboard": cmd_dashboard, "train": cmd_train,
               "check-worthiness": cmd_check_worthiness, "train-check-worthiness": cmd_train_check_worthiness,
               "match-eval": match_eval_command.cmd_match_eval,
               "same-claim-eval": same_claim_eval_command.cmd_same_claim_eval}[args.command]
    try:
        return handler(args)
    except CitelineError as error:
        # One line naming what cannot be used, never a traceback: the whole CLI's way with bad input.
        print(f"citeline {args.command}: {error}", file=sys.stderr, flush=True)
        return error.exit_status
    except Exception as error:
        full = disk_full(error)  # a full disk wherever a write was refused (ours, DuckDB's, a library's)
        if full is None:
            raise
        print(f"citeline {args.command}: {full}", file=sys.stderr, flush=True)
        return full.exit_status


def _emit(obj: dict[str, Any], jsonl: bool) -> None:
    print(json.dumps(obj, ensure_ascii=False) if jsonl else json.dumps(obj, ensure_ascii=False, indent=2), flush=True)


def cmd_extract(args: argparse.Namespace) -> int:
    from extract.decode import decode_html
    from extract.extraction import ExtractionFailed, extract_article

    status = 0
    for name in args.files:
        record: dict[str, Any] = {"file": name, "title": None, "author": None, "date": None, "sitename": None,
                                  "language": None, "url": None, "text": None}
        try:
            record.update(extract_article(decode_html(Path(name).read_bytes())).as_json())
        except OSError as error:
            record["error"] = f"cannot read {name!r}: {error.strerror}"
            status = 2
        except ExtractionFailed as error:
            record["error"] = f"{name!r}: {error}"
            status = max(status, 1)
        _emit(record, args.jsonl)
    return status


def cmd_attribute(args: argparse.Namespace) -> int:
    from transform.engine import attribute

    model = _loaded_model(args.model)
    status = 0
    for name in args.files:
        try:
            with open(name, encoding="utf-8", errors="replace", newline="") as handle:
                text = handle.read()
        except OSError as error:
            print(f"citeline attribute: cannot read {name!r}: {error.strerror}", file=sys.stderr)
            status = 2
            continue
        for statement in attribute(text, model=model):
            _emit({"file": name, **statement.as_json()}, args.jsonl)
    return status


class UsageError(CitelineError):
    """A flag's value is out of its range."""


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


def _loaded_model(path: str | Path | None):
    """The trained model in folder `path`, checked before any text is read; None for the rules alone."""
    if path is None:
        return None
    from transform.tagger.model import load_model

    return load_model(str(path))


def cmd_eval(args: argparse.Namespace) -> int:
    from evaluation.corpus import evaluate

    _check_overlap(args)
    if args.pred and args.model:
        raise UsageError("--pred scores a file of predictions; --model runs the engine with a model: give one of them")
    model = _loaded_model(args.model)
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
        print(f"throughput {report['tokens_per_second']:,.0f} tokens/s (attribution step incl. parsing, one process, model load excluded)")
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    from evaluation.agreement import agreement

    _check_overlap(args)
    with _unreadable_files_named():
        result = agreement(args.gold_dir, overlap=args.overlap, model=_loaded_model(args.model), max_bytes=args.max_file_bytes)
    human, engine = result.human.report(), result.engine.report()
    for report in (human, engine):
        report.pop("tokens_per_second")
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
                           source=str(args.gold_dir), progress=report)
    if args.eval is not None:
        with _unreadable_files_named():
            scores = evaluate(args.eval, model=_loaded_model(args.out), max_bytes=args.max_file_bytes).report()
        card["evaluation"] = {"folder": str(args.eval), "overlap": 0.5, **{k: round(v, 4) if isinstance(v, float) else v for k, v in scores.items()}}
        write_card(args.out, card)
    print(f"model {card['model_id']} written to {args.out} in {card['training_seconds']:.0f} s "
          f"({card['training_data']['documents']} texts, {card['training_data']['tokens']:,} tokens)")
    if "evaluation" in card:
        e = card["evaluation"]
        print(f"on {args.eval}: content F1 {e['content_f1']:.3f}, relation F1 {e['relation_f1']:.3f}, "
              f"source accuracy {e['source_accuracy']:.3f}, cue accuracy {e['cue_accuracy']:.3f}")
    print(f"use it with: citeline run --model {args.out}   (or [citeline.attribution] model = \"{args.out}\" in citeline.toml)")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    if args.limit < 1:
        raise UsageError(f"--limit must be 1 or more, not {args.limit}")
    if not args.words.strip():
        raise UsageError("give some words to search for")
    settings = _reader_settings(args)
    try:
        from warehouse.readers import bounded, open_reader
        from warehouse.search import search_statements

        con = open_reader(args.db, settings)
        try:
            hits = bounded(con, settings, lambda: search_statements(con, args.words, args.limit))
        finally:
            con.close()
    except KeyboardInterrupt:
        from warehouse.readers import ReaderInterrupted

        raise ReaderInterrupted("interrupted") from None
    if not hits:
        print(f"no published statement matches {args.words!r}", file=sys.stderr)
        return 1
    table = Table("score", "speaker", "outlet", "date", "statement", title=f"statements matching {args.words!r}")
    for score, speaker, outlet, day, content, _url in hits:
        table.add_row(f"{score:.3f}", speaker, outlet or "", str(day or ""), content)
    Console().print(table)
    return 0


FETCH_ROWS = 2048  # rows fetched from DuckDB at a time: the result is never held whole in Python


def cmd_query(args: argparse.Namespace) -> int:
    settings = _reader_settings(args)
    try:
        import duckdb

        from warehouse.readers import bounded, checked_reads, open_reader

        statements = checked_reads(args.sql)  # before the snapshot is opened: refused SQL touches nothing
        con = open_reader(args.db, settings)
        try:
            printed, more = bounded(con, settings, lambda: _print_rows(_run_all(con, statements), args.format, settings.max_rows))
        except duckdb.Error as error:
            print(f"citeline query: {error}", file=sys.stderr)
            return 2
        finally:
            con.close()
    except KeyboardInterrupt:
        from warehouse.readers import ReaderInterrupted

        raise ReaderInterrupted("interrupted") from None
    except BrokenPipeError:
        # The reader of our output (`| head`) has what it wanted: no traceback, and the status of a
        # process ended by SIGPIPE. Stdout goes to /dev/null so the exit's flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13
    if more:
        print(f"citeline query: printed the first {printed:,} rows; the rest were cut "
              f"(--max-rows N prints more, --max-rows 0 all)", file=sys.stderr)
    return 0


def _run_all(con, statements):
    """Run the (checked) statements in order; the last one's result is the one printed."""
    for statement in statements:
        cursor = con.execute(statement)
    return cursor


def _print_rows(cursor, fmt: str, max_rows: int) -> tuple[int, bool]:
    """Print the rows of `cursor` in `fmt`, chunk by chunk, at most `max_rows` (0: all); (rows printed,
    whether any were left)."""
    import csv

    columns = [d[0] for d in cursor.description or []]
    table = writer = None
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
    elif fmt == "table":
        from rich.table import Table

        table = Table(*columns)
    printed, more = 0, False
    while True:
        want = FETCH_ROWS if not max_rows else min(FETCH_ROWS, max_rows - printed + 1)
        rows = cursor.fetchmany(want) if columns else []
        if max_rows and printed + len(rows) > max_rows:
            rows, more = rows[: max_rows - printed], True
        if writer is not None:
            writer.writerows(rows)
        elif table is not None:
            for row in rows:
                table.add_row(*("" if v is None else str(v) for v in row))
        else:
            for row in rows:
                print(json.dumps(dict(zip(columns, row)), ensure_ascii=False, default=str))
        printed += len(rows)
        if more or len(rows) < want:
            break
    if table is not None:
        from rich.console import Console

        Console().print(table)
    return printed, more


def run_configuration(args: argparse.Namespace):
    """The run's RunConfig: citeline.toml (if any) with the flags given on the command line on top."""
    from citeline.config import load_config
    from citeline.run_config import FetchSettings, run_config

    values = load_config(args.config).run.model_dump()
    if args.inputs:
        values["inputs"] = args.inputs
    if args.db is not None:
        values["db"] = args.db
    if args.model is not None:
        values["attribution"]["model"] = args.model
    values["fetch"].update({name: getattr(args, name) for name in FetchSettings.model_fields if getattr(args, name) is not None})
    if args.dask_address is not None:
        values["scale"]["dask_address"] = args.dask_address
    # citeline.toml validated alone, so what fails now is a flag: named as typed.
    return run_config(values, name_of=_flag_of)


def _flag_of(key: str) -> str:
    name = key.removeprefix("fetch.").removeprefix("attribution.").removeprefix("scale.")
    return "INPUT" if key.startswith("inputs") else NEGATED_FLAGS.get(name, "--" + name.replace("_", "-"))


def _check_writable(db: Path) -> None:
    """Open and close the warehouse as its writer: a lock another process holds is named here, as one line."""
    from warehouse.store import connect

    if db.exists():  # a new warehouse is created by the run itself, not by a failed check
        connect(db).close()


def cmd_reprocess(args: argparse.Namespace) -> int:
    from rich.console import Console

    from citeline import progress, stage_clock
    from citeline.prefect_api import bounded_api, prefect_api
    from warehouse.store import WarehouseError

    if not args.db.exists():
        raise WarehouseError(f"warehouse {str(args.db)!r} does not exist")
    if args.model is None:
        # The model the scheduled runs use (./citeline.toml), so a reprocess does not strip its statements.
        from citeline.config import load_config

        args.model = load_config(None).run.attribution.model
    _loaded_model(args.model)
    stage_clock.take()
    with stage_clock.timed("imports"):
        from flows.pipeline import citeline_reprocess
    _check_writable(args.db)
    with stage_clock.timed("prefect_api"):
        api_url = prefect_api()
    console = Console(stderr=True)
    with bounded_api(api_url), _progress_display(console) as sink:
        progress.set_sink(sink)
        try:
            summary = citeline_reprocess(db_path=str(args.db), since=args.since, model=args.model, everything=args.everything)
        finally:
            progress.set_sink(None)
    print_summary(summary, Console())
    return 0 if summary["run"]["status"] == "published" else 1


def cmd_compact(args: argparse.Namespace) -> int:
    from warehouse.compaction import compact, table_storage
    from warehouse.snapshot import publish_snapshot
    from warehouse.store import WarehouseError, connect

    if not args.db.exists():
        raise WarehouseError(f"warehouse {str(args.db)!r} does not exist")
    con = connect(args.db)
    try:
        rewritten = compact(con, force=args.all)
        after = {storage.table: table_storage(con, storage.table) for storage in rewritten}
    finally:
        con.close()
    if rewritten:
        publish_snapshot(args.db)
    for storage in rewritten:
        now = after[storage.table]
        print(f"{storage.table}: row groups {storage.row_groups} -> {now.row_groups}; "
              f"rows stored {storage.stored_rows:,} -> {now.stored_rows:,} ({now.live_rows:,} alive)")
    if not rewritten:
        print("nothing to compact: no published table is fragmented (--all rewrites them anyway)")
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    from importlib import resources

    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, not {args.port}")
    app = Path(str(resources.files("dashboard").joinpath("app.py")))
    env = {**os.environ, "CITELINE_DB": str(args.db.resolve()), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    print(f"citeline dashboard: http://{args.host}:{args.port}/ over {args.db} (Ctrl-C stops it)", file=sys.stderr, flush=True)
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.address", args.host, "--server.port", str(args.port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false", "--global.developmentMode", "false",
               "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"]
    # Become the Streamlit server (exec, not a child): a signal to `citeline dashboard` (Ctrl-C, a
    # supervisor's SIGTERM) reaches the server itself, and no orphan is left serving.
    sys.stdout.flush()
    os.execve(sys.executable, command, env)
    return 0  # not reached


def cmd_serve(args: argparse.Namespace) -> int:
    from citeline.config import ConfigError, load_config
    from citeline.prefect_api import require_running_server

    config = load_config(args.config)
    if config.source is None:
        raise ConfigError("no citeline.toml here; copy citeline.toml.example and set inputs and schedule")
    require_running_server()
    _loaded_model(config.run.attribution.model)
    if config.run.scale.dask_address:
        _check_cluster(config.run.scale.dask_address)
    from flows.deployments import serve

    serve(config)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from citeline import progress, stage_clock
    from citeline.prefect_api import bounded_api, prefect_api
    from extract.inputs import plan_inputs

    stage_clock.take()  # what an earlier command in this process counted is not this run's
    config = run_configuration(args)
    # Fail fast, before any server starts, on inputs and a warehouse that cannot be used (inside the
    # flow, Prefect would log the error's traceback before the one line here).
    plan_inputs(config.inputs)
    _loaded_model(config.attribution.model)
    with stage_clock.timed("imports"):
        from flows.pipeline import flow_for
    _check_writable(config.db_path)
    if config.scale.dask_address:
        _check_cluster(config.scale.dask_address)
    with stage_clock.timed("prefect_api"):
        api_url = prefect_api()
    console = Console(stderr=True)
    keep_reported_errors_off_console()
    with bounded_api(api_url), _progress_display(console) as sink, _api_for_workers(api_url, config):
        progress.set_sink(sink)
        try:
            summary = flow_for(config)(config)
        finally:
            progress.set_sink(None)
    print_summary(summary, Console())
    return 0 if summary["run"]["status"] == "published" else 1


def _check_cluster(address: str) -> None:
    """The scheduler answers and has workers that can report to the Prefect API this run will use
    (PREFECT_API_URL, else a temporary server on this machine's loopback)."""
    from prefect.settings import PREFECT_API_URL

    from citeline.cluster import check_cluster

    check_cluster(address, PREFECT_API_URL.value() or "http://127.0.0.1/api")


@contextmanager
def _api_for_workers(api_url: str, config) -> Iterator[None]:
    """On a cluster, the API URL in Prefect's settings: a temporary server is known only to this
    process, and the settings are what travels to the workers with each task."""
    if not config.scale.dask_address:
        yield
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        yield


class _RichSink:
    def __init__(self, bar) -> None:
        self.bar = bar
        self.tasks = {stage: bar.add_task(label, total=None) for stage, label in
                      (("fetched", "articles fetched"), ("extracted", "articles extracted"), ("statements", "statements found"))}

    def advance(self, stage: str, amount: int = 1) -> None:
        if stage in self.tasks:
            self.bar.advance(self.tasks[stage], amount)


class _progress_display:
    def __init__(self, console) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn

        self.bar = Progress(SpinnerColumn(), TextColumn("{task.completed:>6.0f} {task.description}"), console=console, transient=False)

    def __enter__(self) -> _RichSink:
        self.bar.start()
        return _RichSink(self.bar)

    def __exit__(self, *exc) -> None:
        self.bar.stop()


def print_summary(summary: dict[str, Any], console) -> None:
    from rich.table import Table

    run = summary["run"]
    console.print(f"run {run['run_id']}")
    stages = Table(title="counts per stage", show_header=True)
    stages.add_column("stage")
    stages.add_column("count", justify="right")
    for label, key in (("inputs", "n_inputs"), ("pages fetched", "n_fetched"), ("unchanged since last run", "n_unchanged"),
                       ("fetch failed", "n_fetch_failed"),
                       ("fetch skipped", "n_fetch_skipped"), ("articles extracted", "n_extracted"),
                       ("extraction failed", "n_extract_failed"), ("text cut for attribution", "n_text_cut"),
                       ("not attributed: not English", "n_not_english"), ("statements", "n_statements"), ("sources", "n_sources")):
        stages.add_row(label, str(run.get(key, 0)))
    console.print(stages)
    if summary["failures_by_reason"]:
        reasons = Table(title="failures by reason")
        reasons.add_column("reason")
        reasons.add_column("count", justify="right")
        for reason, count in summary["failures_by_reason"].items():
            reasons.add_row(reason, str(count))
        console.print(reasons)
    top = Table(title="ten most cited sources")
    for column in ("source", "type", "statements"):
        top.add_column(column)
    for row in summary["top_sources"]:
        top.add_row(row["name"], row["type"], str(row["statements"]))
    console.print(top)
    details = run["quality_details"]
    verdict = run["quality_verdict"]
    colour = {"pass": "green", "fail": "red"}.get(verdict, "yellow")
    checked = "no new rows staged" if verdict == "nothing to check" else f"{details['evaluated']} expectations evaluated"
    console.print(f"quality gate: [{colour}]{verdict}[/{colour}] ({checked})")
    for failure in details["failures"]:
        console.print(f"  blocked by: {failure}")
    if run.get("n_quarantined"):
        console.print(f"  {run['n_quarantined']} rows quarantined (see the quarantine table): " + "; ".join(details["quarantined"]))
    # Paths and SQL are copied by users: never wrap them.
    console.print(f"data docs: {run['data_docs'] or 'none (nothing new was staged, so nothing was validated)'}", soft_wrap=True, highlight=False)
    console.print(f"status: {run['status']}", soft_wrap=True)
    spent = {stage: seconds for stage, seconds in (summary.get("timings") or {}).items() if seconds >= 0.05}
    console.print("time: " + (", ".join(f"{stage.replace('_', ' ')} {seconds:.1f} s" for stage, seconds in spent.items()) or "-"),
                  soft_wrap=True, highlight=False)
    console.print(f"warehouse: {summary['db_path']}", soft_wrap=True, highlight=False)
    console.print(f"read-only snapshot for dashboards: {summary['snapshot_path']}", soft_wrap=True, highlight=False)
    console.print("try:")
    console.print(f"  citeline query --db {summary['db_path']} \"{EXAMPLE_SQL}\"", soft_wrap=True, highlight=False)


if __name__ == "__main__":
    sys.exit(main())


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
    from transform.check_worthiness.training import (DEFAULT_DATA, CheckWorthinessTrainingError, TrainingSettings,
                                                     train)

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
