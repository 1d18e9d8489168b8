"""Where the load stage spends its time: staging, the quality gate, publishing and the search index,
over the rows of N real articles, as the flow loads them (batches of 500 staged, then one load).

    .venv/bin/python benchmarks/load_benchmark.py               # N = 2000
    .venv/bin/python benchmarks/load_benchmark.py --n 500 --profile

The rows are made once per N (the benchmark corpus of pipeline_benchmark.py, extracted and
attributed) and kept under the system temp folder, so a measurement times loading only. Each
measurement runs in a fresh process into a new warehouse, through the flow's own Prefect tasks
(`stage batch` per batch, then `quality gate` and `publish` with a fetch-log row per page) in a flow on a
temporary Prefect server, so what Prefect costs per task counts; --repeat loads the same rows again
as a second run into it (every row replaced), the case of a reprocess.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pickle
import pstats
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
BATCH = 500


def rows_file(n: int) -> Path:
    from transform.engine import ENGINE_VERSION

    return Path(tempfile.gettempdir()) / f"citeline-load-rows-{n}-{ENGINE_VERSION}-scored.pickle"


def make_rows(n: int) -> Path:
    """The RunRows batches of N benchmark pages (cached)."""
    target = rows_file(n)
    if target.exists():
        return target
    from benchmarks.pipeline_benchmark import build_pages
    from extract.fetch import FetchOutcome
    from extract.pages import extract_pages
    from transform.engine import ENGINE_VERSION
    from transform.parallel import attribute_texts
    from warehouse.batch_rows import article_row, score_check_worthiness, statement_vector_rows
    from warehouse.rows import RunRows, add_article

    pages = build_pages(n)
    batches = []
    paths = list(pages)
    for start in range(0, n, BATCH):
        outcomes = [FetchOutcome(url=f"http://bench.example{path}", canonical_url=f"http://bench.example{path}", outcome="fetched",
                                 final_url=f"http://bench.example{path}", status=200, body=pages[path], content_type="text/html")
                    for path in paths[start : start + BATCH]]
        articles, _failures = extract_pages(outcomes)
        rows = RunRows()
        for article, statements in zip(articles, attribute_texts([a.text for a in articles])):
            add_article(rows, article=article_row(article), text=article.text, statements=statements, engine_version=ENGINE_VERSION)
        rows.statement_vectors = statement_vector_rows(rows)  # as a batch stages them: the gate wants every score
        score_check_worthiness(rows)
        batches.append(rows)
    target.write_bytes(pickle.dumps(batches))
    return target


def measure(n: int, repeat: bool, profile: bool) -> dict:
    import citeline.core  # noqa: F401  (its environment switches: no telemetry)

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    import warehouse.publish as publish
    from citeline.core import stage_clock

    batches = pickle.loads(rows_file(n).read_bytes())
    db = Path(tempfile.mkdtemp(prefix="citeline-load-")) / "load.duckdb"
    statements: dict[str, float] = defaultdict(float)
    plain = publish.run_script

    def timed_script(con, sql, params):
        # Per statement of the publish scripts, so a slow one is named.
        for statement in sql.split(";"):
            if statement.strip():
                began = time.perf_counter()
                plain(con, statement, params)
                statements[" ".join(statement.split())[:90]] += time.perf_counter() - began

    publish.run_script = timed_script
    from prefect import flow
    from prefect.testing.utilities import prefect_test_harness
    from prefect.utilities.annotations import quote

    from extract.fetch import FetchOutcome
    from flows.pipeline import load, stage_task
    from warehouse.batch_rows import fetch_log_row

    fetch_rows = [fetch_log_row(FetchOutcome(url=a["url"], canonical_url=a["canonical_url"], outcome="fetched", status=200,
                                             final_url=a["final_url"], raw_sha256=a["raw_sha256"], content_type="text/html"))
                  for rows in batches for a in rows.articles]

    @flow(name="load-benchmark")
    def load_only(run_id: str) -> bool:
        # As flows.pipeline.process_and_publish loads: each batch staged by its task, then the gate and the publish.
        with stage_clock.timed("stage"):
            for index, rows in enumerate(batches):
                stage_task(str(db), run_id, quote(rows), first=index == 0)
        return load(str(db), run_id, quote(fetch_rows), quote([])).published

    runs = []
    profiler = cProfile.Profile() if profile else None
    with prefect_test_harness(server_startup_timeout=180):
        for attempt in range(2 if repeat else 1):
            run_id = f"bench-run-{attempt}"
            stage_clock.take()
            began = time.perf_counter()
            if profiler:
                profiler.enable()
            published = load_only(run_id)
            if profiler:
                profiler.disable()
            seconds = time.perf_counter() - began
            assert published
            runs.append({"seconds": round(seconds, 2), "stages": stage_clock.take(),
                         "articles": sum(len(b.articles) for b in batches), "statements": sum(len(b.statements) for b in batches)})
    out = {"n": n, "runs": runs, "slowest_statements": sorted(((round(s, 2), q) for q, s in statements.items()), reverse=True)[:8]}
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative")
        listing = []
        for (filename, line, name), (_cc, _nc, _tt, cumulative, _callers) in sorted(stats.stats.items(), key=lambda item: -item[1][3])[:40]:
            listing.append(f"{cumulative:7.2f} s  {Path(filename).name}:{line} {name}")
        out["profile"] = listing
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--repeat", action="store_true", help="then load the same rows again, replacing them")
    parser.add_argument("--profile", action="store_true", help="print where the time went, by function (cProfile)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.n, args.repeat, args.profile)))
        return
    make_rows(args.n)
    command = [sys.executable, __file__, "--measure", "--n", str(args.n)] + ["--repeat"] * args.repeat + ["--profile"] * args.profile
    result = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
    print(f"citeline load benchmark, N = {args.n}, on {os.cpu_count()} cores (load average {os.getloadavg()[0]:.2f})")
    for index, run in enumerate(result["runs"]):
        stages = run["stages"]
        label = "first load" if index == 0 else "same rows again"
        print(f"  {label}: {run['articles']} articles, {run['statements']} statements: {run['seconds']:.2f} s, "
              f"{run['articles'] / run['seconds']:.1f} articles/s  ("
              + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in stages.items()) + ")")
    print("  slowest publish statements (all runs):")
    for seconds, sql in result["slowest_statements"]:
        print(f"    {seconds:6.2f} s  {sql}")
    for line in result.get("profile", []):
        print("   ", line)


if __name__ == "__main__":
    main()
