"""The tagger's labels: character ranges to per-token labels and back, without a model or a corpus."""

from __future__ import annotations

from transform.tagger.labels import RoleRange, decode, token_labels

# "Taxes , he said , will rise ." as tokens with their character spans
WORDS = ["Taxes", ",", "he", "said", ",", "will", "rise", "."]


def _spans(words):
    spans, position = [], 0
    for word in words:
        spans.append((position, position + len(word)))
        position += len(word) + 1
    return spans


SPANS = _spans(WORDS)


def _range(first, last, role, relation=0, part=0):
    return RoleRange(SPANS[first][0], SPANS[last][1], role, relation, part)


def test_a_content_split_by_its_own_attribution_is_one_content_in_two_parts():
    ranges = [_range(0, 0, "T"), _range(5, 7, "T", part=1), _range(2, 2, "S"), _range(3, 3, "C")]
    labels = token_labels(SPANS, ranges)
    assert labels == ["B-T", "O", "B-S", "B-C", "O", "B-X", "I-T", "I-T"]
    contents = [s for s in decode(labels) if s.role == "T"]
    assert len(contents) == 1 and contents[0].parts == [(0, 0), (5, 7)]


def test_a_cue_inside_a_content_takes_its_token_and_splits_the_run():
    ranges = [_range(0, 7, "T"), _range(3, 3, "C", relation=1)]
    labels = token_labels(SPANS, ranges)
    assert labels[3] == "B-C" and labels[4] == "B-T"  # the content resumes as a new run after the cue
    assert [(s.role, s.first, s.last) for s in decode(labels)] == [("T", 0, 2), ("C", 3, 3), ("T", 4, 7)]


def test_two_adjacent_contents_of_two_relations_stay_two():
    ranges = [_range(0, 2, "T", relation=0), _range(3, 7, "T", relation=1)]
    labels = token_labels(SPANS, ranges)
    assert labels[3] == "B-T"
    assert [(s.first, s.last) for s in decode(labels)] == [(0, 2), (3, 7)]


def test_decoding_tolerates_what_a_tagger_may_output():
    # an I- without its B-, and a continuation with no content before it, each start a content
    spans = decode(["B-X", "I-T", "O", "I-T", "I-S"])
    assert [(s.role, s.first, s.last) for s in spans] == [("T", 0, 1), ("T", 3, 3), ("S", 4, 4)]
    # a continuation after a content joins it, across what lies between
    joined = decode(["B-T", "O", "B-C", "B-X", "I-T"])
    assert [(s.role, s.parts) for s in joined] == [("T", [(0, 0), (3, 4)]), ("C", [(2, 2)])]
