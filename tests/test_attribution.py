"""Attribution on sentences written for these tests, and on the seed article from ../shared."""

import random

import pytest

from citeline.cli import main
from tests.test_attribution_cases import content as _content
from tests.test_attribution_cases import find as _by_cue
from transform.engine import attribute
from transform.model import Span
from transform.nlp import PARSE_BATCH_CHARS, parse_paragraphs, parser_input
from transform.quotes import find_quotes, first_quote_from, quotes_between
from transform.spans import SpanIndex


def test_direct_quote_before_the_attribution():
    text = '"The bridge will reopen next week," the mayor said on Monday.'
    s = _by_cue(text, "said")
    assert s.kind == "direct"
    assert _content(text, s) == "The bridge will reopen next week"
    assert text[s.source.start : s.source.end] == "the mayor"


def test_direct_quote_after_a_colon():
    text = 'The coach said: "We were simply outplayed."'
    s = _by_cue(text, "said")
    assert (s.kind, _content(text, s)) == ("direct", "We were simply outplayed.")
    assert s.source_text == "The coach"


def test_indirect_speech_with_that():
    text = "Health Minister Anna Berg said that the hospital would close in March."
    s = _by_cue(text, "said")
    assert s.kind == "indirect"
    assert _content(text, s) == "that the hospital would close in March"
    assert s.source_name == "Anna Berg" and s.source_type == "person"


def test_according_to():
    text = "The fire started in the kitchen, according to the fire brigade."
    s = _by_cue(text, "according to")
    assert s.kind == "according_to"
    assert _content(text, s) == "The fire started in the kitchen"
    assert text[s.source.start : s.source.end] == "the fire brigade"


def test_offsets_are_exact_and_stance_and_channel_are_set():
    text = 'Residents were evacuated.\n"It is clear the dam failed," Reuters reported in a statement.'
    s = _by_cue(text, "reported")
    assert s.source_name == "Reuters" and s.source_type == "news_agency"
    assert s.stance == "report" and s.channel == "in a statement"
    assert 0.0 <= s.confidence <= 1.0


def test_vague_source_is_kept_and_typed():
    text = "The storm will strengthen overnight, experts say."
    s = _by_cue(text, "say")
    assert s.source_type == "vague"


def test_odd_input_never_crashes():
    for text in ["", '"', '""""""', "\u201c\u201c\u201d", "\x00\x01\x02 junk \ufffd", "said said said"]:
        for s in attribute(text):
            assert 0 <= s.content.start < s.content.end <= len(text)


def test_marks_with_nothing_quotable_between_them_quote_nothing():
    assert find_quotes('"\u201c"\u201c " , " \u00ab\u00bb ""') == []
    text = 'She wrote \u201c\u0414\u0430\u201d and \u201c42\u201d.'  # a word in another script, a number
    assert [text[q.start : q.end] for q in find_quotes(text)] == ["\u0414\u0430", "42"]


def test_quote_lookups_by_position_agree_with_a_scan_of_every_quote():
    text = "\n".join(f'Line {i} has "a quote" and "another one" here.' for i in range(40))
    quotes = find_quotes(text)
    for start in range(0, len(text), 7):
        for end in (start, start + 5, start + 60, start + 400):
            assert quotes_between(quotes, start, end) == [q for q in quotes if q.start < end and start < q.end]
        assert first_quote_from(quotes, start) == next((q for q in quotes if q.start >= start), None)


def test_span_index_answers_as_a_scan_of_every_span_does():
    rng = random.Random(3)
    spans = [Span(s, s + rng.randint(1, 40)) for s in (rng.randint(0, 500) for _ in range(60))]
    index = SpanIndex(spans)
    for start in range(0, 560, 3):
        for length in (1, 4, 30):
            probe = Span(start, start + length)
            assert index.overlaps(probe) == any(s.start < probe.end and probe.start < s.end for s in spans)
        assert index.containing(start) == [i for i, s in enumerate(spans) if s.start <= start < s.end]
    assert not SpanIndex([]).overlaps(Span(0, 10)) and SpanIndex([]).containing(5) == []


def test_parser_input_keeps_every_offset_and_blanks_unbroken_runs():
    paragraph = "Ana\u00a0Ruiz said " + '"\u201c' * 60 + " it rained, " + "x" * 150 + " she said."
    seen = parser_input(paragraph)
    assert len(seen) == len(paragraph) and seen.index("it rained") == paragraph.index("it rained")
    assert "Ana Ruiz said" in seen and '"' not in seen and "x" not in seen
    assert parser_input("a" * 99) == "a" * 99  # a long word is still a word


def test_parse_batches_are_bounded_by_characters_and_keep_order():
    batches = []

    class RecordingParser:
        def pipe(self, texts, batch_size, disable):
            batches.append(list(texts))
            return iter(batches[-1])

    paragraphs = ["word " * 6_000] * 5 + ["b" * 10] * 40 + ["long " * 14_000]
    assert list(parse_paragraphs(RecordingParser(), paragraphs, 32)) == paragraphs
    assert all(len(b) == 1 or (len(b) <= 32 and sum(map(len, b)) <= PARSE_BATCH_CHARS) for b in batches)
    assert [len(b) for b in batches[:2]] == [2, 2]


@pytest.mark.timeout(120)  # a wall of quote marks once took the tokenizer minutes per megabyte
def test_attribute_command_survives_five_megabytes_of_marks_and_junk(tmp_path, capsys):
    marks = tmp_path / "marks.txt"
    marks.write_text('"\u201c' * 2_500_000, encoding="utf-8")
    junk = tmp_path / "junk.txt"
    junk.write_text(("\u201c" + "q\u00bb" * 50 + '" ') * 30_000 + "\n" + "\x00\x07" * 1_000_000, encoding="utf-8")
    assert main(["attribute", "--jsonl", str(marks), str(junk)]) == 0
    assert capsys.readouterr().out == ""


def test_quote_finder_handles_multi_paragraph_and_unbalanced_marks():
    text = 'He said: \u201cFirst part.\n\u201cSecond part.\u201d\nA stray " mark.'
    assert [text[q.start : q.end] for q in find_quotes(text)] == ["First part.", "Second part.", " mark."]


# The seed article (../shared/seed): its key statements with their chains.

def test_seed_pentagon_statement(seed_text):
    s = _by_cue(seed_text, "said")
    assert s.kind == "direct"
    assert _content(seed_text, s).startswith("It is clear that these missiles were launched from Iran")
    assert s.source_text == "the Pentagon"
    assert (s.source_name, s.source_type) == ("United States Department of Defense", "military")
    assert s.channel == "in a statement"


def test_seed_chain_iran_via_state_tv_via_ap(seed_text):
    s = _by_cue(seed_text, "claimed")
    assert s.source_text == "Iran" and s.source_name == "Government of Iran"
    assert [(link.name, link.type) for link in s.via] == [
        ("Islamic Republic of Iran Broadcasting", "state_media"),
        ("Associated Press", "news_agency"),
    ]
    assert [link.cue for link in s.via] == ["citing", "report"]


def test_seed_tehran_indirect_is_iran_government(seed_text):
    statements = [s for s in attribute(seed_text) if s.source_text == "Tehran"]
    assert len(statements) == 1
    s = statements[0]
    assert s.kind == "indirect" and s.source_name == "Government of Iran" and s.source_type == "government"
    assert _content(seed_text, s).startswith("the strikes are revenge")


def test_seed_trump_warning_via_twitter(seed_text):
    s = _by_cue(seed_text, "warned")
    assert s.source_name == "Donald Trump" and s.source_type == "person"
    assert s.stance == "warn" and s.channel == "via Twitter"
    assert "VERY FAST AND VERY HARD" in _content(seed_text, s)


def test_seed_pronoun_it_resolves_to_iran(seed_text):
    s = _by_cue(seed_text, "denied")
    assert s.source_text == "it" and s.source_name == "Government of Iran"
    assert s.stance == "deny"


def test_seed_every_offset_matches_its_text(seed_text):
    statements = attribute(seed_text)
    assert len(statements) >= 6
    for s in statements:
        assert seed_text[s.source.start : s.source.end] == s.source_text
        assert s.content.end > s.content.start


def test_one_parse_gives_the_rules_statements_and_the_docs_and_statements_from_leaves_relations_as_they_were():
    from transform.engine import parse_article, rule_relations, statements_from

    text = ('Iran claimed the attack, the Associated Press reported, citing Iranian state TV.\n'
            'Nothing here.\n"We are ready," the coach said.')
    parsed = parse_article(text)
    assert [start for start, _ in parsed.paragraphs] == [0, text.index('"We')]  # the prefilter skips "Nothing here."
    assert all(text[start : start + len(doc.text)] == doc.text for start, doc in parsed.paragraphs)
    relations = rule_relations(parsed)
    vias = [list(r.via) for r in relations]
    assert statements_from(relations, parsed) == attribute(text)
    assert [list(r.via) for r in relations] == vias
    assert statements_from(relations, parsed) == attribute(text)
