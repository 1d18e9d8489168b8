"""`citeline search`, `query`, `compact` and `dashboard`: the published warehouse, read or maintained."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from citeline.cli.common import UsageError


def cmd_search(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    if args.limit < 1:
        raise UsageError(f"--limit must be 1 or more, not {args.limit}")
    if not args.words.strip():
        raise UsageError("give some words to search for")
    settings = _reader_settings(args)
    try:
        from warehouse.readers import bounded, ctrl_c_noted, open_reader
        from warehouse.search import search_statements

        with ctrl_c_noted() as ctrl_c:
            con = open_reader(args.db, settings)
            try:
                hits = bounded(con, settings, lambda: search_statements(con, args.words, args.limit), ctrl_c)
            finally:
                con.close()
    except KeyboardInterrupt:
        from warehouse.readers import ReaderInterrupted

        raise ReaderInterrupted("interrupted") from None
    if not hits:
        print(f"no published statement matches {args.words!r}", file=sys.stderr)
        return 1
    table = Table("score", "speaker", "outlet", "date", "statement", title=f"statements matching {args.words!r}")
    for score, speaker, outlet, day, content, _url in hits:
        table.add_row(f"{score:.3f}", speaker, outlet or "", str(day or ""), content)
    Console().print(table)
    return 0


FETCH_ROWS = 2048  # rows fetched from DuckDB at a time: the result is never held whole in Python


def cmd_query(args: argparse.Namespace) -> int:
    settings = _reader_settings(args)
    try:
        import duckdb

        from warehouse.readers import bounded, checked_reads, ctrl_c_noted, open_reader

        statements = checked_reads(args.sql)  # before the snapshot is opened: refused SQL touches nothing
        with ctrl_c_noted() as ctrl_c:
            con = open_reader(args.db, settings)
            try:
                printed, more = bounded(con, settings, lambda: _print_rows(_run_all(con, statements), args.format, settings.max_rows),
                                        ctrl_c)
            except duckdb.Error as error:
                print(f"citeline query: {error}", file=sys.stderr)
                return 2
            finally:
                con.close()
    except KeyboardInterrupt:
        from warehouse.readers import ReaderInterrupted

        raise ReaderInterrupted("interrupted") from None
    except BrokenPipeError:
        # The reader of our output (`| head`) has what it wanted: no traceback, and the status of a
        # process ended by SIGPIPE. Stdout goes to /dev/null so the exit's flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13
    if more:
        print(f"citeline query: printed the first {printed:,} rows; the rest were cut "
              f"(--max-rows N prints more, --max-rows 0 all)", file=sys.stderr)
    return 0


def _run_all(con, statements):
    """Run the (checked) statements in order; the last one's result is the one printed."""
    for statement in statements:
        cursor = con.execute(statement)
    return cursor


def _print_rows(cursor, fmt: str, max_rows: int) -> tuple[int, bool]:
    """Print the rows of `cursor` in `fmt`, chunk by chunk, at most `max_rows` (0: all); (rows printed,
    whether any were left)."""
    import csv

    columns = [d[0] for d in cursor.description or []]
    table = writer = None
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
    elif fmt == "table":
        from rich.table import Table

        table = Table(*columns)
    printed, more = 0, False
    while True:
        want = FETCH_ROWS if not max_rows else min(FETCH_ROWS, max_rows - printed + 1)
        rows = cursor.fetchmany(want) if columns else []
        if max_rows and printed + len(rows) > max_rows:
            rows, more = rows[: max_rows - printed], True
        if writer is not None:
            writer.writerows(rows)
        elif table is not None:
            for row in rows:
                table.add_row(*("" if v is None else str(v) for v in row))
        else:
            for row in rows:
                print(json.dumps(dict(zip(columns, row)), ensure_ascii=False, default=str))
        printed += len(rows)
        if more or len(rows) < want:
            break
    if table is not None:
        from rich.console import Console

        Console().print(table)
    return printed, more


def _reader_settings(args: argparse.Namespace):
    """The reader's bounds: ReaderSettings' defaults with the flags given on top; a bad value is one line naming its flag."""
    from pydantic import ValidationError

    from warehouse.readers import ReaderSettings

    given = {name: getattr(args, name) for name in ReaderSettings.model_fields if getattr(args, name, None) is not None}
    try:
        return ReaderSettings(**given)
    except ValidationError as error:
        item = error.errors()[0]
        name = str(item["loc"][0])
        raise UsageError(f"--{name.replace('_', '-')}: {item['msg']} (got {item['input']!r})") from None


def cmd_compact(args: argparse.Namespace) -> int:
    from warehouse.compaction import compact, table_storage
    from warehouse.snapshot import publish_snapshot
    from warehouse.store import WarehouseError, connect

    if not args.db.exists():
        raise WarehouseError(f"warehouse {str(args.db)!r} does not exist")
    con = connect(args.db)
    try:
        rewritten = compact(con, force=args.all)
        after = {storage.table: table_storage(con, storage.table) for storage in rewritten}
    finally:
        con.close()
    if rewritten:
        publish_snapshot(args.db)
    for storage in rewritten:
        now = after[storage.table]
        print(f"{storage.table}: row groups {storage.row_groups} -> {now.row_groups}; "
              f"rows stored {storage.stored_rows:,} -> {now.stored_rows:,} ({now.live_rows:,} alive)")
    if not rewritten:
        print("nothing to compact: no published table is fragmented (--all rewrites them anyway)")
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    from importlib import resources

    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, not {args.port}")
    app = Path(str(resources.files("dashboard").joinpath("app.py")))
    env = {**os.environ, "CITELINE_DB": str(args.db.resolve())}
    print(f"citeline dashboard: http://{args.host}:{args.port}/ over {args.db} (Ctrl-C stops it)", file=sys.stderr, flush=True)
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.address", args.host, "--server.port", str(args.port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false", "--global.developmentMode", "false",
               "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"]
    # Become the Streamlit server (exec, not a child): a signal to `citeline dashboard` (Ctrl-C, a
    # supervisor's SIGTERM) reaches the server itself, and no orphan is left serving.
    sys.stdout.flush()
    os.execve(sys.executable, command, env)
    return 0  # not reached
