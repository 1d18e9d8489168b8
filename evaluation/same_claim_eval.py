"""Sentence pairs in the Microsoft Research Paraphrase Corpus's layout for `citeline same-claim-eval`: read them,
score them with the same-claim decision, and measure accuracy, precision, recall and F1 of the "same" class;
split pairs deterministically into a tuning part and a held-out part.

Layout: a header line, then tab-separated `Quality` (1 same, 0 not), `#1 ID`, `#2 ID`, `#1 String`,
`#2 String`. Strings hold bare quote marks, so the file is read with quoting off.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from citeline.core.errors import CitelineError
from evaluation import splits

COLUMNS = 5


class SameClaimEvalError(CitelineError):
    """A pairs file cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Pair:
    same: bool
    id1: str
    id2: str
    first: str
    second: str


def read_pairs(path: Path) -> list[Pair]:
    """The pairs of an MSRP-layout file, in file order; SameClaimEvalError names the file and line of a bad row."""
    try:
        # utf-8-sig: MSRP's own file starts with a byte-order mark.
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(enumerate(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), start=1))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise SameClaimEvalError(f"{path}: cannot be read as a tab-separated UTF-8 pairs file ({error})") from error
    if not rows:
        raise SameClaimEvalError(f"{path}: empty, expected a header line and pairs")
    pairs = []
    for number, row in rows[1:]:
        if not row:
            continue
        if len(row) != COLUMNS:
            raise SameClaimEvalError(f"{path}:{number}: {len(row)} tab-separated fields, expected {COLUMNS} "
                                     "(Quality, #1 ID, #2 ID, #1 String, #2 String)")
        quality = row[0].strip()
        if quality not in ("0", "1"):
            raise SameClaimEvalError(f"{path}:{number}: Quality is {quality!r}, expected 0 or 1")
        pairs.append(Pair(quality == "1", row[1].strip(), row[2].strip(), row[3], row[4]))
    if not pairs:
        raise SameClaimEvalError(f"{path}: no pairs after the header line")
    return pairs


def in_tuning_part(pair: Pair) -> bool:
    """Whether a pair belongs to the tuning part (else the held-out part), by its two ids."""
    return splits.in_tuning_part(f"{pair.id1}\t{pair.id2}")


def scores_of(gold: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float]:
    """Accuracy, and precision, recall and F1 of the "same" class (0 where undefined), with the pair count."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    tp = sum(g and p for g, p in zip(gold, predicted))
    fp = sum(p and not g for g, p in zip(gold, predicted))
    fn = sum(g and not p for g, p in zip(gold, predicted))
    correct = sum(g == p for g, p in zip(gold, predicted))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": correct / len(gold) if gold else 0.0, "precision": precision, "recall": recall,
            "f1": f1, "pairs": len(gold)}


def write_predictions(path: Path, pairs: Sequence[Pair], scores: Sequence[float], threshold: float) -> None:
    """`id1<TAB>id2<TAB>score<TAB>same` per pair (same 1 or 0), written whole or not at all."""
    if path.is_dir() or not path.parent.is_dir():
        raise SameClaimEvalError(f"--predictions {str(path)!r}: not a file in an existing folder")
    lines = [f"{p.id1}\t{p.id2}\t{s:.4f}\t{int(s >= threshold)}\n" for p, s in zip(pairs, scores, strict=True)]
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False, encoding="utf-8") as handle:
        handle.write("".join(lines))
    os.replace(handle.name, path)
