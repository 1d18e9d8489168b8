"""One `citeline run` over every hostile page together: its wall time and peak memory.

    .venv/bin/python benchmarks/hostile_run.py

The pages are tests/hostile_server.py's: gzip bombs (a page and a robots.txt), bodies trickled a
byte at a time (a page and a robots.txt), a 1 MB response head, a redirect loop, an oversized page,
a non-HTML file, malformed lines in the URL list, and an ordinary article beside them. Each hostile
robots.txt gets a loopback address of its own (127.0.0.x) so it holds only its own host. The run is
a new process (`--allow-private-hosts`, since every server is on loopback; `--timeout 5`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tests.hostile_server import ARTICLE, HostileServer, gzip_bomb, page, redirect_to, trickle  # noqa: E402


def main() -> None:
    bomb = gzip_bomb(1024 * 1024 * 1024)  # 1 GB of zeros in about 1 MB
    work = Path(tempfile.mkdtemp(prefix="citeline-hostile-"))
    with ExitStack() as stack:
        def host(address: str, routes: dict) -> HostileServer:
            return stack.enter_context(HostileServer(address, routes))

        main_site = host("127.0.0.1", {
            "/robots.txt": page(b"User-agent: *\nAllow: /\n", "text/plain"),
            "/news.html": page(ARTICLE),
            "/bomb.html": page(bomb, encoding="gzip"),
            "/slow.html": trickle(ARTICLE[:600]),
            "/loop": redirect_to("/loop"),
            "/huge.html": page(b"<p>" + b"x" * (20 * 1024 * 1024) + b"</p>"),
            "/report.pdf": page(b"%PDF-1.4", "application/pdf"),
        })
        bombed_robots = host("127.0.0.3", {"/robots.txt": page(bomb, "text/plain", encoding="gzip"), "/news.html": page(ARTICLE)})
        slow_robots = host("127.0.0.4", {"/robots.txt": trickle(b"User-agent: *\nAllow: /\n" * 20, "text/plain"), "/news.html": page(ARTICLE)})

        def huge_head(handler):
            handler.send_response(200)
            handler.send_header("X-Padding", "a" * 1_000_000)
            handler.end_headers()
        head = host("127.0.0.5", {"/robots.txt": page(b"", "text/plain"), "/head.html": huge_head})
        urls = [main_site.url(p) for p in ("/news.html", "/bomb.html", "/slow.html", "/loop", "/huge.html", "/report.pdf")]
        urls += [bombed_robots.url("/news.html"), slow_robots.url("/news.html"), head.url("/head.html"),
                 "http://[::1", "http://127.0.0.1:99999/x.html", "ftp://127.0.0.1/file"]
        listing = work / "urls.txt"
        listing.write_text("\n".join(urls) + "\n")
        began = time.perf_counter()
        # GNU time forks the run from its own small process, so its peak is the run's, not this one's
        # (which holds the bombs it serves); RUSAGE_CHILDREN here would count a fork of this process.
        done = subprocess.run(["/usr/bin/time", "-f", "peak_kb=%M", str(PROJECT / ".venv" / "bin" / "citeline"), "run", str(listing), "--db", str(work / "w.duckdb"),
                               "--allow-private-hosts", "--per-host-delay", "0", "--timeout", "5"],
                              cwd=PROJECT, capture_output=True, text=True, env={**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"})
        seconds = time.perf_counter() - began
    peak_mb = int(done.stderr.rsplit("peak_kb=", 1)[1].split()[0]) / 1024
    if done.returncode not in (0, 1):
        sys.exit(f"citeline run exited {done.returncode}:\n{done.stderr[-3000:]}")
    import duckdb

    with duckdb.connect(str(work / "w.duckdb"), read_only=True) as con:
        outcomes = con.execute("SELECT url, outcome, coalesce(error_class, '') FROM fetch_log ORDER BY url").fetchall()
    print(f"one citeline run over {len(urls)} hostile inputs: {seconds:.1f} s wall, peak memory {peak_mb:.0f} MB "
          f"(largest process: the run, its attribution workers or its temporary Prefect server); exit {done.returncode}")
    for url, outcome, error_class in outcomes:
        print(f"  {outcome:<9} {error_class:<18} {url}")
    print(json.dumps({"seconds": round(seconds, 1), "peak_mb": round(peak_mb), "exit": done.returncode, "fetch_log": outcomes}))


if __name__ == "__main__":
    main()
