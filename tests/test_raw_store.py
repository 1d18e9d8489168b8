"""The raw store writes a page whole or not at all: synced to disk before it is renamed under its hash."""

from __future__ import annotations

import os

from extract import raw_store
from extract.raw_store import RawStore


def test_a_page_is_synced_before_it_is_renamed_into_place(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(source, target):
        events.append(("replace", str(source)))
        real_replace(source, target)

    monkeypatch.setattr(raw_store.os, "fsync", fsync)
    monkeypatch.setattr(raw_store.os, "replace", replace)
    digest = RawStore(tmp_path).put(b"<html><p>page</p></html>")
    assert [kind for kind, _ in events] == ["fsync", "replace"]
    assert events[0][1] == events[1][1]  # the file synced is the one renamed
    assert RawStore(tmp_path).get(digest) == b"<html><p>page</p></html>"
