"""Tag an article the rules have parsed, and add the statements the model finds beside the rules' own."""

from __future__ import annotations

from collections.abc import Sequence

from transform.model import Statement
from transform.tagger.assemble import paragraph_statements
from transform.tagger.features import paragraph_features
from transform.tagger.labels import statement_ranges
from transform.tagger.model import AttributionModel


def _dense_coordinates(docs: Sequence, model: AttributionModel) -> list:
    """The encoder kind's dense coordinates per paragraph (all of an article's paragraphs encoded in one
    batched call); Nones for the CRF kind, which never loads the encoder."""
    if model.projection is None:
        return [None] * len(docs)
    from transform.tagger.dense import project, token_vectors_of

    return [project(vectors, model.projection) for vectors in token_vectors_of(docs)]


def model_statements(parsed, rule_statements: Sequence[Statement], model: AttributionModel) -> list[Statement]:
    """Statements the model finds in `parsed` (a transform.engine.ParsedArticle) that no rules statement covers."""
    found: list[Statement] = []
    threshold = model.content_threshold
    rule_ranges = statement_ranges(rule_statements)
    paragraphs = [(offset, doc) for offset, doc in parsed.paragraphs if len(doc)]
    coordinates = _dense_coordinates([doc for _, doc in paragraphs], model)
    for (offset, doc), dense in zip(paragraphs, coordinates):
        features = paragraph_features(doc, offset, parsed.quotes, rule_ranges)
        if dense is not None:
            from transform.tagger.dense import with_dense

            features = with_dense(features, dense)
        with model.lock:
            labels = model.tagger.tag(features)
            # How sure the CRF is of each token's label: a content whose tokens it doubts is left out.
            marginal = model.tagger.marginal
            sureness = [marginal(label, i) if label[-1] in "TX" else 1.0 for i, label in enumerate(labels)]
        found += paragraph_statements(parsed.text, doc, offset, labels, sureness, rule_statements, parsed.quotes,
                                      model.model_id, threshold)
    return found
