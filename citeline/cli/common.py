"""What the command families share: the usage error, the trained model checked before any work, JSON output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from citeline.core.errors import CitelineError


class UsageError(CitelineError):
    """A flag's value is out of its range."""


def loaded_model(path: str | Path | None):
    """The trained model in folder `path`, checked before any text is read; None for the rules alone."""
    if path is None:
        return None
    from transform.tagger.model import load_model

    return load_model(str(path))


def check_writable(db: Path) -> None:
    """Open and close the warehouse file for writing: a lock another process holds is named here, as one
    line. Only a check: migrating it, or finishing a publish a crash cut short, is the run's own work."""
    from warehouse.schema import open_file

    if db.exists():  # a new warehouse is created by the run itself, not by a failed check
        open_file(db).close()


def loaded_matcher(path: str | Path | None):
    """The trained matcher in folder `path`, checked (card and weights' checksum) before any work; None for
    the default matcher."""
    if path is None:
        return None
    from transform.matching.reranker import load_matcher

    return load_matcher(str(path))


def emit(obj: dict[str, Any], jsonl: bool) -> None:
    """One record as JSON: indented, or one compact line with `jsonl`."""
    print(json.dumps(obj, ensure_ascii=False) if jsonl else json.dumps(obj, ensure_ascii=False, indent=2), flush=True)
