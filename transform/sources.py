"""Name and type the source behind a mention: alias table first, then entity type and noun heuristics."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from transform.lexicon import alias_table, source_noun_types

TITLES = {
    "president", "vice", "prime", "minister", "secretary", "sen", "sen.", "senator", "rep", "rep.",
    "representative", "gov", "gov.", "governor", "mayor", "gen", "gen.", "general", "maj", "maj.",
    "col", "col.", "lt", "lt.", "adm", "adm.", "admiral", "dr", "dr.", "mr", "mr.", "mrs", "mrs.",
    "ms", "ms.", "sir", "lord", "lady", "judge", "justice", "chancellor", "ambassador", "spokesman",
    "spokeswoman", "spokesperson", "chief", "director", "commissioner", "king", "queen", "prince",
    "princess", "pope", "ayatollah", "sheikh", "former", "deputy", "foreign", "defence", "defense",
    "state", "attorney", "candidate", "nominee", "leader", "chairman", "chairwoman", "ceo",
}
# Titles that only a person bears: "Dr Martisius", "Sen. Ortiz" (not "State" or "Foreign", which name offices).
PERSONAL_TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "sen", "senator", "rep", "representative", "gov", "governor", "president",
    "mayor", "gen", "general", "col", "colonel", "lt", "adm", "admiral", "sir", "lord", "lady", "judge", "justice",
    "pope", "king", "queen", "prince", "princess", "ayatollah", "sheikh", "chancellor", "ambassador", "prof", "professor",
    "rev", "reverend", "sgt", "sergeant", "capt", "captain", "secretary", "minister", "premier", "speaker", "candidate",
}
VAGUE_HEADS = {
    "official", "officials", "expert", "experts", "analyst", "analysts", "critic", "critics",
    "observer", "observers", "people", "residents", "witnesses", "scientists", "researchers",
    "economists", "diplomats", "lawmakers", "authorities", "police", "reports", "studies",
    "polls", "activists", "supporters", "opponents", "voters", "democrats", "republicans",
    "investigators", "prosecutors", "doctors", "aides", "insiders", "others", "many", "some",
    "commentators", "historians", "advocates", "campaigners", "leaders", "officers", "rescuers",
    "media", "organizers", "organisers", "locals", "members", "staff", "workers",
}
ANONYMOUS_HEADS = {"source", "sources", "official", "officials", "person", "people", "aide", "aides", "insider", "insiders", "individual"}
ANONYMITY_MARKERS = re.compile(
    r"\b(familiar with|anonymity|anonymous|unnamed|not authori[sz]ed|declined to be (named|identified)|"
    r"asked not to be (named|identified)|speaking on background|who requested|close to)\b",
    re.IGNORECASE,
)
PERSON_PRONOUNS = {"he", "she", "him", "her"}
THING_PRONOUNS = {"it"}
PLURAL_PRONOUNS = {"they", "them"}
OUTLET_WORDS = re.compile(r"\b(news|times|post|journal|tribune|herald|gazette|tv|television|radio|daily|magazine|press)\b", re.I)
LEADING_DETERMINERS = re.compile(r"^(the|a|an|this|that|these|those)\s+", re.IGNORECASE)


@dataclass
class Entity:
    """A named participant seen in the article, kept for resolving later pronouns and descriptions."""

    name: str
    type: str
    position: int
    is_subject: bool


@dataclass
class ArticleContext:
    """What the article has named so far: full names by surname, and entities in order of mention."""

    full_names: dict[str, str] = field(default_factory=dict)
    not_person_names: set[str] = field(default_factory=set)  # bare names the article gives no fuller person name for
    entities: list[Entity] = field(default_factory=list)

    def remember(self, entity: Entity) -> None:
        self.entities.append(entity)
        if entity.type == "person" and " " in entity.name:
            self.full_names.setdefault(entity.name.split()[-1], entity.name)

    def antecedent(self, position: int, wanted: set[str]) -> Entity | None:
        """Nearest earlier entity of a wanted type, preferring grammatical subjects within reach."""
        earlier = [e for e in self.entities if e.position < position and e.type in wanted]
        if not earlier:
            return None
        window = [e for e in earlier if position - e.position < 400 and e.is_subject]
        return (window or earlier)[-1]


@dataclass(frozen=True)
class ResolvedSource:
    name: str
    type: str
    resolved: bool = False  # True when the mention was a pronoun or description pointing elsewhere


def strip_determiners(mention: str) -> str:
    return LEADING_DETERMINERS.sub("", mention.strip()).strip(" ,.;:")


def person_name(mention: str, context: ArticleContext) -> str:
    """Canonical person name: titles dropped, a bare surname expanded to the full name seen earlier."""
    words = [w for w in strip_determiners(mention).replace("’s", "").split() if w]
    while len(words) > 1 and words[0].lower().strip(",") in TITLES:
        words = words[1:]
    name = " ".join(words).strip(" ,")
    known = alias_table().lookup(name)
    if known is not None and known.type == "person":
        return known.name
    if len(words) == 1:
        return context.full_names.get(name, name)
    return name


def resolve_source(
    mention: str,
    *,
    entity_label: str,
    head_lemma: str,
    head_text: str,
    position: int,
    context: ArticleContext,
    entity_text: str | None = None,
    head_is_plural_noun: bool = False,
) -> ResolvedSource:
    """Canonical name and type for a source mention, using the article context for pronouns."""
    table = alias_table()
    bare = strip_determiners(mention)
    lowered = head_text.lower()
    if lowered in PERSON_PRONOUNS | THING_PRONOUNS | PLURAL_PRONOUNS and len(bare.split()) == 1:
        wanted = {"person"} if lowered in PERSON_PRONOUNS else {
            "government", "military", "organisation", "news_agency", "state_media", "media_outlet", "social_platform",
        }
        if lowered in PLURAL_PRONOUNS:
            wanted = wanted | {"vague", "anonymous"}
        found = context.antecedent(position, wanted)
        if found is not None:
            return ResolvedSource(found.name, found.type, resolved=True)
        return ResolvedSource(bare, "unknown")
    for candidate in (mention.strip(), bare):
        known = table.lookup(candidate)
        if known is not None:
            return ResolvedSource(known.name, known.type)
    surname = bare.replace("’s", "").replace("'s", "")
    if surname in context.full_names and len(surname.split()) <= 2:
        # "Biden said" after "Joe Biden" earlier: the person, whatever NER makes of a bare surname.
        return ResolvedSource(context.full_names[surname], "person")
    if ANONYMITY_MARKERS.search(mention) or (
        head_lemma in {"source", "person", "insider", "individual"} and not entity_label
    ):
        return ResolvedSource(_anonymous_name(bare), "anonymous")
    if entity_label == "PERSON":
        return ResolvedSource(person_name(entity_text or _entity_part(mention, head_text), context), "person")
    words = bare.split()
    titled = any(w.lower().rstrip(".") in PERSONAL_TITLES for w in words[:-1]) and words[-1].lower().rstrip(".") not in TITLES
    if 1 < len(words) <= 5 and titled and all(w[:1].isupper() for w in words) and head_text == words[-1]:
        # "Dr Martisius", "Defense Secretary Ana Ruiz": whatever NER makes of the name, the title says it is a person's.
        return ResolvedSource(person_name(bare, context), "person")
    noun_kind = source_noun_types().get(head_lemma.lower()) or ("person" if bare.lower().endswith("year-old") else None)
    if not entity_label:
        definite = bare.lower().startswith(("the ", "this ", "that ")) or mention.lower().startswith(("the ", "this "))
        singular = head_text.lower() == head_lemma.lower()  # by form, as not every caller passes the tag
        if definite and noun_kind is not None and len(words) <= 3 and singular and (noun_kind == "person" or bare.islower()):
            # "the ministry", "the President", "the 45-year-old": the nearest earlier source of that kind.
            # "The Trump administration" and "the Senate" name their own source; "the researchers" are many.
            found = context.antecedent(position, {noun_kind})
            if found is not None:
                return ResolvedSource(found.name, found.type, resolved=True)
        if head_text.lower() in VAGUE_HEADS or head_lemma in VAGUE_HEADS:
            return ResolvedSource(_vague_name(bare), "vague")
        if noun_kind is not None:
            return ResolvedSource(bare, noun_kind)  # "a company spokesman", "the Philippine government"
        if head_is_plural_noun and (head_text.islower() or len(words) > 1):
            # A lone capitalised plural may be a name the tagger took for a noun ("Coles said").
            return ResolvedSource(_vague_name(bare), "vague")  # "the protesters said", "archaeologists say": unnamed many
    if entity_label == "NORP" and head_text.lower() in VAGUE_HEADS:
        return ResolvedSource(_vague_name(bare), "vague")  # "Democrats said": party members, not a government
    if entity_label in {"GPE", "NORP"}:
        known = table.lookup(head_text)
        if known is not None:
            return ResolvedSource(known.name, known.type)
        return ResolvedSource(f"Government of {head_text}" if entity_label == "GPE" else bare, "government")
    if entity_label == "ORG":
        if noun_kind in {"government", "military"}:
            return ResolvedSource(bare, noun_kind)  # "Iran's Foreign Ministry", "the Interior Ministry"
        if OUTLET_WORDS.search(bare):
            return ResolvedSource(bare, "media_outlet")
        return ResolvedSource(bare, "organisation")
    if head_text[:1].isupper() and head_lemma not in VAGUE_HEADS:
        return ResolvedSource(bare, "person" if len(words) in (2, 3) and bare.istitle() else "unknown")
    return ResolvedSource(bare, "unknown")


def _entity_part(mention: str, head_text: str) -> str:
    """The name inside a longer mention ("Defense Secretary Mark Esper, who ..." → "Defense Secretary Mark Esper")."""
    head_at = mention.find(head_text)
    return mention[: head_at + len(head_text)] if head_at >= 0 else mention


def _vague_name(bare: str) -> str:
    return bare.lower()


def _anonymous_name(bare: str) -> str:
    return "anonymous: " + bare.lower()[:80]
