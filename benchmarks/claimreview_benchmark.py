"""What scanning a page for ClaimReview costs: the shipped path (pre-check, then lxml/json JSON-LD, then
extruct only where itemtype/typeof names ClaimReview) against reading every page in full.

    .venv/bin/python benchmarks/claimreview_benchmark.py              # the 295 demo pages, 3 rounds
    .venv/bin/python benchmarks/claimreview_benchmark.py --rounds 5 --folder DIR

Each approach reads every page of the folder (bytes already in memory), `--rounds` times; the figure is the
best round's mean milliseconds per page (best: the machine is shared, and other jobs only ever add time),
with the median page of that round. extruct is imported only when a page needs it; its import time in a
fresh process is printed too. Also timed on the invented fixture pages that do carry ClaimReviews.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def time_pages(pages: list[bytes], scan: Callable[[bytes], object], rounds: int) -> tuple[float, float]:
    """(mean ms per page, median ms per page) of the best of `rounds` passes over all pages."""
    best: list[float] | None = None
    for _ in range(rounds):
        each = []
        for body in pages:
            started = time.perf_counter()
            scan(body)
            each.append((time.perf_counter() - started) * 1000)
        if best is None or sum(each) < sum(best):
            best = each
    assert best is not None
    return statistics.fmean(best), statistics.median(best)


def import_ms(module: str) -> float:
    """Milliseconds a fresh interpreter takes to import `module` (what each worker process would pay)."""
    code = f"import time; t = time.perf_counter(); import {module}; print((time.perf_counter() - t) * 1000)"
    return float(subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, help="folder of .html pages (default: the demo corpus)")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    import extruct

    from citeline.core.workspace import demo_corpus
    from extract.claimreview import _jsonld_blocks, _parse_html, find_claim_reviews, load_json, mentions_claimreview
    from extract.decode import decode_html

    def plain_jsonld(body: bytes) -> object:
        return [load_json(block) for block in _jsonld_blocks(_parse_html(decode_html(body)))]

    def extruct_all(body: bytes) -> object:
        return extruct.extract(decode_html(body), base_url="https://bench.example/", syntaxes=["json-ld", "microdata", "rdfa"], uniform=True, errors="ignore")

    def extruct_microdata_rdfa(body: bytes) -> object:
        return extruct.extract(decode_html(body), base_url="https://bench.example/", syntaxes=["microdata", "rdfa"], uniform=True, errors="ignore")

    approaches = {
        "shipped: pre-check, then JSON-LD, extruct only where named": lambda body: find_claim_reviews(body, "https://bench.example/"),
        "no pre-check: lxml/json JSON-LD + extruct microdata/RDFa": lambda body: find_claim_reviews(body, "https://bench.example/", precheck=False),
        "plain lxml/json JSON-LD reader alone": plain_jsonld,
        "extruct: json-ld + microdata + rdfa": extruct_all,
        "extruct: microdata + rdfa": extruct_microdata_rdfa,
        "pre-check alone (byte search)": mentions_claimreview,
    }
    folder = options.folder or demo_corpus()
    corpora = {
        f"{folder} ": [path.read_bytes() for path in sorted(folder.glob("*.html"))],
        "fixture pages with ClaimReviews": [path.read_bytes() for path in sorted((PROJECT / "tests" / "fixtures" / "claimreview").glob("*.html"))],
    }
    extruct_all(corpora["fixture pages with ClaimReviews"][0])  # warm imports (rdflib, pyRdfa) outside the timing
    for label, pages in corpora.items():
        size = sum(map(len, pages)) / len(pages) / 1024
        flagged = sum(map(mentions_claimreview, pages))
        print(f"\n{label.strip()}: {len(pages)} pages, mean {size:.0f} KiB, {flagged} name ClaimReview")
        for name, scan in approaches.items():
            mean, median = time_pages(pages, scan, options.rounds)
            print(f"  {name:<62} mean {mean:8.3f} ms/page  median {median:8.3f} ms/page", flush=True)
    for module in ("extract.claimreview", "extruct"):
        print(f"import {module} in a fresh process: {min(import_ms(module) for _ in range(3)):.0f} ms (best of 3)")
    print(f"\nload average (1, 5, 15 min): {' '.join(f'{load:.1f}' for load in os.getloadavg())}; {os.cpu_count()} CPUs shared with other jobs")


if __name__ == "__main__":
    main()
