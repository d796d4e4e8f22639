"""Card pages over HTTP: add, show, delete, and the leech message on the review screen."""

import re
from datetime import timedelta

from sqlalchemy import select

from flashcards.core.cards import MAX_FIELD_LENGTH
from flashcards.models import Card, ReviewLog, Settings
from tests.conftest import START, count_rows, csrf_token, make_deck
from tests.web.test_transfer import TOKEN_RE, upload


def test_add_card_needs_a_deck_first(client) -> None:
    response = client.get("/cards/new")
    assert response.status_code == 302 and response.headers["Location"] == "/decks/new"


def test_add_basic_and_answer_pair_cards(client, session) -> None:
    deck = make_deck(session, "Terms")
    token = csrf_token(client, f"/cards/new?deck={deck.id}")
    bad = client.post("/cards/new", data={"csrf_token": token, "deck": deck.id,
                                          "kind": "basic", "front": "", "back": "b"})
    assert bad.status_code == 400 and "Front cannot be empty." in bad.get_data(as_text=True)
    ok = client.post("/cards/new", data={"csrf_token": token, "deck": deck.id, "kind": "basic",
                                         "front": "RACI", "back": "Who does what",
                                         "tags": "roles"})
    assert ok.status_code == 302 and ok.headers["Location"].startswith(
        f"/cards/new?deck={deck.id}&kind=basic&added=")
    page = client.get(f"/cards/new?deck={deck.id}&kind=answer_pair").get_data(as_text=True)
    assert "Weak answer" in page and "Question or situation" in page
    missing = client.post("/cards/new", data={"csrf_token": token, "deck": deck.id,
                                              "kind": "answer_pair", "front": "Q",
                                              "back": "why", "weak_answer": "w"})
    assert missing.status_code == 400
    assert "Strong answer cannot be empty." in missing.get_data(as_text=True)
    wrong_deck = client.post("/cards/new", data={"csrf_token": token, "deck": "999",
                                                 "kind": "basic", "front": "f", "back": "b"})
    assert wrong_deck.status_code == 400 and "Not a valid choice" in wrong_deck.get_data(
        as_text=True)
    session.rollback()
    session.expire_all()
    cards = session.execute(select(Card)).scalars().all()
    assert [(c.front, c.tags, c.kind) for c in cards] == [("RACI", "roles", "basic")]


def test_card_page_shows_memory_in_words_and_history(client, session) -> None:
    make_deck(session, "d", cards=1)
    card = session.execute(select(Card)).scalar_one()
    page = client.get(f"/cards/{card.id}").get_data(as_text=True)
    assert "New: not studied yet." in page and "No reviews yet." in page
    card.state, card.stability, card.difficulty, card.lapses, card.reps = 2, 12.0, 4.0, 1, 3
    card.due, card.last_review = START + timedelta(days=3), START - timedelta(days=9)
    session.commit()
    page = client.get(f"/cards/{card.id}").get_data(as_text=True)
    assert "Recall chance now" in page and "12.0 days" in page and "4.0 of 10" in page
    assert "in 3 days" in page and "forgotten 1 time" in page
    assert client.get("/cards/999").status_code == 404


def test_next_review_counts_study_days_in_the_users_zone(client, session) -> None:
    """A card due in 20 hours falls in the next study day: "tomorrow", not "today"."""
    make_deck(session, "d", cards=1)
    card = session.execute(select(Card)).scalar_one()
    card.state, card.stability, card.difficulty = 2, 2.0, 5.0
    card.last_review = START - timedelta(days=1)
    card.due = START + timedelta(hours=20)  # 10:00 UTC on 3 March; START is 14:00 on 2 March
    session.commit()
    assert "(tomorrow)" in client.get(f"/cards/{card.id}").get_data(as_text=True)
    card.due = START + timedelta(hours=13)  # 03:00 UTC: before the 4 am rollover
    session.commit()
    assert "(today)" in client.get(f"/cards/{card.id}").get_data(as_text=True)
    # In Tokyo (UTC+9) 14:00 UTC is 23:00: 03:00 UTC is noon on the next study day.
    settings = session.get(Settings, 1)
    settings.timezone = "Asia/Tokyo"
    session.commit()
    assert "(tomorrow)" in client.get(f"/cards/{card.id}").get_data(as_text=True)


def test_delete_card_after_confirmation(client, session) -> None:
    make_deck(session, "d", cards=2)
    card = session.execute(select(Card).order_by(Card.id)).scalars().first()
    page = client.get(f"/cards/{card.id}/delete").get_data(as_text=True)
    assert "Delete this card?" in page and "its 0 reviews of history" in page
    token = csrf_token(client, f"/cards/{card.id}/delete")
    done = client.post(f"/cards/{card.id}/delete", data={"csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"] == "/cards?q=deck:%22d%22"
    session.rollback()
    session.expire_all()
    assert count_rows(session, Card) == 1


def test_grading_a_leech_says_so(client, session) -> None:
    make_deck(session, "d", cards=1)
    card = session.execute(select(Card)).scalar_one()
    card.state, card.stability, card.difficulty, card.lapses = 2, 3.0, 8.0, 7
    card.due, card.last_review = START - timedelta(hours=1), START - timedelta(days=4)
    session.commit()
    page = client.get("/review/study").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/review/grade", data={
        "csrf_token": token, "card_id": card.id, "version": card.version, "rating": 1},
        follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "That card has lapsed 8 times: it is a leech, tagged “leech” and suspended." in text
    session.rollback()
    session.expire_all()
    card = session.get(Card, card.id)
    assert (card.tags, card.suspended, count_rows(session, ReviewLog)) == ("leech", True, 1)


def test_numbers_too_large_for_an_id_are_no_card_on_either_database(client, session) -> None:
    """PostgreSQL's INTEGER ids are 32-bit: a larger number finds nothing (as on SQLite)
    instead of failing."""
    deck = make_deck(session, "D", cards=1)
    big = 2**31
    assert client.get(f"/cards/{big}").status_code == 404
    assert client.get(f"/decks/{big}/edit").status_code == 404
    assert client.get(f"/review/study?deck={big}").status_code == 404
    assert client.get(f"/export?deck={big}").status_code == 404
    assert client.get(f"/review/study?deck={deck.id}&card={big}").status_code == 200
    for huge in (big, 2**63, -(2**63) - 1, 10**30):
        added = client.get(f"/cards/new?deck={huge}&added={huge}")
        assert added.status_code == 200, huge
        assert client.get(f"/cards?page={huge}").status_code == 200, huge
    token = csrf_token(client)
    graded = client.post("/review/grade", data={"csrf_token": token, "card_id": big,
                                                "version": 1, "rating": 3})
    assert graded.status_code == 404
    bulk = client.post("/cards/bulk", data={"csrf_token": token, "action": "suspend",
                                            "scope": "selected", "ids": [1, big]})
    assert bulk.status_code == 302
    assert "1 selected card no longer exists" in client.get(bulk.headers["Location"]).get_data(
        as_text=True)
    assert count_rows(session, ReviewLog) == 0 and not session.get(Card, 1).suspended


def test_a_card_imported_at_the_field_limit_can_be_edited_and_saved(app, client,
                                                                   session) -> None:
    """Imports and the card form share one limit: what one accepts the other saves."""
    app.config["JOBS_IN_BACKGROUND"] = False
    limit = MAX_FIELD_LENGTH
    assert limit == 20_000
    longest = "x" * limit
    data = f"front,back,tags,source\nlong,{longest},{'t' * limit},{'s' * limit}\n" \
           f"too long,{longest}y,,\n"
    page = upload(client, data.encode()).get_data(as_text=True)
    assert "Line 3: back is 20,001 characters long; the limit is 20,000" in page
    token = TOKEN_RE.search(page).group(1)
    client.post(f"/import/{token}/confirm", data={"csrf_token": csrf_token(client)})
    card = session.execute(select(Card)).scalar_one()
    assert len(card.back) == limit
    edit = f"/cards/{card.id}/edit"
    form = {"csrf_token": csrf_token(client, edit), "deck": card.deck_id, "front": "long",
            "back": card.back, "tags": card.tags, "source": card.source}
    assert client.post(edit, data=form).status_code == 302
    # A browser sends the text area's line breaks as CRLF: they count (and stay) as LF.
    lines = ("y" * 99 + "\n") * (limit // 100)
    assert client.post(edit, data={**form, "back": lines.replace("\n", "\r\n")}
                       ).status_code == 302
    session.rollback()
    assert session.get(Card, card.id).back == lines.strip()
    refused = client.post(edit, data={**form, "back": longest + "y", "source": "s"})
    assert refused.status_code == 400
    assert "Back is 20,001 characters long; the limit is 20,000." in refused.get_data(
        as_text=True)
    session.rollback()
    assert session.get(Card, card.id).source == "s" * limit  # unchanged
