"""Where the time goes: the real pipeline over N served article pages, its incremental re-run, and a bare loop.

    .venv/bin/python benchmarks/pipeline_benchmark.py            # N = 500 and N = 2000
    .venv/bin/python benchmarks/pipeline_benchmark.py --n 200    # a quick look
    .venv/bin/python benchmarks/pipeline_benchmark.py --dask     # on a LocalCluster of 1, then 2 workers (N = 1000)

Pages are built from the bundled demo corpus, each copy made distinct (own canonical URL, own added
paragraph), and served with ETags from a threaded HTTP server on 127.0.0.1. The server runs in a
process of its own, and each measurement in a fresh subprocess, so a peak memory (max RSS) is the
pipeline's own and does not include the pages being served.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def build_pages(n: int) -> dict[str, bytes]:
    """N distinct pages: demo pages in turn, each with its own canonical URL and an added quoted paragraph."""
    from citeline.core.workspace import demo_corpus

    sources = sorted(demo_corpus().glob("*.html"))
    pages = {}
    for i in range(n):
        html = sources[i % len(sources)].read_text(encoding="utf-8")
        html = re.sub(r'<link rel="canonical" href="([^"]+)">', rf'<link rel="canonical" href="\1?copy={i}">', html)
        extra = f'<p>"Copy {i} of this report differs from every other copy," the benchmark editor said on day {i % 31 + 1}.</p>'
        html = html.replace("</article>", extra + "\n    </article>", 1)
        pages[f"/bench/{i:05d}.html"] = html.encode("utf-8")
    return pages


def page_paths(n: int) -> list[str]:
    return [f"/bench/{i:05d}.html" for i in range(n)]


def serve_forever(n: int) -> None:
    """Build the N pages and serve them until killed; prints the base URL first (runs in its own process)."""
    pages = build_pages(n)
    assert list(pages) == page_paths(n)
    etags = {path: '"' + hashlib.sha256(body).hexdigest()[:16] + '"' for path, body in pages.items()}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = pages.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == etags[self.path]:
                self.send_response(304)
                self.send_header("ETag", etags[self.path])
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("ETag", etags[self.path])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


@contextmanager
def page_server(n: int) -> Iterator[str]:
    """Serve the N pages from a separate process, so their bytes do not count in the pipeline's memory."""
    process = subprocess.Popen([sys.executable, __file__, "--serve", "--n", str(n)], stdout=subprocess.PIPE, text=True)
    try:
        base = process.stdout.readline().strip()
        if not base.startswith("http://"):
            raise RuntimeError(f"benchmark page server did not start (exit code {process.poll()})")
        yield base
    finally:
        process.kill()
        process.wait()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_child_rss_mb() -> float:
    """The largest finished child process (attribution workers; the Prefect server, after it stops)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


@contextmanager
def flow_over_served_pages(n: int, db: Path, **settings) -> Iterator:
    """A `run()` that runs the real flow, in this process, over the N served pages into `db` (with
    `settings`: other RunConfig fields, such as batch_size or scale)."""
    import citeline.core  # noqa: F401  (its environment switches: no telemetry)

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from prefect.testing.utilities import prefect_test_harness

    from flows.pipeline import flow_for
    from flows.run_config import FetchSettings, RunConfig

    with page_server(n) as base, prefect_test_harness(server_startup_timeout=180):
        urls = db.parent / "urls.txt"
        urls.write_text("\n".join(base + path for path in page_paths(n)))
        config = RunConfig(inputs=[str(urls)], db=str(db), fetch=FetchSettings(
            allow_private_hosts=True, respect_robots=False, per_host_delay=0.0), **settings)
        yield lambda: flow_for(config)(config)


def measure_pipeline(n: int) -> dict:
    """The real flow (Prefect, warehouse, quality gate), then the same URLs again."""
    work = Path(tempfile.mkdtemp(prefix="citeline-bench-"))
    with flow_over_served_pages(n, work / "bench.duckdb") as run:
        clock = time.perf_counter()
        first = run()
        first_seconds = time.perf_counter() - clock
        clock = time.perf_counter()
        second = run()
        second_seconds = time.perf_counter() - clock
    from transform import parallel

    workers = parallel._pool_size
    if parallel._pool is not None:
        parallel._pool.shutdown()  # so the workers' peak memory is counted below
    return {
        "workers": workers, "peak_worker_rss_mb": round(peak_child_rss_mb(), 1),
        "n": n, "articles": first["run"]["n_articles"], "statements": first["run"]["n_statements"],
        "seconds": round(first_seconds, 2), "stage_seconds": first["timings"],
        "rerun_seconds": round(second_seconds, 2), "rerun_unchanged": second["run"]["n_unchanged"],
        "rerun_articles": second["run"]["n_articles"], "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def measure_bare_loop(n: int) -> dict:
    """The same work with no orchestration and no warehouse: httpx, trafilatura, attribution, in one loop."""
    import httpx

    from extract.extraction import extract_article
    from transform.engine import attribute

    attribute("Warm-up, so the model load is not timed, the benchmark said.")
    statements = 0
    with page_server(n) as base, httpx.Client() as client:
        clock = time.perf_counter()
        for path in page_paths(n):
            response = client.get(base + path)
            article = extract_article(response.text)
            statements += len(attribute(article.text))
        seconds = time.perf_counter() - clock
    return {"n": n, "seconds": round(seconds, 2), "statements": statements, "peak_rss_mb": round(peak_rss_mb(), 1)}


def _warm_up_worker() -> float:
    """On a Dask worker: load the attribution model (once per worker process); its seconds."""
    from transform.parallel import attribute_texts

    began = time.perf_counter()
    attribute_texts(["Loading the model once per worker, the benchmark said."], workers=1)
    return time.perf_counter() - began


def measure_dask(n: int, workers: int, batch_size: int) -> dict:
    """The real flow with extraction and attribution on a LocalCluster of `workers` single-threaded
    worker processes on 127.0.0.1 (the model loaded in each before the clock starts)."""
    from distributed import Client, LocalCluster

    from flows.run_config import ScaleSettings

    work = Path(tempfile.mkdtemp(prefix="citeline-bench-dask-"))
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster:
        with Client(cluster.scheduler_address, set_as_default=False) as client:
            model_load = client.run(_warm_up_worker)
        scale = ScaleSettings(dask_address=cluster.scheduler_address)
        with flow_over_served_pages(n, work / "bench.duckdb", batch_size=batch_size, scale=scale) as run:
            clock = time.perf_counter()
            summary = run()
            seconds = time.perf_counter() - clock
    per_worker: dict[str, dict[str, float]] = {}
    for batch in summary["cluster_batches"]:
        tally = per_worker.setdefault(batch["worker"], {"extract": 0.0, "attribute": 0.0, "extract_cpu": 0.0, "attribute_cpu": 0.0,
                                                        "articles": 0, "batches": 0})
        for key in ("extract", "attribute", "extract_cpu", "attribute_cpu", "articles"):
            tally[key] += batch[key]
        tally["batches"] += 1
    return {"n": n, "workers": workers, "batch_size": batch_size, "articles": summary["run"]["n_articles"],
            "statements": summary["run"]["n_statements"], "seconds": round(seconds, 2), "stage_seconds": summary["timings"],
            "per_worker": per_worker, "model_load_seconds": sorted(round(s, 2) for s in model_load.values())}


def in_subprocess(kind: str, n: int, *extra: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", kind, "--n", str(n), *extra], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def dask_report(n: int, worker_counts: list[int], batch_size: int) -> None:
    """Articles/s per stage on 1 and 2 workers, and how close 2 workers come to twice one."""
    print(f"citeline on a Dask LocalCluster, N = {n}, batches of {batch_size}, {os.cpu_count()} cores; "
          f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rates: dict[int, dict[str, float]] = {}
    for workers in worker_counts:
        result = in_subprocess("dask", n, "--workers", str(workers), "--batch-size", str(batch_size))
        stages = result["stage_seconds"]
        busiest = {stage: max(w[stage] for w in result["per_worker"].values()) for stage in ("extract", "attribute")}
        load = sum(stages.get(stage, 0.0) for stage in ("gate", "publish")) + stages.get("stage", 0.0)
        rate = {
            "extract": n / busiest["extract"], "attribute": n / busiest["attribute"],
            "load": n / load if load else float("inf"), "end to end": n / result["seconds"],
        }
        rates[workers] = rate
        spread = ", ".join(f"{w['batches']} batches/{w['articles']} articles" for w in result["per_worker"].values())
        print(f"\n{workers} worker{'s' * (workers > 1)} ({spread}; model load {result['model_load_seconds']} s, not timed): "
              f"{result['articles']} articles, {result['statements']} statements, {result['seconds']:.1f} s")
        for stage in ("extract", "attribute"):
            cpu = sum(w[f"{stage}_cpu"] for w in result["per_worker"].values())
            wall = sum(w[stage] for w in result["per_worker"].values())
            print(f"  {stage:<10} {n / rate[stage]:8.2f} s  {rate[stage]:8.1f} articles/s  (busiest worker's seconds; "
                  f"CPU {cpu:.1f} s of {wall:.1f} s worker wall = {100 * cpu / wall:.0f}%, {n / cpu:.1f} articles per CPU-second)")
        print(f"  load       {load:8.2f} s  {rate['load']:8.1f} articles/s  (stage, gate, publish: this process, the one writer)")
        print(f"  waiting    {stages.get('cluster', 0.0):8.2f} s  (this process waiting on the cluster)")
        print(f"  end to end {result['seconds']:8.2f} s  {rate['end to end']:8.1f} articles/s")
    if 1 in rates and 2 in rates:
        print("\nefficiency, 2-worker throughput / (2 x 1-worker throughput):")
        for stage in ("extract", "attribute", "end to end"):
            print(f"  {stage:<10} {rates[2][stage] / (2 * rates[1][stage]):.2f}")
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="corpus sizes (default 500 and 2000)")
    parser.add_argument("--dask", action="store_true", help="run on a Dask LocalCluster of 1, then 2 worker processes")
    parser.add_argument("--workers", type=int, action="append", help="with --dask: worker counts (default 1 and 2)")
    parser.add_argument("--batch-size", type=int, default=125, help="with --dask: articles per batch (default 125)")
    parser.add_argument("--measure", choices=("pipeline", "bare", "dask"), help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = args.n or ([1000] if args.dask else [500, 2000])
    if args.serve:
        serve_forever(sizes[0])
        return
    if args.measure:
        if args.measure == "dask":
            result = measure_dask(sizes[0], args.workers[0], args.batch_size)
        else:
            result = measure_pipeline(sizes[0]) if args.measure == "pipeline" else measure_bare_loop(sizes[0])
        print(json.dumps(result))
        return
    if args.dask:
        for n in sizes:
            dask_report(n, args.workers or [1, 2], args.batch_size)
        return
    print(f"citeline pipeline benchmark on {os.cpu_count()} cores")
    peaks = {}
    for n in sizes:
        pipeline = in_subprocess("pipeline", n)
        peaks[n] = pipeline["peak_rss_mb"]
        bare = in_subprocess("bare", n)
        stages = pipeline["stage_seconds"]
        print(f"\nN = {n}: {pipeline['articles']} articles, {pipeline['statements']} statements")
        stages = {stage: stages.get(stage, 0.0) for stage in ("fetch", "extract", "attribute", "stage", "gate", "publish", "snapshot")}
        stages["load"] = stages["stage"] + stages["gate"] + stages["publish"]
        for stage in ("fetch", "extract", "attribute", "load", "snapshot"):
            rate = n / stages[stage] if stages[stage] else float("inf")
            print(f"  {stage:<10} {stages[stage]:8.2f} s  {rate:8.1f} articles/s" + ("  (stage, gate, publish)" if stage == "load" else ""))
        print(f"  end to end {pipeline['seconds']:8.2f} s  {n / pipeline['seconds']:8.1f} articles/s  (flow incl. Prefect, gate, snapshot)")
        print(f"  bare loop  {bare['seconds']:8.2f} s  {n / bare['seconds']:8.1f} articles/s  -> pipeline / bare = {pipeline['seconds'] / bare['seconds']:.2f}x")
        print(f"  re-run     {pipeline['rerun_seconds']:8.2f} s  ({pipeline['rerun_unchanged']} unchanged, {pipeline['rerun_articles']} re-processed)"
              f"  = {100 * pipeline['rerun_seconds'] / pipeline['seconds']:.1f}% of the first run, in the same process"
              " (benchmarks/rerun_benchmark.py measures re-runs as scheduled: each run its own process)")
        print(f"  peak memory: pipeline {pipeline['peak_rss_mb']:.0f} MB (+ largest child {pipeline['peak_worker_rss_mb']:.0f} MB; "
              f"{pipeline['workers'] or 'no'} attribution workers), bare loop {bare['peak_rss_mb']:.0f} MB")
    if len(peaks) > 1:
        smallest, largest = min(peaks), max(peaks)
        print(f"\npeak memory from N = {smallest} to N = {largest}: {peaks[smallest]:.0f} -> {peaks[largest]:.0f} MB "
              f"({100 * (peaks[largest] / peaks[smallest] - 1):+.1f}%)")


if __name__ == "__main__":
    main()
