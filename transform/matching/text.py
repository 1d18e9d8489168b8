"""Text preparation for fact-check matching: clean a statement or tweet, and cut text into BM25 terms.

Tweets carry a signature (`— Name (@handle) January 6, 2020`), links and picture links. The handle, the date
and the links say nothing about the claim and only add noise to retrieval and to the sentence vector; the
display name is kept, as who said it often is part of the claim ("Trump says ..."). Statements from articles
carry none of these, so cleaning them is a no-op.
"""

from __future__ import annotations

import re

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# The signature an embedded tweet ends with: an em dash (or "--"), a display name, the @handle, a date.
_SIGNATURE = re.compile(r"\s*(?:\u2014|--)\s*([^\u2014]{0,80}?)\(@\w{1,30}\)\s*[A-Z][a-z]+ \d{1,2}, \d{4}\s*$")
_URL = re.compile(r"(?:https?://|www\.)\S+|\bpic\.twitter\.com/\S+|\b\w+\.(?:com|org|net|ly)/\S*", re.IGNORECASE)
# "#IranUsapic.twitter.com/x": picture links glued to the word before them.
_GLUED_PIC = re.compile(r"pic\.twitter\.com/\S+", re.IGNORECASE)
_HANDLE_OR_TAG = re.compile(r"[@#](\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPACES = re.compile(r"\s+")
_TERM = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

STOP_WORDS = frozenset(ENGLISH_STOP_WORDS)


def clean_query(text: str) -> str:
    """The claim-bearing text of a statement or tweet: a tweet signature cut to the display name, URLs and
    picture links removed, hashtags and @handles kept as words (`#BlackLivesMatter` -> `Black Lives Matter`),
    whitespace collapsed."""
    text = _SIGNATURE.sub(lambda m: " " + m.group(1), text)
    text = _GLUED_PIC.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _HANDLE_OR_TAG.sub(lambda m: _CAMEL.sub(" ", m.group(1)), text)
    return _SPACES.sub(" ", text).strip()


def _stem(word: str) -> str:
    # A light suffix stripper (Harman's S-stemmer plus -ing/-ed), enough to meet plurals and tenses halfway.
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    return word


def terms(text: str, stem: bool = True) -> list[str]:
    """Lower-cased word terms of `text` for BM25, English stop words left out, lightly stemmed."""
    words = (w for w in _TERM.findall(text.lower()) if w not in STOP_WORDS)
    return [_stem(w) for w in words] if stem else list(words)
