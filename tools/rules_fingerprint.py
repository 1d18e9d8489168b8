"""Fingerprint of the rules engine's output on a folder of texts: one MD5 over every statement's JSON line.

    .venv/bin/python tools/rules_fingerprint.py ../shared/polnear/train/text

Run it from the project root as shown: the digest is the MD5 of `citeline attribute --jsonl
../shared/polnear/train/text/*.txt`, whose "file" keys name the files as given. A refactor of transform/
that must not change behaviour keeps it; a rule change moves it (and ENGINE_VERSION with it).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

RULES_08_POLNEAR_TRAIN_MD5 = "147039729a7dac54a4cdf00e89c64953"


def main() -> None:
    from transform.engine import ENGINE_VERSION, attribute

    folder = Path(sys.argv[1])
    files = sorted(folder.glob("*.txt"))
    md5 = hashlib.md5()
    for path in files:
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            text = handle.read()
        name = str(Path(sys.argv[1]) / path.name)
        for statement in attribute(text):
            md5.update((json.dumps({"file": name, **statement.as_json()}, ensure_ascii=False) + "\n").encode("utf-8"))
    print(f"{ENGINE_VERSION} on {len(files)} texts of {folder}: md5 {md5.hexdigest()}")
    if len(files) == 840 and folder.parent.name == "train":
        same = md5.hexdigest() == RULES_08_POLNEAR_TRAIN_MD5
        print("same output as rules-0.8" if same else f"output differs from rules-0.8 ({RULES_08_POLNEAR_TRAIN_MD5})")


if __name__ == "__main__":
    main()
