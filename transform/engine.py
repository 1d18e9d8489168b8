"""Split article text into attributed statements: content, cue and source spans, plus the chain of sources.

Rules over a dependency parse (spaCy's small English model). Only paragraphs that can hold an
attribution (a quote mark, a cue word, "according to") are parsed, and entities from every parsed
paragraph feed pronoun resolution for the ones after it.

Three steps, each usable alone so that a tagger stacked on the rules reuses their one parse:
parse_article (the costly part), rule_relations (every rule's candidates) and statements_from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from transform.chains import collapse_chains, without_nested_stances
from transform.model import Span, Statement
from transform.nlp import load_pipeline, parse_paragraphs
from transform.prefilter import may_attribute, mentions_a_cue, paragraph_ranges
from transform.quotes import find_quotes, first_quote_from, only_quote_marks, quotes_between
from transform.relation import Relation
from transform.rules.continuations import quote_paragraph_continuations
from transform.rules.sentence import sentence_relations
from transform.rules.speaker_lines import named_quote_relations, speaker_line_relations
from transform.sources import ArticleContext
from transform.speakers import remember_sources, remember_subjects
from transform.statements import to_statement
from transform.tagger.inference import model_statements
from transform.tagger.model import AttributionModel, load_model

if TYPE_CHECKING:  # spaCy loads only when a text is parsed, so importing the engine for ENGINE_VERSION stays cheap
    from spacy.tokens import Doc

ENGINE_VERSION = "rules-0.8"


@dataclass(frozen=True)
class ParsedArticle:
    """An article with its quotes and the parse of every paragraph that can hold an attribution.

    `paragraphs` holds (start offset in `text`, Doc) in text order. A Doc reads its paragraph as parser_input
    gives it (odd spaces made plain, long unbroken runs blanked), always of the same length, so a token's
    offset plus the start is its offset in `text`.
    """

    text: str
    quotes: list[Span]
    paragraphs: list[tuple[int, Doc]]


def attribute(text: str, model: AttributionModel | str | Path | None = None) -> list[Statement]:
    """Attributed statements in `text`, ordered by content offset; with `model` (a trained model or its
    folder), the model's statements beside the rules'."""
    return next(iter(attribute_many([text], model=model)))


def attribute_many(texts: Iterable[str], batch_size: int = 32,
                   model: AttributionModel | str | Path | None = None) -> Iterator[list[Statement]]:
    """Attribute many texts, parsing the candidate paragraphs of each in batches for speed.

    A model reuses the rules' parse and never changes what the rules found: it adds statements no rule
    touches, each carrying the model's id. Without one, the output is the rules' alone, as it always was.
    """
    loaded = load_model(model) if isinstance(model, (str, Path)) else model
    for text in texts:
        parsed = parse_article(text, batch_size)
        statements = statements_from(rule_relations(parsed), parsed)
        if loaded is not None:
            statements = sorted(statements + model_statements(parsed, statements, loaded), key=lambda s: s.content.start)
        yield statements


def parse_article(text: str, batch_size: int = 32) -> ParsedArticle:
    """Find the quotes and parse the paragraphs that pass the prefilter; the parser is most of the cost."""
    if not text or not text.strip():
        return ParsedArticle(text, [], [])
    ranges = [(s, e) for s, e in paragraph_ranges(text) if may_attribute(text[s:e])]
    docs = parse_paragraphs(load_pipeline(), (text[s:e] for s, e in ranges), batch_size)
    return ParsedArticle(text, find_quotes(text), [(start, doc) for (start, _), doc in zip(ranges, docs)])


def rule_relations(parsed: ParsedArticle) -> list[Relation]:
    """Every rule's relations in the order the rules find them, before nested stances go and chains collapse.

    Sentence rules run paragraph by paragraph, since the sources and subjects each sentence names are
    antecedents for the pronouns after it; the text-level rules run last, knowing what the sentences found.
    """
    text, quotes = parsed.text, parsed.quotes
    if not text or not text.strip():
        return []
    context = ArticleContext()
    relations: list[Relation] = []
    for start, doc in parsed.paragraphs:
        end = start + len(doc.text)
        paragraph_quotes = quotes_between(quotes, start, end)
        if text[start:end].rstrip().endswith(":"):
            # 'Dr. Ward stated:' and the quote as a paragraph of its own under it
            below = first_quote_from(quotes, end)
            if below is not None and only_quote_marks(text[end : below.start]):
                paragraph_quotes.append(below)
        for sent in doc.sents:
            if mentions_a_cue(sent.text):
                found = sentence_relations(text, start, sent, paragraph_quotes, context)
                relations.extend(found)
                remember_sources(found, context)
            remember_subjects(sent, start, context)
    relations += quote_paragraph_continuations(text, quotes, relations)
    relations += speaker_line_relations(text, relations, context)
    relations += named_quote_relations(text, quotes, relations, context)
    return relations


def statements_from(relations: list[Relation], parsed: ParsedArticle) -> list[Statement]:
    """Statements from relations: stances nested in others' content dropped, chains collapsed, ordered by content.

    The relations given are left as they were (collapsing chains extends a copy's `via`), so a caller can
    turn the same relations, or a mix of them with others, into statements more than once.
    """
    relations = [replace(r, via=list(r.via), parts=list(r.parts)) for r in relations]
    relations = without_nested_stances(relations)
    return [to_statement(r, parsed.quotes, parsed.text) for r in collapse_chains(relations)]
