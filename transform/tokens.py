"""Read a parsed token without spaCy's lemmatizer: its lemma from the cue lexicon's inflections, its word class, its subject."""

from __future__ import annotations

from functools import lru_cache

from transform.lexicon import cue_stances, irregular_forms

COPULAS = {"is", "was", "be", "been", "are", "were", "'s", "’s"}


SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}


@lru_cache(maxsize=1)
def cue_forms() -> dict[str, str]:
    """Inflected form → lemma for every cue verb (the pipeline runs without spaCy's lemmatizer)."""
    forms: dict[str, str] = dict(irregular_forms())
    for lemma in cue_stances():
        stem = lemma[:-1] if lemma.endswith("e") else lemma
        candidates = [lemma, lemma + "s", lemma + "es", lemma + "d", lemma + "ed", stem + "ing", stem + "ed"]
        if lemma.endswith("y"):
            candidates += [lemma[:-1] + "ies", lemma[:-1] + "ied"]
        if len(lemma) > 2 and lemma[-1] not in "aeiouwy" and lemma[-2] in "aeiou" and lemma[-3] not in "aeiou":
            candidates += [lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"]
        for form in candidates:
            forms.setdefault(form, lemma)
    return forms


def lemma_of(token) -> str:
    """Lemma of a cue verb from the lexicon's own inflections; other words, lower-cased (plural -s dropped for nouns)."""
    return lemma_of_form(token.lower_, token.tag_)


def lemma_of_form(lower: str, tag: str) -> str:
    """lemma_of for a word given as its lower-cased form and fine tag (no spaCy token needed)."""
    if tag.startswith("VB"):
        return cue_forms().get(lower, lower)
    if tag in {"NNS", "NNPS"} and lower.endswith("s") and len(lower) > 3:
        return lower[:-1]
    return lower


def is_verb(token) -> bool:
    return token.tag_.startswith("VB") or token.tag_ == "MD"


def is_proper_noun(token) -> bool:
    return token.tag_ in {"NNP", "NNPS"}


def nearest_subject(token, deps: set[str]):
    """The token's subject; when a misparse gives it two ("Millions dwell ..., and ..., activists claimed"),
    the one nearest to it."""
    subjects = [c for c in token.children if c.dep_ in deps]
    return min(subjects, key=lambda c: abs(c.i - token.i)) if subjects else None


NOUN_TAGS = {"NN", "NNS", "NNP", "NNPS"}


NOUN_PHRASE_TAGS = NOUN_TAGS | {"DT", "JJ", "POS", "PRP$", "CD", "HYPH"}


DESCRIPTION_TAGS = NOUN_PHRASE_TAGS | {"CC", "IN"}
