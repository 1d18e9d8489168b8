"""Peak memory and wall time of `citeline query` printing a large result, as a user runs it.

    .venv/bin/python benchmarks/reader_benchmark.py                    # 50,000,000 rows as CSV
    .venv/bin/python benchmarks/reader_benchmark.py --rows 5000000

Readers stream rows from DuckDB in chunks, so printing every row of `range(N)` should take about the
memory of printing the first ten thousand. Each measurement is a fresh `citeline query` process (its
max RSS, from the kernel, via wait4), over a real warehouse and snapshot made by the store; output goes
to /dev/null.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def measure(args: list[str]) -> tuple[int, float, float]:
    """(exit status, seconds, peak RSS in MB) of one `citeline` process."""
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.execv(str(Path(sys.executable).with_name("citeline")), ["citeline", *args])
    _pid, status, usage = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), time.perf_counter() - started, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    options = parser.parse_args()
    from warehouse.snapshot import publish_snapshot
    from warehouse.store import connect

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "w.duckdb"
        connect(db).close()
        publish_snapshot(db)
        sql = f"SELECT * FROM range({options.rows})"
        for label, extra in (("default row cap", []), ("every row (--max-rows 0)", ["--max-rows", "0", "--timeout", "3600"])):
            status, seconds, peak = measure(["query", "--db", str(db), "--format", "csv", *extra, sql])
            print(f"{label:<26} exit {status}  {seconds:7.1f} s  peak RSS {peak:7.0f} MB", flush=True)
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
