"""Token features for the attribution tagger: the parse, the lexicons and the rules' own decisions.

One CRF sequence is one parsed paragraph. Features are plain strings ("w=said"), which python-crfsuite
reads fastest; a token's own attributes are computed once and its neighbours' are looked up, not recomputed.
"""

from __future__ import annotations

from collections.abc import Sequence

from transform.lexicon import cue_noun_stances, cue_stances
from transform.model import Span
from transform.tagger.labels import RoleRange, role_marks
from transform.tokens import lemma_of_form

# How far up the dependency tree a token looks for a cue that governs it: clauses of reported speech
# sit two or three arcs under their cue; past six the answer is the same as "no".
CUE_ANCESTOR_DEPTH = 6


def _shape(word: str) -> str:
    if word.isupper():
        return "AA" if len(word) > 1 else "A"
    if word[:1].isupper():
        return "Aa"
    if word.isdigit():
        return "d"
    if word.isalpha():
        return "a"
    return "p" if not any(ch.isalnum() for ch in word) else "x"


def _token_attributes(doc, offset: int, quotes: Sequence[Span]) -> tuple[list[tuple[str, ...]], list[tuple[int, int]]]:
    """Per token: word, lemma, tag, dep, shape, lexicon class, quote state, cue-governor, head lemma,
    sentence start, and the verb argument it belongs to.

    Read from the doc's attribute array, not its tokens: each spaCy token access builds a Python object,
    and the walks up the tree below would make thousands per paragraph. Also returns each token's
    character span in the article.
    """
    from spacy.attrs import DEP, HEAD, IDX, LENGTH, LOWER, SENT_START, TAG

    verbs, nouns = cue_stances(), cue_noun_stances()
    strings = doc.vocab.strings
    columns = doc.to_array([LOWER, TAG, DEP, HEAD, IDX, LENGTH, SENT_START]).tolist()
    text = doc.text
    words = [strings[row[0]] for row in columns]
    tags = [strings[row[1]] for row in columns]
    deps = [strings[row[2]] for row in columns]
    # HEAD is stored relative to the token, as an unsigned number: wrap it back to a signed offset.
    heads = [i + (row[3] if row[3] < 2**63 else row[3] - 2**64) for i, row in enumerate(columns)]
    texts = [text[row[4] : row[4] + row[5]] for row in columns]
    starts = [offset + row[4] for row in columns]
    sentence_starts = [row[6] == 1 for row in columns]
    lemmas = [lemma_of_form(word, tag) for word, tag in zip(words, tags)]
    lexicon = [
        ("verb:" + verbs[lemma] if lemma in verbs and tag.startswith("VB") else
         "noun:" + nouns[lemma] if lemma in nouns and tag.startswith("NN") else
         "cueword" if lemma in verbs or lemma in nouns else "-")
        for tag, lemma in zip(tags, lemmas)
    ]
    is_verb = [tag.startswith("VB") for tag in tags]
    quote_index = 0
    rows = []
    for i, start in enumerate(starts):
        while quote_index < len(quotes) and quotes[quote_index].end <= start:
            quote_index += 1
        quoted = quote_index < len(quotes) and quotes[quote_index].start <= start
        governor, node, steps = "-", i, 0
        while heads[node] != node and steps < CUE_ANCESTOR_DEPTH:
            steps += 1
            via_dep, node = deps[node], heads[node]
            if lexicon[node] != "-":
                governor = f"{lexicon[node]}|{via_dep}|{min(steps, 3)}"
                break
        # The verb argument the token belongs to ("hate|dobj" for every word of "the tax" in "they hate
        # the tax"): where one statement's content ends and the next begins, the argument changes.
        node, steps = i, 0
        while heads[node] != node and not is_verb[heads[node]] and steps < CUE_ANCESTOR_DEPTH:
            node, steps = heads[node], steps + 1
        verb = heads[node]
        argument = f"{lemmas[verb]}|{deps[node]}" if verb != node else "root"
        head = heads[i]
        rows.append((
            words[i], lemmas[i], tags[i], deps[i], _shape(texts[i]), lexicon[i], "q" if quoted else "-", governor,
            lemmas[head], "s" if sentence_starts[i] else "-", argument,
            f"{lexicon[verb]}|{deps[node]}", str(node),
        ))
    return rows, [(start, start + len(text)) for start, text in zip(starts, texts)]


def paragraph_features(doc, offset: int, quotes: Sequence[Span], rule_ranges: Sequence[RoleRange]) -> list[list[str]]:
    """The CRF's input for one parsed paragraph starting at `offset`: one list of feature strings per token.

    `rule_ranges` are the rules' statements as role ranges (labels.statement_ranges), made once per article.
    """
    rows, spans = _token_attributes(doc, offset, quotes)
    marks = role_marks(spans, rule_ranges)
    n = len(rows)
    features = []
    for i, (word, lemma, tag, dep, shape, lex, quoted, governor, head_lemma, sent_start,
            argument, argument_class, argument_root) in enumerate(rows):
        mark = marks[i]
        f = [
            "b", "w=" + word, "l=" + lemma, "t=" + tag, "d=" + dep, "s=" + shape, "x=" + lex, "q=" + quoted,
            "g=" + governor, "hl=" + head_lemma, "ss=" + sent_start, "r=" + mark, "rt=" + mark + "|" + tag,
            "a=" + argument, "ax=" + argument_class,
            # the argument changes here: a likely content boundary
            "ac=" + ("same" if i and rows[i - 1][12] == argument_root else "new"),
        ]
        # Neighbours: words and rules' marks one either side, tags and marks two away. Each feature costs
        # time twice (built here, looked up by the tagger), so only those that earned their place on train.
        if i:
            before = rows[i - 1]
            f += ["-1w=" + before[0], "-1l=" + before[1], "-1t=" + before[2], "-1q=" + before[6], "-1r=" + marks[i - 1]]
        else:
            f.append("-1=edge")
        if i + 1 < n:
            after = rows[i + 1]
            f += ["1w=" + after[0], "1l=" + after[1], "1t=" + after[2], "1q=" + after[6], "1r=" + marks[i + 1]]
        else:
            f.append("1=edge")
        if i > 1:
            f += ["-2t=" + rows[i - 2][2], "-2r=" + marks[i - 2]]
        if i + 2 < n:
            f += ["2t=" + rows[i + 2][2], "2r=" + marks[i + 2]]
        features.append(f)
    return features
