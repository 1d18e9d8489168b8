"""Fingerprint of the rules engine's output on a folder of texts: one MD5 over every statement's JSON line.

    .venv/bin/python tools/rules_fingerprint.py ../shared/polnear/train/text

Run it from the project root as shown: the digest is the MD5 of `citeline attribute --jsonl
../shared/polnear/train/text/*.txt`, whose "file" keys name the files as given. A refactor of transform/
that must not change behaviour keeps it; a rule change moves it (and ENGINE_VERSION with it).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

RULES_08_POLNEAR_TRAIN_MD5 = "147039729a7dac54a4cdf00e89c64953"


def _statement_lines(job: tuple[str, str]) -> list[bytes]:
    """The JSON lines of one text's statements, as `citeline attribute --jsonl` prints them."""
    from transform.engine import attribute

    path, name = job
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        text = handle.read()
    return [(json.dumps({"file": name, **statement.as_json()}, ensure_ascii=False) + "\n").encode("utf-8")
            for statement in attribute(text)]


def fingerprint(folder: str, workers: int = 1) -> tuple[int, str]:
    """(texts, MD5) of the rules' output on the *.txt files of `folder`, named as given; with `workers`,
    the texts are attributed in that many processes and hashed in the same order."""
    files = sorted(Path(folder).glob("*.txt"))
    jobs = [(str(path), str(Path(folder) / path.name)) for path in files]
    md5 = hashlib.md5()
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            for lines in pool.map(_statement_lines, jobs, chunksize=8):
                md5.update(b"".join(lines))
    else:
        for job in jobs:
            md5.update(b"".join(_statement_lines(job)))
    return len(files), md5.hexdigest()


def main() -> None:
    from transform.engine import ENGINE_VERSION

    folder = sys.argv[1]
    count, digest = fingerprint(folder, workers=os.cpu_count() or 1)
    print(f"{ENGINE_VERSION} on {count} texts of {folder}: md5 {digest}")
    if count == 840 and Path(folder).parent.name == "train":
        same = digest == RULES_08_POLNEAR_TRAIN_MD5
        print("same output as rules-0.8" if same else f"output differs from rules-0.8 ({RULES_08_POLNEAR_TRAIN_MD5})")


if __name__ == "__main__":
    main()
