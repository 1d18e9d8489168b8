"""Fact-check matching speed and memory: statements/s against the ~10,400 CheckThat! 2020 verified claims with
their vectors precomputed, peak RSS, and the same at 100,000 claims (synthetic copies).

    .venv/bin/python benchmarks/match_benchmark.py [../shared/checkthat2020] [--statements 800] [--scale 100000]

One process, as a user runs it, one onnxruntime thread (the project's default). Statements are the split's
800 tweets, cleaned as a run would; the claim vectors come from the content-hash cache that `citeline
match-eval` fills (computed here the first time). Two rates: matching alone, given the statements' vectors (a
run embeds its statements once, for check-worthiness too), and end to end with encoding the statements.
The synthetic 100,000 are the real claims repeated with a counter appended (so BM25's vocabulary and
document lengths stay realistic) and their vectors jittered and re-normalised (so no two are identical).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=PROJECT.parent / "shared" / "checkthat2020")
    parser.add_argument("--statements", type=int, default=800)
    parser.add_argument("--scale", type=int, default=100_000, help="claims in the synthetic index (0: skip)")
    args = parser.parse_args()

    import numpy as np

    from evaluation.match_eval import claim_vectors, read_eval_set
    from transform.encoder import get_encoder
    from transform.matching import ClaimIndex, FactCheckClaim

    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} on {os.cpu_count()} cores")
    data = read_eval_set(args.folder, "train")
    statements = list(data.queries.values())[:args.statements]
    claims = [FactCheckClaim(c.claim_id, c.claim, c.title) for c in data.claims]
    started = time.perf_counter()
    vectors = claim_vectors(data.claims)
    print(f"claim vectors for {len(claims)} claims: {time.perf_counter() - started:.1f} s (cache or encoder)")
    started = time.perf_counter()
    index = ClaimIndex(claims, *vectors)
    print(f"index ({len(claims)} claims: BM25 weights, vectors held): {time.perf_counter() - started:.2f} s, "
          f"{index.nbytes / 2**20:.0f} MB of vectors and weights, process RSS {rss_mb():.0f} MB")

    encoder = get_encoder()
    encoder.encode(["warm-up"])
    print(f"encoder loaded: RSS {rss_mb():.0f} MB")
    index.search(statements[:10])  # warm-up: encoder session and BM25 paths
    # Wall-clock and CPU time both: other jobs share the cores, so the CPU rate is the steadier figure.
    started, cpu = time.perf_counter(), time.process_time()
    statement_vectors = index.encode_statements(statements)
    encoding, encoding_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    index.search(statements, statement_vectors)
    matching, matching_cpu = time.perf_counter() - started, time.process_time() - cpu
    n = len(statements)
    print(f"{n} statements x {len(claims)} claims: matching given vectors {n / matching:,.0f} statements/s "
          f"({matching * 1000 / n:.2f} ms each; {n / matching_cpu:,.0f} per CPU-s); encoding {n / encoding:,.0f} "
          f"statements/s ({n / encoding_cpu:,.0f} per CPU-s); end to end {n / (matching + encoding):,.0f} "
          f"statements/s ({n / (matching_cpu + encoding_cpu):,.0f} per CPU-s)")
    print(f"peak RSS so far {peak_mb():.0f} MB")

    if args.scale:
        rng = np.random.default_rng(0)
        copies = -(-args.scale // len(claims))
        big = [FactCheckClaim(f"{c.claim_id}.{k}", f"{c.claim} {k}", c.title)
               for k in range(copies) for c in claims][:args.scale]
        tiled = []
        for v in vectors:
            t = np.tile(v, (copies, 1))[:args.scale]
            t += 0.01 * rng.standard_normal(t.shape, dtype=np.float32)
            t /= np.linalg.norm(t, axis=1, keepdims=True)
            tiled.append(t)
        del vectors, index
        started = time.perf_counter()
        big_index = ClaimIndex(big, *tiled)
        del tiled
        print(f"\nindex of {len(big):,} synthetic claims: {time.perf_counter() - started:.1f} s, "
              f"{big_index.nbytes / 2**20:.0f} MB of vectors and weights, process RSS {rss_mb():.0f} MB")
        started, cpu = time.perf_counter(), time.process_time()
        big_index.search(statements, statement_vectors)
        matching, matching_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"{n} statements x {len(big):,} claims: matching given vectors {n / matching:,.0f} statements/s "
              f"({matching * 1000 / n:.2f} ms each; {n / matching_cpu:,.0f} per CPU-s); end to end "
              f"{n / (matching + encoding):,.0f} statements/s ({n / (matching_cpu + encoding_cpu):,.0f} per CPU-s)")
        print(f"peak RSS {peak_mb():.0f} MB")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
