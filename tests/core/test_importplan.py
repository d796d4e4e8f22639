"""Planning an import without a database: the collection is passed in as loaded."""

import pytest

from flashcards.core.csvformat import ImportFileError, parse_import
from flashcards.core.importplan import (
    Action,
    DuplicatePolicy,
    Existing,
    ExistingCard,
    assign_decks,
    classify,
    fallback_deck,
    front_matches,
)


def card(card_id: int, front: str, back: str) -> ExistingCard:
    return ExistingCard(card_id, "basic", front, back, None, None, "", "", False)


def plan(data: bytes, existing: Existing, policy: DuplicatePolicy = DuplicatePolicy.UPDATE,
         names_by_key: dict[str, str] | None = None):
    parsed = parse_import(data)
    rows = assign_decks(parsed.rows, "D", names_by_key if names_by_key is not None else {})
    return classify(parsed, rows, existing, policy)


def test_rows_for_a_new_deck_are_all_new_and_name_the_deck() -> None:
    result = plan(b"front,back\nA,B\nC,D\n", Existing({}, {}, {}, {}))
    assert [item.action for item in result.items] == [Action.NEW, Action.NEW]
    assert result.new_decks == ["D"]
    assert result.counts == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 0}


def test_a_row_repeating_an_earlier_guid_or_front_is_rejected_with_that_line() -> None:
    result = plan(b"guid,front,back\ng1,A,B\ng1,X,Y\n,C,D\n, C ,E\n", Existing({}, {}, {}, {}))
    assert [str(problem) for problem in result.rejected] == [
        "line 3: the same guid as line 2", "line 5: the same front as line 4 in deck 'D'"]
    assert [item.row.front for item in result.items] == ["A", "C"]


@pytest.mark.parametrize(("policy", "back", "action", "card_id"), [
    (DuplicatePolicy.UPDATE, "old", Action.UNCHANGED, 7),
    (DuplicatePolicy.UPDATE, "new", Action.UPDATE, 7),
    (DuplicatePolicy.KEEP, "new", Action.UNCHANGED, 7),
    (DuplicatePolicy.ADD, "new", Action.NEW, None),
])
def test_a_row_matching_a_card_by_front_follows_the_policy(policy, back, action,
                                                           card_id) -> None:
    by_front = {(1, "A"): 7}
    rows = assign_decks(parse_import(f"front,back\nA,{back}\n".encode()).rows, "D", {})
    assert front_matches(rows, {"D": 1}, by_front) == [7]
    # Only the update policy loads the matched card's content.
    matched = {7: card(7, "A", "old")} if policy == DuplicatePolicy.UPDATE else {}
    result = plan(f"front,back\nA,{back}\n".encode(), Existing({"D": 1}, {}, by_front, matched),
                  policy)
    assert [(item.action, item.card_id) for item in result.items] == [(action, card_id)]
    assert result.new_decks == []


def test_a_guid_matches_its_card_in_any_deck() -> None:
    existing = Existing({}, {"g1": card(3, "A", "B")}, {}, {})
    result = plan(b"guid,front,back\ng1,A,changed\ng2,E,F\n", existing)
    assert [(item.action, item.card_id) for item in result.items] == [
        (Action.UPDATE, 3), (Action.NEW, None)]


def test_decks_are_matched_by_name_key_and_keep_the_existing_spelling() -> None:
    names_by_key = {"python": "Python"}
    rows = assign_decks(parse_import(b"front,back,deck\nA,B,PYTHON\nC,D,New\nE,F,\n").rows,
                        "python ", names_by_key)
    assert [deck for _, deck in rows] == ["Python", "New", "Python"]


def test_the_fallback_deck_is_the_users_then_the_files_then_the_default() -> None:
    assert fallback_deck(" Mine ", "File", "Default") == "Mine"
    assert fallback_deck(None, "File", "Default") == "File"
    assert fallback_deck("  ", None, "Default") == "Default"
    with pytest.raises(ImportFileError, match="longer than"):
        fallback_deck("x" * 1000, None, "Default")
