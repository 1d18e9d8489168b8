""""The bill drew criticism from farm groups": a reaction the subject receives from others."""

from __future__ import annotations

from transform.model import Span
from transform.relation import Relation
from transform.spans import span_of
from transform.speakers import RELATIVE_PRONOUNS, UNRESOLVABLE_PRONOUNS, resolved_mention, without_relative_clauses
from transform.tokens import lemma_of, nearest_subject

# "drew criticism from", "earned the support of": verbs by which a subject receives others' reaction
RECEIVING_FORMS = {
    f"{stem}{ending}" for stem in ("draw", "attract", "receiv", "earn", "garner", "gain", "spark", "provok", "fac")
    for ending in ("", "e", "s", "es", "ed", "ing")
} | {"drew", "drawn", "won", "win", "wins", "winning", "got", "gotten", "get", "gets", "getting"}


REACTION_SOURCE_PREPOSITIONS = {"from", "of", "among"}


def received_reaction(text, offset, cue, context) -> Relation | None:
    """"The bill drew criticism from farm groups", "Trump earned the support of 41 percent": the ones the
    reaction comes from hold it, and what they hold it about is the verb's subject."""
    verb = cue.head
    if cue.dep_ != "dobj" or verb.lower_ not in RECEIVING_FORMS:
        return None
    phrase = next((c for c in [*cue.children, *verb.children] if c.dep_ == "prep" and c.i > cue.i and c.lower_ in REACTION_SOURCE_PREPOSITIONS), None)
    holder = next((c for c in phrase.children if c.dep_ == "pobj"), None) if phrase is not None else None
    subject = nearest_subject(verb, {"nsubj", "nsubjpass"})
    if subject is None and verb.dep_ in {"xcomp", "conj"}:
        subject = nearest_subject(verb.head, {"nsubj", "nsubjpass"})  # "continues to draw support from ..."
    if holder is None or subject is None or subject.lower_ in RELATIVE_PRONOUNS | UNRESOLVABLE_PRONOUNS:
        return None
    content = span_of(without_relative_clauses(list(subject.subtree)), offset, text)
    source = span_of(without_relative_clauses(list(holder.subtree)), offset, text)
    if content is None or source is None:
        return None
    _, mention, resolved = resolved_mention(source, holder, text, context)
    return Relation(content=content, kind="indirect", cue=Span(offset + cue.idx, offset + cue.idx + len(cue.text)),
                     source=source, source_text=mention, source_name=resolved.name, source_type=resolved.type,
                     lemma=lemma_of(cue), channel="", confidence=0.5)
