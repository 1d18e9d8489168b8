"""Who speaks: the source mention of a cue, resolved to a named source, and what the article has named so far."""

from __future__ import annotations

import re

from transform.content import DOCUMENT_NOUNS
from transform.lexicon import alias_table, cue_stances, source_noun_types, word_list
from transform.model import Span
from transform.nlp import entity_of, head_entity
from transform.quotes import QUOTE_CHARACTERS, QUOTE_MARKS
from transform.relation import Relation, Speaker
from transform.sources import ANONYMITY_MARKERS, ANONYMOUS_HEADS, PERSONAL_TITLES, ArticleContext, Entity, ResolvedSource, person_name, resolve_source, strip_determiners
from transform.spans import span_of
from transform.tokens import COPULAS, DESCRIPTION_TAGS, NOUN_PHRASE_TAGS, NOUN_TAGS, SUBJECT_DEPS, is_proper_noun, is_verb, lemma_of, nearest_subject

UNRESOLVABLE_PRONOUNS = {"i", "you", "we", "me", "us", "one", "y'all", "this"}


NO_ONE = {"nobody", "no one", "none", "no-one"}


RELATIVE_PRONOUNS = {"who", "that", "which", "whom"}


PRONOUNS = {"he", "she", "it", "they", "him", "her", "them"} | UNRESOLVABLE_PRONOUNS | RELATIVE_PRONOUNS


def remember_subjects(sent, offset: int, context: ArticleContext) -> None:
    """Named subjects ("Senator Paul Ortiz visited ...") as antecedents, typed without NER to stay fast."""
    for token in sent:
        named_subject = token.dep_ in SUBJECT_DEPS or (token.dep_ == "appos" and token.head.dep_ in SUBJECT_DEPS)
        if not named_subject or not is_proper_noun(token):
            continue
        words = [t for t in token.subtree if t.i <= token.i and (is_proper_noun(t) or t.lower_ == "the") and t.i >= token.left_edge.i]
        if not words:
            continue
        mention = sent.doc[words[0].i : token.i + 1].text
        known = alias_table().lookup(mention) or alias_table().lookup(strip_determiners(mention))
        if known is not None:
            name, kind = known.name, known.type
        elif words[0].lower_ == "the":
            # "The Interior Ministry visited ...": an institution, named without its article
            name, kind = strip_determiners(mention), source_noun_types().get(lemma_of(token).lower(), "organisation")
        else:
            name, kind = person_name(mention, context), "person" if len(words) >= 2 else "unknown"
            if kind == "unknown" and name in context.full_names.values():
                kind = "person"
        if kind != "unknown":
            context.remember(Entity(name, kind, offset + token.idx, True))


def remember_sources(relations: list[Relation], context: ArticleContext) -> None:
    """Named sources become antecedents for later pronouns and bare surnames."""
    for relation in relations:
        if relation.source is not None and relation.source_text.lower() not in PRONOUNS:
            context.remember(Entity(relation.source_name, relation.source_type, relation.source.start, True))


# Participles of "X was prompted to say": what moved someone to speak, not what is expected of them.
PROMPTED_FORMS = word_list("prompted_forms")


def source_for(token, offset: int, text: str, context: ArticleContext) -> Speaker | None:
    """The speaker of a cue: its subject or agent, or, when the parser gives it none, the subject it shares or the words beside it."""
    subject = nearest_subject(token, {"nsubj", "csubj"})
    if subject is None:
        agent = next((c for c in token.children if c.dep_ == "agent"), None)
        if agent is not None:
            subject = next((c for c in agent.children if c.dep_ == "pobj"), None)
    if subject is None and token.dep_ == "xcomp" and token.head.i < token.i and token.head.lower_ in PROMPTED_FORMS:
        # "Trump was prompted to say ...": who was prompted says it (but "she is expected to announce" is no statement yet)
        subject = next((c for c in token.head.children if c.dep_ == "nsubjpass"), None)
    if subject is None and token.dep_ == "acl" and token.head.dep_ == "ROOT" and token.head.tag_ in {"NNP", "NNPS"} and token.head.i < token.i:
        # "O'Malley, who ..., interjected", parsed as a noun phrase with no verb: the name is the subject
        subject = token.head
    if subject is None and token.dep_ in {"conj", "xcomp", "advcl", "pcomp"} and token.head.i != token.i:
        # "X announced the plan, saying ..." and "X said ... and added ...": the head's subject speaks,
        # but not the "it" of "it is his job to talk about ...".
        if token.head.lower_ in COPULAS and any(c.dep_ == "nsubj" and c.lower_ in {"it", "there", "this", "that"} for c in token.head.children):
            return None
        root = token.sent.root
        # "Cardin stressed that A, suggesting B": a participle set off by a comma says what the sentence's
        # subject did next, even when the parser hangs it on a verb inside the content.
        if (token.tag_ == "VBG" and token.i > 0 and token.doc[token.i - 1].text == ","
                and root.i < token.i and root.i != token.head.i and is_verb(root) and nearest_subject(root, {"nsubj", "csubj"}) is not None):
            return source_for(root, offset, text, context)
        head = token.head
        # "Lazar said he welcomed extradition and added ...", with "added" hung on "welcomed": the one who
        # said the first thing adds the second, not the subject of what was said.
        if (token.dep_ == "conj" and head.dep_ == "ccomp" and head.head.i < head.i and is_verb(head.head)
                and lemma_of(head.head) in cue_stances()):
            return source_for(head.head, offset, text, context)
        return source_for(token.head, offset, text, context)
    if subject is None and token.dep_ == "acl" and lemma_of(token.head) in DOCUMENT_NOUNS and token.head.i < token.i:
        # "a statement saying ...", "an ad accusing her of ...": the noun the participle describes speaks,
        # or whoever issued it ("the ministry issued a statement saying ...")
        noun = token.head
        if noun.dep_ == "dobj" and any(c.dep_ == "nsubj" for c in noun.head.children):
            return source_for(noun.head, offset, text, context)
        span = span_of([t for t in noun.subtree if t.i < token.i], offset, text)
        return resolved_mention(span, noun, text, context) if span is not None else None
    if subject is None and token.dep_ in {"ROOT", "dep", "parataxis"}:
        return (_words_before_cue(token, offset, text, context) or _name_and_description_before_cue(token, offset, text, context)
                or _words_after_cue(token, offset, text, context))
    if subject is None:
        return None
    if subject.lower_ in RELATIVE_PRONOUNS and token.dep_ == "relcl" and token.head.i != token.i:
        return _speaker_of_relative_pronoun(token, subject, offset, text, context)
    # A misparse can hang later words on the subject; the mention stays on its own side of the cue.
    tokens = [t for t in subject.subtree if (t.i < token.i) == (subject.i < token.i)]
    tokens = without_relative_clauses(tokens)
    # "X's statement said": the statement is the channel, X the source.
    if lemma_of(subject) in {"statement", "report", "release", "post", "tweet", "letter"}:
        owner = next((c for c in subject.children if c.dep_ == "poss"), None)
        if owner is not None:
            tokens = list(owner.subtree)
            subject = owner
    span = span_of(tokens, offset, text)
    if span is None:
        return None
    mention = text[span.start : span.end]
    mention = mention[:-2] if mention.endswith(("'s", "’s")) else mention
    span = Span(span.start, span.start + len(mention))
    # "The union's general secretary, Mick Cash, said": the name in apposition is who speaks.
    named = next((c for c in subject.children if c.dep_ == "appos" and c.tag_ == "NNP"), None)
    if named is not None and subject.tag_ in {"NN", "NNS"} and named.i in {t.i for t in tokens}:
        name_span = span_of(list(named.subtree), offset, text)
        if name_span is not None:
            resolved = resolved_mention(name_span, named, text, context).resolved
            # The description says what kind of source the name is better than NER on a bare name does.
            kind = source_noun_types().get(lemma_of(subject))
            if kind is not None and alias_table().lookup(resolved.name) is None:
                resolved = ResolvedSource(resolved.name, kind)
            return Speaker(span, mention, resolved)
    return resolved_mention(span, subject, text, context)


def _speaker_of_relative_pronoun(token, subject, offset: int, text: str, context: ArticleContext) -> Speaker:
    """"analysts who say ...": the mention is "who", the speaker is the noun it stands for."""
    span = Span(offset + subject.idx, offset + subject.idx + len(subject.text))
    antecedent = token.head
    named = span_of([t for t in antecedent.subtree if t.i < subject.i], offset, text)
    named_text = text[named.start : named.end] if named else antecedent.text
    resolved = resolve_source(
        named_text, entity_label=head_entity(named_text, antecedent.text)[0], head_lemma=lemma_of(antecedent),
        head_text=antecedent.text, position=span.start, context=context,
    )
    return Speaker(span, subject.text, resolved)


def without_relative_clauses(tokens: list) -> list:
    """"The ministry, which denied it, said": a relative clause describes a source; it is not its name
    (unless it is what makes the source anonymous: "an official who spoke on condition of anonymity";
    "AFP, which cited sources close to the inquiry" is still AFP)."""
    ids = {t.i for t in tokens}
    described = {
        w.i for t in tokens if t.dep_ == "relcl" and t.head.i in ids and t.head.i < t.i
        and not (t.head.lower_ in ANONYMOUS_HEADS and ANONYMITY_MARKERS.search(" ".join(x.text for x in t.subtree)))
        for w in t.subtree
    }
    return [t for t in tokens if t.i not in described]


def resolved_mention(span: Span, head, text: str, context: ArticleContext) -> Speaker:
    """(span, mention, resolved source) for a speaker mention whose head word is `head`."""
    mention = text[span.start : span.end]
    _learn_full_name(mention, text, context)
    label, entity_text = head_entity(mention, head.text) if head.lower_ not in PRONOUNS else ("", None)
    resolved = resolve_source(
        mention, entity_label=label, head_lemma=lemma_of(head), head_text=head.text,
        position=span.start, context=context, entity_text=entity_text, head_is_plural_noun=head.tag_ == "NNS",
    )
    return Speaker(span, mention, resolved)


def _learn_full_name(mention: str, text: str, context: ArticleContext) -> None:
    """A bare "Biden" is the person the article names elsewhere as "Joe Biden" or "President Biden".

    NER on one capitalised word, out of context, often calls a surname an organisation or nothing.
    """
    bare = strip_determiners(mention)
    if (not re.fullmatch(r"[A-Z][\w’'-]+(?: [A-Z][\w’'-]+)?", bare) or bare.isupper() or bare in context.full_names
            or bare in context.not_person_names or alias_table().lookup(bare) is not None):
        return
    titled = False
    for match in re.finditer(r"((?:[A-Z][\w’'.-]*[ \xa0]){1,3})" + re.escape(bare) + r"\b", text):
        if match.group(1).split()[-1].lower().rstrip(".") in PERSONAL_TITLES:
            titled = True
            continue
        label, entity_text = entity_of(match.group(0))
        if label == "PERSON" and entity_text is not None and entity_text.endswith(bare) and " " in entity_text:
            context.full_names[bare] = person_name(entity_text, context)
            return
    if titled:
        context.full_names[bare] = bare
    else:
        context.not_person_names.add(bare)


def _words_before_cue(cue, offset: int, text: str, context: ArticleContext) -> Speaker | None:
    """"Jolly said ...", parsed with "Jolly" as an adverb: the noun phrase right before a subjectless cue speaks."""
    doc = cue.doc
    words = []
    i = cue.i - 1
    while i >= cue.sent.start and len(words) < 14:
        token = doc[i]
        if token.text in {",", ";", ":", "(", ")"} or token.text in QUOTE_MARKS or token.tag_ in {"VBD", "VBZ", "VBP", "MD"}:
            break
        words.insert(0, token)
        i -= 1
    nouns = [t for t in words if t.tag_ in {"NN", "NNS", "NNP", "NNPS", "PRP"} or t.tag_ == "RB" and t.text[:1].isupper()]
    if not nouns or words[-1].tag_ in {"IN", "DT", "CC"}:
        return None
    span = span_of(words, offset, text)
    if span is None:
        return None
    head = nouns[0] if any(t.lower_ == "of" for t in words) else nouns[-1]
    return resolved_mention(span, head, text, context)


def _name_and_description_before_cue(cue, offset: int, text: str, context: ArticleContext) -> Speaker | None:
    """"At Boca West, ..., Jay DiPietro, the club's president, suggested ...", with the name hung on an
    earlier phrase: a name and the description after it, set off by commas right before the cue."""
    doc = cue.doc
    if cue.i - 1 < cue.sent.start or doc[cue.i - 1].text != ",":
        return None
    segments, current = [], []
    for i in range(cue.i - 2, cue.sent.start - 1, -1):
        if doc[i].text == ",":
            segments.append(current)
            current = []
            if len(segments) == 2:
                break
        else:
            current.insert(0, doc[i])
    else:
        segments.append(current)
    if len(segments) < 2:
        return None
    description, name = segments[0], segments[1]
    if (description and name and len(description) <= 5 and len(name) <= 12 and all(t.tag_ in {"NNP", "NNPS"} for t in description)
            and name[0].tag_ in {"DT", "PRP$"} and all(t.tag_ in DESCRIPTION_TAGS for t in name)):
        # "..., her senior policy adviser, Jake Sullivan, said": the description comes first
        span = span_of(name + description, offset, text)
        return resolved_mention(span, description[-1], text, context) if span is not None else None
    if not description or not name or len(description) > 12 or len(name) > 5:
        return None
    age = len(description) == 1 and description[0].tag_ == "CD" and description[0].text.isdigit()  # "Jo Lee, 44, said"
    if not age and (description[0].tag_ not in {"DT", "PRP$"} or any(t.tag_ not in DESCRIPTION_TAGS for t in description)):
        return None
    if not all(t.tag_ in {"NNP", "NNPS"} for t in name):
        return None
    span = span_of(name + description, offset, text)
    return resolved_mention(span, name[-1], text, context) if span is not None else None


def speaker_between_quote_and_cue(cue, quote: Span, offset: int, text: str, context: ArticleContext) -> Speaker | None:
    """The noun phrase (with its apposition) between a quote and the cue after it, or None when a clause stands there."""
    doc = cue.doc
    words = [t for t in doc[cue.sent.start : cue.i] if offset + t.idx >= quote.end and t.text not in QUOTE_CHARACTERS]
    while words and words[0].is_punct:
        words.pop(0)
    while words and (words[-1].is_punct or words[-1].dep_ in {"aux", "advmod"}):
        words.pop()
    if not words or len(words) > 40 or any(t.tag_ in {"VBD", "VBZ", "VBP", "MD"} for t in words):
        return None
    comma = next((t.i for t in words if t.text == ","), words[-1].i + 1)
    name = [t for t in words if t.i < comma]  # "Ramos" of "Ramos, 58,"
    head = name[-1]
    if head.tag_ not in NOUN_TAGS | {"PRP"}:
        return None
    span, name_span = span_of(words, offset, text), span_of(name, offset, text)
    if span is None or name_span is None:
        return None
    return Speaker(span, text[span.start : span.end], resolved_mention(name_span, head, text, context).resolved)


def _words_after_cue(cue, offset: int, text: str, context: ArticleContext) -> Speaker | None:
    """'"...," said Robert Reich, who ...', parsed with Reich as another verb's subject: the noun phrase right after the cue speaks."""
    doc = cue.doc
    words = []
    i = cue.i + 1
    while i < cue.sent.end and doc[i].tag_ in NOUN_PHRASE_TAGS and len(words) < 10:
        words.append(doc[i])
        i += 1
    nouns = [t for t in words if t.tag_ in NOUN_TAGS]
    if not nouns or words[-1].tag_ not in NOUN_TAGS:
        return None
    span = span_of(words, offset, text)
    return resolved_mention(span, nouns[-1], text, context) if span is not None else None


def names_no_source(mention: str, resolved: ResolvedSource) -> bool:
    """"I think", "you know", "nobody asked", and a "that" that stands for nothing named ("That said, ...").

    First and second person name no source: outside quotes "I" is the writer in a column but the
    interviewee in a transcript, and the text rarely says which.
    """
    lowered = mention.lower()
    if lowered in UNRESOLVABLE_PRONOUNS or lowered in NO_ONE:
        return True
    return lowered == "that" and resolved.name.lower() == lowered
