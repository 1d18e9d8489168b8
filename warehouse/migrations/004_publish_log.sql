-- Migration 004: runs publish in chunks of articles, one transaction each, so publishing memory does not
-- grow with the run. A run's row here, written before its first chunk, is the point of no return: a
-- publish cut short leaves the row without `finished_at`, and the next writer to open the warehouse
-- finishes it from the rows still staged (readers see the snapshot, taken only after a whole run).
CREATE TABLE IF NOT EXISTS publish_log (
    run_id VARCHAR, started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, chunks INTEGER
);
