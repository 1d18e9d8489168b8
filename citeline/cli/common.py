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
