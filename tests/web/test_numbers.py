"""No number can crash a page (issue 24): every id and number in a URL or a form goes
through one parser (core/numbers.py). A bad number is a 400 that names it, a number that
names nothing a 404, never a 500 and never quietly ignored."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import select

from flashcards.models import Card, PlanTask, ReviewLog
from tests.conftest import count_rows, csrf_token, make_deck

TODAY = date(2026, 3, 2)  # the test clock's study day
# Ids no row can have: past PostgreSQL's INTEGER, BIGINT, SQLite's INTEGER, and int()'s
# 4,300 digits; and one in another script's digits ("١" is int()'s 1).
HUGE_IDS = [str(2**31), str(2**63), str(2**64), "9" * 5000]
NOT_ASCII = ["١", "²", "１"]


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_huge_stats_arguments_are_a_clear_answer_not_a_crash(client, session) -> None:
    make_deck(session, "D", cards=1)
    deck = client.get("/stats", query_string={"deck": "9" * 5000})
    assert deck.status_code == 404
    assert "There is no deck 99999999999999999999…" in text_of(deck)
    days = client.get("/stats", query_string={"range": "7" * 100_000})
    assert days.status_code == 400
    assert "The range must be one of 7, 30, 90, 365 days, not “77777777777777777777…”." in (
        text_of(days))
    for value in NOT_ASCII:
        assert client.get("/stats", query_string={"range": "3" + value}).status_code == 400
        refused = client.get("/stats", query_string={"deck": value})
        assert refused.status_code == 400, value
        assert f"deck must be a whole number, not “{value}”." in text_of(refused)


@pytest.mark.parametrize("path", ["/export", "/review/study", "/stats"])
def test_a_deck_argument_that_is_no_deck_is_refused_not_all_decks(client, session,
                                                                  path: str) -> None:
    """deck= that is not a valid id must not quietly cover every deck."""
    make_deck(session, "D", cards=1)
    for value in HUGE_IDS:
        response = client.get(path, query_string={"deck": value})
        assert response.status_code == 404, (path, value[:30])
        assert f"There is no deck {value[:20]}" in text_of(response)
    for value in ["abc", "1.0", " 1", "1_0", "+1", *NOT_ASCII]:
        response = client.get(path, query_string={"deck": value})
        assert response.status_code == 400, (path, value)
        assert f"deck must be a whole number, not “{value}”." in text_of(response)
    assert client.get(path, query_string={"deck": "-1"}).status_code == 404
    assert client.get(path, query_string={"deck": ""}).status_code == 200  # all decks


def test_a_card_argument_must_be_a_number_and_may_name_a_card_no_longer_there(
        client, session) -> None:
    """card= is the card the study page showed: one no longer to study (or never there)
    gives the next card; one that is no number is a 400."""
    deck = make_deck(session, "D", cards=1)
    for value in [*HUGE_IDS, "999"]:
        page = client.get("/review/study", query_string={"deck": deck.id, "card": value})
        assert page.status_code == 200 and "D front 0" in text_of(page)
        assert client.get("/cards/new", query_string={"deck": value, "added": value}
                          ).status_code == 200
    for value in ["abc", *NOT_ASCII]:
        for path, query in (("/review/study", {"card": value}),
                            ("/review/custom/study", {"card": value}),
                            ("/cards/new", {"deck": value}), ("/cards/new", {"added": value})):
            response = client.get(path, query_string=query)
            assert response.status_code == 400, (path, query)
            assert "must be a whole number" in text_of(response)


@pytest.mark.parametrize(("page", "shown"), [("1" + "0" * 5000, 3), ("9" * 100_000, 3)])
def test_a_page_number_of_any_length_is_the_last_page(client, session, page: str,
                                                      shown: int) -> None:
    make_deck(session, "Big", cards=120)
    response = client.get("/cards", query_string={"page": page, "q": "deck:big"})
    assert response.status_code == 200
    assert f"Page {shown} of 3" in text_of(response)


@pytest.mark.parametrize("value", ["x", "1e9", "2.0", "²", "١"])
def test_a_page_number_that_is_no_number_is_refused(client, session, value: str) -> None:
    response = client.get("/cards", query_string={"page": value})
    assert response.status_code == 400
    assert f"page must be a whole number, not “{value}”." in text_of(response)


@pytest.mark.parametrize("card_id", [*HUGE_IDS, *NOT_ASCII, "-1", "0"])
def test_route_ids_that_name_nothing_are_404(client, session, card_id: str) -> None:
    """<int:…> in a path reads ASCII digits up to the largest id: card 1 exists, and
    "١" is not its id."""
    make_deck(session, "D", cards=1)
    assert session.get(Card, 1) is not None
    token = csrf_token(client)
    for path in (f"/cards/{card_id}", f"/cards/{card_id}/edit", f"/decks/{card_id}/edit",
                 f"/cards/actions/{card_id}"):
        assert client.get(path).status_code == 404, path
    for path in (f"/plan/tasks/{card_id}/done", f"/plan/tasks/{card_id}/move",
                 f"/plan/tasks/{card_id}/delete", f"/settings/fsrs/{card_id}/undo",
                 f"/cards/{card_id}/delete"):
        assert client.post(path, data={"csrf_token": token, "day": "2026-03-03"}
                           ).status_code == 404, path


def test_every_route_with_an_id_answers_a_huge_one_with_a_404(app, client, session) -> None:
    """Walks app.url_map: each route with an <int:…> argument, by every method, with ids
    past every limit. A new route is covered without editing this test."""
    make_deck(session, "D", cards=1)
    token = csrf_token(client)
    checked = []
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        for value in [*HUGE_IDS, "١"]:
            path = re.sub(r"<int:\w+>", value, rule.rule)
            path = re.sub(r"<\w+>", "x", path)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(path, method=method, data={"csrf_token": token})
                assert response.status_code == 404, (method, rule.rule, value[:30])
                checked.append((method, rule.rule))
    assert len(set(checked)) >= 12, checked


def test_huge_numbers_in_forms_are_the_fields_own_message(seeded_app, session) -> None:
    """A form field with a huge number says what the field takes, as for 999; one in
    another script's digits is no number."""
    client = seeded_app.test_client()
    token = csrf_token(client, "/plan")
    before = count_rows(session, PlanTask)
    for minutes, message in (("9" * 5000, "Number must be between 1 and 240"),
                             ("-" + "9" * 5000, "Number must be between 1 and 240"),
                             ("٥", "Minutes must be a whole number, not “٥”.")):
        added = client.post("/plan/tasks", data={
            "csrf_token": token, "title": "Huge", "minutes": minutes,
            "day": TODAY.isoformat(), "kind": "research"})
        assert added.status_code == 302
        page = text_of(client.get(added.headers["Location"]))
        assert message in page and "Not a valid integer value" not in page, minutes
    assert count_rows(session, PlanTask) == before
    learn = client.post("/review/learn-more", data={"csrf_token": token, "count": "9" * 5000,
                                                    "next": "/review"})
    page = text_of(client.get(learn.headers["Location"]))
    assert "Learn more adds 1 to 100 new cards at a time." in page
    assert "Not a valid integer value" not in page


def test_ids_in_forms(client, session) -> None:
    """A huge card id is no card (404); one in other digits is no id (400); neither
    grades card 1."""
    make_deck(session, "D", cards=1)
    card = session.execute(select(Card)).scalar_one()
    token = csrf_token(client)
    for card_id in HUGE_IDS:
        graded = client.post("/review/grade", data={
            "csrf_token": token, "card_id": card_id, "version": card.version, "rating": 3})
        assert graded.status_code == 404, card_id[:30]
    for card_id in NOT_ASCII:
        for path in ("/review/grade", "/review/bury", "/review/suspend"):
            response = client.post(path, data={"csrf_token": token, "card_id": card_id,
                                               "version": card.version, "rating": 3})
            assert response.status_code == 400, (path, card_id)
            assert "must be a whole number, not “" in text_of(response), path
    for version in ["١", "9" * 5000]:
        graded = client.post("/review/grade", data={
            "csrf_token": token, "card_id": card.id, "version": version, "rating": 3})
        assert graded.status_code in (400, 409), version[:30]
    for rating in ["9" * 5000, "٣"]:
        graded = client.post("/review/grade", data={
            "csrf_token": token, "card_id": card.id, "version": card.version, "rating": rating})
        assert graded.status_code == 400, rating[:30]
    bulk = client.post("/cards/bulk", data={"csrf_token": token, "action": "suspend",
                                            "scope": "selected", "ids": ["١"]})
    assert bulk.status_code == 400
    assert "must be a whole number" in text_of(bulk)
    session.rollback()
    assert count_rows(session, ReviewLog) == 0 and not session.get(Card, card.id).suspended
