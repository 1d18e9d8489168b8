"""Cue verbs ("said", "told reporters", "denied"): the main rule family, over the cue's speaker, content and quotes."""

from __future__ import annotations

from transform.chains import citing_links
from transform.channels import channel_of
from transform.content import QUOTE_INTRODUCING_STANCES, content_tokens_of, is_parenthetical, without_speakers_next_act, without_trailing_aside
from transform.lexicon import cue_stances, word_list
from transform.model import Span
from transform.quote_runs import adjacent_quotes, another_cue_between, extend_quote_run, quote_after_attribution, split_quote
from transform.relation import Relation, Speaker
from transform.rules.passive import PASSIVE_OR_RAISING_LEMMAS, RAISING_LEMMAS, UNSPECIFIED_SOURCE, passive_or_raising_relation
from transform.sources import ArticleContext, ResolvedSource
from transform.spans import overlap, span_of, trim
from transform.speakers import names_no_source, source_for, speaker_between_quote_and_cue
from transform.tokens import COPULAS, SUBJECT_DEPS, is_verb, lemma_of, nearest_subject

# Plain verbs of saying: 'She says A. "B."' goes on in a quote after the sentence that has no cue of its own.
SAYING_LEMMAS = word_list("saying_verbs")


def verb_relation(text, offset, sent, cue, quotes, context) -> Relation | None:
    """The statement a cue verb introduces: its speaker, then its content (the words the cue governs, or the
    quotes beside it), then the quotes that continue it."""
    lemma = lemma_of(cue)
    if lemma in PASSIVE_OR_RAISING_LEMMAS:
        passive = passive_or_raising_relation(text, offset, cue, context)
        if passive is not None or lemma in RAISING_LEMMAS:
            return passive
    if cue.dep_ in {"auxpass"} or any(c.dep_ == "auxpass" for c in cue.children) and lemma != "quote":
        return None
    cue_span = Span(offset + cue.idx, offset + cue.idx + len(cue.text))
    sent_span = Span(offset + sent.start_char, offset + sent.end_char)
    sentence_quotes = _sentence_quotes(text, quotes, sent_span)
    # The order matters: finding the speaker teaches the context full names that the channel and the
    # chain's sources are then resolved with.
    speaker = _speaker(cue, offset, text, context, sentence_quotes, cue_span)
    source_span = speaker.span if speaker is not None else None
    channel_ids, channel_text = channel_of(cue, sent, offset, text, source_span)
    via_links, via_ids = citing_links(cue, offset, text, context)
    parenthetical = is_parenthetical(cue)
    content = _governed_content(cue, sent, offset, text, channel_ids | via_ids, source_span, cue_span, parenthetical)
    free_quotes = [q for q in sentence_quotes if source_span is None or not (q.start <= source_span.start < q.end)]
    kind, content = _with_quotes(text, quotes, free_quotes, cue, offset, content, cue_span, source_span)
    if content is None or speaker is None:
        return None
    span, mention, resolved = speaker
    if names_no_source(mention, resolved):
        return None
    overlaps = span is not None and overlap(span, content)
    encloses = span is not None and content.start < span.start and span.end <= content.end and parenthetical
    if overlaps and not encloses and not (kind == "direct" and split_quote(free_quotes, cue_span)):
        return None
    kind, content, parts = _continued(text, quotes, kind, content, lemma, sent_span, cue_span)
    confidence = 0.9 if kind == "direct" else 0.7
    if resolved.type == "unknown":
        confidence -= 0.2
    return Relation(
        content=content, kind=kind, cue=cue_span, source=span,
        source_text=mention, source_name=resolved.name, source_type=resolved.type,
        lemma=lemma, channel=channel_text, via=via_links, confidence=confidence, parts=parts,
    )


def _sentence_quotes(text: str, quotes: list[Span], sent_span: Span) -> list[Span]:
    """Quotes overlapping the sentence: a multi-sentence quote starts sentences before its "he said"."""
    return [q for q in quotes if q.start < sent_span.end and (sent_span.start < q.end or (
        # '"... a question?" Trump said': the quote ended the sentence before the one with its cue
        q.end <= sent_span.start and sent_span.start - q.end <= 3 and not any(ch.isalnum() for ch in text[q.end : sent_span.start])))]


def _speaker(cue, offset: int, text: str, context: ArticleContext, sentence_quotes: list[Span], cue_span: Span) -> Speaker | None:
    """Who says what the cue introduces (a speaker with no span when no one is named), or None when no one does."""
    if _asked_by_no_one_named(cue):
        return Speaker(None, "", ResolvedSource(UNSPECIFIED_SOURCE, "vague"))
    speaker = source_for(cue, offset, text, context)
    if speaker is not None and speaker.span is not None:
        opened = next((q for q in sentence_quotes if q.start <= speaker.span.start < q.end <= cue_span.start), None)
        if opened is not None:
            # '"A," Ramos, 58, told AFP' parsed with the speaker inside the quote: the words between speak
            return speaker_between_quote_and_cue(cue, opened, offset, text, context)
    return speaker


def _governed_content(cue, sent, offset: int, text: str, phrase_ids: set[int], source_span: Span | None,
                      cue_span: Span, parenthetical: bool) -> Span | None:
    """The words the cue governs as what was said, without its subject, its channel and chain phrases (`phrase_ids`),
    another cue's clause and the asides the writer adds."""
    subject = nearest_subject(cue, SUBJECT_DEPS)
    subject_ids = {t.i for t in subject.subtree} if subject is not None else set()
    tokens = content_tokens_of(cue, sent) or []
    # '"A," he said before adding: "B"', 'Asked whether ..., X said, "B"': another cue's clause is its own.
    other_cues = {t.i for c in cue.children if c.dep_ in {"advcl", "conj"} and is_verb(c) and lemma_of(c) in cue_stances()
                  and c.left_edge.lower_ != "to" for t in c.subtree}
    tokens = [t for t in tokens if t.i not in subject_ids | phrase_ids | other_cues and t.i != cue.i]
    tokens = without_trailing_aside(without_speakers_next_act(tokens))
    content = span_of(tokens, offset, text)
    if content is not None and source_span is not None and content.start < source_span.start < content.end and not parenthetical:
        # A misparse hung words from the speaker's side of the cue on it ("While A is true, X said B";
        # '"A," said X, who ... endorsed B'): the content is what stands on the other side.
        after = source_span.start < cue_span.start
        tokens = [t for t in tokens if (t.i > cue.i if after else offset + t.idx < source_span.start)]
        content = span_of(tokens, offset, text)
    return content


def _with_quotes(text: str, quotes: list[Span], free_quotes: list[Span], cue, offset: int, content: Span | None,
                 cue_span: Span, source_span: Span | None) -> tuple[str, Span | None]:
    """Kind and content once the quotes are read: the quotes beside the attribution when the cue governs nothing
    else, or the quotes that make up most of what it governs."""
    kind = "indirect"
    adjacent = adjacent_quotes(text, free_quotes, cue_span, source_span)
    speaker_side = content is not None and source_span is not None and overlap(content, source_span)
    if (content is None or speaker_side) and not adjacent and cue_stances().get(lemma_of(cue)) in QUOTE_INTRODUCING_STANCES:
        # 'X said in a statement. "..."', 'X shrugged it off, telling reporters, "..."'
        adjacent = quote_after_attribution(text, quotes, cue, offset)
        if adjacent:
            content = None
    if (content is None or speaker_side) and adjacent:
        # 'He said: "..."' or '"...," he said': the quoted words are the content, also when a misparse
        # offers the speaker's own words instead ('X took to Twitter, writing: "..."').
        return "direct", trim(text, Span(adjacent[0].start, adjacent[-1].end))
    if content is None:
        return kind, content
    covering = [q for q in free_quotes if q.start < content.end and content.start < q.end]
    quoted = sum(min(q.end, content.end) - max(q.start, content.start) for q in covering)
    if covering and quoted >= 0.6 * (content.end - content.start):
        kind = "direct"
        if len(free_quotes) > len(covering) and split_quote(free_quotes, cue_span) and not another_cue_between(
                text, cue_span.end, min((q.start for q in free_quotes if q.start >= cue_span.end), default=cue_span.end), cue_span):
            # '"A," he said, "B"': both parts, from the first quote to the last.
            content = trim(text, Span(free_quotes[0].start, free_quotes[-1].end))
        else:
            content = trim(text, Span(min(covering[0].start, content.start), max(covering[-1].end, content.end)))
    elif covering:
        kind = "mixed"
        # 'saying she had "steady hands, but most of all, a good heart."': a quote the content begins is not cut short
        content = trim(text, Span(content.start, max(content.end, covering[-1].end))) or content
    return kind, content


def _continued(text: str, quotes: list[Span], kind: str, content: Span, lemma: str, sent_span: Span,
               cue_span: Span) -> tuple[str, Span, list[Span]]:
    """Kind, content and parts grown over the quotes after the sentence that go on with what was said."""
    if kind == "direct":
        return kind, extend_quote_run(text, quotes, content, sent_span.end, cue_span), []
    if lemma in SAYING_LEMMAS:
        # 'She says A. "B."': a quote right after the sentence, with no cue of its own, goes on with what she says
        following = [q for q in quotes if q.start >= sent_span.end]
        if following:
            extended = extend_quote_run(text, following, Span(content.start, sent_span.end), sent_span.end, cue_span)
            if extended.end > sent_span.end:
                quoted = trim(text, Span(min(q.start for q in following), extended.end))
                if quoted is not None:
                    return "mixed", Span(content.start, quoted.end), [content, quoted]
    return kind, content, []


def _asked_by_no_one_named(cue) -> bool:
    """"Asked about the deal, Smith said ...": the question came from someone unnamed, not from Smith."""
    return (lemma_of(cue) == "ask" and cue.tag_ == "VBN" and cue.dep_ in {"advcl", "ROOT"}
            and not any(c.dep_ in SUBJECT_DEPS | {"aux", "auxpass", "agent"} for c in cue.children))


def takes_finite_clause(verb) -> bool:
    """A verb outside the lexicon with a that-clause or a clause with its own subject ("X stressed that ...")."""
    if verb.lower_ in COPULAS or verb.tag_ == "MD":
        return False
    for child in verb.children:
        if child.dep_ == "ccomp" and child.i > verb.i:
            if any(c.dep_ == "mark" and c.lower_ == "that" for c in child.children):
                return True
    return False
