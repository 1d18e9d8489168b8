""""Trump's criticism of the deal", "officials voiced concern that ...": cue nouns with an owner."""

from __future__ import annotations

from transform.content import without_trailing_aside
from transform.lexicon import cue_stances, word_list
from transform.model import Span
from transform.nlp import head_entity
from transform.relation import Relation
from transform.sources import resolve_source
from transform.spans import span_of
from transform.speakers import UNRESOLVABLE_PRONOUNS
from transform.tokens import lemma_of

NOUN_CONTENT_PREPOSITIONS = {"of", "for", "on", "about", "against", "over", "to", "that"}


SPEECH_ACT_VERBS = word_list("speech_act_verbs")


def noun_relation(text, offset, cue, context) -> Relation | None:
    """"Trump's criticism of the deal", "her vow to fight on", "officials voiced concern that ...": a cue noun
    with what it is about (a that-clause, an infinitive, or a prepositional object) and, when named, who."""
    content_root = None
    for child in cue.children:
        if child.i < cue.i:
            continue
        if child.dep_ in {"acl", "ccomp", "relcl"} and (child.tag_ in {"VB"} and any(c.dep_ == "aux" and c.lower_ == "to" for c in child.children)
                                                         or next(iter(child.subtree)).lower_ == "that" and child.dep_ != "relcl"):
            content_root = [child]
            break
        if child.dep_ == "prep" and child.lower_ in NOUN_CONTENT_PREPOSITIONS:
            objects = [c for c in child.children if c.dep_ in {"pobj", "pcomp"}]
            if objects:
                content_root = objects
                break
    if content_root is None:
        return None
    tokens = without_trailing_aside([t for root in content_root for t in root.subtree])
    content = span_of(tokens, offset, text)
    if content is None:
        return None
    source_token = next((c for c in cue.children if c.dep_ == "poss"), None)
    if source_token is None:
        agent = next((c for c in cue.children if c.dep_ == "prep" and c.lower_ == "by"), None)
        source_token = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
    if source_token is None and cue.dep_ == "dobj" and (lemma_of(cue.head) in SPEECH_ACT_VERBS or lemma_of(cue.head) in cue_stances()):
        source_token = next((c for c in cue.head.children if c.dep_ == "nsubj"), None)
    cue_span = Span(offset + cue.idx, offset + cue.idx + len(cue.text))
    lemma = lemma_of(cue)
    if source_token is None:
        return None  # Unowned ("there were complaints that ..."): too often the article's own framing.
    if source_token.lower_ in UNRESOLVABLE_PRONOUNS | {"my", "your", "our", "its"}:
        return None
    span = span_of([t for t in source_token.subtree if t.i < cue.i and t.tag_ != "POS"], offset, text)
    if span is None or span.start <= content.start < span.end:
        return None
    mention = text[span.start : span.end]
    pronoun = {"his": "he", "her": "she", "their": "they"}.get(source_token.lower_)
    label, entity_text = head_entity(mention, source_token.text) if pronoun is None else ("", None)
    resolved = resolve_source(
        mention if pronoun is None else pronoun, entity_label=label, head_lemma=lemma_of(source_token),
        head_text=pronoun or source_token.text, position=span.start, context=context, entity_text=entity_text,
    )
    return Relation(content=content, kind="indirect", cue=cue_span, source=span, source_text=mention,
                     source_name=resolved.name, source_type=resolved.type, lemma=lemma, channel="", confidence=0.5)
