"""Readers (`citeline query`, `citeline search`) as an attacker or a clumsy user runs them: nothing they
type writes the warehouse or its snapshot, and a query that runs long, needs much memory, returns many
rows or is interrupted ends as one line and a non-zero status (issue 24, items 1 and 9)."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PROJECT
from warehouse.snapshot import publish_snapshot, snapshot_path
from warehouse.store import connect

CITELINE = str(Path(sys.executable).with_name("citeline"))
ENDLESS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A real warehouse file, created and migrated by the store, with its snapshot published."""
    db = tmp_path_factory.mktemp("published") / "w.duckdb"
    connect(db).close()
    publish_snapshot(db)
    return db


@pytest.fixture
def warehouse(published, tmp_path) -> Path:
    """A copy of `published` for one test, so a reader that did destroy it cannot fail the next test."""
    for path in (published, snapshot_path(published)):
        shutil.copy2(path, tmp_path / path.name)
    return tmp_path / published.name


def citeline(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([CITELINE, *args], cwd=PROJECT, capture_output=True, text=True, timeout=timeout)


def folder_state(folder: Path) -> dict[str, str]:
    """Every file in the warehouse's folder, by its SHA-256: a write anywhere there changes it."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir()) if path.is_file()}


# What a reader might try, to write a file or change the database or its settings. {snapshot}, {db}
# and {dir} are filled in; every one must be refused before any of it runs.
WRITES = {
    "COPY TO the snapshot": "COPY (SELECT 'junk' AS a) TO '{snapshot}' (USE_TMP_FILE false)",
    "COPY TO the snapshot, default options": "COPY (SELECT 'junk' AS a) TO '{snapshot}'",
    "COPY TO the snapshot's WAL": "COPY (SELECT 'junk' AS a) TO '{snapshot}.wal' (USE_TMP_FILE false)",
    "COPY TO the warehouse": "COPY (SELECT 'junk' AS a) TO '{db}' (FORMAT csv, USE_TMP_FILE false)",
    "COPY a table TO a file": "COPY articles TO '{dir}/leak.csv'",
    "COPY FROM DATABASE": "COPY FROM DATABASE w TO memory",
    "EXPORT DATABASE": "EXPORT DATABASE '{dir}/export'",
    "INSERT": "INSERT INTO runs (run_id) VALUES ('forged')",
    "UPDATE": "UPDATE articles SET title = 'forged'",
    "DELETE": "DELETE FROM statements",
    "CREATE TABLE": "CREATE TABLE forged AS SELECT 1 AS a",
    "CREATE TEMP TABLE": "CREATE TEMP TABLE forged AS SELECT 1 AS a",
    "CREATE MACRO": "CREATE MACRO forged() AS 1",
    "CREATE PERSISTENT SECRET": "CREATE PERSISTENT SECRET forged (TYPE s3, KEY_ID 'x', SECRET 'y')",
    "DROP": "DROP TABLE articles",
    "ALTER": "ALTER TABLE articles ADD COLUMN forged INTEGER",
    "MERGE INTO": "MERGE INTO runs USING (SELECT 'x' AS run_id) s USING (run_id) WHEN NOT MATCHED THEN INSERT BY NAME",
    "ATTACH the snapshot writable": "ATTACH '{snapshot}' AS again",
    "ATTACH a new file": "ATTACH '{dir}/other.duckdb' AS other",
    "DETACH": "DETACH w",
    "USE": "USE memory",
    "SET": "SET memory_limit = '100GB'",
    "SET external access back on": "SET enable_external_access = true",
    "RESET": "RESET memory_limit",
    "SET VARIABLE": "SET VARIABLE forged = 1",
    "PRAGMA that sets": "PRAGMA enable_profiling",
    "PRAGMA that writes": "PRAGMA enable_checkpoint_on_shutdown",
    "CHECKPOINT": "CHECKPOINT",
    "FORCE CHECKPOINT": "FORCE CHECKPOINT",
    "VACUUM": "VACUUM",
    "ANALYZE": "ANALYZE",
    "INSTALL": "INSTALL httpfs FROM 'http://127.0.0.1:9/'",
    "LOAD": "LOAD httpfs",
    "CALL checkpoint()": "CALL checkpoint()",
    "CALL enable_logging() to a file": "CALL enable_logging(storage = 'file', storage_path = '{dir}/log')",
    "SELECT FROM enable_logging() to a file": "SELECT * FROM enable_logging(storage = 'file', storage_path = '{dir}/log')",
    "SELECT FROM enable_profiling()": "SELECT * FROM enable_profiling()",
    "SELECT FROM checkpoint()": "SELECT * FROM checkpoint()",
    "SQL in a string (query())": "SELECT * FROM query('SELECT 1')",
    "a writing function deep in a subquery": "SELECT * FROM range(3) WHERE EXISTS (SELECT * FROM force_checkpoint())",
    "EXPLAIN ANALYZE of a COPY": "EXPLAIN ANALYZE COPY (SELECT 'junk' AS a) TO '{snapshot}' (USE_TMP_FILE false)",
    "BEGIN": "BEGIN TRANSACTION",
    "PREPARE": "PREPARE forged AS SELECT 1",
    "a read, then a COPY": "SELECT 1; COPY (SELECT 'junk' AS a) TO '{snapshot}' (USE_TMP_FILE false)",
    "a read, a read, then a DELETE": "SELECT 1; SELECT 2; DELETE FROM statements",
}


@pytest.mark.parametrize("case", sorted(WRITES))
def test_query_refuses_every_writing_statement_and_both_files_stay_byte_identical(warehouse, case):
    before = folder_state(warehouse.parent)
    sql = WRITES[case].format(snapshot=snapshot_path(warehouse), db=warehouse, dir=warehouse.parent)
    done = citeline("query", "--db", str(warehouse), sql)
    assert done.returncode == 2, done
    assert done.stderr.startswith("citeline query: ") and "refused, and nothing ran" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stdout == ""
    assert folder_state(warehouse.parent) == before  # nothing written, created or removed beside them


@pytest.mark.parametrize("words", [WRITES["COPY TO the snapshot"], "x'); COPY (SELECT 1) TO '{snapshot}' (USE_TMP_FILE false); --",
                                   "DROP TABLE statements", "$words"])
def test_search_words_are_only_words(warehouse, words):
    before = folder_state(warehouse.parent)
    done = citeline("search", "--db", str(warehouse), words.format(snapshot=snapshot_path(warehouse)))
    assert done.returncode == 1 and done.stderr.startswith("no published statement matches"), done
    assert folder_state(warehouse.parent) == before


READS = {
    "SELECT": ("SELECT count(*) AS n FROM statements", "n\n0\n"),
    "a CTE": ("WITH t AS (SELECT 2 AS n) SELECT n FROM t", "n\n2\n"),
    "SHOW TABLES": ("SHOW TABLES", "articles"),
    "PRAGMA version": ("PRAGMA version", "library_version"),
    "EXPLAIN ANALYZE of a SELECT": ("EXPLAIN ANALYZE SELECT count(*) FROM articles", "analyzed_plan"),
    "several reads": ("SELECT 1 AS a; SELECT 2 AS b", "b\n2\n"),
}


@pytest.mark.parametrize("case", sorted(READS))
def test_query_still_runs_what_only_reads(warehouse, case):
    sql, expected = READS[case]
    done = citeline("query", "--db", str(warehouse), "--format", "csv", sql)
    assert done.returncode == 0 and done.stderr == "", done
    assert (done.stdout.replace("\r\n", "\n") == expected) if "\n" in expected else expected in done.stdout


@pytest.mark.parametrize("mode", [0o644, 0o640])
def test_the_snapshot_has_the_warehouse_s_permissions(tmp_path, mode):
    db = tmp_path / "w.duckdb"
    connect(db).close()
    os.chmod(db, mode)
    publish_snapshot(db)
    assert stat.S_IMODE(snapshot_path(db).stat().st_mode) == mode


# Limits (item 9).

def test_a_query_past_the_time_limit_is_stopped_as_one_line_naming_the_setting(warehouse):
    started = time.monotonic()
    done = citeline("query", "--db", str(warehouse), "--timeout", "2", ENDLESS, timeout=90)
    assert done.returncode == 2, done
    assert done.stderr.strip() == "citeline query: the query was stopped after 2 s, the readers' time limit (raise it with --timeout)"
    assert time.monotonic() - started < 60


def test_a_query_past_the_memory_limit_is_stopped_as_one_line_and_nothing_spills_to_disk(warehouse):
    before = folder_state(warehouse.parent)
    done = citeline("query", "--db", str(warehouse), "--memory-limit", "20MB", "--format", "csv",
                    "SELECT * FROM range(10000000) ORDER BY random()")
    assert done.returncode == 2, done
    assert done.stderr.strip() == ("citeline query: the query needs more memory than the readers' limit of 20MB "
                                   "(raise it with --memory-limit)")
    assert folder_state(warehouse.parent) == before
    assert sorted(path.name for path in warehouse.parent.iterdir()) == ["w.duckdb", "w.snapshot.duckdb"]  # no .tmp folder


def test_rows_printed_are_capped_and_the_cut_is_said(warehouse):
    done = citeline("query", "--db", str(warehouse), "--format", "csv", "SELECT * FROM range(25000) r(n)")
    assert done.returncode == 0, done
    lines = done.stdout.splitlines()
    assert lines[0] == "n" and lines[1:] == [str(n) for n in range(10_000)]  # the default cap
    assert done.stderr.strip() == "citeline query: printed the first 10,000 rows; the rest were cut (--max-rows N prints more, --max-rows 0 all)"

    done = citeline("query", "--db", str(warehouse), "--format", "json", "--max-rows", "3", "SELECT * FROM range(25000) r(n)")
    assert done.stdout.splitlines() == ['{"n": 0}', '{"n": 1}', '{"n": 2}'] and "first 3 rows" in done.stderr

    done = citeline("query", "--db", str(warehouse), "--format", "csv", "--max-rows", "0", "SELECT * FROM range(25000) r(n)")
    assert done.returncode == 0 and done.stderr == "" and len(done.stdout.splitlines()) == 25_001

    done = citeline("query", "--db", str(warehouse), "--format", "csv", "--max-rows", "3", "SELECT * FROM range(3) r(n)")
    assert done.stdout.splitlines() == ["n", "0", "1", "2"] and done.stderr == ""  # nothing cut, nothing said


@pytest.mark.parametrize("flag, value, message", [
    ("--timeout", "0", "--timeout: Input should be greater than 0"),
    ("--timeout", "1e308", "--timeout: Input should be less than or equal to 86400"),
    ("--memory-limit", "1GB'; SET x = '1", "--memory-limit: Value error, give a size such as 512MB or 2GB"),
    ("--max-rows", "-1", "--max-rows: Input should be greater than or equal to 0"),
])
def test_a_bad_limit_is_one_line_naming_its_flag(warehouse, flag, value, message):
    done = citeline("query", "--db", str(warehouse), flag, value, "SELECT 1")
    assert done.returncode == 2 and done.stderr.startswith(f"citeline query: {message}"), done
    assert len(done.stderr.strip().splitlines()) == 1


def _running_a_query(process: subprocess.Popen, snapshot: Path, deadline: float = 90) -> None:
    """Wait until `process` has the snapshot open (its imports done, its query about to run), and a little more."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            opened = {os.path.realpath(f"/proc/{process.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{process.pid}/fd")}
        except FileNotFoundError:
            opened = set()
        if str(snapshot.resolve()) in opened:
            time.sleep(1)
            return
        time.sleep(0.05)
    raise AssertionError("the query never started")


def test_ctrl_c_is_one_line_and_exit_130(warehouse):
    process = subprocess.Popen([CITELINE, "query", "--db", str(warehouse), ENDLESS], cwd=PROJECT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _running_a_query(process, snapshot_path(warehouse))
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert err == "citeline query: interrupted\n" and out == ""


def test_output_closed_early_is_no_traceback(warehouse):
    """`citeline query ... | head -1`: rows stream, so the pipe closes while they are printed."""
    process = subprocess.Popen([CITELINE, "query", "--db", str(warehouse), "--format", "csv", "--max-rows", "0",
                                "SELECT * FROM range(5000000) r(n)"], cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout.readline() == b"n\r\n"  # the csv module ends rows with CRLF
        process.stdout.close()
        err = process.stderr.read().decode()
        process.wait(timeout=120)
    finally:
        process.kill()
    assert err == "" and process.returncode == 141


def test_ctrl_c_while_the_snapshot_is_being_opened_is_one_line_and_exit_130(warehouse):
    """Ctrl-C in the first instants after the snapshot is opened (its settings, before the query starts):
    before, one of these moments gave `RuntimeError: Query interrupted` with a traceback and exit 1."""
    snapshot = str(snapshot_path(warehouse).resolve())
    for delay in (0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1):
        process = subprocess.Popen([CITELINE, "query", "--db", str(warehouse), ENDLESS], cwd=PROJECT,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            end = time.monotonic() + 90
            while snapshot not in _open_files(process.pid):
                assert time.monotonic() < end and process.poll() is None, "the query never opened the snapshot"
                time.sleep(0.001)
            time.sleep(delay)
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
        finally:
            process.kill()
        assert (process.returncode, err, out) == (130, "citeline query: interrupted\n", ""), f"Ctrl-C {delay} s after opening"


def _open_files(pid: int) -> set[str]:
    try:
        return {os.path.realpath(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
    except FileNotFoundError:
        return set()
