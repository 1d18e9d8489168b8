"""Load a gold folder in PolNeAR's layout and score predictions against it."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from citeline.core.errors import CitelineError
from citeline.core.user_files import read_user_file
from evaluation.brat import Relation, parse_ann
from evaluation.metrics import DEFAULT_OVERLAP, Tally, score_document

if TYPE_CHECKING:
    from transform.tagger.training import GoldDocument

TOKEN = re.compile(r"\w+|[^\w\s]")
# The largest text or annotation file read from a gold folder (--max-file-bytes): PolNeAR's largest is
# 55 kB, so 4 MiB is far above any news text, and far below what would exhaust memory in parsing.
MAX_FILE_BYTES = 4 * 1024 * 1024


class GoldFolderError(CitelineError):
    """The folder is not in PolNeAR's layout (text/NAME.txt, attributions/NAME_ANNOTATOR.ann)."""


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """A gold file's text, as UTF-8 with newlines kept (brat offsets count them): only a regular file,
    at most `max_bytes`; anything else is refused with one line naming the file."""
    data = read_user_file(path, max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise GoldFolderError(f"{str(path)!r} is not UTF-8 text (byte {error.start:,}: {error.reason})") from None


def gold_relations(ann_path: Path, text: str, max_bytes: int = MAX_FILE_BYTES) -> list[Relation]:
    """The relations of one annotation file of `text`, refused (naming the file) when a range falls outside the text."""
    relations = parse_ann(read_text(ann_path, max_bytes))
    for relation in relations:
        for start, end in relation.content + relation.cue + relation.source:
            if not 0 <= start <= end <= len(text):
                raise GoldFolderError(f"{str(ann_path)!r}: range {start} {end} is outside its text "
                                      f"({len(text):,} characters): not this text's annotation, or damaged")
    return relations


def annotated_texts(folder: Path) -> Iterator[tuple[Path, list[Path]]]:
    """(text file, its annotation files sorted by name) for every text that has at least one annotation file."""
    texts, annotations = folder / "text", folder / "attributions"
    if not texts.is_dir() or not annotations.is_dir():
        raise GoldFolderError(f"{str(folder)!r} has no text/ and attributions/ folders")
    by_text: dict[str, list[Path]] = {}
    for ann in sorted(annotations.glob("*.ann")):
        by_text.setdefault(ann.stem.rsplit("_", 1)[0], []).append(ann)
    for text_path in sorted(texts.glob("*.txt")):
        if text_path.stem in by_text:
            yield text_path, by_text[text_path.stem]


def gold_documents(folder: Path, max_bytes: int = MAX_FILE_BYTES) -> Iterator[tuple[str, str, list[Relation]]]:
    """(name, text, gold relations) per text; with several annotators, the first annotator file by name."""
    for text_path, ann_files in annotated_texts(folder):
        text = read_text(text_path, max_bytes)
        yield text_path.stem, text, gold_relations(ann_files[0], text, max_bytes)


def _as_relation(record: dict) -> Relation:
    content = tuple(tuple(part) for part in record.get("content_parts") or [record["content"]])
    cue = tuple([tuple(record["cue"])]) if record.get("cue") else ()
    source = tuple([tuple(record["source"])]) if record.get("source") else ()
    return Relation(content, cue, source)


def load_predictions(path: Path) -> dict[str, list[Relation]]:
    """Predictions from `citeline attribute --jsonl` output, keyed by text file name without suffix."""
    by_name: dict[str, list[Relation]] = {}
    # Only a regular file (read_user_file): a FIFO given as the predictions file hung `eval` on open().
    for number, line in enumerate(read_user_file(path).decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise GoldFolderError(f"{str(path)!r} line {number}: not JSON ({error.msg})") from error
        by_name.setdefault(Path(record["file"]).stem, []).append(_as_relation(record))
    return by_name


def training_documents(folder: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[list[GoldDocument], int]:
    """The texts to train on, each with its first annotator's relations, and how many texts were held out:
    those with several annotators, kept unseen so that `citeline agreement` scores a model fairly on them."""
    from transform.tagger.training import GoldDocument

    documents, held_out = [], 0
    for text_path, ann_files in annotated_texts(folder):
        if len(ann_files) > 1:
            held_out += 1
            continue
        text = read_text(text_path, max_bytes)
        documents.append(GoldDocument(text_path.stem, text, gold_relations(ann_files[0], text, max_bytes)))
    if not documents:
        raise GoldFolderError(f"{str(folder)!r} has no text with exactly one annotation file to train on")
    return documents, held_out


def engine_relations(text: str, model=None) -> list[Relation]:
    """The engine's statements on `text` (with `model`, a loaded trained model, beside the rules), as
    relations the metric can pair with gold ones."""
    from transform.engine import attribute

    return [_as_relation(statement.as_json()) for statement in attribute(text, model=model)]


def evaluate(folder: Path, overlap: float = DEFAULT_OVERLAP, predictions: Path | None = None, model=None,
             max_bytes: int = MAX_FILE_BYTES) -> Tally:
    """Score the attribution engine (with `model` beside the rules, if given), or a predictions file,
    on every document of a gold folder."""
    stored = load_predictions(predictions) if predictions else None
    if stored is None:
        engine_relations("Warm-up, so the one-off model load is not timed as throughput, the engine said.", model)
    total = Tally()
    for name, text, gold in gold_documents(folder, max_bytes):
        if stored is not None:
            predicted, seconds, cpu = stored.get(name, []), 0.0, 0.0
        else:
            started, cpu_started = time.perf_counter(), time.process_time()
            predicted = engine_relations(text, model)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        tally = score_document(text, gold, predicted, overlap)
        tally.tokens = len(TOKEN.findall(text)) if stored is None else 0
        tally.seconds = seconds
        tally.cpu_seconds = cpu
        total.add(tally)
    return total
