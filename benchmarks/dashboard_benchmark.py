"""How long each dashboard page takes to render over a big warehouse: first render after a new
snapshot (cache cold), and again (cache warm).

    .venv/bin/python benchmarks/dashboard_benchmark.py                 # builds a 2,000-article warehouse first
    .venv/bin/python benchmarks/dashboard_benchmark.py --db PATH       # an existing warehouse

The warehouse is built by the real flow over benchmarks/pipeline_benchmark.py's N distinct served pages.
Each page runs through Streamlit's AppTest (the server-side render: every query and chart spec) in a
fresh process, so the cache starts cold as after a new snapshot; the search page also renders a search.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

PAGES = ("overview", "statements", "source_profile", "outlets", "echoes", "quality")
TARGET_SECONDS = 2.0


def build_warehouse(n: int) -> Path:
    """A warehouse of N articles, from the real flow over N served pages."""
    from benchmarks.pipeline_benchmark import flow_over_served_pages

    db = Path(tempfile.mkdtemp(prefix="citeline-dashboard-bench-")) / "w.duckdb"
    with flow_over_served_pages(n, db) as run:
        run()
    return db


def render_times(db: Path, page: str) -> dict:
    """Seconds to render `page` cold, then warm (run in its own process)."""
    os.environ["CITELINE_DB"] = str(db)
    from streamlit.testing.v1 import AppTest

    times = []
    at = AppTest.from_string(f"from dashboard import pages\npages.{page}()\n", default_timeout=300)
    for _ in range(2):
        began = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - began)
        assert not at.exception, at.exception
    result = {"page": page, "cold": round(times[0], 2), "warm": round(times[1], 2)}
    if page == "statements":
        began = time.perf_counter()
        at.text_input(key="words").input("government officials said").run()
        result["search"] = round(time.perf_counter() - began, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--page", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.page:
        print(json.dumps(render_times(args.db, args.page)))
        return
    db = args.db or build_warehouse(args.n)
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        articles, statements = con.execute("SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM statements)").fetchone()
    print(f"dashboard render times over {db} ({articles} articles, {statements} statements), each page in a fresh process")
    results = []
    for page in PAGES:
        done = subprocess.run([sys.executable, __file__, "--db", str(db), "--page", page], capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        extra = f", search {result['search']:.2f} s" if "search" in result else ""
        print(f"  {page:<15} cold {result['cold']:5.2f} s   warm {result['warm']:5.2f} s{extra}")
    worst = max(max(r["cold"], r.get("search", 0)) for r in results)
    print(f"target: every page under {TARGET_SECONDS:.0f} s: {'met' if worst <= TARGET_SECONDS else 'NOT met'} (slowest {worst:.2f} s)")
    print(json.dumps({"articles": articles, "statements": statements, "pages": results}))


if __name__ == "__main__":
    main()
