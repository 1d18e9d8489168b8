"""Read attribution relations from brat standoff (PolNeAR's layout)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Relation:
    """One attribution: each role as a tuple of (start, end) character ranges (brat allows gaps)."""

    content: tuple[tuple[int, int], ...]
    cue: tuple[tuple[int, int], ...]
    source: tuple[tuple[int, int], ...]


def _ranges(field: str) -> tuple[tuple[int, int], ...]:
    ranges = []
    for part in field.split(";"):
        start, end = part.split()
        ranges.append((int(start), int(end)))
    return tuple(ranges)


def parse_ann(ann: str) -> list[Relation]:
    """Relations of one .ann file; Content2 parts join the content, a missing role is empty."""
    spans: dict[str, tuple[tuple[int, int], ...]] = {}
    events: list[list[str]] = []
    for line in ann.splitlines():
        fields = line.split("\t")
        if len(fields) < 2:
            continue  # A continuation line of a multi-line span text.
        if line.startswith("T"):
            label_and_ranges = fields[1].split(" ", 1)
            if len(label_and_ranges) == 2:
                try:
                    spans[fields[0]] = _ranges(label_and_ranges[1])
                except ValueError:
                    continue
        elif line.startswith("E"):
            events.append(fields[1].split())
    relations = []
    for event in events:
        if not event or not event[0].startswith("Attribution"):
            continue
        roles: dict[str, list[tuple[int, int]]] = {"content": [], "cue": [], "source": []}
        for argument in event[1:]:
            role, _, ref = argument.partition(":")
            key = "content" if role.startswith("Content") else role.lower()
            if key in roles and ref in spans:
                roles[key].extend(spans[ref])
        if roles["content"]:
            relations.append(Relation(tuple(roles["content"]), tuple(roles["cue"]), tuple(roles["source"])))
    return relations
