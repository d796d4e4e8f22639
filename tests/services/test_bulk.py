"""Bulk actions from the card browser against real databases (SQLite and PostgreSQL):
each action, its summary, and an undo that puts back exactly what was there, once."""

import json
import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flashcards.core.cards import CardKind
from flashcards.core.scheduling import CardState, Rating
from flashcards.models import Card, CardAction, Deck, ReviewLog
from flashcards.services import bulk, study, users
from flashcards.services.bulk import BulkAction
from flashcards.services.cards import CardContent, add_card, delete_card, update_card
from flashcards.services.decks import delete_deck
from flashcards.services.errors import NotFound, NothingToUndo, ServiceError
from tests.conftest import START, every_user, make_deck

CARDS = Card.__table__
LOGS = ReviewLog.__table__
LATER = START + timedelta(hours=2)


def rows(session: Session, table=CARDS) -> dict[int, dict]:
    """Every row of the table, every column, as stored."""
    return {row["id"]: dict(row) for row in session.execute(every_user(select(table))).mappings()}


def without_version(snapshot: dict[int, dict]) -> dict[int, dict]:
    return {id_: {k: v for k, v in row.items() if k != "version"}
            for id_, row in snapshot.items()}


def grade(session: Session, card_id: int, rating: Rating, now=START) -> None:
    version = session.execute(select(Card.version).where(Card.id == card_id)).scalar_one()
    study.grade(session, card_id, version, rating, now, rng=random.Random(1))
    session.commit()


def collection(session: Session) -> list[int]:
    """Deck "A" with five cards in different situations, and an empty deck "B":
    c0 reviewed twice and lapsed (tag x), c1 in learning and buried, c2 new and
    suspended, c3 new and edited (tag X), c4 new (tag a::b)."""
    make_deck(session, "A", cards=5)
    make_deck(session, "B")
    ids = list(session.execute(select(Card.id).order_by(Card.id)).scalars())
    grade(session, ids[0], Rating.EASY)
    due = session.execute(select(Card.due).where(Card.id == ids[0])).scalar_one()
    grade(session, ids[0], Rating.AGAIN, due + timedelta(hours=1))
    grade(session, ids[1], Rating.AGAIN)
    for card_id, tags in zip(ids, ["x", "", "verbs x", "X", "a::b"], strict=True):
        session.get(Card, card_id).tags = tags
    session.get(Card, ids[1]).buried_until = START + timedelta(hours=14)
    session.get(Card, ids[2]).suspended = True
    session.get(Card, ids[3]).edited_at = START
    session.commit()
    session.expire_all()
    return ids


def deck_id(session: Session, name: str) -> int:
    return session.execute(select(Deck.id).where(Deck.name == name)).scalar_one()


def apply_and_undo(session: Session, action: BulkAction, ids: list[int], *,
                   changed: list[int], fields: set[str], summary: str,
                   **kwargs: object) -> dict[int, dict]:
    """Apply the action and check what every bulk action promises: only `fields` of the
    `changed` cards change, each changed card's version goes up by one, the summary is
    right, and only changed cards are recorded; then undo puts every column back
    (the version moves on), and a second undo is refused. Returns the rows in between."""
    before = rows(session)
    logs = rows(session, LOGS)
    result = bulk.apply(session, action, ids, START, query="deck:A", **kwargs)
    session.commit()
    assert (result.summary, result.changed) == (summary, len(changed))
    after = rows(session)
    assert after.keys() == before.keys()
    for card_id, row in after.items():
        old = before[card_id]
        bump = 1 if card_id in changed else 0
        assert row["version"] == old["version"] + bump
        kept = {k for k in row if k not in fields and k != "version"}
        assert {k: row[k] for k in kept} == {k: old[k] for k in kept}
        if card_id not in changed:
            assert row == old
        else:
            assert any(row[f] != old[f] for f in fields)
    record = session.get(CardAction, result.action_id)
    assert (record.action, record.summary, record.query, record.card_count,
            record.created_at, record.undone_at) == (
        action.value, summary, "deck:A", len(changed), START, None)
    assert [entry[0] for entry in json.loads(record.payload)["cards"]] == sorted(changed)

    message = bulk.undo(session, result.action_id, LATER)
    session.commit()
    count = len(changed)
    assert message == f"Undone: {count:,} card{'' if count == 1 else 's'} restored."
    restored = rows(session)
    assert without_version(restored) == without_version(before)
    for card_id, row in restored.items():
        bump = 2 if card_id in changed else 0
        assert row["version"] == before[card_id]["version"] + bump
    assert rows(session, LOGS) == logs
    session.expire_all()
    assert session.get(CardAction, result.action_id).undone_at == LATER
    with pytest.raises(NothingToUndo, match="already been undone"):
        bulk.undo(session, result.action_id, LATER)
    session.rollback()
    assert rows(session) == restored
    return after


def test_suspend_and_undo(session) -> None:
    c0, c1, c2, c3, c4 = collection(session)
    after = apply_and_undo(session, BulkAction.SUSPEND, [c4, c0, c1, c2, c3, c0],
                           changed=[c0, c1, c3, c4], fields={"suspended"},
                           summary="Suspended 4 cards. 1 card already was.")
    assert all(row["suspended"] is True for row in after.values())


def test_unsuspend_and_undo(session) -> None:
    c0, c1, c2, c3, c4 = collection(session)
    after = apply_and_undo(session, BulkAction.UNSUSPEND, [c0, c2, c3], changed=[c2],
                           fields={"suspended"},
                           summary="Unsuspended 1 card. 2 cards already were.")
    assert after[c2]["suspended"] is False


def test_move_and_undo(session) -> None:
    c0, c1, c2, c3, c4 = collection(session)
    b = deck_id(session, "B")
    extra = make_deck(session, "C", cards=1)
    (c_card,) = session.execute(select(Card.id).where(Card.deck_id == extra.id)).scalars()
    bulk.apply(session, BulkAction.MOVE, [c_card], START, deck_id=b)
    session.commit()
    after = apply_and_undo(session, BulkAction.MOVE, [c0, c1, c2, c3, c4, c_card],
                           changed=[c0, c1, c2, c3, c4], fields={"deck_id"},
                           summary="Moved 5 cards to “B”. 1 card already was.", deck_id=b)
    assert {row["deck_id"] for row in after.values()} == {b}
    # The target deck counts as edited by the user (bundled updates leave it alone).
    assert session.get(Deck, b).edited_at == START


def test_move_of_cards_already_there_leaves_the_deck_unedited(session) -> None:
    make_deck(session, "A", cards=2)
    ids = list(session.execute(select(Card.id)).scalars())
    result = bulk.apply(session, BulkAction.MOVE, ids, LATER, deck_id=deck_id(session, "A"))
    session.commit()
    assert result.summary == "Moved 0 cards to “A”. 2 cards already were."
    assert session.get(Deck, deck_id(session, "A")).edited_at is None
    assert bulk.undo(session, result.action_id, LATER) == "Undone: 0 cards restored."


def test_add_tag_and_undo(session) -> None:
    """Tags compare without case: a card tagged "X" already has "x"."""
    c0, c1, c2, c3, c4 = collection(session)
    after = apply_and_undo(session, BulkAction.ADD_TAG, [c0, c1, c2, c3, c4],
                           changed=[c1, c4], fields={"tags"}, tag="  x ",
                           summary="Tagged 2 cards “x”. 3 cards already were.")
    assert [after[c]["tags"] for c in (c0, c1, c2, c3, c4)] == [
        "x", "x", "verbs x", "X", "a::b x"]


def test_remove_tag_and_undo(session) -> None:
    """Removing a tag leaves its children alone."""
    c0, c1, c2, c3, c4 = collection(session)
    after = apply_and_undo(session, BulkAction.REMOVE_TAG, [c0, c1, c2, c3, c4],
                           changed=[c0, c2, c3], fields={"tags"}, tag="X",
                           summary="Removed the tag “X” from 3 cards. 2 cards already were.")
    assert [after[c]["tags"] for c in (c0, c1, c2, c3, c4)] == ["", "", "verbs", "", "a::b"]
    result = bulk.apply(session, BulkAction.REMOVE_TAG, [c4], LATER, tag="a")
    assert result.summary == "Removed the tag “a” from 0 cards. 1 card already was."


def test_forget_resets_the_schedule_but_keeps_counts_and_undo(session) -> None:
    c0, c1, c2, c3, c4 = collection(session)
    before = rows(session)
    assert (before[c0]["state"], before[c0]["reps"], before[c0]["lapses"]) == (
        int(CardState.RELEARNING), 2, 1)
    assert before[c1]["state"] == int(CardState.LEARNING)
    schedule = {"state", "step", "stability", "difficulty", "due", "last_review",
                "buried_until"}
    after = apply_and_undo(session, BulkAction.FORGET, [c0, c1, c2, c3, c4],
                           changed=[c0, c1], fields=schedule,
                           summary="Reset 2 cards to new. 3 cards already were.")
    for card_id in (c0, c1):
        assert {f: after[card_id][f] for f in schedule} == {
            "state": int(CardState.NEW), "step": None, "stability": None,
            "difficulty": None, "due": None, "last_review": None, "buried_until": None}
    assert (after[c0]["reps"], after[c0]["lapses"]) == (2, 1)
    assert (after[c1]["reps"], after[c1]["lapses"]) == (1, 0)
    assert after[c0]["position"] == before[c0]["position"] == 1


def test_forget_then_study_again(session) -> None:
    """A reset card is back in the new queue, and grading it works."""
    c0, *_ = collection(session)
    bulk.apply(session, BulkAction.FORGET, [c0], START)
    session.commit()
    grade(session, c0, Rating.GOOD, LATER)
    row = rows(session)[c0]
    assert (row["state"], row["reps"], row["lapses"]) == (int(CardState.LEARNING), 3, 1)


def test_delete_and_undo_restore_cards_and_reviews_exactly(session) -> None:
    c0, c1, c2, c3, c4 = collection(session)
    before, logs = rows(session), rows(session, LOGS)
    assert sorted(log["card_id"] for log in logs.values()) == [c0, c0, c1]
    result = bulk.apply(session, BulkAction.DELETE, [c4, c0, c1], START, query="q")
    session.commit()
    assert (result.summary, result.changed) == ("Deleted 3 cards and 3 reviews.", 3)
    assert rows(session).keys() == {c2, c3}
    assert rows(session, LOGS) == {}
    record = session.get(CardAction, result.action_id)
    assert (record.action, record.card_count, record.query) == ("delete", 3, "q")

    message = bulk.undo(session, result.action_id, LATER)
    session.commit()
    assert message == "Undone: 3 cards restored."
    assert rows(session) == before
    assert rows(session, LOGS) == logs
    with pytest.raises(NothingToUndo):
        bulk.undo(session, result.action_id, LATER)
    session.rollback()
    # The restored card carries on where it was: its version still fits its history.
    grade(session, c0, Rating.GOOD, LATER)
    assert session.execute(select(func.count()).select_from(ReviewLog)
                           .where(ReviewLog.card_id == c0)).scalar_one() == 3


def test_delete_without_reviews(session) -> None:
    make_deck(session, "A", cards=2)
    (first, second) = session.execute(select(Card.id).order_by(Card.id)).scalars()
    result = bulk.apply(session, BulkAction.DELETE, [second], START)
    session.commit()
    assert result.summary == "Deleted 1 card."
    assert rows(session).keys() == {first}


def undo_after_deleting(session, deck: int, action_id: int) -> str:
    """Delete a deck, then undo the action: what undo says."""
    delete_deck(session, deck)
    session.commit()
    message = bulk.undo(session, action_id, LATER)
    session.commit()
    return message


def test_undo_of_delete_skips_cards_whose_deck_was_deleted(session) -> None:
    c0, c1, c2, c3, c4 = collection(session)
    other = make_deck(session, "Other", cards=1)
    (lost,) = session.execute(select(Card.id).where(Card.deck_id == other.id)).scalars()
    grade(session, lost, Rating.GOOD)
    before, logs = rows(session), rows(session, LOGS)
    result = bulk.apply(session, BulkAction.DELETE, [c0, lost], START)
    session.commit()
    assert result.summary == "Deleted 2 cards and 3 reviews."
    message = undo_after_deleting(session, other.id, result.action_id)
    assert message == ("Undone: 1 card restored. 1 card changed since (reviewed, edited or "
                       "deleted) and keeps its newer state.")
    assert rows(session) == {k: v for k, v in before.items() if k != lost}
    assert rows(session, LOGS) == {k: v for k, v in logs.items() if v["card_id"] != lost}


def test_undo_of_delete_skips_a_card_whose_guid_came_back(session) -> None:
    """A card imported again meanwhile (same guid, new id) is not duplicated."""
    c0, c1, *_ = collection(session)
    before = rows(session)
    result = bulk.apply(session, BulkAction.DELETE, [c0, c1], START)
    session.commit()
    session.add(Card(user_id=1, deck_id=deck_id(session, "A"), guid=before[c0]["guid"],
                     front="again",
                     back="b", created_at=LATER))
    session.commit()
    message = bulk.undo(session, result.action_id, LATER)
    session.commit()
    assert message.startswith("Undone: 1 card restored. 1 card changed since")
    after = rows(session)
    assert c0 not in after and after[c1] == before[c1]
    assert [row["front"] for row in after.values() if row["guid"] == before[c0]["guid"]] == [
        "again"]


def test_undo_keeps_cards_changed_since_and_restores_the_others(session) -> None:
    c0, c1, c2, c3, c4 = collection(session)
    result = bulk.apply(session, BulkAction.SUSPEND, [c0, c1, c2, c3, c4], START)
    session.commit()
    assert result.changed == 4
    grade(session, c0, Rating.GOOD, LATER)
    graded = rows(session)[c0]
    update_card(session, c3, CardContent("new front", "new back", None, None, "t", ""), LATER)
    session.commit()
    delete_card(session, c4)
    session.commit()
    message = bulk.undo(session, result.action_id, LATER)
    session.commit()
    assert message == ("Undone: 1 card restored. 3 cards changed since (reviewed, edited or "
                       "deleted) and keep their newer state.")
    after = rows(session)
    assert after[c0] == graded and after[c0]["suspended"] is True
    assert (after[c3]["front"], after[c3]["suspended"]) == ("new front", True)
    assert c4 not in after
    assert after[c1]["suspended"] is False
    assert after[c2]["suspended"] is True  # it was suspended before the action


def test_undo_of_move_keeps_cards_whose_old_deck_was_deleted(session) -> None:
    c0, c1, *_ = collection(session)
    other = make_deck(session, "Other", cards=1)
    (stray,) = session.execute(select(Card.id).where(Card.deck_id == other.id)).scalars()
    b = deck_id(session, "B")
    result = bulk.apply(session, BulkAction.MOVE, [c0, c1, stray], START, deck_id=b)
    session.commit()
    message = undo_after_deleting(session, other.id, result.action_id)
    assert message == ("Undone: 2 cards restored. 1 card changed since (reviewed, edited or "
                       "deleted) and keeps its newer state.")
    after = rows(session)
    assert (after[c0]["deck_id"], after[c1]["deck_id"]) == (deck_id(session, "A"),) * 2
    assert after[stray]["deck_id"] == b


def test_card_loaded_before_an_action_reads_its_new_values(session) -> None:
    """The service's own session does not keep serving the old card (nor refuse a later
    edit of it as stale)."""
    c0, *_ = collection(session)
    card = session.get(Card, c0)
    assert card.suspended is False
    bulk.apply(session, BulkAction.SUSPEND, [c0], START)
    session.commit()
    assert card.suspended is True
    update_card(session, c0, CardContent("edited", "back", None, None, "", ""), LATER)
    session.commit()
    assert rows(session)[c0]["front"] == "edited"


@pytest.mark.parametrize("action", list(BulkAction))
def test_empty_selection_is_refused(session, action: BulkAction) -> None:
    make_deck(session, "A", cards=1)
    with pytest.raises(ServiceError, match="^Select at least one card.$"):
        bulk.apply(session, action, [], START, deck_id=deck_id(session, "A"), tag="x")
    session.rollback()
    assert session.execute(select(func.count()).select_from(CardAction)).scalar_one() == 0


@pytest.mark.parametrize("action", list(BulkAction))
def test_unknown_card_changes_nothing(session, action: BulkAction) -> None:
    ids = collection(session)
    before, logs = rows(session), rows(session, LOGS)
    deck_b = deck_id(session, "B")
    with pytest.raises(NotFound) as info:
        bulk.apply(session, action, [*ids, 99_999, 99_998], START, deck_id=deck_b, tag="new")
    verb = "deleted" if action == BulkAction.DELETE else "changed"
    assert str(info.value) == (f"2 selected cards no longer exist; nothing was {verb}. "
                               "Search again and retry.")
    session.rollback()
    assert rows(session) == before and rows(session, LOGS) == logs
    assert session.execute(select(func.count()).select_from(CardAction)).scalar_one() == 0


def test_one_unknown_card_message(session) -> None:
    make_deck(session, "A", cards=1)
    with pytest.raises(NotFound, match="^1 selected card no longer exists; nothing was"):
        bulk.apply(session, BulkAction.SUSPEND, [12345], START)


def test_move_needs_an_existing_deck(session) -> None:
    ids = collection(session)
    with pytest.raises(ServiceError, match="^Choose the deck to move the cards to.$"):
        bulk.apply(session, BulkAction.MOVE, ids, START)
    session.rollback()
    with pytest.raises(NotFound, match="^There is no deck 999.$"):
        bulk.apply(session, BulkAction.MOVE, ids, START, deck_id=999)
    session.rollback()


@pytest.mark.parametrize("action", [BulkAction.ADD_TAG, BulkAction.REMOVE_TAG])
@pytest.mark.parametrize(("tag", "message"), [
    (None, "Name the tag to add or remove."),
    ("", "Name the tag to add or remove."),
    (" \t ", "Name the tag to add or remove."),
    ("two words", "A tag is one word: tags are separated by spaces."),
    ("tab\there", "A tag is one word: tags are separated by spaces."),
    ("x" * 101, "A tag can be at most 100 characters."),
])
def test_tag_must_be_one_word_of_at_most_100_characters(
        session, action: BulkAction, tag: str | None, message: str) -> None:
    ids = collection(session)
    before = rows(session)
    with pytest.raises(ServiceError) as info:
        bulk.apply(session, action, ids, START, tag=tag)
    assert str(info.value) == message
    session.rollback()
    assert rows(session) == before


def test_longest_tag_is_accepted(session) -> None:
    make_deck(session, "A", cards=1)
    tag = "é" * 100
    result = bulk.apply(session, BulkAction.ADD_TAG, list(rows(session)), START, tag=tag)
    session.commit()
    assert result.changed == 1
    assert [row["tags"] for row in rows(session).values()] == [tag]


def test_unknown_action_record(session) -> None:
    with pytest.raises(NotFound, match="^There is no bulk action 42.$"):
        bulk.get_action(session, 42)
    with pytest.raises(NotFound):
        bulk.undo(session, 42, LATER)


def test_actions_over_more_cards_than_one_statement_takes(session) -> None:
    """1,200 cards (more than CHUNK ids per statement) change and come back together."""
    assert bulk.CHUNK < 1200
    make_deck(session, "Big", cards=1200)
    ids = list(session.execute(select(Card.id).order_by(Card.id)).scalars())
    grade(session, ids[0], Rating.GOOD)
    grade(session, ids[-1], Rating.AGAIN)
    already = ids[600]
    bulk.apply(session, BulkAction.ADD_TAG, [already], START, tag="big")
    session.commit()
    apply_and_undo(session, BulkAction.ADD_TAG, ids, changed=ids[:600] + ids[601:],
                   fields={"tags"}, tag="big",
                   summary="Tagged 1,199 cards “big”. 1 card already was.")
    before, logs = rows(session), rows(session, LOGS)
    result = bulk.apply(session, BulkAction.DELETE, ids, START)
    session.commit()
    assert result.summary == "Deleted 1,200 cards and 2 reviews."
    assert rows(session) == {} and rows(session, LOGS) == {}
    assert bulk.undo(session, result.action_id, LATER) == "Undone: 1,200 cards restored."
    session.commit()
    assert rows(session) == before and rows(session, LOGS) == logs
    with pytest.raises(NotFound, match="^1 selected card no longer exists"):
        bulk.apply(session, BulkAction.FORGET, [*ids, 99_999], START)
    session.rollback()
    assert rows(session) == before


@pytest.mark.parametrize("action", [BulkAction.MOVE, BulkAction.ADD_TAG, BulkAction.SUSPEND])
def test_undo_never_reaches_another_users_card(session, action: BulkAction) -> None:
    """Issue 11: ada changes a card in bulk and deletes it; bob's next card used to get
    the same id (SQLite reused the highest deleted id), and ada's undo then changed
    bob's card. Undo touches only ada's own rows, and ids are never reused."""
    ada = users.create_user(session, "ada", "correct horse battery", START).user.id
    bob = users.create_user(session, "bob", "correct horse battery", START).user.id
    session.commit()
    make_deck(session, "ada one", cards=1, user_id=ada)
    make_deck(session, "ada two", user_id=ada)
    bob_deck = make_deck(session, "bob", user_id=bob).id
    users.for_user(session, ada)
    card_id = session.execute(select(Card.id)).scalar_one()
    result = bulk.apply(session, action, [card_id], START, deck_id=deck_id(session, "ada two"),
                        tag="ada-tag")
    session.commit()
    delete_card(session, card_id)
    session.commit()
    users.for_user(session, bob)
    bob_card = add_card(session, bob_deck, CardKind.BASIC,
                        CardContent("Bob's", "own", None, None, "", ""), START).id
    session.commit()
    before = rows(session)[bob_card]
    users.for_user(session, ada)
    message = bulk.undo(session, result.action_id, START)
    session.commit()
    assert "0 cards restored" in message
    assert rows(session)[bob_card] == before
    assert bob_card != card_id


def test_undo_of_move_never_moves_a_card_into_another_users_deck(session) -> None:
    """ada moves a card out of a deck and deletes that deck; bob's next deck used to
    get its id, and ada's undo moved her card into bob's deck."""
    ada = users.create_user(session, "ada", "correct horse battery", START).user.id
    bob = users.create_user(session, "bob", "correct horse battery", START).user.id
    session.commit()
    old = make_deck(session, "ada old", cards=1, user_id=ada).id
    new = make_deck(session, "ada new", user_id=ada).id
    users.for_user(session, ada)
    card_id = session.execute(select(Card.id)).scalar_one()
    result = bulk.apply(session, BulkAction.MOVE, [card_id], START, deck_id=new)
    session.commit()
    delete_deck(session, old)
    session.commit()
    bob_deck = make_deck(session, "bob", user_id=bob).id
    bulk.undo(session, result.action_id, START)
    session.commit()
    assert bob_deck != old
    assert session.get(Card, card_id).deck_id == new
