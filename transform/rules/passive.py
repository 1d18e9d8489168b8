""""X is expected to win", "X seems unready", "X was criticized by Y": passive and raising cues."""

from __future__ import annotations

from transform.content import without_trailing_aside
from transform.lexicon import word_list
from transform.model import Span
from transform.relation import Relation
from transform.sources import ResolvedSource
from transform.spans import span_of
from transform.speakers import UNRESOLVABLE_PRONOUNS, resolved_mention, without_relative_clauses
from transform.tokens import lemma_of

# Verbs whose passive ("is expected to", "are said to") or raising use ("seems") attributes to nobody named.
RAISING_LEMMAS = word_list("raising_verbs")


PASSIVE_OR_RAISING_LEMMAS = RAISING_LEMMAS | word_list("passive_verbs")


UNSPECIFIED_SOURCE = "unspecified"


def passive_or_raising_relation(text, offset, cue, context) -> Relation | None:
    """"X is expected to win", "X is said to be furious", "X seems unready": attributed, but to nobody named;
    "X was criticized by the union as Y": attributed to the agent.

    The content is the subject and the complement, as two parts when the cue stands between them.
    """
    lemma = lemma_of(cue)
    subject = next((c for c in cue.children if c.dep_ in {"nsubjpass", "nsubj"}), None)
    if subject is None or subject.lower_ in UNRESOLVABLE_PRONOUNS or subject.lower_ in {"it", "there"}:
        return None
    agent = None
    if lemma in RAISING_LEMMAS:
        if any(c.dep_ == "prep" and c.lower_ == "to" for c in cue.children):
            return None  # "seems to me": an experiencer, so a source
        complement = [c for c in cue.children if c.dep_ in {"xcomp", "acomp", "attr", "ccomp", "oprd"} or (c.dep_ == "prep" and c.lower_ == "like")]
    else:
        if not any(c.dep_ == "auxpass" for c in cue.children):
            return None
        by = next((c for c in cue.children if c.dep_ == "agent"), None)
        if by is not None:
            agent = next((c for c in by.children if c.dep_ == "pobj"), None)
            if agent is None:
                return None
        complement = [c for c in cue.children if c.dep_ in {"xcomp", "ccomp", "oprd"} or (c.dep_ == "prep" and c.lower_ in {"as", "for", "of", "about"})]
    if not complement:
        return None
    tokens = [*subject.subtree, cue, *(t for c in complement for t in c.subtree)]
    lo, hi = min(t.i for t in tokens), max(t.i for t in tokens)
    content = span_of(without_trailing_aside(list(cue.doc[lo : hi + 1])), offset, text)
    if content is None:
        return None
    parts = []
    if subject.i < cue.i:
        # "The decision is widely expected to be unfavorable": what is said is "the decision" and "to be
        # unfavorable"; the cue between them and a relative clause describing the subject are not part of it.
        said_of = span_of(without_relative_clauses(list(subject.subtree)), offset, text)
        said = span_of(without_trailing_aside([t for c in complement for t in c.subtree]), offset, text)
        if said_of is not None and said is not None and said_of.end <= said.start:
            parts = [said_of, said]
            content = Span(said_of.start, said.end)
    source, mention, resolved = None, "", ResolvedSource(UNSPECIFIED_SOURCE, "vague")
    if agent is not None:
        span = span_of(without_relative_clauses(list(agent.subtree)), offset, text)
        if span is None:
            return None
        source, mention, resolved = resolved_mention(span, agent, text, context)
    return Relation(
        content=content, kind="indirect", cue=Span(offset + cue.idx, offset + cue.idx + len(cue.text)),
        source=source, source_text=mention, source_name=resolved.name, source_type=resolved.type, lemma=lemma,
        channel="", confidence=0.5, parts=parts,
    )
