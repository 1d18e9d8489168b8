"""The real `citeline dashboard` process on a free loopback port, for browser tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CITELINE = str(Path(sys.executable).with_name("citeline"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_dashboard(db: Path) -> Iterator[str]:
    """Start `citeline dashboard --db db`, wait until it answers its health check, yield its base URL, and
    stop it (terminate, then kill after 10 s) however the block ends."""
    port = free_port()
    server = subprocess.Popen([CITELINE, "dashboard", "--db", str(db), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("citeline dashboard did not answer within 60 s")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
