"""One `citeline run` over a sitemap index of 1,000 sitemaps x 50,000 URLs: its wall time and peak memory.

    .venv/bin/python benchmarks/sitemap_flood.py                       # the run's default caps
    .venv/bin/python benchmarks/sitemap_flood.py --sitemaps 100 --urls-each 5000 -- --max-urls 500

The index and its sitemaps (about 3 MB each) are made on request by a server on 127.0.0.1; every article
URL they name answers 404 at once, so the run's time is reading sitemaps and fetching, not extraction.
Before the caps, this index climbed to 7.6 GB in 262 s with no article fetched. Arguments after `--` go
to `citeline run`. The run is a new process, measured by GNU time (`--allow-private-hosts`).
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

from tests.hostile_server import HostileServer, page  # noqa: E402

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sitemaps", type=int, default=1000)
    parser.add_argument("--urls-each", type=int, default=50_000)
    parser.add_argument("run_args", nargs="*", help="more `citeline run` arguments (after --)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="citeline-sitemaps-"))
    with HostileServer("127.0.0.1", {}) as site:
        locs = "".join(f"<sitemap><loc>{site.url(f'/sitemap-{i}.xml')}</loc></sitemap>" for i in range(args.sitemaps))
        site.routes["/index.xml"] = page(f'<?xml version="1.0"?><sitemapindex xmlns="{NS}">{locs}</sitemapindex>'.encode(), "application/xml")
        for i in range(args.sitemaps):
            def sitemap(handler, i=i):
                urls = "".join(f"<url><loc>{site.url(f'/a/{i}/{j}.html')}</loc></url>" for j in range(args.urls_each))
                page(f'<?xml version="1.0"?><urlset xmlns="{NS}">{urls}</urlset>'.encode(), "application/xml")(handler)
            site.routes[f"/sitemap-{i}.xml"] = sitemap
        began = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "peak_kb=%M", str(PROJECT / ".venv" / "bin" / "citeline"), "run", site.url("/index.xml"),
                               "--db", str(work / "w.duckdb"), "--allow-private-hosts", "--per-host-delay", "0", *args.run_args],
                              cwd=PROJECT, capture_output=True, text=True, env={**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"})
        seconds = time.perf_counter() - began
        sitemaps_read = sum(1 for path in site.hits if path.startswith("/sitemap-"))
        pages = sum(n for path, n in site.hits.items() if path.startswith("/a/"))
    if "peak_kb=" not in done.stderr:
        sys.exit(f"citeline run exited {done.returncode}:\n{done.stderr[-3000:]}")
    peak_mb = int(done.stderr.rsplit("peak_kb=", 1)[1].split()[0]) / 1024
    import duckdb

    with duckdb.connect(str(work / "w.duckdb"), read_only=True) as con:
        capped = con.execute("SELECT url, error_class, error FROM fetch_log WHERE error_class IN ('sitemap_cap', 'url_cap') ORDER BY url").fetchall()
        logged = con.execute("SELECT count(*) FROM fetch_log").fetchone()[0]
    print(f"index of {args.sitemaps:,} sitemaps x {args.urls_each:,} URLs: {seconds:.1f} s wall, peak memory {peak_mb:.0f} MB, "
          f"exit {done.returncode}; {sitemaps_read} sitemaps read, {pages:,} article URLs fetched, {logged:,} fetch_log rows "
          f"(load average {os.getloadavg()[0]:.1f})")
    for url, error_class, error in capped[:5]:
        print(f"  {error_class:<12} {url.rsplit('/', 1)[1]}: {error}")
    print(json.dumps({"seconds": round(seconds, 1), "peak_mb": round(peak_mb), "exit": done.returncode, "sitemaps_read": sitemaps_read,
                      "pages_fetched": pages, "capped_rows": len(capped)}))


if __name__ == "__main__":
    main()
