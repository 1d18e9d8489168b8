"""The citeline flow: fetch → extract → attribute → stage → quality gate → publish → snapshot, each a Prefect task."""

from __future__ import annotations

import os
import uuid
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.utilities.annotations import quote

from citeline.core import progress, stage_clock
from citeline.core.disk_full import DiskFull, named_when_full
from citeline.core.workspace import DEFAULT_DB, Workspace, demo_corpus
from extract.collect import fetch_inputs, mark_unchanged, read_local_pages
from extract.extraction import EXTRACTOR_VERSION
from extract.fetch import FetchOutcome, FetchPolicy
from extract.inputs import plan_inputs
from extract.page_reviews import PageReviews, ReviewScan
from extract.pages import ArticleRecord, PageFailure, extract_pages, needs_extraction, with_bodies
from extract.raw_store import RawStore
from flows.batches import MAX_ATTRIBUTED_CHARS, BatchRows, bound_attribution, rows_for_pages
from flows.cluster import ClusterUnavailable
from flows.run_config import RunConfig
from flows.summary import build_summary, publish_artifacts
from transform.engine import ENGINE_VERSION
from transform.model import Statement
from transform.parallel import attribute_texts
from transform.tagger.model import model_id_at
from warehouse.batch_rows import add_page_reviews, fetch_log_row, rows_of_articles, score_check_worthiness, statement_vector_rows
from warehouse.claims import ClaimsUpdate, group_claims
from warehouse.fact_check_matching import MatchReport, match_fact_checks
from warehouse.incremental import PriorState, prior_state
from warehouse.liveness import run_held
from warehouse.recovery import recover_dead_runs
from warehouse.rows import RunRows, RunTally
from warehouse.snapshot import publish_marker, publish_snapshot, snapshot_is_current
from warehouse.staging import record_run
from warehouse.store import PublishResult, audit_run, connect, publish_run, stage_batch
from warehouse.stored_pages import stored_pages


def _unless_disk_full(task, task_run, state) -> bool:
    """Retry a failed task, but not for a full disk: still full 3 s later, it is reported at once."""
    return not isinstance(state.data, DiskFull)


@task(name="fetch pages", retries=1, retry_delay_seconds=5, retry_condition_fn=_unless_disk_full, cache_policy=NONE)
def fetch_task(urls: list[str], policy: FetchPolicy, raw_dir: str, prior: PriorState) -> list[FetchOutcome]:
    """Fetch every URL (feeds expanded), conditionally where an earlier run left validators.

    Per-URL retries live in the fetcher; this task-level retry covers the batch as a whole.
    """
    store = RawStore(Path(raw_dir))
    outcomes = fetch_inputs(urls, policy, store, on_done=lambda o: progress.advance("fetched"), validators=prior.validators)
    mark_unchanged(outcomes, prior, store)
    get_run_logger().info("fetched %d URLs: %s", len(outcomes), dict(Counter(o.outcome for o in outcomes)))
    return outcomes


@task(name="read local pages", cache_policy=NONE)
def read_local_task(paths: list[Path], raw_dir: str, prior: PriorState) -> list[FetchOutcome]:
    store = RawStore(Path(raw_dir))
    outcomes = read_local_pages(paths, store, on_done=lambda o: progress.advance("fetched"))
    mark_unchanged(outcomes, prior, store)
    get_run_logger().info("read %d local pages", len(outcomes))
    return outcomes


@task(name="extract articles", cache_policy=NONE)
def extract_task(outcomes: list[FetchOutcome], raw_dir: str) -> tuple[list[ArticleRecord], list[PageFailure], list[PageReviews]]:
    """Extract a batch of pages, reading each from the raw store (fetching does not keep them in memory),
    and scan each for ClaimReview markup as it is read."""
    scan = ReviewScan()
    articles, failures = extract_pages(outcomes, RawStore(Path(raw_dir)), on_page=scan)
    progress.advance("extracted", len(articles))
    get_run_logger().info("extracted %d articles, %d failed; %d fact-checks on %d pages", len(articles), len(failures),
                          sum(len(page.found.records) for page in scan.pages), len(scan.pages))
    return articles, failures, scan.pages


@task(name="attribute statements", cache_policy=NONE)
def attribute_task(articles: list[ArticleRecord], model: str | None = None) -> list[list[Statement]]:
    """Attribution for a batch of articles: the slow, CPU-bound step, spread over worker processes;
    `model` is the folder of a trained model to stack on the rules. Each article's attributed part only
    (flows.batches.bound_attribution has set it)."""
    results = attribute_texts([a.attributed_text() for a in articles], model=model)
    progress.advance("statements", sum(map(len, results)))
    get_run_logger().info("found %d statements in %d articles", sum(map(len, results)), len(articles))
    return results


@task(name="encode statements", cache_policy=NONE)
def embed_task(rows: RunRows) -> list[dict[str, Any]]:
    """The sentence vector of each of a batch's statements, once, for everything after that reads it. On
    every core: this process's attribution workers are idle while it runs."""
    vectors = statement_vector_rows(rows, threads=len(os.sched_getaffinity(0)))
    get_run_logger().info("encoded %d statements", len(vectors))
    return vectors


@task(name="score check-worthiness", cache_policy=NONE)
def check_worthiness_task(rows: RunRows) -> RunRows:
    """Each statement's check-worthiness from its content and the vector embed_task made, and the batch's
    article claims (its articles' own sentences no statement covers), scored in place."""
    score_check_worthiness(rows)
    get_run_logger().info("scored %d statements and %d article sentences for check-worthiness",
                          len(rows.statements), len(rows.article_claims))
    return rows


@task(name="extract and attribute batch", retries=1, retry_delay_seconds=2, cache_policy=NONE)
def rows_task(pages: list[FetchOutcome], model: str | None = None, max_chars: int = MAX_ATTRIBUTED_CHARS) -> BatchRows:
    """One batch on a Dask worker: its pages (bodies included) in, warehouse rows out. A worker that
    dies mid-batch costs this batch (Dask runs it again on another worker); an error in it, this
    task's retry."""
    result = rows_for_pages(pages, model, max_chars)
    get_run_logger().info("%s: %d articles, %d statements", result.worker, result.extracted, result.statements)
    return result


@task(name="stage batch", retries=2, retry_delay_seconds=3, retry_condition_fn=_unless_disk_full, cache_policy=NONE)
def stage_task(db_path: str, run_id: str, rows: RunRows, first: bool) -> None:
    stage_batch(db_path, run_id, rows, first)


@task(name="quality gate", retries=2, retry_delay_seconds=3, retry_condition_fn=_unless_disk_full, cache_policy=NONE)
def gate_task(db_path: str, run_id: str, fetch_rows: list[dict], failure_rows: list[dict]) -> PublishResult:
    """Validate the run's staged rows with the quality suites (row-level failures quarantined) and, if
    they pass, commit the run to publishing; record its fetch log and failures either way."""
    from expectations.gate import validate_staged

    validate = partial(validate_staged, docs_root=Workspace(db_path).data_docs_root)
    result = audit_run(db_path, run_id, None, fetch_rows, failure_rows, validate)
    logger = get_run_logger()
    if not result.checked:
        logger.info("nothing new staged: quality gate, publish and snapshot skipped")
    elif result.published:
        logger.info("quality gate: %s (%d expectations, %d rows quarantined)",
                    result.verdict.label, result.verdict.evaluated, len(result.verdict.quarantined))
    else:
        logger.error("quality gate failed: %s; published data left unchanged", "; ".join(result.verdict.failures))
    return result


@task(name="publish", retries=2, retry_delay_seconds=3, retry_condition_fn=_unless_disk_full, cache_policy=NONE)
def publish_task(db_path: str, run_id: str) -> None:
    """Publish the run the gate passed, a chunk a transaction (a retry resumes where it stopped)."""
    publish_run(db_path, run_id)
    get_run_logger().info("run published")


@task(name="match fact-checks", retries=1, retry_delay_seconds=3, retry_condition_fn=_unless_disk_full, cache_policy=NONE)
def match_task(db_path: str, run_id: str, matcher: str | None = None) -> MatchReport:
    """Match new statements against every fact-check and new fact-checks against every statement; with
    nothing new, one query and no model (it also finishes what a run that died while matching left).
    `matcher`: the folder of a matcher trained with `citeline train-matcher` (None: the default one); runs,
    reprocesses and imports should use the same one, as the rows of another matcher are matched again."""
    trained = None
    if matcher:  # imported only then: the reranker pulls in the index and scikit-learn, which a step with
        # nothing new never needs
        from transform.matching.reranker import load_matcher

        trained = load_matcher(matcher)
    report = match_fact_checks(db_path, run_id, trained)
    if report.changed:
        get_run_logger().info("matched %d statements and %d fact-checks (%d encoded): %d matches kept, %d above the "
                              "threshold, %d stale removed", report.statements, report.fact_checks, report.encoded,
                              report.matches, report.matched, report.removed)
    return report


@task(name="group claims", retries=1, retry_delay_seconds=3, retry_condition_fn=_unless_disk_full, cache_policy=NONE)
def claims_task(db_path: str) -> ClaimsUpdate:
    """Group the published statements not yet in a claim (new, or of republished articles) into claims, and
    bring the changed claims' rows up to date; returns at once, reading no vector, when there are none."""
    with stage_clock.timed("claims"):
        update = group_claims(db_path)
    if update.changed:
        get_run_logger().info("claims: %d statements grouped, %d claims founded, %d dissolved, %d rows written",
                              update.grouped, update.founded, update.dissolved, update.recomputed)
    return update


@task(name="snapshot", cache_policy=NONE)
def snapshot_task(db_path: str) -> None:
    """Swap in the readers' snapshot of the warehouse (dashboards, `citeline query`)."""
    with stage_clock.timed("snapshot"):
        publish_snapshot(db_path)


def load(db_path: str, run_id: str, fetch_rows: list[dict], failure_rows: list[dict]) -> PublishResult:
    """The gate, then the publish, of a run whose batches are staged: as the flow loads (benchmarks)."""
    result = gate_task(db_path, run_id, fetch_rows, failure_rows)
    if result.pending:
        publish_task(db_path, run_id)
    return result


def _run_id() -> str:
    from prefect.runtime import flow_run

    return str(flow_run.id or uuid.uuid4())


def _dask_runner():
    """This flow run's DaskTaskRunner, or None when its tasks run in this process."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    runner = context.task_runner if context else None
    return runner if type(runner).__module__.startswith("prefect_dask") else None


def flow_for(config: RunConfig):
    """`citeline_run` with the task runner `config` asks for: Dask's when it names a scheduler. Prefect
    fixes a flow's task runner before any parameter is read, so it is chosen here, not in the flow."""
    if not config.scale.dask_address:
        return citeline_run
    from flows.cluster import dask_task_runner

    return citeline_run.with_options(task_runner=dask_task_runner(config.scale.dask_address))


@flow(name="citeline-run", log_prints=True)
def citeline_run(config: RunConfig = RunConfig()) -> dict[str, Any]:
    """Run the whole pipeline over `config.inputs` (the bundled demo corpus when empty); returns the run summary."""
    if config.scale.dask_address and _dask_runner() is None:
        # A deployment or a direct call: running here instead would quietly ignore the setting.
        raise ClusterUnavailable(f"scale.dask_address is {config.scale.dask_address!r} but this flow run's task runner is not "
                                 "Dask; start it with flows.pipeline.flow_for(config) (as `citeline run` does)")
    started = datetime.now(UTC)
    stage_clock.start_run()
    run_id = _run_id()
    inputs = list(config.inputs or [str(demo_corpus())])
    plan = plan_inputs(inputs)
    db_path = config.db
    raw_dir = str(Workspace(config.db_path).raw_dir)
    policy = config.fetch.policy()
    model = config.attribution.model
    prior = prior_state(db_path, EXTRACTOR_VERSION, ENGINE_VERSION, model_id_at(model))
    outcomes: list[FetchOutcome] = []
    with stage_clock.timed("fetch"):
        if plan.pages:
            outcomes += read_local_task(plan.pages, raw_dir, prior)
        if plan.urls:
            outcomes += fetch_task(plan.urls, policy, raw_dir, prior)
    return process_and_publish(run_id, started, inputs, outcomes, db_path, config.batch_size, model,
                               config.attribution.max_chars, config.matcher)


def process_and_publish(
    run_id: str, started: datetime, inputs: list[str], outcomes: list[FetchOutcome], db_path: str, batch_size: int,
    model: str | None = None, max_chars: int = MAX_ATTRIBUTED_CHARS, matcher: str | None = None,
) -> dict[str, Any]:
    """Extract, attribute and stage the pages in batches, then gate, publish, record and snapshot the run.

    Only what changed costs time: batches with no new article stage nothing, and a run that staged
    nothing skips the gate (and its Great Expectations import) and the publish, and the snapshot
    rewrite too unless the snapshot is behind the warehouse's last publish. The run is marked live
    for its length (warehouse.liveness), and first clears what runs whose processes died left behind.
    """
    with run_held(db_path, run_id):
        recovery = recover_dead_runs(db_path, run_id)
        if recovery.staged_runs_cleared or recovery.runs_recorded or recovery.temp_bytes_removed:
            get_run_logger().warning(
                "cleared after runs whose processes died: staged rows of %d run(s), %d published run(s) given their "
                "runs row, %d bytes of temporary files", len(recovery.staged_runs_cleared), len(recovery.runs_recorded),
                recovery.temp_bytes_removed)
        return _process_and_publish(run_id, started, inputs, outcomes, db_path, batch_size, model, max_chars, matcher)


def _process_and_publish(
    run_id: str, started: datetime, inputs: list[str], outcomes: list[FetchOutcome], db_path: str, batch_size: int,
    model: str | None, max_chars: int, matcher: str | None,
) -> dict[str, Any]:
    model_id = model_id_at(model)
    runner = _dask_runner()
    staged = _stage_batches(run_id, outcomes, db_path, batch_size, model, model_id, runner, max_chars)
    result = gate_task(db_path, run_id, quote([fetch_log_row(o) for o in outcomes]), quote([f.row() for f in staged.failures]))
    if result.pending:
        publish_task(db_path, run_id)
    with stage_clock.timed("match"):
        matching = match_task(db_path, run_id, matcher)
    claims = claims_task(db_path)
    summary = build_summary(run_id, started, inputs, outcomes, staged.failures, staged.tally, result, db_path, staged.extracted,
                            model_id, ENGINE_VERSION)
    summary["run"].update(matching.run_fields())
    summary["timings"] = summary["run"]["stage_seconds"] = stage_clock.take()
    marker = _record(db_path, summary["run"])  # before the snapshot, so readers see the run that published it
    snapshot = Workspace(db_path).snapshot
    if result.checked or matching.changed or claims.changed or not snapshot_is_current(db_path, marker):
        snapshot_task(db_path)
        summary["timings"]["snapshot"] = stage_clock.take()["snapshot"]
        _record(db_path, summary["run"])  # its time, in the warehouse's row (the snapshot's row lacks only that)
    summary["snapshot_path"] = str(snapshot)
    if runner:
        summary["cluster_batches"] = staged.cluster_batches
    publish_artifacts(summary, staged.tally, result)
    return summary


@dataclass
class _Staged:
    """What staging a run's batches gave: counts of what was staged, the pages extraction failed on."""

    tally: RunTally = field(default_factory=RunTally)
    failures: list[PageFailure] = field(default_factory=list)
    extracted: int = 0
    batches: int = 0  # batches staged (the first clears what an earlier attempt of the run left)
    cluster_batches: list[dict[str, Any]] = field(default_factory=list)


def _stage_batches(run_id: str, outcomes: list[FetchOutcome], db_path: str, batch_size: int, model: str | None,
                   model_id: str | None, runner, max_chars: int) -> _Staged:
    """Slice the fetch outcomes into batches of `batch_size` pages, extract and attribute each (here, or on
    the Dask cluster of `runner`) and stage its rows at once, so a run's memory does not grow with its size."""
    staged = _Staged()
    raw_dir = str(Workspace(db_path).raw_dir)
    batches = [outcomes[start : start + batch_size] for start in range(0, len(outcomes), batch_size)]
    batches = [batch for batch in batches if any(needs_extraction(o) for o in batch)]
    processed = (_on_cluster(batches, raw_dir, runner, staged.cluster_batches, model, max_chars) if runner
                 else _in_this_process(batches, raw_dir, model, model_id, max_chars))
    for rows, batch_failures, extracted in processed:
        staged.failures += batch_failures
        staged.extracted += extracted
        if not (rows.articles or rows.fact_checks or rows.fact_check_issues):
            continue
        with stage_clock.timed("stage"):
            # Quoted: Prefect otherwise walks every row dict of a parameter looking for futures (about
            # 3.8 s a batch of 500 articles, 15 of the stage's 16 s at N = 2,000).
            stage_task(db_path, run_id, quote(rows), first=staged.batches == 0)
        staged.tally.add(rows)
        staged.batches += 1
    return staged


def _in_this_process(batches: list[list[FetchOutcome]], raw_dir: str, model: str | None,
                     model_id: str | None, max_chars: int) -> Iterator[tuple[RunRows, list[PageFailure], int]]:
    """Each batch's rows, failures and articles extracted, extracted here and attributed by this
    machine's worker processes (transform.parallel)."""
    for batch in batches:
        with stage_clock.timed("extract"):
            articles, batch_failures, page_reviews = extract_task(batch, raw_dir)
        rows = RunRows()
        bound_attribution(articles, max_chars)
        if articles:
            with stage_clock.timed("attribute"):
                rows = rows_of_articles(articles, attribute_task(articles, model), ENGINE_VERSION, model_id)
            with stage_clock.timed("embed"):
                rows.statement_vectors = embed_task(quote(rows))
            with stage_clock.timed("check_worthiness"):
                rows = check_worthiness_task(quote(rows))
        add_page_reviews(rows, page_reviews)
        yield rows, batch_failures, len(articles)


def _on_cluster(batches: list[list[FetchOutcome]], raw_dir: str, runner, log: list[dict[str, Any]],
                model: str | None, max_chars: int) -> Iterator[tuple[RunRows, list[PageFailure], int]]:
    """The same, each batch a task on the Dask cluster, in order. A few batches per worker thread are in
    flight at once, so workers never wait on this process and its memory holds only those pages; while
    they work, this process stages what came back. On a cluster, `extract` and `attribute` count worker
    seconds (summed over workers) and `cluster` this process's wait for results."""
    store = RawStore(Path(raw_dir))
    in_flight = max(2, 2 * sum(runner.client.nthreads().values()))
    pending: deque = deque()
    queued = iter(batches)

    def submit() -> bool:
        batch = next(queued, None)
        if batch is None:
            return False
        pages, missing = with_bodies(batch, store)
        pending.append((rows_task.submit(pages, model, max_chars), missing))
        return True

    while len(pending) < in_flight and submit():
        pass
    while pending:
        future, missing = pending.popleft()
        with stage_clock.timed("cluster"):
            result: BatchRows = future.result()
        submit()
        for stage in ("extract", "attribute", "embed", "check_worthiness"):
            stage_clock.add(stage, result.seconds[stage])
        log.append({"worker": result.worker, "articles": result.extracted, "statements": result.statements, **result.seconds})
        progress.advance("extracted", result.extracted)
        progress.advance("statements", result.statements)
        yield result.rows, missing + result.failures, result.extracted


def _record(db_path: str, run: dict[str, Any]) -> tuple[Any, ...]:
    """Write the run's row; returns the warehouse's publish marker, to tell whether the snapshot is behind."""
    con = connect(db_path)
    try:
        with named_when_full(db_path):
            record_run(con, run)
            con.execute("CHECKPOINT")
        return publish_marker(con)
    finally:
        con.close()


@task(name="read stored pages", cache_policy=NONE)
def stored_pages_task(db_path: str, since: date | None, made_by: tuple[str, str, str | None] | None) -> list[FetchOutcome]:
    """Published articles' raw pages from the raw store, as if fetched again: no network; with `made_by`,
    only those another extractor, engine or model made."""
    outcomes = stored_pages(db_path, RawStore(Workspace(db_path).raw_dir), since, made_by)
    get_run_logger().info("read %d stored pages to reprocess", len(outcomes))
    return outcomes


@flow(name="citeline-reprocess", log_prints=True)
def citeline_reprocess(db_path: str = str(DEFAULT_DB), since: date | None = None,
                       batch_size: int = RunConfig.model_fields["batch_size"].default, model: str | None = None,
                       everything: bool = False, max_chars: int = MAX_ATTRIBUTED_CHARS,
                       matcher: str | None = None) -> dict[str, Any]:
    """Re-extract and re-attribute published articles from their stored raw pages (fetched on or after `since`).

    For a new extractor or attribution version, or a trained `model` (a folder) beside the rules (none:
    the rules alone): only the articles that today's extractor, engine and model did not make are redone,
    every one with `everything`. Rows are replaced, never duplicated, and record what made them.
    """
    started = datetime.now(UTC)
    stage_clock.start_run()
    made_by = None if everything else (EXTRACTOR_VERSION, ENGINE_VERSION, model_id_at(model))
    outcomes = stored_pages_task(db_path, since, made_by)
    label = ("reprocess" if everything else "reprocess out of date") + (f" since {since}" if since else "")
    return process_and_publish(_run_id(), started, [label], outcomes, db_path, batch_size, model, max_chars, matcher)
