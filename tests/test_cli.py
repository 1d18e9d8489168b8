"""The `citeline` command's JSON contracts, help texts and input errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from citeline.cli import EXAMPLE_SQL, build_parser, main
from tests.support.pages import copy_demo_pages, demo_pages
from warehouse.search import search_statements


def test_every_subcommand_has_help():
    parser = build_parser()
    assert "who said what" in parser.description
    actions = {a.dest: a for a in parser._subparsers._group_actions[0]._choices_actions}
    assert {"run", "extract", "attribute", "query", "search", "eval", "agreement"} <= set(actions)
    for action in actions.values():
        assert action.help and action.help.endswith(".")


def test_extract_prints_one_json_object_per_file(capsys):
    page = demo_pages()[0]
    assert main(["extract", "--jsonl", str(page)]) == 0
    [line] = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert set(record) >= {"file", "title", "author", "date", "sitename", "language", "url", "text"}
    assert record["file"] == str(page) and record["sitename"] == "Wikinews" and record["language"] == "en"
    assert record["url"].startswith("https://en.wikinews.org/wiki/") and len(record["text"]) > 200


def test_attribute_offsets_index_the_file_as_read_with_newline_none(tmp_path, capsys):
    path = tmp_path / "story.txt"
    text = 'First line.\r\n"We are ready," the minister said.\r\n'
    path.write_bytes(text.encode("utf-8"))
    assert main(["attribute", "--jsonl", str(path)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 1
    record = records[0]
    assert record["file"] == str(path) and record["kind"] == "direct"
    start, end = record["content"]
    assert text[start:end] == "We are ready"
    assert text[slice(*record["source"])] == "the minister" and text[slice(*record["cue"])] == "said"
    assert set(record) >= {"source_text", "source_name", "source_type", "via", "confidence"}


def test_attribute_survives_junk_files(tmp_path, capsys):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 20)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert main(["attribute", "--jsonl", str(junk), str(empty)]) == 0


def test_run_names_a_missing_input_and_exits_2(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert main(["run", str(missing), "--db", str(tmp_path / "w.duckdb")]) == 2
    assert "nowhere" in capsys.readouterr().err
    assert not (tmp_path / "w.duckdb").exists()


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "citeline"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    assert "run" in result.stdout and "attribute" in result.stdout


def test_run_on_a_local_folder_prints_the_summary_and_loads_everything(tmp_path, capsys, prefect_server):
    folder = tmp_path / "pages"
    copy_demo_pages(folder, slice(None, 6))
    db = tmp_path / "w.duckdb"
    assert main(["run", str(folder), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    for expected in ("counts per stage", "ten most cited sources", "quality gate: pass", f"warehouse: {db}", "SELECT src.name"):
        assert expected in out
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 6
        assert con.execute("SELECT count(*) FROM statements").fetchone()[0] > 6
        assert con.execute("SELECT status FROM runs").fetchall() == [("published",)]
        assert len(con.execute(EXAMPLE_SQL).fetchall()) > 0
    assert main(["query", "--db", str(db), "--format", "csv", "SELECT count(*) AS n FROM articles"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "6"]
    assert main(["query", "--db", str(db), "SELECT * FROM no_such_table"]) == 2
    assert "no_such_table" in capsys.readouterr().err
    with duckdb.connect(str(db), read_only=True) as con:
        speaker, content = con.execute("SELECT speaker, content FROM statements_flat ORDER BY length(content) DESC LIMIT 1").fetchone()
    words = " ".join(w for w in content.split() if len(w) > 5 and w.isalpha())[:60]
    assert main(["search", "--db", str(db), "--limit", "3", words]) == 0
    assert "statements matching" in capsys.readouterr().out
    with duckdb.connect(str(db), read_only=True) as con:
        top = search_statements(con, words, limit=1)
    assert top and top[0][4] == content and top[0][1] == speaker
    assert main(["search", "--db", str(db), "zzzqqq nonexistentword"]) == 1
    assert "no published statement matches 'zzzqqq nonexistentword'" in capsys.readouterr().err


UNUSABLE = {
    "a flag out of range": (["run", "--timeout", "-1", "--max-attempts", "0", "{tmp}"], ["--timeout: Input should be greater than 0", "--max-attempts"]),
    "an endless delay": (["run", "--per-host-delay", "inf", "{tmp}"], ["--per-host-delay: Input should be a finite number"]),
    "a config value of the wrong type": (["run", "--config", "{tmp}/bad.toml"], ["bad.toml", "fetch.per_host_delay: Input should be a valid number"]),
    "a config file that is not there": (["serve", "--config", "{tmp}/absent.toml"], ["absent.toml", "cannot be read"]),
    "a warehouse that is not there (query)": (["query", "--db", "{tmp}/absent.duckdb", "SELECT 1"], ["absent.duckdb", "does not exist"]),
    "a warehouse that is not there (search)": (["search", "--db", "{tmp}/absent.duckdb", "words"], ["absent.duckdb", "does not exist"]),
    "a warehouse that is not there (compact)": (["compact", "--db", "{tmp}/absent.duckdb"], ["absent.duckdb", "does not exist"]),
    "a warehouse that is not there (reprocess)": (["reprocess", "--db", "{tmp}/absent.duckdb"], ["absent.duckdb", "does not exist"]),
    "a gold folder without its layout": (["eval", "{tmp}"], ["has no text/ and attributions/ folders"]),
    "an overlap out of range": (["agreement", "--overlap", "2", "{tmp}"], ["--overlap must be in (0, 1]"]),
    "a search limit below 1": (["search", "--limit", "-1", "words"], ["--limit must be 1 or more, not -1"]),
    "a search for no words": (["search", "  "], ["give some words to search for"]),
}


@pytest.mark.parametrize("case", sorted(UNUSABLE))
def test_unusable_input_is_one_line_naming_it_and_exit_2_for_every_command(tmp_path, capsys, case):
    (tmp_path / "bad.toml").write_text("[citeline]\n[citeline.fetch]\nper_host_delay = 'soon'\n")
    argv, expected = UNUSABLE[case]
    assert main([arg.replace("{tmp}", str(tmp_path)) for arg in argv]) == 2
    err = capsys.readouterr().err
    [line] = err.strip().splitlines()
    assert line.startswith(f"citeline {argv[0]}: ") and all(part in line for part in expected), line


def test_a_warehouse_locked_by_another_process_is_named_and_exit_2(tmp_path, capsys, prefect_server):
    db = tmp_path / "w.duckdb"
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(demo_pages()[0], pages / "one.html")
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time\ncon = duckdb.connect(sys.argv[1])\n"
                               "print('holding', flush=True)\ntime.sleep(60)\n", str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        assert main(["run", str(pages), "--db", str(db)]) == 2
        assert main(["compact", "--db", str(db)]) == 2
    finally:
        holder.kill()
        holder.wait()
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["citeline run", "citeline compact"]  # one line each, no traceback
    assert all("cannot open warehouse" in line and str(db) in line for line in lines)


HOSTILE_QUERIES = {
    "overwrite the warehouse": "COPY (SELECT 'x' AS x) TO '{db}' (FORMAT csv)",
    "write a file": "COPY (SELECT 'x' AS x) TO '{tmp}/leak.csv' (FORMAT csv)",
    "read a file as CSV": "SELECT * FROM read_csv('/etc/passwd')",
    "read a file as text": "SELECT * FROM read_text('/etc/passwd')",
    "list files": "SELECT * FROM glob('/etc/*')",
    "change a setting": "SET memory_limit = '100GB'",
    "turn external access back on": "SET enable_external_access = true",
    "install an extension from a URL": "INSTALL httpfs FROM 'http://127.0.0.1:9/'",
    "attach another database": "ATTACH '{tmp}/other.duckdb'",
    "export the warehouse": "EXPORT DATABASE '{tmp}/export'",
}


@pytest.fixture(scope="module")
def published_warehouse(tmp_path_factory, prefect_server):
    folder = tmp_path_factory.mktemp("pages")
    copy_demo_pages(folder, slice(30, 32))
    db = tmp_path_factory.mktemp("warehouse") / "w.duckdb"
    assert main(["run", str(folder), "--db", str(db)]) == 0
    return db


@pytest.mark.parametrize("case", sorted(HOSTILE_QUERIES))
def test_query_cannot_write_read_files_or_change_settings(published_warehouse, tmp_path, capsys, case):
    import hashlib

    from warehouse.snapshot import snapshot_path

    db, snapshot = published_warehouse, snapshot_path(published_warehouse)
    digests = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in (db, snapshot)}
    capsys.readouterr()
    sql = HOSTILE_QUERIES[case].format(db=db, tmp=tmp_path)
    assert main(["query", "--db", str(db), sql]) == 2
    line = capsys.readouterr().err.strip().splitlines()[0]  # DuckDB may add the statement, marked, below
    assert line.startswith("citeline query: ") and ("disabled" in line or "refused, and nothing ran" in line), line
    assert {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in digests} == digests
    assert list(tmp_path.iterdir()) == []
    # The same reader still answers what it is for, search's stemmer included.
    assert main(["query", "--db", str(db), "--format", "csv", "SELECT count(*) > 0 AS ok FROM statements"]) == 0
    assert capsys.readouterr().out.splitlines() == ["ok", "True"]


def test_readers_refuse_a_warehouse_whose_first_run_has_not_published(tmp_path, capsys):
    from warehouse.store import connect

    db = tmp_path / "w.duckdb"
    connect(db).close()  # created and migrated, as a first run is before its publish ends
    assert main(["query", "--db", str(db), "SELECT count(*) FROM runs"]) == 2
    assert "has no published snapshot yet" in capsys.readouterr().err
