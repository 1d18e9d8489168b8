"""How far people agree under citeline's metric, beside the engine on the same documents.

A gold folder whose texts have several annotation files says what the metric can reach at all: two careful
annotators already part ways on what counts as an attribution and where its content ends. Scoring each
annotator against every other, and the engine against each of them, on the same texts, puts an engine score
on that scale instead of against a perfect 1.0.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations
from pathlib import Path

from evaluation.corpus import MAX_FILE_BYTES, GoldFolderError, annotated_texts, engine_relations, gold_relations, read_text
from evaluation.metrics import DEFAULT_OVERLAP, Tally, score_document


@dataclass
class Agreement:
    """Two tallies over the same multiply-annotated texts: annotator against annotator, and engine against each."""

    documents: int
    annotations: int
    human: Tally
    engine: Tally


def agreement(folder: Path, overlap: float = DEFAULT_OVERLAP, model=None, max_bytes: int = MAX_FILE_BYTES) -> Agreement:
    """Score every ordered pair of annotators of a text, and the engine against each annotator of it.

    Ordered pairs make the human figure symmetric, each annotator once the gold and once the prediction, and
    comparable with the engine's, which has every annotator as its gold in turn.
    """
    human, engine = Tally(), Tally()
    documents = annotations = 0
    for text_path, ann_files in annotated_texts(folder):
        if len(ann_files) < 2:
            continue
        text = read_text(text_path, max_bytes)
        relations = [gold_relations(path, text, max_bytes) for path in ann_files]
        documents += 1
        annotations += len(relations)
        for gold, other in permutations(relations, 2):
            human.add(score_document(text, gold, other, overlap))
        predicted = engine_relations(text, model)
        for gold in relations:
            engine.add(score_document(text, gold, predicted, overlap))
    if not documents:
        raise GoldFolderError(f"{str(folder)!r} has no text with two or more annotation files to compare")
    return Agreement(documents, annotations, human, engine)
