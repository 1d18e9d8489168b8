from transform.lexicon import alias_table, cue_noun_stances, cue_stances
from transform.model import SOURCE_TYPES, STANCES


def test_aliases_of_one_source_share_name_and_type():
    table = alias_table()
    assert table.lookup("AP") == table.lookup("the Associated Press") == table.lookup("Associated Press")
    assert table.lookup("The Pentagon").name == "United States Department of Defense"
    assert table.lookup("Tehran").type == "government"


def test_acronym_aliases_match_only_as_written():
    table = alias_table()
    assert table.lookup("WHO").name == "World Health Organization"
    assert table.lookup("who") is None and table.lookup("us") is None and table.lookup("x") is None


def test_every_entry_uses_the_allowed_vocabularies():
    table = alias_table()
    assert {s.type for s in [*table.folded.values(), *table.exact.values()]} <= set(SOURCE_TYPES)
    assert set(cue_stances().values()) <= set(STANCES)
    assert cue_stances()["deny"] == "deny" and cue_stances()["say"] == "assert"
    assert set(cue_noun_stances().values()) <= set(STANCES) and cue_noun_stances()["criticism"] == "accuse"
