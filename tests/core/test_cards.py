"""Card helpers: the leech rule, tag editing, deck name keys."""

import pytest

from flashcards.core.cards import (
    MAX_DECK_NAME,
    MAX_DECK_NAME_KEY,
    add_tag,
    becomes_leech,
    deck_name_key,
    has_tag,
    remove_tag,
)


@pytest.mark.parametrize(("lapses", "threshold", "leech"), [
    (7, 8, False), (8, 8, True), (9, 8, False), (11, 8, False), (12, 8, True), (16, 8, True),
    (1, 1, True), (2, 1, True), (3, 3, True), (4, 3, True), (0, 8, False)])
def test_becomes_leech_at_threshold_then_every_half(lapses, threshold, leech) -> None:
    assert becomes_leech(lapses, threshold) is leech


def test_tag_helpers_ignore_case_and_keep_order() -> None:
    assert has_tag("a Leech b", "leech") and not has_tag("leeches", "leech")
    assert add_tag("a b", "leech") == "a b leech"
    assert add_tag("a LEECH", "leech") == "a LEECH"
    assert add_tag("", "x") == "x"
    assert remove_tag("a Leech b", "leech") == "a b"
    assert remove_tag("a b", "leech") == "a b"


def test_deck_name_key_ignores_case_white_space_and_normal_form() -> None:
    same = ["Terminology", "terminology", " TERMINOLOGY\t", "TerMinology"]
    assert {deck_name_key(name) for name in same} == {"terminology"}
    assert deck_name_key("Stra\u00dfe") == deck_name_key("STRASSE") == "strasse"
    assert deck_name_key("Cafe\u0301") == deck_name_key("CAF\u00c9") == "caf\u00e9"
    assert deck_name_key("Deck (2)") != deck_name_key("Deck")
    assert len(deck_name_key("\ufb03" * MAX_DECK_NAME)) == MAX_DECK_NAME_KEY  # ffi
