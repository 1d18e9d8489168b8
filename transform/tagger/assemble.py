"""From the tagger's labels to statements, stacked on the rules' own.

The rules link a cue to its source and content through the parse and stay the better linker, so every
rules statement is kept; the tagger adds the contents no rule touches, each linked to the cue that
governs it (else the nearest) and to the source nearest that cue. On a held-out part of PolNeAR's
train split, letting tagged contents replace or split the rules' lost more relations than it gained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from transform.lexicon import cue_noun_stances, cue_stances
from transform.model import Span, Statement
from transform.nlp import head_entity
from transform.sources import ArticleContext, resolve_source
from transform.tagger.labels import CONTENT, CUE, SOURCE, TaggedSpan, decode
from transform.tokens import lemma_of

SUBJECT_DEPS = {"nsubj", "nsubjpass", "poss", "agent", "pobj"}
# A model statement's confidence is its sureness scaled below 0.5, the least the rules give theirs.
MODEL_CONFIDENCE = 0.49
EDGE_MARKS = set('"\u201c\u201d\u2018\u2019\'`,.;:-\u2014\u2013()[]')


@dataclass
class _Found:
    span: TaggedSpan
    chars: Span
    parts: list[Span]


def _char_span(doc, offset: int, first: int, last: int) -> Span | None:
    while first <= last and (doc[first].text in EDGE_MARKS or doc[first].is_space):
        first += 1
    while last >= first and (doc[last].text in EDGE_MARKS or doc[last].is_space):
        last -= 1
    if first > last:
        return None
    return Span(offset + doc[first].idx, offset + doc[last].idx + len(doc[last].text))


def _touches(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _sureness(content: TaggedSpan, sureness: Sequence[float]) -> float:
    tokens = [i for first, last in content.parts for i in range(first, last + 1)]
    return sum(sureness[i] for i in tokens) / len(tokens)


def _governing_cue(doc, content: TaggedSpan, cues: list[_Found]) -> _Found | None:
    """The cue that is a dependency ancestor of the content's tokens, nearest first; else the nearest cue."""
    if not cues:
        return None
    cue_at = {i: cue for cue in cues for i in range(cue.span.first, cue.span.last + 1)}
    for first, last in content.parts:
        for token in doc[first : last + 1]:
            for ancestor in token.ancestors:
                if ancestor.i in cue_at:
                    return cue_at[ancestor.i]
    sentence_of = doc[content.first].sent
    same_sentence = [c for c in cues if doc[c.span.first].sent == sentence_of]
    pool = same_sentence or cues
    return min(pool, key=lambda c: min(abs(c.span.first - content.last), abs(c.span.last - content.first)))


def _source_of(doc, cue: _Found, sources: list[_Found]) -> _Found | None:
    if not sources:
        return None
    sentence_of = doc[cue.span.first].sent
    pool = [s for s in sources if doc[s.span.first].sent == sentence_of]
    if not pool:
        return None
    for source in pool:  # the cue's own subject
        for token in doc[source.span.first : source.span.last + 1]:
            if cue.span.first <= token.head.i <= cue.span.last and token.dep_ in SUBJECT_DEPS:
                return source
    return min(pool, key=lambda s: min(abs(s.span.first - cue.span.last), abs(s.span.last - cue.span.first)))


def _subject_of(doc, offset: int, cue: _Found) -> _Found | None:
    """The cue's grammatical subject, when the tagger marked no source: "they" in "they hate the tax"."""
    for token in doc[cue.span.first : cue.span.last + 1]:
        for child in token.children:
            if child.dep_ in {"nsubj", "nsubjpass"}:
                first, last = child.left_edge.i, child.right_edge.i
                chars = _char_span(doc, offset, first, last)
                if chars is not None:
                    return _Found(TaggedSpan(SOURCE, first, last, [(first, last)]), chars, [chars])
    return None


def _resolved(doc, offset: int, source: _Found) -> tuple[str, str]:
    """Name and type of a source mention, by the rules' own resolver (without the article's context:
    a pronoun the model links stays unresolved rather than guessed)."""
    mention = doc[source.span.first : source.span.last + 1]
    head = mention.root
    label, entity = head_entity(mention.text, head.text)
    resolved = resolve_source(mention.text, entity_label=label, head_lemma=lemma_of(head), head_text=head.text,
                              position=offset + head.idx, context=ArticleContext(), entity_text=entity,
                              head_is_plural_noun=head.tag_ in {"NNS", "NNPS"})
    return resolved.name, resolved.type


def paragraph_statements(
    text: str, doc, offset: int, labels: Sequence[str], sureness: Sequence[float], rule_statements: Sequence[Statement],
    quotes: Sequence[Span], model_id: str, threshold: float,
) -> list[Statement]:
    """Statements the tagger finds in one paragraph that no rules statement touches, each as sure as `threshold`."""
    by_role: dict[str, list[_Found]] = {CONTENT: [], CUE: [], SOURCE: []}
    for span in decode(labels):
        chars = _char_span(doc, offset, span.first, span.last)
        if chars is None:
            continue
        parts = [p for p in (_char_span(doc, offset, a, b) for a, b in span.parts) if p is not None]
        by_role[span.role].append(_Found(span, chars, parts))
    found = []
    for content in by_role[CONTENT]:
        if _sureness(content.span, sureness) < threshold or any(_touches(content.chars, s.content) for s in rule_statements):
            continue
        cue = _governing_cue(doc, content.span, by_role[CUE])
        if cue is None:
            continue
        lemma = lemma_of(doc[cue.span.last])
        quoted = all(any(q.start <= p.start and p.end <= q.end + 1 for q in quotes) for p in content.parts)
        same_cue = next((s for s in rule_statements if s.cue is not None and _touches(s.cue, cue.chars)), None)
        if same_cue is not None:  # another content of a cue the rules linked: their source, resolved in context
            source_span, name, kind = same_cue.source, same_cue.source_name, same_cue.source_type
        else:
            source = _source_of(doc, cue, by_role[SOURCE]) or _subject_of(doc, offset, cue)
            source_span = None if source is None else source.chars
            name, kind = ("", "unknown") if source is None else _resolved(doc, offset, source)
        found.append(Statement(
            content=content.chars, kind="direct" if quoted else "indirect", source=source_span,
            cue=cue.chars, source_text=text[source_span.start : source_span.end] if source_span else "",
            source_name=name, source_type=kind, cue_lemma=lemma,
            stance=cue_stances().get(lemma) or cue_noun_stances().get(lemma) or "assert",
            confidence=_sureness(content.span, sureness) * MODEL_CONFIDENCE,
            content_parts=content.parts if len(content.parts) > 1 else [], model_id=model_id,
        ))
    return found
