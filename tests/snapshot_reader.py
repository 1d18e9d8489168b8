"""A dashboard stand-in: reads the published snapshot in a loop, recording what it saw and how long it took.

Run as a separate process: `python tests/snapshot_reader.py SNAPSHOT OUT.json SECONDS`.
"""

import json
import sys
import time
from pathlib import Path

import duckdb

snapshot, out, seconds = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
seen, errors, slowest = [], [], 0.0
deadline = time.monotonic() + seconds
while time.monotonic() < deadline and not (out.with_suffix(".stop")).exists():
    if not snapshot.exists():
        time.sleep(0.05)
        continue
    started = time.monotonic()
    try:
        with duckdb.connect(str(snapshot), read_only=True) as con:
            state = con.execute(
                """SELECT (SELECT count(*) FROM runs WHERE status = 'published'),
                          (SELECT count(*) FROM statements),
                          (SELECT count(*) FROM statements s WHERE NOT EXISTS
                              (SELECT 1 FROM articles a WHERE a.article_id = s.article_id)),
                          (SELECT count(*) FROM statements s WHERE s.run_id NOT IN (SELECT run_id FROM runs))"""
            ).fetchone()
        seen.append(list(state))
    except Exception as error:  # recorded, and the test fails on any
        errors.append(f"{type(error).__name__}: {error}")
    slowest = max(slowest, time.monotonic() - started)
    time.sleep(0.02)
out.write_text(json.dumps({"seen": seen, "errors": errors, "slowest": slowest}))
