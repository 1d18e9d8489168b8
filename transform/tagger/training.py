"""Train the tagger on gold attributions, stacked on the rules: the rules run first and their decisions
become features, so the model learns where the rules are right and what they miss.

Training is deterministic for a seed: the seed orders (and, with a limit, picks) the documents, and
CRFsuite's L-BFGS has no randomness of its own, so one seed and one corpus give byte-identical weights.

Two kinds: "crf", sparse features over the rules' parse, and "encoder", those plus each token's frozen
MiniLM vector (transform.encoder) read along its top principal directions (transform.tagger.dense), fitted
on the first texts in the seed's order.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from citeline.core.errors import CitelineError
from transform.model_folder import replace_folder
from transform.tagger.dense import DENSE_DIMENSIONS, PROJECTION_TEXTS, fit_projection, project, token_vectors_of, with_dense
from transform.tagger.features import paragraph_features
from transform.tagger.labels import relation_ranges, statement_ranges, token_labels
from transform.tagger.model import (
    CARD_FILE,
    CHECKSUM_KEY,
    FORMAT,
    KINDS,
    PROJECTION_CHECKSUM_KEY,
    PROJECTION_FILE,
    WEIGHTS_FILE,
    model_id_of,
    weights_checksum,
)

# Progress: (stage, done, total); stages "features" (documents) and "train" (iterations).
Progress = Callable[[str, int, int], None]
LICENCE_NOTE = (
    "Trained on gold attributions the user supplied (PolNeAR's layout). PolNeAR states no licence and its "
    "texts are copyrighted news: the model is derived from them, so keep it for research use where the "
    "corpus is, and do not redistribute it."
)


class TrainingError(CitelineError):
    """Nothing to train on: the documents given hold no parsed text."""


@dataclass(frozen=True)
class TrainingSettings:
    """How the tagger is trained and how sure it must be of a content; chosen on a held-out fifth of
    PolNeAR's train split (dev was read only for the scores in the README)."""

    c1: float = 0.05  # L1: drops the many features that fire once
    c2: float = 0.01
    max_iterations: int = 100
    content_threshold: float = 0.9  # mean marginal of a content's tokens, below which it is left out


@dataclass(frozen=True)
class GoldDocument:
    """One annotated text: its name, its text and its gold relations (evaluation.brat.Relation)."""

    name: str
    text: str
    relations: Sequence[Any]


def _sequences(document: GoldDocument, dense: bool = False):
    """(features, labels, token vectors or None) per parsed paragraph, with the rules' statements as features."""
    from transform.engine import parse_article, rule_relations, statements_from

    parsed = parse_article(document.text)
    rule_ranges = statement_ranges(statements_from(rule_relations(parsed), parsed))
    gold_ranges = relation_ranges(document.relations)
    paragraphs = [(offset, doc) for offset, doc in parsed.paragraphs if len(doc)]
    vectors = token_vectors_of([doc for _, doc in paragraphs]) if dense else [None] * len(paragraphs)
    for (offset, doc), tokens in zip(paragraphs, vectors):
        spans = [(offset + t.idx, offset + t.idx + len(t.text)) for t in doc]
        yield paragraph_features(doc, offset, parsed.quotes, rule_ranges), token_labels(spans, gold_ranges), tokens


def train_model(
    documents: Iterable[GoldDocument], out: Path, *, seed: int = 0, limit: int | None = None,
    settings: TrainingSettings = TrainingSettings(), source: str = "", progress: Progress | None = None,
    kind: str = "crf",
) -> dict[str, Any]:
    """Train a model of `kind` ("crf" or "encoder") on `documents` and write the model folder `out`
    (weights and card); returns the card.

    The folder is written whole or not at all: training goes to a temporary folder beside `out`,
    which replaces `out` only once the card is written.
    """
    import numpy as np
    import pycrfsuite

    if kind not in KINDS:
        raise TrainingError(f"no model kind {kind!r}: one of {', '.join(KINDS)}")

    report = progress or (lambda stage, done, total: None)
    chosen = sorted(documents, key=lambda d: d.name)
    random.Random(seed).shuffle(chosen)
    if limit is not None:
        chosen = chosen[:limit]
    started = time.perf_counter()

    class _Trainer(pycrfsuite.Trainer):
        # verbose=True is what makes pycrfsuite parse its log into these events; each prints by default.
        def on_iteration(self, log, info):
            report("train", int(info.get("num", 0)), settings.max_iterations)

        def on_start(self, log): pass
        def on_featgen_progress(self, log, percent): pass
        def on_featgen_end(self, log): pass
        def on_prepared(self, log): pass
        def on_optimization_end(self, log): pass
        def on_end(self, log): pass

    trainer = _Trainer(verbose=True)
    tokens = 0
    dense = kind == "encoder"
    # The encoder kind holds its first texts' raw vectors until the projection is fitted on them.
    waiting: list[tuple[list[list[str]], list[str], Any]] = []
    projection: dict[str, Any] | None = None
    for done, document in enumerate(chosen, 1):
        for features, labels, vectors in _sequences(document, dense):
            if not dense:
                trainer.append(features, labels)
            elif projection is None:
                waiting.append((features, labels, vectors))
            else:
                trainer.append(with_dense(features, project(vectors, projection)), labels)
            tokens += len(labels)
        if dense and projection is None and (done == PROJECTION_TEXTS or done == len(chosen)) and waiting:
            projection = fit_projection(np.concatenate([v for _, _, v in waiting]), DENSE_DIMENSIONS)
            for features, labels, vectors in waiting:
                trainer.append(with_dense(features, project(vectors, projection)), labels)
            waiting = []
        report("features", done, len(chosen))
    if not tokens:
        raise TrainingError("no text to train on: the documents given hold no paragraph the engine parses")
    trainer.set_params({"c1": settings.c1, "c2": settings.c2, "max_iterations": settings.max_iterations,
                        "feature.possible_transitions": True})
    out = Path(out)
    _check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        weights = staging / WEIGHTS_FILE
        trainer.train(str(weights))
        card = _card(out.name, weights, chosen, tokens, seed, settings, source, time.perf_counter() - started)
        card["kind"] = kind
        if projection is not None:
            card.update(_write_projection(staging, projection, min(PROJECTION_TEXTS, len(chosen))))
        write_card(staging, card)
        replace_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return card


def _card(name, weights: Path, documents: Sequence[GoldDocument], tokens: int, seed: int,
          settings: TrainingSettings, source: str, seconds: float) -> dict[str, Any]:
    from citeline.core import __version__
    from transform.engine import ENGINE_VERSION

    checksum = weights_checksum(weights.read_bytes())
    return {
        "format": FORMAT, "name": name, "model_id": model_id_of(checksum, name), CHECKSUM_KEY: checksum,
        "created": datetime.now(UTC).date().isoformat(), "citeline_version": __version__, "rules_engine": ENGINE_VERSION,
        "training_data": {"folder": source, "documents": len(documents), "tokens": tokens,
                          "annotations": "the first annotator's file of each text", "licence": LICENCE_NOTE},
        "seed": seed, "settings": asdict(settings), "training_seconds": round(seconds, 1),
    }


def _write_projection(folder: Path, projection: dict[str, Any], texts: int) -> dict[str, Any]:
    """Write the encoder kind's projection and return what its card says of it (kind, encoder, checksum)."""
    import numpy as np

    from transform.encoder import MODEL_ID

    # One .npy (row 0 the mean, then the directions): np.savez would stamp the time into its zip, and the
    # same seed must give the same bytes.
    buffer = io.BytesIO()
    np.save(buffer, np.vstack([projection["mean"][None, :], projection["directions"]]), allow_pickle=False)
    data = buffer.getvalue()
    (folder / PROJECTION_FILE).write_bytes(data)
    return {PROJECTION_CHECKSUM_KEY: weights_checksum(data),
            "encoder": {"model": MODEL_ID, "dimensions": int(projection["directions"].shape[0]),
                        "projection_fitted_on_texts": texts}}


def write_card(folder: Path, card: dict[str, Any]) -> None:
    """Write the model's card whole: to a temporary file first, then renamed over the old one."""
    partial = folder / f".{CARD_FILE}.partial"
    partial.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    partial.replace(folder / CARD_FILE)


def _check_replaceable(out: Path) -> None:
    """Training replaces `out` only when it is a model folder (or absent): `--out data` must never
    delete a warehouse, nor `--out models` the other models in it."""
    if not out.exists():
        return
    names = {p.name for p in out.iterdir()} if out.is_dir() else None
    if names is None or not names <= {WEIGHTS_FILE, CARD_FILE, PROJECTION_FILE}:
        raise TrainingError(f"{str(out)!r} exists and is not a model folder (it holds more than "
                            f"{WEIGHTS_FILE} and {CARD_FILE}): give --out a new folder, or a model's own")
