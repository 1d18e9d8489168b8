"""The rules that read one parsed sentence, chosen token by token."""

from __future__ import annotations

from transform.lexicon import cue_noun_stances, cue_stances, reaction_noun_stances
from transform.model import Span
from transform.relation import Relation
from transform.rules.according_to import according_to
from transform.rules.cue_nouns import noun_relation
from transform.rules.reactions import RECEIVING_FORMS, received_reaction
from transform.rules.verb_cues import takes_finite_clause, verb_relation
from transform.tokens import is_verb, lemma_of


def sentence_relations(text, offset, sent, quotes, context) -> list[Relation]:
    stances = cue_stances()
    noun_stances = cue_noun_stances()
    found: list[Relation] = []
    for token in sent:
        token_span = Span(offset + token.idx, offset + token.idx + len(token.text))
        if any(q.start <= token_span.start < q.end for q in quotes):
            continue
        if token.lower_ == "according" and any(c.lower_ == "to" for c in token.children):
            relation = according_to(text, offset, sent, token, context)
        elif token.lower_ == "per" and token.dep_ == "prep" and token.i in (sent.start, sent.start + 1):
            relation = according_to(text, offset, sent, token, context)
        elif lemma_of(token) == "cite" and token.dep_ == "advcl" and lemma_of(token.head) in stances:
            relation = None  # "..., the AP reported, citing state TV": a link in the AP's chain, not a statement.
        elif is_verb(token) and token.dep_ != "amod" and (lemma_of(token) in stances or takes_finite_clause(token)):
            relation = verb_relation(text, offset, sent, token, quotes, context)
        elif token.tag_ in {"NN", "NNS"} and lemma_of(token) in reaction_noun_stances() and token.head.lower_ in RECEIVING_FORMS:
            relation = received_reaction(text, offset, token, context)
        elif token.tag_ in {"NN", "NNS"} and lemma_of(token) in noun_stances:
            relation = noun_relation(text, offset, token, context)
        else:
            relation = None
        if relation is not None:
            found.append(relation)
    return found
