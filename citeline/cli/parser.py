"""The `citeline` command line: its commands and their flags (each command's work is in its family's module)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from citeline.cli import factcheck_commands, match_eval_commands, same_claim_eval_commands
from citeline.core.workspace import DEFAULT_DB, DEFAULT_MODEL
from evaluation.metrics import DEFAULT_OVERLAP


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citeline", description="Turn news articles into a DuckDB record of who said what, and on whose authority.")
    sub = parser.add_subparsers(dest="command", required=True)

    _add_run_commands(sub)
    _add_text_commands(sub)
    _add_scoring_commands(sub)
    _add_warehouse_commands(sub)
    _add_worthiness_commands(sub)
    match_eval_commands.add_parser(sub)
    same_claim_eval_commands.add_parser(sub)
    factcheck_commands.add_parser(sub)
    _add_query_command(sub)
    return parser


def _add_run_commands(sub) -> None:
    """run, reprocess, serve: the pipeline (citeline.cli.run_commands)."""
    run = sub.add_parser("run", help="Fetch, extract, attribute and load articles into the warehouse.",
                         description="Fetch, extract, attribute and load articles into the DuckDB warehouse, gated by data-quality checks.")
    run.add_argument("inputs", nargs="*", metavar="INPUT",
                     help="http(s) URLs, files of URLs (one per line, # comments), RSS/Atom feeds or sitemaps (URL or file), "
                          "or folders/files of .html. None: the bundled demo corpus.")
    run.add_argument("--config", type=Path, help="project config file (default ./citeline.toml when present)")
    run.add_argument("--db", help=f"warehouse file (default {DEFAULT_DB})")
    _add_model_flag(run)
    add_fetch_flags(run)
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


def _add_text_commands(sub) -> None:
    """extract, attribute: one file at a time, no warehouse (citeline.cli.text_commands)."""
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


def _add_scoring_commands(sub) -> None:
    """eval, agreement, train: against gold annotations (citeline.cli.scoring_commands)."""
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


def _add_warehouse_commands(sub) -> None:
    """search, compact, dashboard: the published warehouse (citeline.cli.warehouse_commands)."""
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


def _add_query_command(sub) -> None:
    """query: read-only SQL over the published warehouse (citeline.cli.warehouse_commands); listed last."""
    query = sub.add_parser("query", help="Run read-only SQL against the warehouse and print the result.",
                           description="Run read-only SQL (SELECT, or EXPLAIN of one) against the warehouse's snapshot and print "
                                       "the result; anything that would write or change a setting is refused before any of it runs.")
    query.add_argument("sql", metavar="SQL")
    query.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default table)")
    _add_reader_flags(query, rows=True)



def _add_worthiness_commands(sub) -> None:
    """check-worthiness, train-check-worthiness: the check-worthiness model (citeline.cli.worthiness_commands)."""
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


# Flags for the fetch settings whose flag reads as the opposite of the setting.
NEGATED_FLAGS = {"respect_robots": "--ignore-robots"}


def add_fetch_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per fetch setting, its help and default read from flows.run_config.FetchSettings.

    Every default is None, so a flag given overrides citeline.toml and a flag left out does not."""
    from flows.run_config import FetchSettings

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


def _add_scoring_flags(parser: argparse.ArgumentParser) -> None:
    """What eval and agreement share: the gold folder, the metric's overlap, JSON output and the model."""
    parser.add_argument("gold_dir", metavar="GOLD_DIR", type=Path)
    parser.add_argument("--overlap", type=float, default=DEFAULT_OVERLAP,
                        help=f"content overlap needed to pair two relations, of the larger set (default {DEFAULT_OVERLAP:g})")
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
    """--model PATH, its help from flows.run_config.AttributionSettings."""
    from flows.run_config import AttributionSettings

    description = AttributionSettings.model_fields["model"].description
    parser.add_argument("--model", metavar="PATH", help=f"{description} (default: {default})")


def _add_scale_flags(parser: argparse.ArgumentParser) -> None:
    """--dask-address, its help from flows.run_config.ScaleSettings; None unless given, as above."""
    from flows.run_config import ScaleSettings

    spec = ScaleSettings.model_fields["dask_address"]
    parser.add_argument("--dask-address", dest="dask_address", metavar="ADDRESS", default=None,
                        help=f"{spec.description} (docs/scaling.md)")
