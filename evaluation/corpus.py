"""Load a gold folder in PolNeAR's layout and score predictions against it."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

from evaluation.brat import Relation, parse_ann
from evaluation.metrics import Tally, score_document

TOKEN = re.compile(r"\w+|[^\w\s]")


class GoldFolderError(ValueError):
    """The folder is not in PolNeAR's layout (text/NAME.txt, attributions/NAME_ANNOTATOR.ann)."""


def read_text(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def gold_documents(folder: Path) -> Iterator[tuple[str, str, list[Relation]]]:
    """(name, text, gold relations) per text; with several annotators, the first annotator file by name."""
    texts, annotations = folder / "text", folder / "attributions"
    if not texts.is_dir() or not annotations.is_dir():
        raise GoldFolderError(f"{str(folder)!r} has no text/ and attributions/ folders")
    ann_files = sorted(annotations.glob("*.ann"))
    for text_path in sorted(texts.glob("*.txt")):
        name = text_path.stem
        candidates = [a for a in ann_files if a.stem.rsplit("_", 1)[0] == name]
        if not candidates:
            continue
        yield name, read_text(text_path), parse_ann(read_text(candidates[0]))


def _as_relation(record: dict) -> Relation:
    content = tuple(tuple(part) for part in record.get("content_parts") or [record["content"]])
    cue = tuple([tuple(record["cue"])]) if record.get("cue") else ()
    source = tuple([tuple(record["source"])]) if record.get("source") else ()
    return Relation(content, cue, source)


def load_predictions(path: Path) -> dict[str, list[Relation]]:
    """Predictions from `citeline attribute --jsonl` output, keyed by text file name without suffix."""
    by_name: dict[str, list[Relation]] = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise GoldFolderError(f"{str(path)!r} line {number}: not JSON ({error.msg})") from error
            by_name.setdefault(Path(record["file"]).stem, []).append(_as_relation(record))
    return by_name


def evaluate(folder: Path, overlap: float = 0.5, predictions: Path | None = None) -> Tally:
    """Score the attribution engine (or a predictions file) on every document of a gold folder."""
    from transform.attribution import attribute

    stored = load_predictions(predictions) if predictions else None
    if stored is None:
        attribute("Warm-up, so the one-off model load is not timed as throughput, the engine said.")
    total = Tally()
    for name, text, gold in gold_documents(folder):
        if stored is not None:
            predicted, seconds = stored.get(name, []), 0.0
        else:
            started = time.perf_counter()
            statements = attribute(text)
            seconds = time.perf_counter() - started
            predicted = [_as_relation(s.as_json()) for s in statements]
        tally = score_document(text, gold, predicted, overlap)
        tally.tokens = len(TOKEN.findall(text)) if stored is None else 0
        tally.seconds = seconds
        total.add(tally)
    return total
