"""One `citeline run` over one page whose article is a single 9.9 MB paragraph: wall time and peak memory.

    .venv/bin/python benchmarks/long_page_run.py                 # 9.9 MB, the run's default attribution.max_chars
    .venv/bin/python benchmarks/long_page_run.py --mb 2

The paragraph is the demo corpus's article text run together (every newline a space), repeated to size,
served from 127.0.0.1. Before attribution had a bound, this page extracted in 4 s and was still being
attributed at 586 s (1.46 GB). The run is a new process, measured by GNU time (`--allow-private-hosts`);
the article's row says how much of the text was attributed.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.long_input_benchmark import demo_text, shaped  # noqa: E402
from tests.hostile_server import HostileServer, page  # noqa: E402
from tests.news_server import article_page  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=9.9, help="size of the paragraph in millions of characters")
    args = parser.parse_args()
    paragraph = html.escape(shaped("one line", int(args.mb * 1_000_000), demo_text()), quote=False)
    body = article_page("One endless paragraph", [paragraph]).encode()
    work = Path(tempfile.mkdtemp(prefix="citeline-long-page-"))
    with HostileServer("127.0.0.1", {"/long.html": page(body)}) as site:
        began = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "peak_kb=%M", str(PROJECT / ".venv" / "bin" / "citeline"), "run", site.url("/long.html"),
                               "--db", str(work / "w.duckdb"), "--allow-private-hosts", "--per-host-delay", "0"],
                              cwd=PROJECT, capture_output=True, text=True, env={**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"})
        seconds = time.perf_counter() - began
    if "peak_kb=" not in done.stderr:
        sys.exit(f"citeline run exited {done.returncode}:\n{done.stderr[-3000:]}")
    peak_mb = int(done.stderr.rsplit("peak_kb=", 1)[1].split()[0]) / 1024
    import duckdb

    with duckdb.connect(str(work / "w.duckdb"), read_only=True) as con:
        row = con.execute("""SELECT length(text), attributed_chars, attribution_limit, (SELECT count(*) FROM statements)
                             FROM articles""").fetchone()
        stages = json.loads(con.execute("SELECT stage_seconds FROM runs").fetchone()[0] or "{}")
    length, attributed, limit, statements = row or (0, 0, None, 0)
    print(f"one page of {len(body):,} bytes ({length:,} characters of article text): {seconds:.1f} s wall, peak memory {peak_mb:.0f} MB, "
          f"exit {done.returncode}; {attributed:,} characters attributed ({limit}), {statements:,} statements "
          f"(load average {os.getloadavg()[0]:.1f})")
    print("stage seconds:", {k: round(v, 1) for k, v in stages.items()})
    print(json.dumps({"seconds": round(seconds, 1), "peak_mb": round(peak_mb), "exit": done.returncode, "text_chars": length,
                      "attributed_chars": attributed, "attribution_limit": limit, "statements": statements}))


if __name__ == "__main__":
    main()
