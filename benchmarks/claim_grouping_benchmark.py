"""Claim grouping at scale: 100,000 statements into claims, then one run's worth more, incrementally.

Builds a synthetic warehouse from a demo warehouse (`make run`'s, or any with `statement_vectors`): the demo
statements copied COPIES times into articles of twelve invented outlets, a day apart per copy, each statement
either repeated word for word (its vector barely moved), reworded (a word dropped and two swapped, its vector
moved by noise of norm 0.15: cosine about 0.99), or a distinct statement (halves of two statements' words, its
vector between theirs and noise), in the shares given. Then, each in a fresh process so its peak memory is its
own (and its CPU seconds, all threads: on a machine shared with other jobs, a fairer measure than its wall
time): the warehouse's claim grouping (`warehouse.claims.update_claims`: SQL reads, grouping, UPDATE, aggregates,
one transaction) over all of them, then over one more copy (3,321 statements), then once more with nothing new.
With --duckdb-probe, also the cosine of 256 statements against every representative in DuckDB
(`list_inner_product` over a cross join) against numpy's matrix product, which is why grouping uses numpy.

    .venv/bin/python benchmarks/claim_grouping_benchmark.py [--demo-db data/citeline.duckdb] [--statements 100000]
        [--distinct-share 0.5] [--duckdb-probe]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warehouse.store import connect  # noqa: E402

OUTLETS = 12
_COPY = """
INSERT INTO articles BY NAME SELECT * REPLACE (
    article_id || $suffix AS article_id, canonical_url || $suffix AS canonical_url,
    coalesce(published_date, CAST(fetched_at AS DATE)) + $copy AS published_date,
    'outlet-' || CAST((hash(article_id) + $copy) % {outlets} AS VARCHAR) AS publisher_id)
FROM demo.articles"""


def _noise(rng: np.random.Generator, n: int, dim: int, norm: float) -> np.ndarray:
    noise = rng.standard_normal((n, dim)).astype(np.float32)
    return norm * noise / np.linalg.norm(noise, axis=1, keepdims=True)


def _unit(vectors: np.ndarray) -> np.ndarray:
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def _variants(texts: list[str], vectors: np.ndarray, rng: np.random.Generator, copy_share: float,
              distinct_share: float) -> tuple[list[str], np.ndarray, list[str]]:
    """One copy of the demo statements: repeated, reworded or distinct, in the shares given."""
    n, dim = vectors.shape
    draw = rng.random(n)
    partners = rng.integers(0, n, n)
    out_texts, kinds = [], []
    out = np.empty_like(vectors)
    for i in range(n):
        words = texts[i].split()
        if draw[i] < copy_share:
            out_texts.append(texts[i])
            out[i] = vectors[i] + _noise(rng, 1, dim, 0.02)[0]
            kinds.append("repeated")
        elif draw[i] < 1 - distinct_share:
            if len(words) > 3:
                del words[int(rng.integers(0, len(words)))]
                a, b = rng.integers(0, len(words), 2)
                words[a], words[b] = words[b], words[a]
            out_texts.append(" ".join(words))
            out[i] = vectors[i] + _noise(rng, 1, dim, 0.15)[0]
            kinds.append("reworded")
        else:
            other = texts[partners[i]].split()
            out_texts.append(" ".join(words[: len(words) // 2 + 1] + other[len(other) // 2:]))
            out[i] = vectors[i] + vectors[partners[i]] + _noise(rng, 1, dim, 0.5)[0]
            kinds.append("distinct")
    return out_texts, _unit(out), kinds


def add_copies(db: Path, demo_db: Path, first: int, copies: int, copy_share: float, distinct_share: float, seed: int) -> int:
    """Copies number first .. first+copies-1 of the demo statements into `db`; the statements added."""
    con = connect(db)
    try:
        con.execute(f"ATTACH '{demo_db}' AS demo (READ_ONLY)")
        base = con.execute("SELECT s.statement_id, s.content, v.vector FROM demo.statements s "
                           "JOIN demo.statement_vectors v USING (statement_id) ORDER BY s.statement_id").to_arrow_table()
        ids, texts = base["statement_id"].to_pylist(), base["content"].to_pylist()
        flat = base["vector"].combine_chunks()
        vectors = flat.values.to_numpy(zero_copy_only=False).reshape(len(ids), flat.type.list_size).astype(np.float32)
        if first == 0:
            con.execute("INSERT INTO sources SELECT * FROM demo.sources")
            con.execute(f"INSERT INTO sources SELECT 'outlet-' || i, 'Outlet ' || i, 'media_outlet', 'benchmark' FROM range({OUTLETS}) t(i)")
        added = 0
        for copy in range(first, first + copies):
            rng = np.random.default_rng(seed + copy)
            suffix = f"~{copy}"
            new_texts, new_vectors, _kinds = _variants(texts, vectors, rng, copy_share, distinct_share)
            con.execute("BEGIN")
            con.execute(_COPY.format(outlets=OUTLETS), {"suffix": suffix, "copy": copy})
            con.register("new_text", pa.table({"statement_id": ids, "content": new_texts}))
            con.execute("INSERT INTO statements BY NAME SELECT s.* REPLACE (s.statement_id || $suffix AS statement_id, "
                        "s.article_id || $suffix AS article_id, n.content AS content) FROM demo.statements s JOIN new_text n USING (statement_id)",
                        {"suffix": suffix})
            dim = new_vectors.shape[1]
            con.register("new_vectors", pa.table({
                "statement_id": [sid + suffix for sid in ids], "encoder_id": ["benchmark"] * len(ids),
                "vector": pa.FixedSizeListArray.from_arrays(pa.array(new_vectors.ravel()), dim)}))
            con.execute(f"INSERT INTO statement_vectors SELECT statement_id, encoder_id, CAST(vector AS FLOAT[{dim}]) FROM new_vectors")
            con.execute("COMMIT")
            con.unregister("new_text")
            con.unregister("new_vectors")
            added += len(ids)
        # Copies of a demo warehouse that was grouped already carry its claim ids: start ungrouped.
        con.execute("UPDATE statements SET claim_id = NULL WHERE claim_id IS NOT NULL AND statement_id LIKE '%~%' "
                    "AND claim_id NOT IN (SELECT claim_id FROM claims)")
        return added
    finally:
        con.close()


def group_once(db: Path) -> dict:
    """One `update_claims` on `db`, timed, with this process's peak memory (run in a fresh process)."""
    from warehouse.claims import update_claims

    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime  # imports not counted
    started = time.perf_counter()
    con = connect(db)
    try:
        update = update_claims(con)
        largest, claims, multi_outlet = con.execute(
            "SELECT max(statements), count(*), count(*) FILTER (WHERE outlets >= 3) FROM claims").fetchone()
    finally:
        con.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"seconds": round(time.perf_counter() - started, 2), "cpu_seconds": round(usage.ru_utime + usage.ru_stime - cpu_before, 2),
            "grouped": update.grouped, "founded": update.founded,
            "recomputed": update.recomputed, "claims": claims, "largest_claim": largest, "claims_in_3_or_more_outlets": multi_outlet,
            "peak_rss_mb": round(usage.ru_maxrss / 1024)}


def _in_fresh_process(db: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--group-only", str(db)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def duckdb_probe(db: Path, queries: int = 256) -> dict:
    """The cosines of `queries` statements against every representative: DuckDB against numpy."""
    con = connect(db)
    try:
        started = time.perf_counter()
        con.execute(f"""SELECT count(*) FROM (SELECT * FROM statement_vectors LIMIT {queries}) q, claims c
            JOIN statement_vectors r ON r.statement_id = c.representative_statement_id
            WHERE list_inner_product(q.vector, r.vector) >= 0.5""").fetchone()
        in_duckdb = time.perf_counter() - started
        table = con.execute("SELECT r.vector FROM claims c JOIN statement_vectors r ON r.statement_id = c.representative_statement_id").to_arrow_table()
        flat = table["vector"].combine_chunks()
        known = flat.values.to_numpy(zero_copy_only=False).reshape(len(table), flat.type.list_size)
        started = time.perf_counter()
        int(((known[:queries] @ known.T) >= 0.5).sum())
        in_numpy = time.perf_counter() - started
    finally:
        con.close()
    return {"queries": queries, "representatives": len(known), "duckdb_seconds": round(in_duckdb, 3), "numpy_seconds": round(in_numpy, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo-db", type=Path, default=Path("data/citeline.duckdb"))
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--copy-share", type=float, default=0.25, help="share of each copy repeated word for word")
    parser.add_argument("--distinct-share", type=float, default=0.5, help="share of each copy made distinct statements")
    parser.add_argument("--seed", type=int, default=27)
    parser.add_argument("--keep", type=Path, help="build the warehouse here and keep it")
    parser.add_argument("--duckdb-probe", action="store_true")
    parser.add_argument("--group-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.group_only:
        print(json.dumps(group_once(args.group_only)))
        return

    with tempfile.TemporaryDirectory() as folder:
        db = args.keep or Path(folder) / "claims-benchmark.duckdb"
        with duckdb.connect(str(args.demo_db), read_only=True) as demo:
            demo_statements = demo.execute("SELECT count(*) FROM statement_vectors").fetchone()[0]
        copies = -(-args.statements // demo_statements)
        started = time.perf_counter()
        built = add_copies(db, args.demo_db, 0, copies, args.copy_share, args.distinct_share, args.seed)
        report: dict = {"statements": built, "copies": copies, "copy_share": args.copy_share, "distinct_share": args.distinct_share,
                        "build_seconds": round(time.perf_counter() - started, 1), "cpus": len(os.sched_getaffinity(0)),
                        "load_average_before": os.getloadavg()}
        report["all_at_once"] = _in_fresh_process(db)
        report["added"] = add_copies(db, args.demo_db, copies, 1, args.copy_share, args.distinct_share, args.seed)
        report["incremental"] = _in_fresh_process(db)
        report["nothing_new"] = _in_fresh_process(db)
        if args.duckdb_probe:
            report["duckdb_probe"] = duckdb_probe(db)
        report["load_average_after"] = os.getloadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
