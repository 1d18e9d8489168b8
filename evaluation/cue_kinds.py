"""Gold relations by the kind of their cue, for the by-cue table of `citeline eval` and `agreement`.

Two splits: a speech cue (evaluation/data/speech_cues.txt: say, tell, according to, ...) or anything else
(show, found, want, believe, ...), and a named source or a pronoun or no source at all. The rules are good
at speech; the table shows where a model's gain lands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from evaluation.brat import Relation

SPEECH_CUES_FILE = Path(__file__).parent / "data" / "speech_cues.txt"
PRONOUNS = frozenset("i me my we us our you your he him his she her it its they them their this that these those "
                     "who which one someone somebody".split())
# Rows of the table, in order: (key, label).
KINDS = (
    ("speech_named", "a speech cue, named source"),
    ("speech_pronoun", "a speech cue, pronoun or no source"),
    ("other_named", "anything else, named source"),
    ("other_pronoun", "anything else, pronoun or no source"),
)
_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def speech_cue_forms() -> frozenset[str]:
    """Every form of every speech cue in the data file, lower case."""
    forms: set[str] = set()
    for line in SPEECH_CUES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            forms.update(line.lower().split())
    return frozenset(forms)


def _words(text: str, ranges: tuple[tuple[int, int], ...]) -> list[str]:
    return [w for start, end in ranges for w in _WORD.findall(text[start:end].lower())]


def cue_kind(text: str, relation: Relation) -> str:
    """The KINDS key of a gold relation of `text`."""
    speech = any(word in speech_cue_forms() for word in _words(text, relation.cue))
    source = _words(text, relation.source)
    named = bool(source) and not all(word in PRONOUNS for word in source)
    return f"{'speech' if speech else 'other'}_{'named' if named else 'pronoun'}"


@dataclass
class CueKindTally:
    """Per cue kind: gold relations, those whose content was paired, and those paired with source and cue right."""

    gold: dict[str, int] = field(default_factory=lambda: dict.fromkeys((k for k, _ in KINDS), 0))
    content: dict[str, int] = field(default_factory=lambda: dict.fromkeys((k for k, _ in KINDS), 0))
    relation: dict[str, int] = field(default_factory=lambda: dict.fromkeys((k for k, _ in KINDS), 0))

    def add(self, other: CueKindTally) -> None:
        for name in ("gold", "content", "relation"):
            mine, theirs = getattr(self, name), getattr(other, name)
            for key in mine:
                mine[key] += theirs[key]

    def report(self) -> list[dict]:
        """One row per kind: its label, gold count, content recall and relation recall."""
        return [{"kind": key, "label": label, "gold": self.gold[key],
                 "content_recall": self.content[key] / self.gold[key] if self.gold[key] else 0.0,
                 "relation_recall": self.relation[key] / self.gold[key] if self.gold[key] else 0.0}
                for key, label in KINDS]


def format_table(rows: list[dict]) -> list[str]:
    """The by-cue table as lines of text."""
    lines = [f"{'gold relations whose cue is':40}{'gold':>6}{'content R':>11}{'relation R':>12}"]
    lines += [f"{row['label']:40}{row['gold']:>6}{row['content_recall']:>11.3f}{row['relation_recall']:>12.3f}" for row in rows]
    return lines
