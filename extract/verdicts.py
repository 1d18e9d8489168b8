"""Fact-checkers' ratings → one of six verdicts, from the reviewable table extract/data/verdicts.csv.

Pure text normalisation: the same rating written "Pants on Fire!", "pants-on-fire" or "PANTS ON FIRE" gives
one verdict; a bare number on a best/worst scale is scaled linearly; anything unknown is "other".
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from functools import lru_cache
from importlib import resources

VERDICTS = ("false", "mostly false", "mixed", "mostly true", "true", "other")
# The five verdicts with a truth value, from worst to best: a number's place on its scale picks one.
SCALE = VERDICTS[:5]
# schema.org's own defaults when a Rating leaves them out.
DEFAULT_BEST, DEFAULT_WORST = 5.0, 1.0

_NOT_WORD = re.compile(r"[^\w]+|_")
# Where a rating's first sentence ends: "False. The photo ..." or "Misleading: the figure ...".
_SENTENCE_END = re.compile(r"[.!?:;(\u2014\u2013]|\s-\s")


def normalise_rating(text: str) -> str:
    """Lower case, no accents, punctuation and runs of space as one space: the key ratings are matched on."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", plain).split())


@lru_cache(maxsize=1)
def verdict_table() -> dict[str, str]:
    """Normalised rating → verdict, from extract/data/verdicts.csv, each verdict checked against VERDICTS."""
    text = resources.files("extract").joinpath("data", "verdicts.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    table: dict[str, str] = {}
    for row in csv.DictReader(lines):
        key, verdict = normalise_rating(row["rating"]), row["verdict"].strip()
        if verdict not in VERDICTS:
            raise ValueError(f"verdicts.csv: verdict {verdict!r} for {row['rating']!r} is not one of {VERDICTS}")
        if table.get(key, verdict) != verdict:
            raise ValueError(f"verdicts.csv: {row['rating']!r} is listed as both {table[key]!r} and {verdict!r}")
        table[key] = verdict
    return table


def text_verdict(rating_text: str | None) -> str | None:
    """The verdict a rating's words give (whole rating, then its first sentence), or None if they give none."""
    if not rating_text:
        return None
    table = verdict_table()
    found = table.get(normalise_rating(rating_text))
    if found is None:
        first = _SENTENCE_END.split(rating_text, maxsplit=1)[0]
        found = table.get(normalise_rating(first))
    return found


def scale_verdict(value: float | None, best: float | None = None, worst: float | None = None) -> str | None:
    """The verdict of `value` on the worst..best scale (schema.org defaults 1..5), the nearest of five equal steps;
    None if there is no value, the scale is empty, or the value lies outside it."""
    if value is None:
        return None
    best = DEFAULT_BEST if best is None else best
    worst = DEFAULT_WORST if worst is None else worst
    if not all(math.isfinite(number) for number in (value, best, worst)) or best == worst:
        return None
    share = (value - worst) / (best - worst)  # a reversed scale (best < worst) works too
    if not 0 <= share <= 1:
        return None
    # Nearest step, a half rounding up (round() would round halves to even).
    return SCALE[math.floor(share * (len(SCALE) - 1) + 0.5)]


def verdict(rating_text: str | None, rating_value: float | None = None,
            best_rating: float | None = None, worst_rating: float | None = None) -> str:
    """The normalised verdict of a rating: its words first, then its number, else "other"."""
    return text_verdict(rating_text) or scale_verdict(rating_value, best_rating, worst_rating) or "other"
