"""A run killed at any point, or stopped by a full disk, leaves nothing behind that the next run does not
put right: readers see every publish, every published run has its `runs` row, no staged rows or
temporary files stay, and a full disk is one line naming the file, exit 2."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from citeline.core.workspace import demo_corpus
from tests.conftest import PROJECT
from tests.support.warehouse import stage_and_load
from warehouse import recovery, staging, store
from warehouse.snapshot import snapshot_path

CITELINE = str(Path(sys.executable).with_name("citeline"))
COUNTED = ("articles", "statements", "statement_sources", "sources")


def _pages(folder: Path, chosen: slice) -> Path:
    folder.mkdir(exist_ok=True)
    for page in sorted(demo_corpus().glob("*.html"))[chosen]:
        shutil.copy(page, folder / page.name)
    return folder


def _env() -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([CITELINE, "run", *args], cwd=PROJECT, env=_env(), capture_output=True, text=True, timeout=600)


def _crash(point: str, args: list[str]) -> subprocess.CompletedProcess:
    """`citeline run` killed with SIGKILL at `point` (see tests/crashing_run.py)."""
    done = subprocess.run([sys.executable, str(PROJECT / "tests" / "crashing_run.py"), point, *args], cwd=PROJECT, env=_env(),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stderr[-3000:])
    return done


def _read(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _counts(db: Path) -> dict[str, int]:
    return {table: _read(db, f"SELECT count(*) FROM {table}")[0][0] for table in COUNTED}


def _reader_counts(db: Path) -> dict[str, int]:
    """What a reader sees: the snapshot as `citeline query` opens it (warehouse.readers.open_reader), in
    this process, since the query command's own process is tests/test_hostile_readers.py's subject."""
    from warehouse.readers import open_reader

    con = open_reader(db)
    try:
        return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in COUNTED}
    finally:
        con.close()


def _published(pages: Path, db: Path) -> None:
    """A run that publishes `pages`, through the flow in this process: the tests' starting point, not
    their subject (a `citeline run` process would add its start-up)."""
    from flows.pipeline import citeline_run
    from flows.run_config import RunConfig

    assert citeline_run(RunConfig(inputs=[str(pages)], db=str(db)))["run"]["status"] == "published"


def _leftovers(db: Path) -> list[Path]:
    """Files a writer leaves only while it runs: snapshot copies, raw-page temp files, run locks, spill files."""
    return [*db.parent.glob(f".{db.stem}.*.tmp"), *db.parent.glob("raw/*/*.tmp"), *db.with_name(f".{db.name}.runs").glob("*"),
            *Path(f"{db}.tmp").glob("*")]


def test_a_run_killed_after_its_publish_is_seen_by_readers_and_recorded_after_an_unchanged_run(tmp_path, prefect_server):
    db = tmp_path / "w.duckdb"
    _published(_pages(tmp_path / "pages", slice(0, 3)), db)
    assert _reader_counts(db)["articles"] == 3

    args = [str(_pages(tmp_path / "pages", slice(3, 6))), "--db", str(db)]  # three more pages beside the first three
    _crash("before_runs_row", args)
    assert _counts(db)["articles"] == 6  # the publish committed ...
    assert _reader_counts(db)["articles"] == 3  # ... but the snapshot was never rewritten
    crashed = _read(db, "SELECT DISTINCT run_id FROM articles EXCEPT SELECT run_id FROM runs")
    assert len(crashed) == 1  # and the run that published three articles has no row

    unchanged = _run(args)
    assert unchanged.returncode == 0, unchanged.stderr[-3000:]
    assert "nothing to check" in unchanged.stdout  # nothing new to stage: the case that used to skip the snapshot
    assert _reader_counts(db) == _counts(db) and _counts(db)["articles"] == 6
    recovered = _read(db, f"SELECT status, n_articles, quality_verdict, quality_details FROM runs WHERE run_id = '{crashed[0][0]}'")
    assert recovered[0][:3] == ("published", 3, "pass") and "after its publish" in json.loads(recovered[0][3])["recovered"]
    assert _read(db, "SELECT count(*) FROM articles WHERE run_id NOT IN (SELECT run_id FROM runs)") == [(0,)]
    assert _leftovers(db) == []

    again = snapshot_path(db).stat().st_mtime_ns  # once current, an unchanged run leaves the snapshot alone
    assert _run(args).returncode == 0 and snapshot_path(db).stat().st_mtime_ns == again


def test_staged_rows_of_a_run_killed_before_its_publish_are_cleared_by_the_next_run(tmp_path, prefect_server):
    db = tmp_path / "w.duckdb"
    args = [str(_pages(tmp_path / "pages", slice(10, 14))), "--db", str(db)]
    _crash("before_publish", args)
    assert _read(db, "SELECT count(DISTINCT run_id), count(*) FROM stg_articles") == [(1, 4)]
    assert _counts(db)["articles"] == 0

    done = _run(args)
    assert done.returncode == 0, done.stderr[-3000:]
    assert all(_read(db, f"SELECT count(*) FROM stg_{table}") == [(0,)] for table in staging.STAGED_TABLES)
    assert _counts(db)["articles"] == 4 and _reader_counts(db) == _counts(db)
    assert _leftovers(db) == []


def test_a_run_killed_while_copying_the_snapshot_leaves_no_temp_file_or_stale_snapshot(tmp_path, prefect_server):
    db = tmp_path / "w.duckdb"
    _published(_pages(tmp_path / "pages", slice(20, 22)), db)
    args = [str(_pages(tmp_path / "pages", slice(22, 25))), "--db", str(db)]
    _crash("during_snapshot_copy", args)
    copies = list(tmp_path.glob(".w.*.tmp"))
    assert len(copies) == 1 and copies[0].stat().st_size > 0
    assert _reader_counts(db)["articles"] == 2
    _spill_and_die(db)  # a writer killed while DuckDB spilled to disk leaves its spill files too
    assert list(Path(f"{db}.tmp").glob("duckdb_temp_*"))

    done = _run(args)
    assert done.returncode == 0, done.stderr[-3000:]
    assert _leftovers(db) == []
    assert _reader_counts(db) == _counts(db) and _counts(db)["articles"] == 5


def _spill_and_die(db: Path) -> None:
    """A process writing the warehouse with a small memory limit, killed once DuckDB has spilled."""
    script = ("import duckdb, sys; con = duckdb.connect(sys.argv[1]); con.execute(\"SET memory_limit = '32MB'\"); "
              "con.execute('SET preserve_insertion_order = false'); "
              "con.execute('SELECT md5(range::varchar) AS b, count(*) FROM range(4000000) GROUP BY b ORDER BY b').fetchall()")
    process = subprocess.Popen([sys.executable, "-c", script, str(db)])
    try:
        deadline = time.monotonic() + 120
        while not list(Path(f"{db}.tmp").glob("duckdb_temp_*")) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()


def test_a_live_runs_rows_are_left_alone_and_a_dead_ones_put_right(tmp_path):
    from expectations.gate import validate_staged
    from tests.test_warehouse import _rows
    from warehouse.liveness import run_held

    db = tmp_path / "w.duckdb"
    store.stage_batch(db, "staging", _rows(), first=True)
    stage_and_load(db, "published", _rows(article_ids=("b1",)), [], [], validate_staged)
    with run_held(db, "staging"), run_held(db, "published"):  # other processes' runs, still alive
        kept = recovery.recover_dead_runs(db, "mine")  # one between two staged batches, one about to record itself
        assert (kept.staged_runs_cleared, kept.runs_recorded) == ([], [])
        assert _read(db, "SELECT count(*) FROM stg_articles WHERE run_id = 'staging'") == [(1,)]
        assert _read(db, "SELECT count(*) FROM runs") == [(0,)]
    recovered = recovery.recover_dead_runs(db, "mine")
    assert (recovered.staged_runs_cleared, recovered.runs_recorded) == (["staging"], ["published"])
    assert _read(db, "SELECT count(*) FROM stg_articles") == [(0,)]
    assert _read(db, "SELECT run_id, status, n_articles FROM runs") == [("published", "published", 1)]


@pytest.fixture
def small_disk(tmp_path):
    """A 32 MB tmpfs: a real filesystem that fills up (needs root, as in the project's container). A first run of
    two pages takes about 18 MB of it (warehouse and snapshot of 6.3 MB each, Data Docs 4.7 MB)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_one_line_exit_2_and_the_next_run_publishes_everything(tmp_path, small_disk, prefect_server):
    pages = _pages(tmp_path / "pages", slice(30, 40))
    reference = tmp_path / "reference" / "w.duckdb"
    reference.parent.mkdir()
    _published(pages, reference)
    expected = _counts(reference)

    db = small_disk / "w.duckdb"
    _published(_pages(tmp_path / "few", slice(30, 32)), db)
    before = _reader_counts(db)
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 64 * 1024))

    full = _run([str(pages), "--db", str(db)])
    assert full.returncode == 2, full.stderr[-3000:]
    assert "Traceback" not in full.stderr
    last = full.stderr.strip().splitlines()[-1]
    assert last.startswith("citeline run: cannot write ") and "No space left on device" in last and str(small_disk) in last
    assert sum(line.startswith("citeline run:") for line in full.stderr.splitlines()) == 1
    assert _reader_counts(db) == before  # readers still see the last whole publish

    filler.unlink()
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    done = _run([str(pages), "--db", str(db)])
    assert done.returncode == 0, done.stderr[-3000:]
    assert _counts(db) == expected and _reader_counts(db) == expected
    assert all(_read(db, f"SELECT count(*) FROM stg_{table}") == [(0,)] for table in staging.STAGED_TABLES)
    assert _leftovers(db) == []


def test_a_disk_full_during_the_snapshot_copy_names_the_copy_and_keeps_the_old_snapshot(small_disk):
    from citeline.core.disk_full import DiskFull
    from warehouse.snapshot import publish_snapshot

    db = small_disk / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE t AS SELECT range AS a FROM range(10)")
    publish_snapshot(db)
    old = snapshot_path(db).read_bytes()
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE u AS SELECT md5(range::varchar) AS b FROM range(100000)")
    (small_disk / "filler").write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - os.path.getsize(db) // 2))
    with pytest.raises(DiskFull, match=r"cannot write '.*/\.w\.\w+\.tmp': No space left on device \(filesystem mounted at"):
        publish_snapshot(db)
    assert snapshot_path(db).read_bytes() == old and list(small_disk.glob(".w.*.tmp")) == []
