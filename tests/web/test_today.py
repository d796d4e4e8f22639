"""How today went, Learn more today and custom study over HTTP, CSRF on (issue 12,
parts 2 and 3)."""

import re
from datetime import date, timedelta
from pathlib import Path

from markupsafe import escape
from sqlalchemy import func, select

from flashcards.core.scheduling import CardState
from flashcards.models import Card, ReviewLog, Settings
from flashcards.services import plans, progress, users
from flashcards.services.bundled import load_bundle
from flashcards.services.settings import get_settings
from tests.conftest import START, csrf_token, make_deck
from tests.web.test_review import first_card_form

TODAY = date(2026, 3, 2)
PASSWORD = "correct horse battery"


def today_cell(page: str) -> str:
    match = re.search(r'<span class="today-progress" id="today-progress"[^>]*>(.*?)</span>\s*'
                      r'</div>', page, re.S)
    assert match, "the plan has no progress in its today cell"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def todays_tasks(page: str) -> str:
    """Today's preparation: the to-dos with their tick boxes (before "If you have time")."""
    section = re.search(r'<section class="panel" id="today-tasks">(.*?)</section>', page, re.S)
    assert section, "no tasks section"
    return section.group(1).split('id="spare-heading"')[0]


def spare_tasks(page: str) -> list[str]:
    """The titles under "If you have time" on Today."""
    match = re.search(r'<ul class="spare-tasks" id="spare-tasks"[^>]*>(.*?)</ul>', page, re.S)
    assert match, "no If you have time list"
    return [title.strip()
            for title in re.findall(r'<li data-task-id="\d+">([^<]*)<', match.group(1))]


def short_budget(session) -> None:
    """Ten days at 30 min a day: the plan leaves tasks of the first days out."""
    settings = session.get(Settings, 1)
    settings.daily_minutes, settings.weekday_minutes = 30, ",,,,,,"
    settings.interview_date = TODAY + timedelta(days=10)
    session.commit()


def test_tasks_the_plan_leaves_out_are_listed_apart_if_there_is_time(seeded_app,
                                                                     session) -> None:
    """Today lists the tasks the plan leaves out under "If you have time", without a
    tick box, and they do not count in today's planned tasks; ticking a held one off
    counts."""
    short_budget(session)
    client = seeded_app.test_client()
    client.get("/plan")  # the day's plan, stored
    session.rollback()
    held, dropped = plans.held_and_dropped(plans.tasks_on(session, get_settings(session), TODAY))
    session.rollback()
    assert held and dropped
    home = client.get("/").get_data(as_text=True)
    assert "If you have time" in home
    assert spare_tasks(home) == [str(escape(tv.task.title)) for tv in dropped]
    todo = todays_tasks(home)
    assert all(str(escape(tv.task.title)) in todo for tv in held)
    assert not any(str(escape(tv.task.title)) in todo for tv in dropped)
    assert todo.count('class="checkbox"') == len(held)
    assert re.search(rf'Tasks</span> <span class="value"><strong>0</strong>/{len(held)}<', home)
    # On the plan, today's item shows them apart too, and only the held tasks tick.
    plan = client.get("/plan").get_data(as_text=True)
    today = re.search(r'<li class="day today[^"]*" data-date="2026-03-02">(.*?)</li>\s*'
                      r'<li class="day', plan, re.S).group(1)
    assert today.count('class="checkbox"') == len(held)
    assert "If you have time (not planned):</span> " + str(escape(dropped[0].task.title)) in today
    # Ticking a held task off: one of them done; the left-out ones are still spare.
    client.post(f"/plan/tasks/{held[0].task.id}/done",
                data={"csrf_token": csrf_token(client, "/"), "done": "y", "whole": "y"})
    home = client.get("/").get_data(as_text=True)
    assert re.search(rf'Tasks</span> <span class="value"><strong>1</strong>/{len(held)}<', home)
    assert spare_tasks(home) == [str(escape(tv.task.title)) for tv in dropped]


def test_home_and_the_plans_today_cell_show_done_against_planned(seeded_app, session,
                                                                 clock) -> None:
    client = seeded_app.test_client()
    home = client.get("/").get_data(as_text=True)
    assert "How today is going" in home
    day = progress.day_progress(session, clock())
    session.rollback()
    assert day.new_planned > 0 and day.minutes_planned > 0
    new, minutes = day.new_planned, round(day.minutes_planned)
    assert re.search(rf'New cards</span> <span class="value"><strong>0</strong>/{new}<', home)
    assert re.search(rf'Minutes</span> <span class="value"><strong>0</strong>/{minutes}<',
                     home)
    assert (f'id="day-status">On track: the 0 min done and the {minutes} min left fit '
            f"today’s budget of 60 min.") in home
    cell = today_cell(client.get("/plan").get_data(as_text=True))
    assert cell == (f"0/0 rev 0/{new} new 0/{day.tasks_planned} tasks 0/{minutes} min "
                    "on track")
    _, form = first_card_form(client)
    assert client.post("/review/grade", data={**form, "rating": "3",
                                              "shown_at": "0"}).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert re.search(rf'New cards</span> <span class="value"><strong>1</strong>/{new}', home)
    # The answer took the capped 60 s: one minute done.
    assert re.search(r'Minutes</span> <span class="value"><strong>1</strong>/', home)
    # Opening the plan again and again does not raise today's new cards (it climbed
    # 7, 8, 9... when each rebuild added what had been studied to the plan's share).
    for _ in range(3):
        assert f"1/{new} new" in today_cell(client.get("/plan").get_data(as_text=True))
    session.rollback()
    assert session.get(Settings, 1).paced_new == new


def test_learn_more_needs_csrf_validates_the_count_and_adds_to_today(seeded_app,
                                                                    session) -> None:
    client = seeded_app.test_client()
    client.get("/")
    assert client.post("/review/learn-more", data={"count": "5"}).status_code == 400
    token = csrf_token(client, "/")
    for count, message in (("0", "1 to 100"), ("101", "1 to 100"), ("", "how many"),
                           ("lots", "1 to 100")):
        response = client.post("/review/learn-more", data={"csrf_token": token,
                                                           "count": count})
        assert response.status_code == 302
        assert message in client.get(response.headers["Location"]).get_data(as_text=True)
    session.rollback()
    assert session.get(Settings, 1).extra_new is None
    response = client.post("/review/learn-more", data={"csrf_token": token, "count": "5",
                                                       "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Added 5 new cards to today: 12 new cards left today" in page
    assert re.search(r'New cards</span> <span class="value"><strong>0</strong>/12', page)
    session.rollback()
    settings = session.get(Settings, 1)
    assert (settings.extra_new_day, settings.extra_new, settings.paced_new) == (TODAY, 5, 7)
    assert "0/12 new" in today_cell(client.get("/plan").get_data(as_text=True))


def _ahead(session, card: Card, days: int, tags: str = "") -> None:
    card.state, card.stability, card.difficulty, card.reps = int(CardState.REVIEW), 20.0, 5.0, 2
    card.last_review, card.due, card.tags = (START - timedelta(days=5),
                                             START + timedelta(days=days), tags)
    session.commit()


def test_custom_study_reviews_ahead_through_the_study_page(client, session) -> None:
    make_deck(session, "Systems", cards=3)
    cards = session.execute(select(Card).order_by(Card.id)).scalars().all()
    _ahead(session, cards[0], 10)
    _ahead(session, cards[1], 4)
    deck_id, first_id = cards[0].deck_id, cards[1].id
    page = client.get("/review/custom").get_data(as_text=True)
    assert "Custom study" in page and "Systems" in page
    token = csrf_token(client, "/review/custom")
    assert client.post("/review/custom", data={"deck": deck_id, "count": "5"}
                       ).status_code == 400  # no CSRF token
    bad = client.post("/review/custom", data={"csrf_token": token, "deck": deck_id,
                                              "count": "500"})
    assert bad.status_code == 400 and "1 to 100" in bad.get_data(as_text=True)
    started = client.post("/review/custom", data={"csrf_token": token, "deck": deck_id,
                                                  "count": "5"})
    assert started.headers["Location"] == "/review/custom/study"
    page, form = first_card_form(client, "/review/custom/study")
    assert form["card_id"] == first_id  # the soonest due first
    assert "Custom study: deck “Systems”" in page
    assert 'name="custom" type="hidden" value="y"' in page
    assert f"/review/custom/study?card={first_id}&amp;show=1" in page
    graded = client.post("/review/grade", data={**form, "rating": "3", "custom": "y"})
    assert graded.headers["Location"].startswith("/review/custom/study")
    assert session.execute(select(func.count()).select_from(ReviewLog)).scalar_one() == 1
    session.rollback()
    assert session.get(Card, first_id).due > START + timedelta(days=4)
    undone = client.post("/review/undo", data={"csrf_token": token, "custom": "y"})
    assert undone.headers["Location"] == f"/review/custom/study?card={first_id}"
    session.rollback()
    assert session.get(Card, first_id).due == START + timedelta(days=4)
    for _ in range(2):
        _, form = first_card_form(client, "/review/custom/study")
        client.post("/review/grade", data={**form, "rating": "3", "custom": "y"})
    done = client.get("/review/custom/study").get_data(as_text=True)
    assert "Custom study done" in done and 'id="custom-reviewed">2<' in done
    # The new card was not part of it.
    session.rollback()
    assert session.execute(select(Card.state).order_by(Card.id.desc()).limit(1)
                           ).scalar_one() == CardState.NEW


def test_custom_study_of_another_users_deck_or_tag_gives_nothing_of_theirs(app, client,
                                                                          session) -> None:
    ada = users.create_user(session, "ada", PASSWORD, START).user.id
    bob = users.create_user(session, "bob", PASSWORD, START).user.id
    session.commit()
    make_deck(session, "Ada's", cards=1, user_id=ada)
    bobs = make_deck(session, "BOBSECRET", cards=1, user_id=bob)
    users.for_user(session, bob)
    _ahead(session, session.execute(select(Card)).scalar_one(), 5, tags="bobtag")
    token = csrf_token(client, "/login")
    client.post("/login", data={"csrf_token": token, "name": "ada", "password": PASSWORD})
    token = csrf_token(client, "/review/custom")
    assert "BOBSECRET" not in client.get("/review/custom").get_data(as_text=True)
    response = client.post("/review/custom", data={"csrf_token": token, "deck": bobs.id,
                                                   "count": "5"})
    assert response.status_code == 404
    response = client.post("/review/custom", data={"csrf_token": token, "tag": "bobtag",
                                                   "count": "5"})
    assert response.status_code == 400
    assert "No card of the tag “bobtag”" in response.get_data(as_text=True)
    # With no session started, the study page sends the user to the form.
    assert client.get("/review/custom/study").headers["Location"] == "/review/custom"


def test_review_page_and_done_page_say_what_learn_more_added(client, session) -> None:
    make_deck(session, cards=30)  # paced over 25 days: 2 new cards today
    client.get("/")
    token = csrf_token(client, "/")
    client.post("/review/learn-more", data={"csrf_token": token, "count": "3"})
    page = client.get("/review").get_data(as_text=True)
    assert ("the plan’s pace of 2 new cards (your limit is 20), plus 3 you added with "
            "Learn more") in page
    for _ in range(5):
        _, form = first_card_form(client)
        client.post("/review/grade", data={**form, "rating": "4"})
    done = client.get("/review/study").get_data(as_text=True)
    assert "You have reached today’s planned 5 new cards" in done
    # Learn more is offered right there, and brings the page back with a new card.
    assert 'id="learn-more-form"' in done
    response = client.post("/review/learn-more", data={"csrf_token": token, "count": "1",
                                                       "next": "/review/study"})
    assert response.headers["Location"] == "/review/study"
    assert "Deck front 5" in client.get("/review/study").get_data(as_text=True)


def test_a_shared_new_card_limit_shows_once_not_on_every_deck(seeded_app, session) -> None:
    """The bundled decks share today's 7 new cards: each deck row shows the new cards it
    holds (not "7" on every row) and the 7 shows once, for all decks."""
    decks = Path(__file__).resolve().parent.parent.parent / "decks"
    held = {deck.name: str(len(deck.rows)) for deck in load_bundle(decks).decks}
    client = seeded_app.test_client()
    for path in ("/", "/review"):
        page = client.get(path).get_data(as_text=True)
        table = page[page.index('<table class="decks"'):page.index("</table>")]
        rows = re.findall(r'<a href="[^"]*">([^<]+)</a>.*?class="num new"[^>]*>(\d+)<', table,
                          re.S)
        assert dict(rows) == held, path
        every = re.search(r'All decks</th>\s*<td class="num new"[^>]*>(\d+)<', table)
        assert every.group(1) == "7"
        assert ('id="new-shared"><strong>7</strong> new cards today across all decks'
                in page), path
    # Once today's new cards are done, no deck has any left today: zeros, no note.
    session.rollback()
    session.get(Settings, 1).paced_new = 0
    session.commit()
    page = client.get("/").get_data(as_text=True)
    table = page[page.index('<table class="decks"'):page.index("</table>")]
    assert set(re.findall(r'class="num new"[^>]*>(\d+)<', table)) == {"0"}
    assert 'id="new-shared"' not in page
