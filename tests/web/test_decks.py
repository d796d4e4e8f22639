"""Deck pages over HTTP: list with counts, create, rename, delete with confirmation."""

from sqlalchemy import select

from flashcards.models import Card, Deck
from flashcards.services import users
from tests.conftest import START, count_rows, csrf_token, make_deck

PASSWORD = "correct horse battery"


def test_deck_list_shows_counts_and_actions(client, session) -> None:
    deck = make_deck(session, "Alpha", cards=3)
    session.execute(Card.__table__.update().where(Card.id == 1).values(suspended=True))
    session.commit()
    page = client.get("/decks").get_data(as_text=True)
    assert "Alpha" in page and "CSV with schedules" in page and 'href="/import"' in page
    assert '<td class="num new" data-label="new">2</td>' in page
    assert '<td class="num muted" data-label="suspended">1</td>' in page
    assert f'href="/decks/{deck.id}/delete"' in page and f'href="/decks/{deck.id}/edit"' in page
    # The deck name links to the card browser, searching for that deck.
    assert 'href="/cards?q=deck:%22Alpha%22"' in page


def test_create_deck_with_field_errors_then_success(client, session) -> None:
    token = csrf_token(client, "/decks/new")
    empty = client.post("/decks/new", data={"csrf_token": token, "name": " "})
    assert empty.status_code == 400 and "A deck needs a name." in empty.get_data(as_text=True)
    make_deck(session, "Rounds")
    duplicate = client.post("/decks/new", data={"csrf_token": token, "name": "rounds"})
    assert duplicate.status_code == 400
    assert "There is already a deck called “Rounds”." in duplicate.get_data(as_text=True)
    assert count_rows(session, Deck) == 1
    ok = client.post("/decks/new", data={"csrf_token": token, "name": "Stories",
                                         "description": "STAR"})
    session.rollback()
    session.expire_all()
    created = session.execute(select(Deck).where(Deck.name == "Stories")).scalar_one()
    assert ok.status_code == 302 and ok.headers["Location"] == f"/cards/new?deck={created.id}"
    assert created.description == "STAR"


def test_rename_deck(client, session) -> None:
    deck = make_deck(session, "Old")
    token = csrf_token(client, f"/decks/{deck.id}/edit")
    ok = client.post(f"/decks/{deck.id}/edit", data={"csrf_token": token, "name": "New"})
    assert ok.status_code == 302
    session.rollback()
    session.expire_all()
    assert session.get(Deck, deck.id).name == "New"
    assert client.get("/decks/999/edit").status_code == 404


def test_the_edit_form_marks_a_deck_lower_priority_and_clears_the_mark(client,
                                                                        session) -> None:
    deck = make_deck(session, "Extra")
    page = client.get(f"/decks/{deck.id}/edit").get_data(as_text=True)
    assert '<input id="lower_priority" name="lower_priority" type="checkbox"' in page
    assert ("New cards from this deck are the first to be left out when the plan is short "
            "of time.") in page
    token = csrf_token(client, f"/decks/{deck.id}/edit")
    marked = client.post(f"/decks/{deck.id}/edit", data={
        "csrf_token": token, "name": "Extra", "lower_priority": "y"})
    assert marked.status_code == 302
    session.rollback()
    session.expire_all()
    assert session.get(Deck, deck.id).lower_priority is True
    assert "Lower priority: its new cards come last" in client.get("/decks").get_data(
        as_text=True)
    # The form shows the mark; an unticked box (not sent) clears it.
    assert '<input checked id="lower_priority"' in client.get(
        f"/decks/{deck.id}/edit").get_data(as_text=True)
    assert client.post(f"/decks/{deck.id}/edit", data={
        "csrf_token": token, "name": "Extra"}).status_code == 302
    session.rollback()
    session.expire_all()
    assert session.get(Deck, deck.id).lower_priority is False
    # Without the CSRF token nothing changes.
    refused = client.post(f"/decks/{deck.id}/edit", data={"name": "Extra",
                                                          "lower_priority": "y"})
    assert refused.status_code == 400
    session.rollback()
    session.expire_all()
    assert session.get(Deck, deck.id).lower_priority is False
    # A new deck can be made lower priority from the start.
    client.post("/decks/new", data={"csrf_token": token, "name": "Later",
                                    "lower_priority": "y"})
    session.rollback()
    assert session.execute(select(Deck.lower_priority).where(Deck.name == "Later")
                           ).scalar_one() is True


def test_another_users_deck_cannot_be_marked(client, session) -> None:
    ada = users.create_user(session, "ada", PASSWORD, START).user.id
    bob = users.create_user(session, "bob", PASSWORD, START).user.id
    session.commit()
    make_deck(session, "Ada's", user_id=ada)
    bobs = make_deck(session, "Bob's", user_id=bob)
    token = csrf_token(client, "/login")
    client.post("/login", data={"csrf_token": token, "name": "ada", "password": PASSWORD})
    token = csrf_token(client, "/decks/new")
    assert client.get(f"/decks/{bobs.id}/edit").status_code == 404
    response = client.post(f"/decks/{bobs.id}/edit", data={
        "csrf_token": token, "name": "Bob's", "lower_priority": "y"})
    assert response.status_code == 404
    users.for_user(session, bob)
    session.rollback()
    session.expire_all()
    assert session.get(Deck, bobs.id).lower_priority is False


def test_delete_asks_first_and_says_what_goes(client, session) -> None:
    deck_id = make_deck(session, "Doomed", cards=3).id
    page = client.get(f"/decks/{deck_id}/delete").get_data(as_text=True)
    assert "with its 3 cards and their 0 reviews" in page
    assert count_rows(session, Card) == 3  # asking changes nothing
    missing_token = client.post(f"/decks/{deck_id}/delete")
    assert missing_token.status_code == 400 and count_rows(session, Deck) == 1
    token = csrf_token(client, f"/decks/{deck_id}/delete")
    done = client.post(f"/decks/{deck_id}/delete", data={"csrf_token": token},
                       follow_redirects=True)
    assert "Deleted the deck “Doomed” with its 3 cards and 0 reviews." in done.get_data(
        as_text=True)
    session.rollback()
    session.expire_all()
    assert (count_rows(session, Deck), count_rows(session, Card)) == (0, 0)
    assert client.get(f"/decks/{deck_id}/delete").status_code == 404


def test_a_nul_character_in_a_form_or_query_is_refused(client, session) -> None:
    """PostgreSQL text cannot hold NUL: refused as bad input on either database."""
    token = csrf_token(client, "/decks/new")
    response = client.post("/decks/new", data={"csrf_token": token, "name": "a\x00b"})
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
    assert client.get("/cards?q=a%00").status_code == 400
    assert count_rows(session, Deck) == 0
