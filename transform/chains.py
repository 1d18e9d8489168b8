"""Relations inside other relations' content: chains of sources ("citing state TV") and stances nested in statements."""

from __future__ import annotations

from transform.lexicon import cue_stances, word_list
from transform.model import ChainLink
from transform.nlp import head_entity
from transform.relation import Relation
from transform.sources import ArticleContext, resolve_source
from transform.spans import SpanIndex, span_of
from transform.tokens import lemma_of

# Verbs that report a stance rather than an utterance ("she could not support the deal"). Inside
# what someone else is reported to have said they are part of that statement, not one of their own.
NESTED_STANCE_LEMMAS = word_list("nested_stance_verbs")


def without_nested_stances(relations: list[Relation]) -> list[Relation]:
    contents = SpanIndex(r.content for r in relations)
    kept = []
    for i, relation in enumerate(relations):
        stance_only = relation.lemma in NESTED_STANCE_LEMMAS or cue_stances().get(relation.lemma) in {"believe", "support", "demand", "promise"}
        nested = stance_only and any(other != i for other in contents.containing(relation.cue.start))
        if not nested:
            kept.append(relation)
    return kept


def citing_links(cue, offset: int, text: str, context: ArticleContext) -> tuple[list[ChainLink], set[int]]:
    links: list[ChainLink] = []
    ids: set[int] = set()
    for child in cue.children:
        if lemma_of(child) == "cite" and child.dep_ in {"advcl", "xcomp", "conj", "prep"}:
            obj = next((c for c in child.children if c.dep_ in {"dobj", "pobj"}), None)
            if obj is None:
                continue
            span = span_of(list(obj.subtree), offset, text)
            if span is None:
                continue
            mention = text[span.start : span.end]
            label, entity_text = head_entity(mention, obj.text)
            resolved = resolve_source(
                mention, entity_label=label, head_lemma=lemma_of(obj), head_text=obj.text,
                position=span.start, context=context, entity_text=entity_text,
            )
            links.append(ChainLink(resolved.name, resolved.type, child.text, mention))
            ids.update(t.i for t in child.subtree)
    return links, ids


def collapse_chains(relations: list[Relation]) -> list[Relation]:
    """Give a relation reported inside another's content the chain of sources it came through.

    "Iran claimed X, the AP reported, citing state TV": Iran's statement comes via state TV, via the
    AP (innermost source first, each link with its own cue); the AP's report stays a statement too.
    """
    relations = sorted(relations, key=lambda r: (r.content.end - r.content.start))
    contents = SpanIndex(r.content for r in relations)
    nested_in: set[int] = set()
    for i, inner in enumerate(relations):
        for j in contents.containing(inner.cue.start):  # the outer relations whose content holds the cue, in order
            outer = relations[j]
            if j <= i or j in nested_in:
                continue
            if (
                inner.source is None or outer.content.start <= inner.source.start < outer.content.end
            ) and outer.kind != "direct":
                inner.via.extend(outer.via)
                inner.via.append(ChainLink(outer.source_name, outer.source_type, outer.lemma, outer.source_text))
                if not inner.channel:
                    inner.channel = outer.channel
                nested_in.add(j)
                break
    # The outer relation stays a statement of its own: the AP did report that Iran claimed it.
    return sorted(relations, key=lambda r: (r.content.start, r.content.end))
