"""`citeline extract` and `citeline attribute`: extraction and attribution one file at a time, as JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from citeline.cli.common import emit, loaded_model


def cmd_extract(args: argparse.Namespace) -> int:
    from extract.decode import decode_html
    from extract.extraction import ExtractionFailed, extract_article

    status = 0
    for name in args.files:
        record: dict[str, Any] = {"file": name, "title": None, "author": None, "date": None, "sitename": None,
                                  "language": None, "url": None, "text": None}
        try:
            record.update(extract_article(decode_html(Path(name).read_bytes())).as_json())
        except OSError as error:
            record["error"] = f"cannot read {name!r}: {error.strerror}"
            status = 2
        except ExtractionFailed as error:
            record["error"] = f"{name!r}: {error}"
            status = max(status, 1)
        emit(record, args.jsonl)
    return status


def cmd_attribute(args: argparse.Namespace) -> int:
    from transform.engine import attribute

    model = loaded_model(args.model)
    status = 0
    for name in args.files:
        try:
            with open(name, encoding="utf-8", errors="replace", newline="") as handle:
                text = handle.read()
        except OSError as error:
            print(f"citeline attribute: cannot read {name!r}: {error.strerror}", file=sys.stderr)
            status = 2
            continue
        for statement in attribute(text, model=model):
            emit({"file": name, **statement.as_json()}, args.jsonl)
    return status
