"""A trained attribution model on disk: its folder, its identity, and tagging with it.

A model folder holds `tagger.crfsuite` (the CRF's weights) and `model.json` (its card: what it was
trained on and how). The model's id names the weights' content, so two folders with the same weights
share an id and a retrained model never passes for an older one.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from citeline.core.errors import CitelineError

WEIGHTS_FILE = "tagger.crfsuite"
CARD_FILE = "model.json"
FORMAT = "citeline-tagger-1"


class ModelError(CitelineError):
    """A model folder is missing, incomplete, or of a format this version cannot read."""


@dataclass(frozen=True)
class AttributionModel:
    """A loaded tagger: its id (recorded on every statement it finds), its card, and the CRF itself."""

    path: Path
    model_id: str
    card: dict[str, Any]
    tagger: Any  # pycrfsuite.Tagger: not picklable, so worker processes load their own from `path`
    # tag() then marginal() read the tagger's state of the last sequence: threads of one process
    # (a Dask worker with several) take turns.
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @property
    def content_threshold(self) -> float:
        """How sure the tagger must be of a content's tokens (mean marginal) for it to be kept, from the card."""
        return float(self.card["settings"]["content_threshold"])


def model_id_of(weights: Path, name: str) -> str:
    """`NAME-` and the first 12 hex digits of the weights' SHA-256: readable, and unique to the weights."""
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:12]
    return f"{name}-{digest}"


def load_model(path: str | Path) -> AttributionModel:
    """The model in folder `path`, loaded once per process, and again when its weights file changes
    (a long-lived process, such as `citeline serve` or a Dask worker, sees a model retrained in place)."""
    folder = Path(path).resolve()
    try:
        stat = (folder / WEIGHTS_FILE).stat()
        identity = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    except OSError:
        identity = None
    return _load_model(folder, identity)


def model_id_at(folder: str | Path | None) -> str | None:
    """The id of the model in `folder` (loaded once per process), or None for the rules alone."""
    return None if folder is None else load_model(folder).model_id


@lru_cache(maxsize=4)
def _load_model(folder: Path, identity: tuple[int, int, int] | None) -> AttributionModel:
    import pycrfsuite

    weights, card_path = folder / WEIGHTS_FILE, folder / CARD_FILE
    if not folder.is_dir():
        raise ModelError(f"model {str(folder)!r} is not a folder (train one with `citeline train GOLD_DIR --out {folder}`)")
    for needed in (weights, card_path):
        if not needed.is_file():
            raise ModelError(f"model {str(folder)!r} has no {needed.name}: not a model folder, or its training did not finish")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ModelError(f"model {str(folder)!r}: {CARD_FILE} is unreadable ({error})") from error
    if card.get("format") != FORMAT or not isinstance(card.get("settings"), dict) or "content_threshold" not in card["settings"]:
        raise ModelError(f"model {str(folder)!r} is of format {card.get('format')!r}; this citeline reads {FORMAT!r}")
    model_id = model_id_of(weights, card.get("name") or folder.name)
    if card.get("model_id") not in (None, model_id):
        raise ModelError(f"model {str(folder)!r}: {WEIGHTS_FILE} is not the file its card describes (id {model_id}, card {card.get('model_id')})")
    tagger = pycrfsuite.Tagger()
    try:
        tagger.open(str(weights))
    except Exception as error:  # crfsuite says only "ValueError: Error while opening"; name the file
        raise ModelError(f"model {str(folder)!r}: {WEIGHTS_FILE} is not a CRFsuite model ({error})") from error
    return AttributionModel(folder, model_id, card, tagger)
