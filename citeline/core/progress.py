"""A tiny hook the pipeline reports progress through, so the CLI can draw it and tests can count it."""

from __future__ import annotations

from typing import Protocol


class ProgressSink(Protocol):
    def advance(self, stage: str, amount: int = 1) -> None: ...


class _Silent:
    def advance(self, stage: str, amount: int = 1) -> None:
        pass


_sink: ProgressSink = _Silent()


def set_sink(sink: ProgressSink | None) -> None:
    global _sink
    _sink = sink or _Silent()


def advance(stage: str, amount: int = 1) -> None:
    _sink.advance(stage, amount)
