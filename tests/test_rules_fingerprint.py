"""The rules' output stays byte-identical through refactors: tools/rules_fingerprint.py's digest on
PolNeAR's 840 train texts (research use only, so read from ../shared, never shipped; skipped without it)."""

from __future__ import annotations

import os

import pytest

from tests.conftest import PROJECT, SHARED
from tools.rules_fingerprint import RULES_08_POLNEAR_TRAIN_MD5, fingerprint


@pytest.mark.fingerprint
def test_the_rules_output_on_polnear_train_is_unchanged(monkeypatch):
    if not (SHARED / "polnear" / "train" / "text").is_dir():
        pytest.skip("../shared/polnear is not beside the project")
    monkeypatch.chdir(PROJECT)  # the digest covers the file names as given: ../shared/polnear/train/text/NAME.txt
    count, digest = fingerprint("../shared/polnear/train/text", workers=os.cpu_count() or 1)
    assert count == 840
    assert digest == RULES_08_POLNEAR_TRAIN_MD5, "the rules' output changed: a rule change moves ENGINE_VERSION and this digest"
