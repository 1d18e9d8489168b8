"""What a run's start clears up after runs whose processes died: their staged rows, their missing
`runs` rows, and the temporary files (DuckDB spill files, snapshot copies, raw pages, run locks) no live
process holds (warehouse.liveness)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from citeline.core.workspace import Workspace
from warehouse.liveness import remove_if_dead, run_is_live, runs_dir
from warehouse.publish import ENDED_BEFORE_RECORDING, record_recovered_run
from warehouse.schema import open_file, transaction
from warehouse.snapshot import remove_dead_copies
from warehouse.staging import STAGED_TABLES, clear_staging
from warehouse.store import connect


@dataclass
class Recovery:
    """What a writer's start cleared up after runs whose processes died."""
    staged_runs_cleared: list[str]
    runs_recorded: list[str]
    temp_bytes_removed: int


UNRECORDED_RUNS_SQL = """
SELECT p.run_id FROM publish_log p
WHERE p.finished_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.run_id = p.run_id)"""


def recover_dead_runs(db_path: Path | str, live_run_id: str) -> Recovery:
    """At a run's start: finish any publish cut short (as every writer does), then clear the staged rows
    of runs whose process is gone (killed before publishing: they would stay for good), give each
    published run without a `runs` row its row (killed after publishing, before recording), and delete
    the temporary files killed processes left. A run still alive in another process (it holds its
    lock, see warehouse.liveness) is left alone; so is `live_run_id`, the caller's own."""
    def dead(run_id: str) -> bool:
        return run_id != live_run_id and not run_is_live(db_path, run_id)

    freed = _remove_dead_spill_files(db_path)
    con = connect(db_path)
    try:
        staged = con.execute(" UNION ".join(f"SELECT run_id FROM stg_{t}" for t in STAGED_TABLES)).fetchall()
        cleared = sorted(run_id for (run_id,) in staged if dead(run_id))
        recorded = sorted(run_id for (run_id,) in con.execute(UNRECORDED_RUNS_SQL).fetchall() if dead(run_id))
        if cleared or recorded:
            with transaction(con):
                for run_id in cleared:
                    clear_staging(con, run_id)
                for run_id in recorded:
                    record_recovered_run(con, run_id, ENDED_BEFORE_RECORDING)
        freed += _remove_dead_temp_files(db_path)
    finally:
        con.close()
    return Recovery(cleared, recorded, freed)


def _remove_dead_spill_files(db_path: Path | str) -> int:
    """DuckDB's spill files (`<warehouse>.tmp/`) a killed writer left: DuckDB does not delete them when
    it next opens the file. Only the process holding the warehouse's lock spills into them, so they
    are removed while this process holds it, before it has run anything that could spill."""
    spill_dir = Workspace(db_path).spill_dir
    if not Path(db_path).exists() or not spill_dir.is_dir():
        return 0
    con = open_file(db_path)
    try:
        freed = 0
        for spill in spill_dir.glob("duckdb_temp_*"):
            freed += spill.stat().st_size
            spill.unlink()
        return freed
    finally:
        con.close()


def _remove_dead_temp_files(db_path: Path | str) -> int:
    """Lock files of dead runs, and half-written snapshot copies and raw pages."""
    path = Path(db_path)
    freed = sum(remove_if_dead(lock) for lock in runs_dir(path).glob("*.lock"))
    freed += remove_dead_copies(path)
    freed += sum(remove_if_dead(tmp) for tmp in Workspace(path).raw_dir.glob("*/*.tmp"))
    return freed
