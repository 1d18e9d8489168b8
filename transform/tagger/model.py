"""A trained attribution model on disk: its folder, its identity, and tagging with it.

A model folder holds `tagger.crfsuite` (the CRF's weights) and `model.json` (its card: what it was
trained on and how, and the SHA-256 of the weights). A model of the encoder kind (card "kind": "encoder")
also holds `projection.npy`, the principal directions its dense features are read along, whose SHA-256
the card carries as well. The model's id names the weights' content, so two
folders with the same weights share an id and a retrained model never passes for an older one.

CRFsuite trusts its weights file: a truncated or damaged one crashes the process (SIGSEGV) rather than
raising. So weights are read once, checked against the card's checksum and the file's own header, and
handed to CRFsuite from those same bytes: what was checked is what runs.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from citeline.core.errors import CitelineError
from citeline.core.user_files import UserFileError, read_user_file

WEIGHTS_FILE = "tagger.crfsuite"
CARD_FILE = "model.json"
PROJECTION_FILE = "projection.npy"  # the encoder kind's only
KINDS = ("crf", "encoder")  # sparse features over the rules' parse; those plus frozen MiniLM token vectors
PROJECTION_CHECKSUM_KEY = "projection_sha256"
FORMAT = "citeline-tagger-1"
CHECKSUM_KEY = "weights_sha256"  # required on the card since issue 24; cards without it are refused
_SHA256 = re.compile(r"[0-9a-f]{64}")
# CRFsuite's model header (crf1d_model.c): magic, size, type, version, then counts and chunk offsets.
_HEADER = struct.Struct("<4sI4sI8I")


class ModelError(CitelineError):
    """A model folder is missing, incomplete, or of a format this version cannot read."""


@dataclass(frozen=True)
class AttributionModel:
    """A loaded tagger: its id (recorded on every statement it finds), its card, and the CRF itself."""

    path: Path
    model_id: str
    card: dict[str, Any]
    tagger: Any  # pycrfsuite.Tagger: not picklable, so worker processes load their own from `path`
    # The checked bytes the tagger was opened from: CRFsuite reads them in place, so they live as long as it.
    weights: bytes = field(default=b"", compare=False, repr=False)
    # tag() then marginal() read the tagger's state of the last sequence: threads of one process
    # (a Dask worker with several) take turns.
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)
    # The encoder kind's projection of token vectors ("mean", "directions"); None for the CRF kind.
    projection: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def kind(self) -> str:
        """"crf" or "encoder", from the card (cards from before the encoder kind are "crf")."""
        return str(self.card.get("kind", "crf"))

    @property
    def content_threshold(self) -> float:
        """How sure the tagger must be of a content's tokens (mean marginal) for it to be kept, from the card."""
        return float(self.card["settings"]["content_threshold"])


def weights_checksum(weights: bytes) -> str:
    """The SHA-256 of the weights, in hex: the card carries it, and every load checks it."""
    return hashlib.sha256(weights).hexdigest()


def model_id_of(checksum: str, name: str) -> str:
    """`NAME-` and the first 12 hex digits of the weights' SHA-256: readable, and unique to the weights."""
    return f"{name}-{checksum[:12]}"


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

    weights_path, card_path = folder / WEIGHTS_FILE, folder / CARD_FILE
    where = f"model {str(folder)!r}"
    if not folder.is_dir():
        raise ModelError(f"{where} is not a folder (train one with `citeline train GOLD_DIR --out {folder}`)")
    for needed in (weights_path, card_path):
        if not needed.exists():
            raise ModelError(f"{where} has no {needed.name}: not a model folder, or its training did not finish")
    try:
        card = json.loads(read_user_file(card_path, max_bytes=1 << 20).decode("utf-8"))
        weights = read_user_file(weights_path)
    except (UserFileError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelError(f"{where}: {error}") from error
    if not isinstance(card, dict) or card.get("format") != FORMAT or not isinstance(card.get("settings"), dict) \
            or "content_threshold" not in card["settings"]:
        found = card.get("format") if isinstance(card, dict) else None
        raise ModelError(f"{where} is of format {found!r}; this citeline reads {FORMAT!r}")
    kind = card.get("kind", "crf")
    if kind not in KINDS:
        raise ModelError(f"{where} is of kind {kind!r}; this citeline reads {', '.join(map(repr, KINDS))}")
    model_id = _verified_id(card, weights, folder)
    projection = _projection(card, folder) if kind == "encoder" else None
    tagger = pycrfsuite.Tagger()
    try:
        tagger.open_inmemory(weights)
    except Exception as error:  # crfsuite says only "Error opening model"; name the folder
        raise ModelError(f"{where}: {WEIGHTS_FILE} is not a CRFsuite model ({error})") from error
    return AttributionModel(folder, model_id, card, tagger, weights=weights, projection=projection)


def _projection(card: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The encoder kind's projection, once its bytes are the ones the card names and its arrays fit together."""
    import numpy as np

    where = f"model {str(folder)!r}"
    path = folder / PROJECTION_FILE
    if not path.exists():
        raise ModelError(f"{where} is of the encoder kind but has no {PROJECTION_FILE}: its training did not finish")
    try:
        data = read_user_file(path, max_bytes=64 << 20)
    except UserFileError as error:
        raise ModelError(f"{where}: {error}") from error
    if weights_checksum(data) != card.get(PROJECTION_CHECKSUM_KEY):
        raise ModelError(f"{where}: {PROJECTION_FILE} does not match the checksum on its card (damaged, truncated or "
                         f"replaced); restore the folder or retrain the model")
    try:
        rows = np.load(io.BytesIO(data), allow_pickle=False)
    except (OSError, ValueError) as error:
        raise ModelError(f"{where}: {PROJECTION_FILE} is not a projection ({error})") from error
    from transform.encoder import DIMENSIONS

    if rows.ndim != 2 or rows.shape[0] < 2 or rows.shape[1] != DIMENSIONS or rows.dtype != np.float32:
        raise ModelError(f"{where}: {PROJECTION_FILE} holds an array of shape {rows.shape} ({rows.dtype}), not a projection")
    # Row 0 is the mean of the token vectors, the rest the directions they are read along.
    return {"mean": rows[0], "directions": rows[1:]}


def _verified_id(card: dict[str, Any], weights: bytes, folder: Path) -> str:
    """The model's id, once the weights are the ones the card names (checksum and id) and whole (header)."""
    where = f"model {str(folder)!r}"
    expected = card.get(CHECKSUM_KEY)
    if expected is None:
        raise ModelError(f"{where} was trained by an earlier citeline: its card has no checksum of its weights "
                         f"({CHECKSUM_KEY}), so they cannot be checked; retrain it with `citeline train GOLD_DIR --out {folder}`")
    if not isinstance(expected, str) or not _SHA256.fullmatch(expected):
        raise ModelError(f"{where}: {CARD_FILE} has {CHECKSUM_KEY} {expected!r}, not a SHA-256 in hex")
    checksum = weights_checksum(weights)
    if checksum != expected:
        raise ModelError(f"{where}: {WEIGHTS_FILE} does not match the checksum on its card (damaged, truncated or "
                         f"replaced); restore the folder or retrain the model")
    name = card.get("name") or folder.name
    model_id = model_id_of(checksum, str(name))
    if card.get("model_id") != model_id:
        raise ModelError(f"{where}: {CARD_FILE} names model {card.get('model_id')!r}, but its weights are {model_id!r}")
    problem = _header_problem(weights)
    if problem:
        # Only a card rewritten to match damaged weights gets here: CRFsuite would crash on them.
        raise ModelError(f"{where}: {WEIGHTS_FILE} is not a whole CRFsuite model ({problem})")
    return model_id


def _header_problem(weights: bytes) -> str | None:
    """What is wrong with the weights' header (None when it is sound): CRFsuite reads the chunks at its
    offsets without bounds checks. Damage inside a chunk is the checksum's to catch."""
    if len(weights) < _HEADER.size:
        return f"{len(weights)} bytes, shorter than its header"
    magic, size, kind, version, *_, off_features, off_labels, off_attrs, off_labelrefs, off_attrrefs = \
        _HEADER.unpack_from(weights)
    if magic != b"lCRF" or kind != b"FOMC" or version != 100:
        return "no CRFsuite header"
    if size != len(weights):
        return f"its header says {size:,} bytes, the file holds {len(weights):,}"
    if not _HEADER.size <= off_features < off_labels < off_attrs < off_labelrefs < off_attrrefs < size:
        return "its chunk offsets are out of order or past its end"
    return None
