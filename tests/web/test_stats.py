"""The statistics page over HTTP: a fresh user, another user's deck, bad values, the
menu link, and the readiness row the plan stores once per deck per day."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from flashcards.models import ReadinessHistory, ReviewLog
from flashcards.services import users
from flashcards.services.settings import get_settings
from tests.conftest import START, count_rows, csrf_token, make_deck

PASSWORD = "correct horse battery"


def login(client, name: str) -> None:
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "name": name,
                                           "password": PASSWORD})
    assert response.status_code == 302


def test_a_fresh_user_sees_every_section_with_empty_figures(client, session) -> None:
    make_deck(session, "Fresh deck", cards=4)
    response = client.get("/stats")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for heading in ("Answers in the past year", "Answers a day", "Minutes a day",
                    "True retention", "Readiness for interview day", "Reviews forecast",
                    "Cards", "Stability", "Difficulty"):
        assert f">{heading}</h2>" in page
    assert re.search(r'id="figure-reviews">0<', page)
    assert re.search(r'id="figure-streak">0 days<', page)
    assert "No answers to review cards in this period yet." in page
    assert "No answers in the past year." in page
    # The deck selector lists the deck; "All decks" is chosen; the 30-day range is.
    assert re.search(r'<option value="\d+">Fresh deck</option>', page)
    assert '<option value="" selected>All decks</option>' in page
    assert '<option value="30" selected>Last 30 days</option>' in page
    # Each chart has a table; no inline style or script (the CSP forbids them).
    assert page.count('class="chart-table"') >= 7
    assert "style=" not in page and "<script>" not in page
    for chart in ("heatmap", "reviews-chart", "minutes-chart", "forecast-chart",
                  "stability-chart", "difficulty-chart"):
        assert '<svg class="chart stats-chart' in page and f'id="{chart}"' in page


def test_the_menu_links_to_stats_and_marks_it_current(client) -> None:
    page = client.get("/stats").get_data(as_text=True)
    assert '<a href="/stats" aria-current="page">Stats</a>' in page
    assert '<a href="/stats" >Stats</a>' in client.get("/plan").get_data(as_text=True)


def test_without_an_interview_date_the_page_says_so_and_links_to_settings(client,
                                                                          session) -> None:
    get_settings(session).interview_date = None
    session.commit()
    page = client.get("/stats").get_data(as_text=True)
    assert 'id="readiness-no-interview"' in page
    assert 'href="/settings">Set the interview date in Settings</a>' in page


def test_another_users_deck_is_a_404_that_reveals_nothing(app, session) -> None:
    ada = users.create_user(session, "ada", PASSWORD, START).user.id
    bob = users.create_user(session, "bob", PASSWORD, START).user.id
    session.commit()
    make_deck(session, "Ada's deck", cards=1, user_id=ada)
    bobs = make_deck(session, "Bob SECRET deck", cards=1, user_id=bob)
    client = app.test_client()
    login(client, "ada")
    response = client.get(f"/stats?deck={bobs.id}")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "SECRET" not in body
    assert "SECRET" not in client.get("/stats").get_data(as_text=True)
    # The same id that does not exist at all answers the same way.
    missing = client.get("/stats?deck=999999")
    assert missing.status_code == 404
    csrf = re.compile(r'value="[^"]*"')
    assert csrf.sub("", body).replace(str(bobs.id), "N") == csrf.sub(
        "", missing.get_data(as_text=True)).replace("999999", "N")


def test_bad_range_or_deck_values_are_a_clear_400(client) -> None:
    for query, message in (("range=14", "The range must be one of 7, 30, 90, 365 days"),
                           ("range=abc", "The range must be one of 7, 30, 90, 365 days"),
                           ("deck=abc", "deck must be a whole number, not “abc”."),
                           ("deck=all", "deck must be a whole number, not “all”.")):
        response = client.get(f"/stats?{query}")
        assert response.status_code == 400, query
        assert message in response.get_data(as_text=True), query
    # A number that can be no deck's id is as missing as a missing deck.
    response = client.get("/stats?deck=-3")
    assert response.status_code == 404
    assert "There is no deck -3." in response.get_data(as_text=True)


def test_the_chosen_deck_and_range_are_shown_and_counted(client, session) -> None:
    deck = make_deck(session, "Chosen", cards=2)
    other = make_deck(session, "Other", cards=1)
    ids = [c.id for c in deck.cards] + [c.id for c in other.cards]
    for version, card_id in enumerate(ids, start=10):
        session.add(ReviewLog(card_id=card_id, user_id=1, reviewed_at=START - timedelta(days=2),
                              rating=3, duration_ms=30_000, card_version=version,
                              state_before=0, state_after=1))
    session.commit()
    page = client.get(f"/stats?deck={deck.id}&range=7").get_data(as_text=True)
    assert "<h1>Statistics: Chosen</h1>" in page
    assert f'<option value="{deck.id}" selected>Chosen</option>' in page
    assert '<option value="7" selected>Last 7 days</option>' in page
    assert re.search(r'id="figure-reviews">2<', page)
    assert re.search(r'id="figure-minutes">1<', page)
    assert re.search(r'id="figure-days">1 of 7<', page)
    assert re.search(r'id="figure-reviews">3<', client.get("/stats?range=7").get_data(
        as_text=True))


def test_building_the_plan_stores_readiness_once_per_deck_per_day(client, session,
                                                                   clock) -> None:
    make_deck(session, "Terms", cards=6)
    make_deck(session, "Pairs", cards=4)
    get_settings(session).interview_date = date(2026, 3, 25)
    session.commit()
    assert client.get("/plan").status_code == 200
    assert count_rows(session, ReadinessHistory) == 2
    assert client.get("/plan").status_code == 200  # rebuilt the same day
    session.rollback()
    rows = session.execute(select(ReadinessHistory)).scalars().all()
    assert len(rows) == 2 and {row.day for row in rows} == {date(2026, 3, 2)}
    clock.advance(days=1)
    assert client.get("/plan").status_code == 200
    session.rollback()
    assert count_rows(session, ReadinessHistory) == 4
    page = client.get("/stats?range=7").get_data(as_text=True)
    assert 'id="readiness-chart"' in page
    assert re.search(r"Latest: Pairs \d+\.\d% on 3 Mar \([+-]\d+\.\d points since 2 Mar\); "
                     r"Terms \d+\.\d% on 3 Mar", page)
    assert re.search(r"<th scope=\"row\">Terms</th><td>Tue 3 Mar \(latest\)</td>"
                     r"<td class=\"num\">\d+\.\d%</td><td class=\"num\">90%</td>", page)


def test_a_user_without_any_deck_gets_the_page(client) -> None:
    for query in ("", "?range=7", "?range=365"):
        response = client.get(f"/stats{query}")
        assert response.status_code == 200, query
        page = response.get_data(as_text=True)
        assert re.search(r'id="figure-reviews">0<', page)
        assert '<option value="" selected>All decks</option>' in page
