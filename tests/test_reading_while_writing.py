"""A separate process reads the published warehouse in a loop during full runs: no errors, no long waits,
and only whole runs are ever visible."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import duckdb

from flows.pipeline import citeline_run
from flows.run_config import RunConfig
from tests.conftest import PROJECT
from tests.support.pages import demo_pages
from warehouse.snapshot import snapshot_path


def test_a_reader_in_another_process_only_ever_sees_whole_runs(tmp_path, prefect_server):
    pages = demo_pages()
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, chosen in ((first, pages[:25]), (second, pages[25:50])):
        folder.mkdir()
        for page in chosen:
            shutil.copy(page, folder / page.name)
    db = tmp_path / "w.duckdb"
    out = tmp_path / "reader.json"
    reader = subprocess.Popen([sys.executable, str(PROJECT / "tests" / "snapshot_reader.py"),
                               str(snapshot_path(db)), str(out), "300"])
    try:
        citeline_run(RunConfig(inputs=[str(first)], db=str(db)))
        after_first = _state(db)
        time.sleep(0.5)
        citeline_run(RunConfig(inputs=[str(second)], db=str(db)))
        after_second = _state(db)
        time.sleep(0.5)
    finally:
        out.with_suffix(".stop").touch()
        reader.wait(timeout=60)
    report = json.loads(out.read_text())
    assert report["errors"] == []
    assert len(report["seen"]) > 10
    assert report["slowest"] < 2.0
    # Every observation is exactly the state after run one or after run two: never a half-published run.
    assert {tuple(state) for state in report["seen"]} <= {after_first, after_second}
    assert after_first in {tuple(s) for s in report["seen"]} and after_second in {tuple(s) for s in report["seen"]}


def _state(db) -> tuple:
    with duckdb.connect(str(snapshot_path(db)), read_only=True) as con:
        return tuple(con.execute(
            """SELECT (SELECT count(*) FROM runs WHERE status = 'published'), (SELECT count(*) FROM statements),
                      (SELECT count(*) FROM statements s WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = s.article_id)),
                      (SELECT count(*) FROM statements s WHERE s.run_id NOT IN (SELECT run_id FROM runs))"""
        ).fetchone())
