"""The flow on a real Dask cluster (a LocalCluster of two worker processes on 127.0.0.1), over pages
served on 127.0.0.1: it publishes what a run on this machine publishes, a worker killed mid-batch costs
that batch a second go and not the run, and the model loads once per worker."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import duckdb
import pytest

from flows.pipeline import citeline_run, flow_for
from flows.run_config import FetchSettings, RunConfig, ScaleSettings
from tests.news_server import NewsServer

pytestmark = pytest.mark.e2e

PAGES = ("/news/bridge.html", "/news/storm.html", "/news/trade.html", "/go/1", "/news/broken.html",
         "/news/latin1.html", "/news/changing.html", "/news/etag.html", "/missing.html", "/files/report.pdf")
BATCH = 2  # 8 articles: 4 batches over 2 workers, so at least one worker runs two
# Per published table, the columns that differ between two runs of the same input by design.
VARYING = {
    "articles": "run_id, fetched_at, extracted_at", "statements": "run_id", "sources": "first_run_id",
    "statement_sources": None, "failures": "run_id", "quarantine": "run_id, quarantined_at",
    "fetch_log": "run_id, fetched_at, elapsed_ms",
}


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as local:
        yield local


@pytest.fixture(scope="module")
def site():
    with NewsServer() as server:
        yield server


def _config(site, tmp_path, db, address=None) -> RunConfig:
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(site.url(path) for path in PAGES))
    return RunConfig(inputs=[str(urls)], db=str(db), batch_size=BATCH, scale=ScaleSettings(dask_address=address),
                     fetch=FetchSettings(allow_private_hosts=True, respect_robots=False, per_host_delay=0.0))


def _tables(db) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {table: con.execute(f"SELECT * {f'EXCLUDE ({varying})' if varying else ''} FROM {table} ORDER BY ALL").fetchall()
                for table, varying in VARYING.items()}


@pytest.fixture(scope="module")
def local_tables(site, tmp_path_factory, prefect_server):
    tmp = tmp_path_factory.mktemp("local")
    summary = citeline_run(_config(site, tmp, tmp / "local.duckdb"))
    assert summary["run"]["status"] == "published" and summary["run"]["n_articles"] == 8
    return _tables(tmp / "local.duckdb")


def _count_model_loads() -> None:
    """In a worker: count every spaCy pipeline built from now on (loading the model builds one)."""
    import spacy.language

    language = spacy.language.Language
    if not hasattr(language, "_citeline_builds"):
        original = language.__init__

        def counting(self, *args, **kwargs):
            language._citeline_builds += 1
            original(self, *args, **kwargs)

        language.__init__ = counting
    language._citeline_builds = 0


def _model_loads() -> int:
    import spacy.language

    return spacy.language.Language._citeline_builds


def test_a_run_on_the_cluster_publishes_what_a_local_run_publishes(cluster, site, tmp_path, local_tables, prefect_server):
    from distributed import Client

    with Client(cluster.scheduler_address, set_as_default=False) as client:
        client.run(_count_model_loads)
        config = _config(site, tmp_path, tmp_path / "dask.duckdb", cluster.scheduler_address)
        summary = flow_for(config)(config)
        loads = client.run(_model_loads)

    assert summary["run"]["status"] == "published"
    assert _tables(tmp_path / "dask.duckdb") == local_tables
    assert local_tables["statements"] and len(local_tables["fetch_log"]) == len(PAGES)  # it compares something
    ran_on = {batch["worker"] for batch in summary["cluster_batches"]}
    assert len(summary["cluster_batches"]) == 4 and len(ran_on) == 2 and os.getpid() not in {int(w.rsplit(":", 1)[1]) for w in ran_on}
    # Four batches on two workers, yet each worker built its spaCy pipeline once.
    assert sorted(loads.values()) == [1, 1]


def test_a_worker_killed_mid_batch_costs_the_batch_not_the_run(cluster, site, tmp_path, local_tables, prefect_server):
    from distributed import Client

    killed: list[tuple[str, tuple]] = []

    def kill_a_busy_worker() -> None:
        with Client(cluster.scheduler_address, set_as_default=False) as watcher:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                busy = {address: keys for address, keys in watcher.processing().items() if keys}
                if busy:
                    address, keys = next(iter(busy.items()))
                    nanny = next(n for n in cluster.workers.values() if n.worker_address == address)
                    os.kill(nanny.process.pid, signal.SIGKILL)
                    killed.append((address, keys))
                    return
                time.sleep(0.05)

    killer = threading.Thread(target=kill_a_busy_worker, daemon=True)
    killer.start()
    config = _config(site, tmp_path, tmp_path / "killed.duckdb", cluster.scheduler_address)
    summary = flow_for(config)(config)
    killer.join(5)

    assert killed, "no worker was seen busy, so none was killed"
    assert any(key.startswith("rows_task-") for key in killed[0][1])  # it held a batch
    assert summary["run"]["status"] == "published"
    # Every batch's rows, each once: the same tables as the run on this machine.
    assert _tables(tmp_path / "killed.duckdb") == local_tables
    assert len(summary["cluster_batches"]) == 4 and summary["run"]["n_articles"] == 8


POLNEAR_TRAIN = Path(__file__).resolve().parent.parent.parent / "shared" / "polnear" / "train"


@pytest.fixture(scope="module", params=["crf", "encoder"])
def tiny_model(tmp_path_factory, request):
    """A model of each kind trained in seconds on six PolNeAR texts (the encoder kind's workers also load
    the encoder and its projection from the model's path)."""
    if not POLNEAR_TRAIN.is_dir():
        pytest.skip("../shared/polnear is not beside the project")
    from evaluation.corpus import training_documents
    from transform.tagger.training import TrainingSettings, train_model

    folder = tmp_path_factory.mktemp("model") / "tiny"
    documents, _ = training_documents(POLNEAR_TRAIN)
    train_model(documents, folder, limit=6, settings=TrainingSettings(max_iterations=5), kind=request.param)
    return str(folder)


def _count_tagger_opens() -> None:
    """In a worker: count every CRF model opened from now on (loading a trained model opens one)."""
    import pycrfsuite

    if not hasattr(pycrfsuite, "_citeline_opens"):
        original, original_inmemory = pycrfsuite.Tagger.open, pycrfsuite.Tagger.open_inmemory

        class CountingTagger(pycrfsuite.Tagger):
            def open(self, *args, **kwargs):
                pycrfsuite._citeline_opens += 1
                return original(self, *args, **kwargs)

            def open_inmemory(self, *args, **kwargs):  # how a checked model is opened (transform/tagger/model.py)
                pycrfsuite._citeline_opens += 1
                return original_inmemory(self, *args, **kwargs)

        pycrfsuite.Tagger = CountingTagger
    pycrfsuite._citeline_opens = 0


def _tagger_opens() -> int:
    import pycrfsuite

    return pycrfsuite._citeline_opens


def test_a_trained_model_loads_once_per_worker_and_its_statements_match_a_local_run(cluster, site, tmp_path, tiny_model, prefect_server):
    from distributed import Client

    local = _config(site, tmp_path, tmp_path / "local-model.duckdb")
    citeline_run(RunConfig.model_validate({**local.model_dump(), "attribution": {"model": tiny_model}}))
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        client.run(_count_tagger_opens)
        remote = _config(site, tmp_path, tmp_path / "dask-model.duckdb", cluster.scheduler_address)
        remote = RunConfig.model_validate({**remote.model_dump(), "attribution": {"model": tiny_model}})
        summary = flow_for(remote)(remote)
        opens = client.run(_tagger_opens)

    assert summary["run"]["status"] == "published" and len({b["worker"] for b in summary["cluster_batches"]}) == 2
    assert sorted(opens.values()) == [1, 1]  # four batches, one model load per worker
    assert _tables(tmp_path / "dask-model.duckdb") == _tables(tmp_path / "local-model.duckdb")
    with duckdb.connect(str(tmp_path / "dask-model.duckdb"), read_only=True) as con:
        # Every article says the workers attributed it with the model (these short pages give it nothing
        # the rules have not found; tests/test_tagger.py checks what it adds).
        assert con.execute("SELECT DISTINCT model_id FROM articles").fetchall() == [(summary["run"]["model_id"],)]
        assert summary["run"]["model_id"].startswith("tiny-")


def test_citeline_run_with_dask_address_runs_on_the_cluster(cluster, site, tmp_path, local_tables, prefect_server, capsys):
    from citeline.cli import main

    urls = _config(site, tmp_path, tmp_path / "cli.duckdb").inputs[0]
    status = main(["run", urls, "--db", str(tmp_path / "cli.duckdb"), "--dask-address", cluster.scheduler_address,
                   "--allow-private-hosts", "--ignore-robots", "--per-host-delay", "0"])
    assert status == 0, capsys.readouterr().err
    assert "cluster" in capsys.readouterr().out  # the wait on the cluster, among the stage times
    assert _tables(tmp_path / "cli.duckdb") == local_tables


def test_a_dask_address_in_the_config_without_the_dask_runner_is_refused(site, tmp_path, prefect_server):
    from flows.cluster import ClusterUnavailable

    with pytest.raises(ClusterUnavailable, match="tcp://127.0.0.1:1.*not Dask"):
        citeline_run(_config(site, tmp_path, tmp_path / "never.duckdb", "tcp://127.0.0.1:1"))
    assert not (tmp_path / "never.duckdb").exists()


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_dask_address_is_one_line_naming_it_and_exit_2(tmp_path, capsys):
    from citeline.cli import main

    address = f"tcp://127.0.0.1:{_closed_port()}"
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Nothing runs, the test said.</p></body></html>")
    assert main(["run", str(page), "--db", str(tmp_path / "w.duckdb"), "--dask-address", address]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("citeline run: cannot reach the Dask scheduler at " + address) and "\n" not in err
    assert not (tmp_path / "w.duckdb").exists()


def test_a_scheduler_without_workers_is_refused_before_the_run(tmp_path, capsys):
    from distributed import LocalCluster

    from citeline.cli import main

    with LocalCluster(n_workers=0, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None) as empty:
        page = tmp_path / "page.html"
        page.write_text("<html><body><p>Nothing runs, the test said.</p></body></html>")
        assert main(["run", str(page), "--db", str(tmp_path / "w.duckdb"), "--dask-address", empty.scheduler_address]) == 2
    assert f"the Dask scheduler at {empty.scheduler_address} has no workers" in capsys.readouterr().err


@pytest.mark.parametrize(("given", "expected"), [
    (["--dask-address", "tcp://sched uler:8786"], r"--dask-address: String should match pattern"),
    (["--dask-address", ""], r"--dask-address: String should have at least 1 character"),
])
def test_a_malformed_dask_address_flag_is_named(tmp_path, capsys, given, expected):
    import re

    from citeline.cli import main

    assert main(["run", str(tmp_path), *given]) == 2
    assert re.search(expected, capsys.readouterr().err)


def test_the_config_file_sets_the_dask_address(tmp_path):
    from citeline.config import load_config

    toml = tmp_path / "citeline.toml"
    toml.write_text('[citeline]\ninputs = ["urls.txt"]\n[citeline.scale]\ndask_address = "tcp://10.0.0.5:8786"\n')
    assert load_config(toml).run.scale.dask_address == "tcp://10.0.0.5:8786"
    toml.write_text('[citeline]\n[citeline.scale]\ndask_adress = "tcp://10.0.0.5:8786"\n')
    from citeline.config import ConfigError

    with pytest.raises(ConfigError, match="scale.dask_adress: unknown key"):
        load_config(toml)


def _this_machines_address() -> str | None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_workers_on_another_address_than_a_loopback_prefect_api_are_refused():
    from distributed import LocalCluster

    from flows.cluster import ClusterUnavailable, check_cluster

    host = _this_machines_address()
    if host is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    with LocalCluster(n_workers=1, processes=False, protocol="tcp", host=host, dashboard_address=None) as remote:
        assert check_cluster(remote.scheduler_address, f"http://{host}:4200/api").workers == 1
        with pytest.raises(ClusterUnavailable, match=rf"workers of {remote.scheduler_address} on {host} cannot report to the Prefect API at http://127.0.0.1:4200/api"):
            check_cluster(remote.scheduler_address, "http://127.0.0.1:4200/api")
