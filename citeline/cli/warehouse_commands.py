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

    from warehouse.readers import open_reader
    from warehouse.search import search_statements

    if args.limit < 1:
        raise UsageError(f"--limit must be 1 or more, not {args.limit}")
    if not args.words.strip():
        raise UsageError("give some words to search for")
    con = open_reader(args.db)
    try:
        hits = search_statements(con, args.words, args.limit)
    finally:
        con.close()
    if not hits:
        print(f"no published statement matches {args.words!r}", file=sys.stderr)
        return 1
    table = Table("score", "speaker", "outlet", "date", "statement", title=f"statements matching {args.words!r}")
    for score, speaker, outlet, day, content, _url in hits:
        table.add_row(f"{score:.3f}", speaker, outlet or "", str(day or ""), content)
    Console().print(table)
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    import csv

    import duckdb

    from warehouse.readers import open_reader

    con = open_reader(args.db)
    try:
        cursor = con.execute(args.sql)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    except duckdb.Error as error:
        print(f"citeline query: {error}", file=sys.stderr)
        return 2
    finally:
        con.close()
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif args.format == "json":
        for row in rows:
            print(json.dumps(dict(zip(columns, row)), ensure_ascii=False, default=str))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        Console().print(table)
    return 0


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
