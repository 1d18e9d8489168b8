"""What was said: the tokens a cue introduces, without the asides and next acts the parser hangs on them."""

from __future__ import annotations

from transform.lexicon import content_prepositions, cue_stances, source_noun_types, word_list
from transform.quotes import QUOTE_MARKS
from transform.sources import VAGUE_HEADS
from transform.tokens import SUBJECT_DEPS, is_verb, lemma_of, nearest_subject

QUOTE_INTRODUCING_STANCES = {"assert", "report", "announce", "warn"}


ADDRESSEE_LEMMAS = word_list("addressee_verbs")


OBJECT_CONTENT_LEMMAS = word_list("object_content_verbs")


# Things that say what they contain: "a statement saying ...", "a poll showing ...".
DOCUMENT_NOUNS = word_list("document_nouns")


CONTENT_PREPOSITIONS = content_prepositions()


def content_tokens_of(cue, sent):
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
    if is_parenthetical(cue) or _is_as_clause(cue):
        # "A is B, X said", "As X said, A is B": the cue hangs off the main clause, which is the content.
        cue_ids = {t.i for t in cue.subtree}
        return [t for t in cue.head.subtree if t.i not in cue_ids]
    return _sentence_before_trailing_cue(cue, sent) if sent is not None else None


AUDIENCE_NOUNS = word_list("audience_nouns")


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
            clause = that_clause_inside(child)
            if clause is not None:
                return list(clause.subtree)
    return None


def that_clause_inside(phrase):
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
    subject = nearest_subject(cue, SUBJECT_DEPS)
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


OBJECT_PREDICATE_LEMMAS = word_list("object_predicate_verbs")


CONTRAST_MARKS = {"while", "whereas", "even"}  # ", while ...", "-- even as ...": the writer sets the content beside something else


ASIDE_DEPS = {"relcl", "npadvmod", "parataxis", "appos"}


def without_trailing_aside(tokens: list) -> list:
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


def without_speakers_next_act(tokens: list) -> list:
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


# Tokens that set a phrase off from the clause around it ("A, X said, B", "A -- X said").
SETTING_OFF_MARKS = frozenset({",", "—", "–", "-", "--"})


def is_parenthetical(cue) -> bool:
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
