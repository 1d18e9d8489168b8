"""Attribution across processes: the parser is CPU-bound and holds the GIL, so big batches use every core."""

from __future__ import annotations

import atexit
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from citeline.core.lifeline import die_with_parent
from transform.engine import attribute_many
from transform.model import Statement

# Below this many texts, starting workers (each loads the spaCy pipeline, ~2 s) costs more than it saves.
MIN_TEXTS_FOR_WORKERS = 150
_pool: ProcessPoolExecutor | None = None
_pool_size = 0


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def _start_worker(parent_pid: int) -> None:
    # First, before the slow model load: a worker whose run was killed must not live on (issue 24).
    die_with_parent(parent_pid)
    _warm_up()


def _warm_up() -> None:
    attribute_many(["Loading the model once per worker, the engine said."]).__next__()


def _attribute_chunk(texts: list[str], model: str | None = None) -> list[list[Statement]]:
    # A worker loads a trained model once, on its first chunk, and keeps it (transform.tagger.model.load_model).
    return list(attribute_many(texts, model=model))


def _shared_pool(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    if _pool is None or _pool_size != workers:
        if _pool is not None:
            _pool.shutdown()
        # spawn, not fork: the parent runs Prefect's threads, which fork would copy mid-flight.
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker, initargs=(os.getpid(),))
        _pool_size = workers
        atexit.register(_pool.shutdown)
    return _pool


def attribute_texts(texts: list[str], workers: int | None = None, model: str | None = None) -> list[list[Statement]]:
    """Statements per text, in order; in worker processes when the batch is big enough to pay for them.
    `model` is the folder of a trained model to stack on the rules (None: the rules alone)."""
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(texts) < MIN_TEXTS_FOR_WORKERS:
        return list(attribute_many(texts, model=model))
    size = max(1, len(texts) // (workers * 4))
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    results: list[list[Statement]] = []
    for chunk_result in _shared_pool(workers).map(_attribute_chunk, chunks, [model] * len(chunks)):
        results.extend(chunk_result)
    return results
