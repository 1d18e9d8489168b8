"""What the warehouse already holds of a set of fact-checks: for an import, to stage only what is new
and to say how much of a dump was already there."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from warehouse.store import connect


def published_fact_check_ids(db_path: Path | str, ids: list[str]) -> set[str]:
    """The `ids` that are published fact_check_ids already (from a page, or an earlier import)."""
    if not ids:
        return set()
    con = connect(db_path)
    try:
        con.register("wanted", pd.DataFrame({"fact_check_id": ids}))
        return {fid for (fid,) in con.execute(
            "SELECT DISTINCT fact_check_id FROM fact_checks WHERE fact_check_id IN (SELECT fact_check_id FROM wanted)").fetchall()}
    finally:
        con.close()


def published_by_run(db_path: Path | str, run_id: str) -> int:
    """Fact-checks the run published (it wrote their row)."""
    con = connect(db_path)
    try:
        return con.execute("SELECT count(*) FROM fact_checks WHERE run_id = ?", [run_id]).fetchone()[0]
    finally:
        con.close()
