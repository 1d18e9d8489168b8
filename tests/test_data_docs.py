"""Data Docs for a scheduled deployment: every run's results rendered, the index bounded as history grows."""

from __future__ import annotations

import re

from citeline.core.workspace import data_docs_index
from expectations import gate
from tests.test_quality_gate import make_rows
from warehouse import staging, store

SUITES = {"articles", "statements", "sources", "statement_sources", "batch"}


def _validate_runs(tmp_path, runs: int):
    db, docs = tmp_path / "w.duckdb", tmp_path / "docs"
    for i in range(runs):
        con = store.connect(db)
        try:
            staging.stage(con, f"run{i}", make_rows([f"r{i}"]))
            assert gate.validate_staged(con, f"run{i}", docs_root=docs).passed
            staging.clear_staging(con, f"run{i}")
        finally:
            con.close()
    return data_docs_index(docs)


def test_every_runs_results_get_a_page_but_the_index_lists_only_the_latest(tmp_path, monkeypatch):
    monkeypatch.setattr(gate, "DOCS_INDEX_RESULTS", 6)
    index = _validate_runs(tmp_path, runs=3)

    pages = sorted(index.parent.glob("validations/*/*/*/*.html"))
    assert len(pages) == 3 * len(SUITES)
    listed = set(re.findall(r"validations/[\w/.\-]+?\.html", index.read_text(encoding="utf-8")))
    assert len(listed) == 6
    latest_run = sorted(pages, key=lambda page: page.parent.name)[-len(SUITES):]
    assert {page.relative_to(index.parent).as_posix() for page in latest_run} <= listed
    assert {page.parent.parent.parent.name for page in latest_run} == SUITES


def test_a_run_with_more_results_than_the_limit_still_gets_all_its_pages(tmp_path, monkeypatch):
    monkeypatch.setattr(gate, "DOCS_INDEX_RESULTS", 2)
    index = _validate_runs(tmp_path, runs=1)
    assert len(list(index.parent.glob("validations/*/*/*/*.html"))) == len(SUITES)
