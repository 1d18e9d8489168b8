"""Connections for readers (`citeline query`, `citeline search`, dashboards): the published snapshot,
read-only, and nothing outside it; statements that only read; and bounds on time and memory.

A read-only DuckDB connection still runs COPY ... TO, read_csv('/etc/passwd'), INSTALL ... FROM a URL
and SET, so a query typed by a user (or pasted from elsewhere) could overwrite the warehouse or read
the machine's files. Readers turn external access off and lock the configuration, after loading the
one extension they need. That is not enough alone: DuckDB keeps the file it opened (the snapshot)
writable by path even with external access off, so `COPY ... TO '<snapshot>'` would destroy it. So a
reader's SQL is parsed and checked before any of it runs (`checked_reads`): only SELECT (and EXPLAIN of
one), calling only table functions that read.
"""

from __future__ import annotations

import json
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb
from pydantic import BaseModel, ConfigDict, Field, field_validator

from citeline.core.errors import CitelineError
from warehouse.search import load_fts
from warehouse.snapshot import snapshot_path
from warehouse.store import WarehouseError, connect

T = TypeVar("T")


class ReaderSettings(BaseModel):
    """The bounds on one reader: how long a query may run, the memory DuckDB may use, the rows printed."""

    # inf and huge values parse as floats; a timer of 1e308 s cannot be started.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    timeout: float = Field(60.0, gt=0, le=86_400, description="seconds a query may run before it is stopped")
    memory_limit: str = Field("1GB", description="memory DuckDB may use for one query (e.g. 512MB, 2GB); past it the query stops")
    max_rows: int = Field(10_000, ge=0, description="rows printed at most; 0 prints them all")

    @field_validator("memory_limit")
    @classmethod
    def _a_size(cls, value: str) -> str:
        # Checked here, as it is put into a SET statement, and DuckDB's own error would not name the flag.
        if not re.fullmatch(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", value.strip(), flags=re.IGNORECASE):
            raise ValueError("give a size such as 512MB or 2GB")
        return value.strip()


class ReaderRefused(CitelineError):
    """A reader's SQL would write or change something (or cannot be checked), so none of it ran."""


class ReaderLimitReached(CitelineError):
    """A query went past one of the reader's bounds (time, memory); the message names the setting."""


class ReaderInterrupted(CitelineError):
    """Ctrl-C during a query: one line and the shell's usual status for SIGINT."""

    exit_status = 130


# Statement kinds that only read. EXPLAIN ANALYZE runs the statement it explains, so EXPLAIN is
# accepted only when what it explains passes the same check.
READ_STATEMENTS = {duckdb.StatementType.SELECT}

# Table functions a SELECT may call. An allow-list: a new DuckDB's new function is refused until it is
# known to only read. Left out on purpose: checkpoint, force_checkpoint, enable_/disable_profiling and
# _logging, truncate_duckdb_logs (they change state, and enable_logging can write files), and query,
# query_table, json_execute_serialized_sql (they run SQL given as a string, which this check cannot see).
READ_TABLE_FUNCTIONS = frozenset({
    "range", "generate_series", "unnest", "repeat", "repeat_row", "summary", "histogram", "histogram_values",
    "json_each", "json_tree", "pg_timezone_names", "icu_calendar_names", "test_all_types", "test_vector_types",
    "duckdb_approx_database_count", "duckdb_columns", "duckdb_connection_count", "duckdb_constraints",
    "duckdb_coordinate_systems", "duckdb_databases", "duckdb_dependencies", "duckdb_extensions",
    "duckdb_external_file_cache", "duckdb_functions", "duckdb_indexes", "duckdb_keywords", "duckdb_log_contexts",
    "duckdb_logs", "duckdb_logs_parsed", "duckdb_memory", "duckdb_optimizers", "duckdb_prepared_statements",
    "duckdb_profiling_settings", "duckdb_schemas", "duckdb_secret_types", "duckdb_sequences", "duckdb_settings",
    "duckdb_table_sample", "duckdb_tables", "duckdb_temporary_files", "duckdb_types", "duckdb_variables", "duckdb_views",
    "pragma_collations", "pragma_database_size", "pragma_metadata_info", "pragma_platform", "pragma_show",
    "pragma_storage_info", "pragma_table_info", "pragma_user_agent", "pragma_version",
    # Files: external access is off, so these read the snapshot at most.
    "glob", "read_blob", "read_text", "read_csv", "read_csv_auto", "read_json", "read_json_auto", "read_json_objects",
    "read_json_objects_auto", "read_ndjson", "read_ndjson_auto", "read_ndjson_objects", "read_parquet", "parquet_scan",
    "parquet_metadata", "parquet_file_metadata", "parquet_full_metadata", "parquet_kv_metadata", "parquet_schema",
    "parquet_bloom_probe", "sniff_csv", "read_duckdb",
})


def checked_reads(sql: str) -> list[duckdb.Statement]:
    """The statements of `sql`, every one checked to only read before any runs; ReaderRefused names
    the first that does not (by its number and kind), so `SELECT 1; COPY ...` runs nothing."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise ReaderRefused(str(error).splitlines()[0]) from None
    if not statements:
        raise ReaderRefused("no SQL statement given")
    for number, statement in enumerate(statements, 1):
        problem = _why_not_a_read(statement)
        if problem:
            where = f"statement {number} of {len(statements)}" if len(statements) > 1 else "the statement"
            raise ReaderRefused(f"{where} was refused, and nothing ran: {problem}; readers run only SELECT (or EXPLAIN of one)")
    return statements


def _why_not_a_read(statement: duckdb.Statement) -> str | None:
    if statement.type == duckdb.StatementType.EXPLAIN:
        explained = _explained(statement.query)
        if explained is None:
            return "an EXPLAIN whose statement cannot be checked"
        inner = duckdb.extract_statements(explained)
        return _why_not_a_read(inner[0]) if len(inner) == 1 else "an EXPLAIN of several statements"
    if statement.type not in READ_STATEMENTS:
        return f"it is {statement.type.name}, which writes or changes settings"
    called = _table_functions(statement.query)
    if called is None:
        return "a SELECT that cannot be checked"
    refused = sorted(called - READ_TABLE_FUNCTIONS)
    if refused:
        return f"it calls {', '.join(refused)}, which {'is' if len(refused) == 1 else 'are'} not known to only read"
    return None


def _explained(query: str) -> str | None:
    """The statement after `EXPLAIN [ANALYZE]`, found by DuckDB's tokenizer (so comments are skipped)."""
    tokens = duckdb.tokenize(query)
    keywords = 1
    if len(tokens) > 2 and query[tokens[1][0]:tokens[2][0]].strip().lower() in ("analyze", "analyse"):
        keywords = 2
    if len(tokens) <= keywords:
        return None
    rest = query[tokens[keywords][0]:]
    try:
        return rest if duckdb.extract_statements(rest) else None
    except duckdb.Error:
        return None  # EXPLAIN (FORMAT ...) and the like: not accepted


def _table_functions(query: str) -> set[str] | None:
    """Names of the table functions a SELECT calls anywhere (subqueries, CTEs, arguments), from DuckDB's
    own parse of it; None if DuckDB cannot serialise it."""
    try:
        with duckdb.connect() as scratch:
            parsed = json.loads(scratch.execute("SELECT json_serialize_sql($q)", {"q": query}).fetchone()[0])
    except duckdb.Error:
        return None
    if parsed.get("error"):
        return None
    found: set[str] = set()
    pending = [parsed]  # a stack, not recursion: a deeply nested query must not hit Python's recursion limit
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if node.get("type") == "TABLE_FUNCTION" and isinstance(node.get("function"), dict):
                found.add(str(node["function"].get("function_name", "")).lower())
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


def open_reader(db_path: Path | str, settings: ReaderSettings | None = None) -> duckdb.DuckDBPyConnection:
    """The snapshot of `db_path`, read-only, with no file, network or extension access and no SET, its
    memory bounded by `settings` and nothing spilled to disk (a reader writes no file, temporary or not)."""
    settings = settings or ReaderSettings()
    snapshot = snapshot_path(db_path)
    if not snapshot.exists():
        # The first run always ends by writing one, so a warehouse without it is still in that run.
        if Path(db_path).exists():
            raise WarehouseError(f"warehouse {str(db_path)!r} has no published snapshot yet: its first run has not finished")
        raise WarehouseError(f"warehouse {str(db_path)!r} does not exist; run `citeline run` first")
    con = connect(snapshot, read_only=True)
    try:
        load_fts(con)  # search's stemmer, loaded before extensions are shut off
        con.execute(f"SET memory_limit = '{settings.memory_limit}'")
        con.execute("SET temp_directory = ''")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def ctrl_c_noted() -> Iterator[threading.Event]:
    """While a reader opens the snapshot and queries it, Ctrl-C sets the event it yields instead of raising
    KeyboardInterrupt; `bounded` reads it. A KeyboardInterrupt raised while a DuckDB call ran in the main
    thread (opening the snapshot, its SETs) could be lost, leaving the query to run to its time limit
    (seen under load); a noted Ctrl-C cannot be."""
    noted = threading.Event()
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield noted
        return
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: noted.set())
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, previous)


def bounded(con: duckdb.DuckDBPyConnection, settings: ReaderSettings, work: Callable[[], T],
            ctrl_c: threading.Event | None = None) -> T:
    """`work()` (queries on `con`, and printing their rows) within the time limit, turning a timeout,
    memory exhaustion and Ctrl-C (raised, or noted in `ctrl_c` by `ctrl_c_noted`) into one-line errors.

    DuckDB has no statement timeout, and while a query runs in DuckDB's C++ the main thread runs no
    Python signal handler, so Ctrl-C would wait for the query. So `work` runs in a thread, and the main
    thread waits on it, interrupting the connection when the time is up or on Ctrl-C.
    """
    ctrl_c = ctrl_c or threading.Event()
    if ctrl_c.is_set():  # pressed while the snapshot was being opened: nothing has run
        raise ReaderInterrupted("interrupted")
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed to the main thread, which raises it
            outcome["error"] = error

    worker = threading.Thread(target=run, name="citeline-reader", daemon=True)
    deadline = time.monotonic() + settings.timeout
    why = None
    worker.start()
    try:
        while worker.is_alive():
            worker.join(min(0.1, max(deadline - time.monotonic(), 0)))
            if ctrl_c.is_set():
                raise KeyboardInterrupt
            if why is None and time.monotonic() >= deadline:
                why = "timeout"
                con.interrupt()
    except KeyboardInterrupt:
        con.interrupt()
        worker.join(5)  # an interrupted query ends at once (a write to a blocked pipe may not: not waited for)
        raise ReaderInterrupted("interrupted") from None
    error = outcome.get("error")
    if error is None:
        return outcome["value"]
    if why == "timeout" and isinstance(error, duckdb.InterruptException):
        raise ReaderLimitReached(f"the query was stopped after {settings.timeout:g} s, the readers' time limit "
                                 f"(raise it with --timeout)") from None
    if isinstance(error, duckdb.OutOfMemoryException):
        raise ReaderLimitReached(f"the query needs more memory than the readers' limit of {settings.memory_limit} "
                                 f"(raise it with --memory-limit)") from None
    if isinstance(error, MemoryError):
        raise ReaderLimitReached("the rows did not fit in memory (lower --max-rows, or use --format csv or json, "
                                 "which print rows as they come)") from None
    raise error
