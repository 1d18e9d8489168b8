"""Token features for the attribution tagger: the parse, the lexicons and the rules' own decisions.

One CRF sequence is one parsed paragraph. Features are plain strings ("w=said"), which python-crfsuite
reads fastest; a token's own attributes are computed once and its neighbours' are looked up, not recomputed.
"""

from __future__ import annotations

from collections.abc import Sequence

from transform.lexicon import cue_noun_stances, cue_stances
from transform.model import Span, Statement
from transform.tagger.labels import role_marks
from transform.tokens import lemma_of_form

# How far up the dependency tree a token looks for a cue that governs it: clauses of reported speech
# sit two or three arcs under their cue; past six the answer is the same as "no".
CUE_ANCESTOR_DEPTH = 6
WINDOW = (-2, -1, 1, 2)


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


def _token_attributes(doc, offset: int, quotes: Sequence[Span]) -> list[tuple[str, ...]]:
    """Per token: word, lemma, tag, dep, shape, lexicon class, quote state, cue-governor, head features.

    Read from plain lists of the doc's attributes, not token objects: each spaCy attribute access builds
    a Python object, and the walks up the tree below would make thousands per paragraph.
    """
    verbs, nouns = cue_stances(), cue_noun_stances()
    words = [t.lower_ for t in doc]
    tags = [t.tag_ for t in doc]
    deps = [t.dep_ for t in doc]
    heads = [t.head.i for t in doc]
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
    for i, t in enumerate(doc):
        start = offset + t.idx
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
            words[i], lemmas[i], tags[i], deps[i], _shape(t.text), lexicon[i], "q" if quoted else "-", governor,
            lemmas[head], tags[head], lexicon[head], "s" if t.is_sent_start else "-", argument,
            f"{lexicon[verb]}|{deps[node]}", str(node),
        ))
    return rows


def paragraph_features(doc, offset: int, quotes: Sequence[Span], rule_statements: Sequence[Statement]) -> list[list[str]]:
    """The CRF's input for one parsed paragraph starting at `offset`: one list of feature strings per token."""
    rows = _token_attributes(doc, offset, quotes)
    spans = [(offset + t.idx, offset + t.idx + len(t.text)) for t in doc]
    marks = role_marks(spans, rule_statements)
    n = len(rows)
    features = []
    for i, (word, lemma, tag, dep, shape, lex, quoted, governor, head_lemma, head_tag, head_lex, sent_start,
            argument, argument_class, argument_root) in enumerate(rows):
        f = [
            "b", "w=" + word, "l=" + lemma, "t=" + tag, "d=" + dep, "s=" + shape, "x=" + lex, "q=" + quoted,
            "g=" + governor, "hl=" + head_lemma, "ht=" + head_tag, "hx=" + head_lex, "dh=" + dep + "|" + head_tag,
            "ss=" + sent_start, "suf=" + word[-3:], "r=" + marks[i], "rq=" + marks[i] + "|" + quoted,
            "rt=" + marks[i] + "|" + tag, "a=" + argument, "ax=" + argument_class, "hd=" + head_lemma + "|" + dep,
            # the argument changes here: a likely content boundary
            "ac=" + ("same" if i and rows[i - 1][14] == argument_root else "new"),
        ]
        for k in WINDOW:
            j = i + k
            if 0 <= j < n:
                other = rows[j]
                f += [f"{k}w={other[0]}", f"{k}t={other[2]}", f"{k}r={marks[j]}", f"{k}q={other[6]}"]
                if k in (-1, 1):
                    f += [f"{k}l={other[1]}", f"{k}x={other[5]}", f"{k}d={other[3]}"]
            else:
                f.append(f"{k}=edge")
        features.append(f)
    return features
