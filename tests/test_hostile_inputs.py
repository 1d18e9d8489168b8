"""Hostile inputs to the commands that read files a user points at (issue 24, items 8 and 13): damaged model
weights, hostile gold folders, and hostile citeline.toml files. Every one is refused by the real `citeline`
process with one line naming what was refused, exit 2: never a traceback, a crash or a read without end."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from tests.test_tagger import POLNEAR, training  # noqa: F401  (the quick model, trained once per module)
from transform.tagger.model import CARD_FILE, WEIGHTS_FILE, ModelError, load_model

CITELINE = Path(sys.executable).with_name("citeline")
needs_polnear = pytest.mark.skipif(not (POLNEAR / "train").is_dir(), reason="../shared/polnear is not beside the project")

# Tiny texts of our own, each with one attribution (offsets found below, never typed by hand).
TEXTS = {
    "bridge": ('The mayor said on Tuesday that the bridge "will be rebuilt by spring."\n',
               "The mayor", "said", "that the bridge \"will be rebuilt by spring.\""),
    "budget": ("\"We will not raise taxes,\" the finance minister told reporters.\n",
               "the finance minister", "told", "We will not raise taxes,"),
}


def _ann(text: str, source: str, cue: str, content: str) -> str:
    spans = [(label, text.index(part), text.index(part) + len(part), part)
             for label, part in (("Source", source), ("Cue", cue), ("Content", content))]
    lines = [f"T{i}\t{label} {start} {end}\t{part}" for i, (label, start, end, part) in enumerate(spans, 1)]
    return "\n".join(lines + ["E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1", ""])


def gold_folder(root: Path, annotators: int = 1) -> Path:
    """A gold folder in PolNeAR's layout with our tiny texts, each annotated by `annotators` people."""
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    for name, (text, *roles) in TEXTS.items():
        (root / "text" / f"{name}.txt").write_text(text, encoding="utf-8", newline="")
        for who in range(annotators):
            (root / "attributions" / f"{name}_a{who}.ann").write_text(_ann(text, *roles), encoding="utf-8")
    return root


def citeline(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(CITELINE), *args], capture_output=True, text=True, timeout=timeout)


def assert_refused(result: subprocess.CompletedProcess, *named: str) -> str:
    """Exit 2 and one line on stderr naming each of `named`; nothing half-printed on stdout."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    for name in named:
        assert name in lines[0], lines[0]
    assert result.stdout == ""
    return lines[0]


# --- item 8: a model whose weights are not the ones its card vouches for ------------------------------------

def _damage(folder: Path, damage: str) -> None:
    weights_path, card_path = folder / WEIGHTS_FILE, folder / CARD_FILE
    weights, card = bytearray(weights_path.read_bytes()), json.loads(card_path.read_text(encoding="utf-8"))
    if damage.startswith("truncated"):
        weights = weights[: len(weights) // 2]
    elif damage.startswith("byte-flipped"):
        for i in range(100, len(weights), 997):
            weights[i] ^= 0xFF
    weights_path.write_bytes(bytes(weights))
    checksum = hashlib.sha256(bytes(weights)).hexdigest()
    if damage.endswith("null id"):
        card["model_id"] = None
    elif damage.endswith("id recomputed"):  # an attacker who knows how ids are made, but not about the checksum
        card["model_id"] = f"{card['name']}-{checksum[:12]}"
    elif damage.endswith("card recomputed"):  # checksum and id both rewritten: the header check is what is left
        card["model_id"], card["weights_sha256"] = f"{card['name']}-{checksum[:12]}", checksum
    elif damage == "card without checksum":  # a model trained before cards carried the checksum
        del card["weights_sha256"]
    card_path.write_text(json.dumps(card), encoding="utf-8")


DAMAGES = ["truncated, null id", "byte-flipped, null id", "byte-flipped, id recomputed", "truncated, id recomputed",
           "truncated, card recomputed", "card without checksum"]


@needs_polnear
@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_model_is_one_line_and_exit_2_never_a_crash(training, tmp_path, damage):  # noqa: F811
    folder = tmp_path / "model"
    shutil.copytree(training[0], folder)
    _damage(folder, damage)
    article = tmp_path / "article.txt"
    article.write_text(TEXTS["bridge"][0], encoding="utf-8")
    gold = gold_folder(tmp_path / "gold")
    for command in (["attribute", "--model", str(folder), str(article)], ["eval", str(gold), "--model", str(folder)],
                    ["run", "--model", str(folder), "--db", str(tmp_path / "w.duckdb")]):
        line = assert_refused(citeline(*command), str(folder))
        if damage == "card without checksum":
            assert "retrain" in line
        else:
            assert WEIGHTS_FILE in line
    assert not (tmp_path / "w.duckdb").exists()  # refused before the run touched anything


@needs_polnear
def test_the_intact_model_still_attributes_through_the_cli(training, tmp_path):  # noqa: F811
    article = tmp_path / "article.txt"
    article.write_text(TEXTS["bridge"][0], encoding="utf-8")
    result = citeline("attribute", "--jsonl", "--model", str(training[0]), str(article))
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.splitlines()[0])["file"] == str(article)
    assert json.loads((training[0] / CARD_FILE).read_text(encoding="utf-8"))["weights_sha256"] == \
        hashlib.sha256((training[0] / WEIGHTS_FILE).read_bytes()).hexdigest()


@needs_polnear
def test_a_worker_process_verifies_the_model_too(training, tmp_path):  # noqa: F811
    """Worker processes (the run's pool, and Dask workers alike) load the model by folder: they refuse it as the CLI does."""
    from transform.parallel import _attribute_chunk

    folder = tmp_path / "model"
    shutil.copytree(training[0], folder)
    _damage(folder, "truncated, id recomputed")
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        with pytest.raises(ModelError, match="does not match the checksum"):
            pool.submit(_attribute_chunk, [TEXTS["bridge"][0]], str(folder)).result(timeout=300)


@needs_polnear
def test_the_cached_model_is_the_verified_bytes_and_a_changed_file_is_checked_again(training, tmp_path):  # noqa: F811
    folder = tmp_path / "model"
    shutil.copytree(training[0], folder)
    weights_path = folder / WEIGHTS_FILE
    good = load_model(folder)
    before = os.stat(weights_path)
    damaged = bytearray(weights_path.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    with open(weights_path, "r+b") as handle:  # in place: same inode and size
        handle.write(bytes(damaged))
    os.utime(weights_path, ns=(before.st_atime_ns, before.st_mtime_ns))
    # The cache cannot see this change; what it holds is the checked bytes CRFsuite reads, not the file.
    cached = load_model(folder)
    assert cached is good and hashlib.sha256(cached.weights).hexdigest() == good.card["weights_sha256"]
    os.utime(weights_path)  # now the file is seen to have changed: loaded and checked again
    with pytest.raises(ModelError, match="does not match the checksum"):
        load_model(folder)


# --- item 13: hostile gold folders for train, eval and agreement ---------------------------------------------

COMMANDS = {"train": 1, "eval": 1, "agreement": 2}  # annotators per text each command reads


def _command(command: str, gold: Path, tmp_path: Path, *extra: str) -> list[str]:
    if command == "train":
        return ["train", str(gold), "--out", str(tmp_path / "out-model"), "--iterations", "2", *extra]
    return [command, str(gold), *extra]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_text_that_is_not_utf8_is_named(tmp_path, command):
    gold = gold_folder(tmp_path / "gold", COMMANDS[command])
    bad = gold / "text" / "budget.txt"
    bad.write_bytes(TEXTS["budget"][0].encode("utf-8").replace(b"minister", b"minist\xe8re"))
    line = assert_refused(citeline(*_command(command, gold, tmp_path)), str(bad))
    assert "UTF-8" in line and not (tmp_path / "out-model").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_an_annotation_past_the_end_of_its_text_is_named(tmp_path, command):
    gold = gold_folder(tmp_path / "gold", COMMANDS[command])
    bad = gold / "attributions" / f"bridge_a{COMMANDS[command] - 1}.ann"
    bad.write_text("T1\tSource 0 9\tThe mayor\nT2\tCue 10 14\tsaid\nT3\tContent 15 9000\tthat\n"
                   "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n", encoding="utf-8")
    line = assert_refused(citeline(*_command(command, gold, tmp_path)), str(bad))
    assert "9000" in line and not (tmp_path / "out-model").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_text_that_is_a_device_is_refused_unread(tmp_path, command):
    gold = gold_folder(tmp_path / "gold", COMMANDS[command])
    bad = gold / "text" / "budget.txt"
    bad.unlink()
    bad.symlink_to("/dev/zero")  # read to 5.3 GB and a MemoryError before
    line = assert_refused(citeline(*_command(command, gold, tmp_path), timeout=60), str(bad))
    assert "not a regular file" in line


@pytest.mark.parametrize("command", COMMANDS)
def test_a_text_over_the_bound_is_refused_unread(tmp_path, command):
    gold = gold_folder(tmp_path / "gold", COMMANDS[command])
    bad = gold / "text" / "budget.txt"
    os.truncate(bad, 200 * 1024 * 1024)  # 200 MB (sparse: no disk used), grew to 3.2 GB of memory before
    line = assert_refused(citeline(*_command(command, gold, tmp_path), timeout=60), str(bad))
    assert "209,715,200 bytes" in line and "4,194,304" in line
    # The bound is a setting: a lower one names an ordinary text that passes the default.
    small = gold_folder(tmp_path / "small", COMMANDS[command])
    line = assert_refused(citeline(*_command(command, small, tmp_path, "--max-file-bytes", "40")), str(small / "text"))
    assert "more than the 40 allowed" in line


# --- item 13: hostile citeline.toml ---------------------------------------------------------------------------

def test_deeply_nested_toml_is_one_line_naming_the_file(tmp_path):
    config = tmp_path / "citeline.toml"
    config.write_text("[citeline]\ninputs = " + "[" * 20000 + "]" * 20000 + "\n", encoding="utf-8")
    line = assert_refused(citeline("run", "--config", str(config), "--db", str(tmp_path / "w.duckdb")), str(config))
    assert "nested too deeply" in line and not (tmp_path / "w.duckdb").exists()


@pytest.mark.parametrize("key", ["allow_private_hosts", "respect_robots"])
@pytest.mark.parametrize("value", ['"yes"', '"false"', "1"])
def test_a_boolean_setting_must_be_a_toml_boolean(tmp_path, key, value):
    config = tmp_path / "citeline.toml"
    config.write_text(f"[citeline.fetch]\n{key} = {value}\n", encoding="utf-8")
    line = assert_refused(citeline("run", "--config", str(config), "--db", str(tmp_path / "w.duckdb")), str(config))
    assert f"fetch.{key}" in line and "boolean" in line and not (tmp_path / "w.duckdb").exists()
