""""According to X, A" and "Per X, A": the phrase names the source, the rest of the sentence is the content."""

from __future__ import annotations

from transform.model import Span
from transform.nlp import head_entity
from transform.relation import Relation
from transform.sources import resolve_source
from transform.spans import span_of
from transform.speakers import names_no_source, without_relative_clauses
from transform.tokens import SUBJECT_DEPS, lemma_of


def according_to(text, offset, sent, token, context) -> Relation | None:
    to = next((c for c in token.children if c.lower_ == "to"), None) if token.lower_ == "according" else token
    obj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
    if obj is None:
        return None
    phrase = list(token.subtree)
    comma = next((t for t in phrase if t.i > obj.i and t.text == ","), None)
    if phrase[0].i == sent.start and comma is not None:
        # "According to X, $4 million from ... will go to ...": the parser can hang words of the clause on
        # the phrase. Past its comma, the phrase keeps only a description of X ("X, director of ...")
        # and only when the clause's verb still has a subject.
        description = {t.i for c in obj.children if c.dep_ == "appos" for t in c.subtree}
        verb = token.head
        clause_has_subject = verb.i != token.i and any(c.dep_ in SUBJECT_DEPS for c in verb.children)
        if not clause_has_subject or any(t.i > comma.i and t.i not in description and not t.is_punct for t in phrase):
            phrase = [t for t in phrase if t.i < comma.i]
    phrase_ids = {t.i for t in phrase}
    source_span = span_of(without_relative_clauses([t for t in obj.subtree if t.i in phrase_ids]), offset, text)
    rest = [t for t in sent if t.i not in phrase_ids]
    phrase_start, phrase_end = min(phrase_ids), max(phrase_ids)
    rest = _inside_brackets(rest, phrase_start, obj.right_edge.i, sent)
    before = [t for t in rest if t.i < phrase_start]
    after = [t for t in rest if t.i > phrase_end]
    opener = next((t for t in reversed(before) if not t.is_punct), None)
    if opener is not None and opener.dep_ == "mark" and after:
        # "because, according to Trump, the media would ...": the clause the subordinator opens, after the phrase
        rest = after
    elif sent.root.i < phrase_start and sum(not t.is_punct for t in before) >= 3:
        # "A is true, according to X - despite B": what follows the source is the writer's, not X's
        rest = before
    content = span_of(rest, offset, text)
    if source_span is None or content is None:
        return None
    mention = text[source_span.start : source_span.end]
    label, entity_text = head_entity(mention, obj.text)
    resolved = resolve_source(
        mention, entity_label=label, head_lemma=lemma_of(obj), head_text=obj.text,
        position=source_span.start, context=context, entity_text=entity_text,
    )
    if names_no_source(mention, resolved):
        return None  # "What, according to you, ...": an interviewer's question
    cue_end = offset + (to.idx + len(to.text) if token.lower_ == "according" else token.idx + len(token.text))
    return Relation(
        content=content, kind="according_to",
        cue=Span(offset + token.idx, cue_end), source=source_span, source_text=mention,
        source_name=resolved.name, source_type=resolved.type, lemma="according to",
        channel="", confidence=0.8 if resolved.type != "unknown" else 0.6,
    )


def _inside_brackets(tokens: list, start: int, end: int, sent) -> list:
    """"(the number is closer to 15 percent, according to Factcheck.org)": within the brackets around the phrase."""
    opening = next((t.i for t in reversed(sent) if t.i < start and t.text in {"(", ")"}), None)
    closing = next((t.i for t in sent if t.i > end and t.text in {"(", ")"}), None)
    if opening is None or closing is None or sent.doc[opening].text != "(" or sent.doc[closing].text != ")":
        return tokens
    return [t for t in tokens if opening < t.i < closing]
