"""Load the reviewable data files behind attribution: cue verbs and nouns with their stance, source aliases and word lists."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from transform.model import SOURCE_TYPES, STANCES


def _data_rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("transform").joinpath("data", filename).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines))


def _stance_table(filename: str) -> dict[str, str]:
    """lemma → stance class from a data file, every stance checked against STANCES."""
    table: dict[str, str] = {}
    for row in _data_rows(filename):
        stance = row["stance"].strip()
        if stance not in STANCES:
            raise ValueError(f"{filename}: stance {stance!r} for {row['lemma']!r} is not one of {STANCES}")
        table[row["lemma"].strip()] = stance
    return table


@lru_cache(maxsize=1)
def cue_stances() -> dict[str, str]:
    """Cue verb lemma → stance class, from `transform/data/cues.csv`."""
    return _stance_table("cues.csv")


@lru_cache(maxsize=1)
def cue_noun_stances() -> dict[str, str]:
    """Cue noun lemma → stance class, from `transform/data/cue_nouns.csv`."""
    return _stance_table("cue_nouns.csv")


@lru_cache(maxsize=1)
def reaction_noun_stances() -> dict[str, str]:
    """Nouns for a reaction one draws from others ("drew criticism from"), lemma → stance, from
    `transform/data/reaction_nouns.csv`."""
    return _stance_table("reaction_nouns.csv")


@lru_cache(maxsize=1)
def source_noun_types() -> dict[str, str]:
    """Common-noun head lemma → source type ("ministry" → government), from `transform/data/source_nouns.csv`."""
    table: dict[str, str] = {}
    for row in _data_rows("source_nouns.csv"):
        noun, kind = row["noun"].strip(), row["type"].strip()
        if kind not in SOURCE_TYPES:
            raise ValueError(f"source_nouns.csv: type {kind!r} for {noun!r} is not one of {SOURCE_TYPES}")
        table[noun] = kind
    return table


@dataclass(frozen=True)
class KnownSource:
    name: str
    type: str


@dataclass(frozen=True)
class AliasTable:
    """Aliases written in lower case match any casing; aliases with capitals (acronyms) match only as written."""

    folded: dict[str, KnownSource]
    exact: dict[str, KnownSource]

    def lookup(self, mention: str) -> KnownSource | None:
        # NFKC first, so "ＢＢＣ" (fullwidth) is the BBC; plain text is left as it is.
        mention = " ".join(unicodedata.normalize("NFKC", mention).split())
        return self.exact.get(mention) or self.folded.get(mention.lower())


@lru_cache(maxsize=1)
def alias_table() -> AliasTable:
    """The alias table from `transform/data/sources.csv`, checked for one name and type per source."""
    folded: dict[str, KnownSource] = {}
    exact: dict[str, KnownSource] = {}
    types_by_name: dict[str, str] = {}
    for row in _data_rows("sources.csv"):
        alias, name, kind = row["alias"].strip(), row["name"].strip(), row["type"].strip()
        if kind not in SOURCE_TYPES:
            raise ValueError(f"sources.csv: type {kind!r} for {alias!r} is not one of {SOURCE_TYPES}")
        if types_by_name.setdefault(name, kind) != kind:
            raise ValueError(f"sources.csv: {name!r} is given two types")
        target = exact if alias != alias.lower() else folded
        target[alias] = KnownSource(name, kind)
    return AliasTable(folded=folded, exact=exact)


@lru_cache(maxsize=None)
def word_list(name: str) -> frozenset[str]:
    """The words of `transform/data/<name>.txt`, one a line (lines starting with # are comments)."""
    text = resources.files("transform").joinpath("data", f"{name}.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def irregular_forms() -> dict[str, str]:
    """Irregular cue verb form → lemma ("said" → say), from `transform/data/irregular_forms.csv`."""
    return {row["form"].strip(): row["lemma"].strip() for row in _data_rows("irregular_forms.csv")}


@lru_cache(maxsize=1)
def content_prepositions() -> dict[str, tuple[str, ...]]:
    """Verb lemma → prepositions that introduce its content ("call" → for), from `transform/data/content_prepositions.csv`."""
    return {row["verb"].strip(): tuple(row["prepositions"].split()) for row in _data_rows("content_prepositions.csv")}
