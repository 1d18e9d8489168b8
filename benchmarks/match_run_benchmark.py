"""The warehouse's matching step (warehouse/fact_check_matching.py) at scale: statements/s against the ~10,400
CheckThat! 2020 verified claims stored as fact-checks with their vectors, the index build, a step with nothing
new, new fact-checks against earlier statements, peak RSS; and the same at 100,000 fact-checks.

    .venv/bin/python benchmarks/match_run_benchmark.py [../shared/checkthat2020] [--statements 5000]
        [--fact-checks 10375|100000] [--encode] [--into WAREHOUSE]

One configuration per invocation, so the peak RSS is that configuration's. The fact-checks are the verified
claims (read from ../shared at benchmark time, never committed), repeated with a counter appended and their
vectors jittered and re-normalised beyond 10,375 (synthetic copies, so BM25's vocabulary stays realistic).
Their vectors come from the cache `citeline match-eval` fills and are stored in fact_check_vectors, as a
step leaves them; `--encode` leaves them out, so the first step encodes them (what a first import costs).
Statements are the `train` tweets, cleaned as the matcher cleans them, repeated to --statements with their
vectors jittered; they are inserted as published statements with vectors, as a publish leaves them.
`--into WAREHOUSE` only loads the fact-checks (and their vectors) into that warehouse and stops: to measure
what matching adds to a `citeline run` over the demo corpus.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def peak_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not carried over from the parent across exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def jittered(vectors, copies: int, rng):
    """`vectors` repeated to `copies` rows, every repeat nudged off its original and back to unit length."""
    import numpy as np

    out = np.resize(vectors, (copies, vectors.shape[1])).astype(np.float32)
    repeat = np.arange(copies) >= len(vectors)
    out[repeat] += rng.normal(scale=0.02, size=(int(repeat.sum()), vectors.shape[1])).astype(np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1)


def load_fact_checks(con, claims, vectors, total: int, with_vectors: bool, rng) -> None:
    """`total` fact_checks rows (the claims, then numbered copies) and, `with_vectors`, their stored vectors."""
    import pandas as pd

    from transform.encoder import MODEL_ID

    n = len(claims)
    ids = [f"vclaim-{i}" for i in range(total)]
    texts = [claims[i % n].claim + ("" if i < n else f" ({i // n})") for i in range(total)]
    titles = [claims[i % n].title for i in range(total)]
    frame = pd.DataFrame({"fact_check_id": ids, "claim_reviewed": texts, "review_headline": titles,
                          "verdict": "other", "origin": "checkthat2020"})
    con.register("incoming", frame)
    con.execute("INSERT INTO fact_checks BY NAME SELECT * FROM incoming")
    con.unregister("incoming")
    if with_vectors:
        claim_vectors, title_vectors = (jittered(v, total, rng) for v in vectors)
        empty = [not t.strip() for t in titles]
        title_vectors[empty] = 0
        frame = pd.DataFrame({"fact_check_id": ids, "encoder_id": MODEL_ID, "claim_vector": list(claim_vectors),
                              "headline_vector": list(title_vectors)})
        con.register("incoming", frame)
        con.execute("INSERT INTO fact_check_vectors BY NAME SELECT f.*, md5(coalesce(c.claim_reviewed, '') || chr(10) || "
                    "coalesce(c.review_headline, '')) AS text_md5 FROM incoming f JOIN fact_checks c USING (fact_check_id)")
        con.unregister("incoming")


def load_statements(con, texts, vectors, total: int, rng, prefix: str = "s") -> None:
    """`total` published statements (the tweets, repeated) with their vectors, as a publish leaves them."""
    import pandas as pd

    from transform.encoder import MODEL_ID

    ids = [f"{prefix}-{i}" for i in range(total)]
    frame = pd.DataFrame({"statement_id": ids, "article_id": [f"a-{i // 20}" for i in range(total)],
                          "content": [texts[i % len(texts)] for i in range(total)], "run_id": "bench"})
    con.register("incoming", frame)
    con.execute("INSERT INTO statements BY NAME SELECT * FROM incoming")
    con.unregister("incoming")
    frame = pd.DataFrame({"statement_id": ids, "encoder_id": MODEL_ID, "vector": list(jittered(vectors, total, rng))})
    con.register("incoming", frame)
    con.execute("INSERT INTO statement_vectors BY NAME SELECT * FROM incoming")
    con.unregister("incoming")


def measure(db: Path, statements: int) -> None:
    """The steps, timed: the first (every statement new), one with nothing new, 200 new statements, 100 new
    fact-checks against every earlier statement."""
    from warehouse import fact_check_matching as step
    from warehouse.store import connect

    con = connect(db)
    stored = con.execute("SELECT count(*) FROM fact_check_vectors").fetchone()[0]
    con.close()
    if stored:
        began = time.perf_counter()
        index = step._claim_index(db, None)
        print(f"index from the warehouse: {time.perf_counter() - began:.2f} s, {index.nbytes / 1e6:.0f} MB of vectors "
              f"and BM25 weights; peak RSS {peak_mb():.0f} MB")
        del index

    cpu = time.process_time()
    report = step.match_fact_checks(db, "bench-1")
    cpu = time.process_time() - cpu
    print(f"first step: {report.statements} statements x {report.fact_checks} fact-checks ({report.encoded} encoded) in "
          f"{report.seconds:.1f} s = {report.statements / report.seconds:.0f} statements/s ({cpu:.1f} CPU-s, "
          f"{report.statements / cpu:.0f} per CPU-second); {report.matches} rows kept, {report.matched} above the "
          f"threshold; peak RSS {peak_mb():.0f} MB")

    report = step.match_fact_checks(db, "bench-2")
    print(f"nothing new: {report.seconds * 1000:.0f} ms, index built: {report.indexed}")

    con = connect(db)
    con.execute("INSERT INTO statements SELECT * FROM later")
    con.execute("INSERT INTO statement_vectors SELECT * FROM later_vectors")
    con.close()
    report = step.match_fact_checks(db, "bench-3")
    print(f"{report.statements} new statements: {report.seconds:.1f} s (index build included)")

    con = connect(db)
    con.execute("INSERT INTO fact_checks BY NAME SELECT fact_check_id || '-new' AS fact_check_id, "
                "claim_reviewed || ' (new)' AS claim_reviewed, review_headline, verdict, origin FROM fact_checks LIMIT 100")
    con.close()
    report = step.match_fact_checks(db, "bench-4")
    print(f"{report.fact_checks} new fact-checks against {statements + 200} earlier statements: {report.seconds:.1f} s "
          f"({report.encoded} encoded); peak RSS {peak_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=PROJECT.parent / "shared" / "checkthat2020")
    parser.add_argument("--statements", type=int, default=5_000)
    parser.add_argument("--fact-checks", type=int, default=0, help="fact-checks stored (default: the verified claims)")
    parser.add_argument("--encode", action="store_true", help="store no fact-check vectors: the first step encodes them")
    parser.add_argument("--into", type=Path, help="only load the fact-checks into this warehouse")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the second process: run the steps on it
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.statements)
        return

    import numpy as np

    from evaluation.match_eval import claim_vectors, read_eval_set
    from transform.encoder import encode
    from transform.matching import clean_query
    from warehouse.store import connect

    rng = np.random.default_rng(26)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    data = read_eval_set(args.folder, "train")
    total = args.fact_checks or len(data.claims)
    vectors = claim_vectors(data.claims)
    if args.into:
        con = connect(args.into)
        load_fact_checks(con, data.claims, vectors, total, not args.encode, rng)
        con.close()
        print(f"loaded {total} fact-checks into {args.into}")
        return
    tweets = [clean_query(q) for q in data.queries.values()]
    tweet_vectors = encode(tweets)
    db = Path(tempfile.mkdtemp(prefix="match-run-")) / "w.duckdb"
    con = connect(db)
    load_fact_checks(con, data.claims, vectors, total, not args.encode, rng)
    load_statements(con, tweets, tweet_vectors, args.statements, rng)
    load_statements(con, tweets, tweet_vectors, 200, rng, prefix="later")
    con.execute("CREATE TABLE later AS SELECT * FROM statements WHERE statement_id LIKE 'later-%'")
    con.execute("CREATE TABLE later_vectors AS SELECT * FROM statement_vectors WHERE statement_id LIKE 'later-%'")
    con.execute("DELETE FROM statement_vectors WHERE statement_id LIKE 'later-%'")
    con.execute("DELETE FROM statements WHERE statement_id LIKE 'later-%'")
    con.execute("CHECKPOINT")
    con.close()
    print(f"{total} fact-checks ({'no vectors stored' if args.encode else 'vectors stored'}), {args.statements} statements")
    # The step in a process of its own, so its peak RSS is not the set-up's (which loaded the encoder).
    subprocess.run([sys.executable, __file__, "--measure", str(db), "--statements", str(args.statements)], check=True)
    load = os.getloadavg()
    print(f"load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
