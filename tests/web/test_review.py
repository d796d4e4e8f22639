"""The review pages over HTTP, with CSRF on as in production."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from flashcards.models import Card, PlanTask, ReviewLog, Settings
from tests.conftest import START, csrf_token, make_deck


def first_card_form(client, path="/review/study"):
    page = client.get(path).get_data(as_text=True)
    card_id = int(re.search(r'name="card_id" type="hidden" value="(\d+)"', page).group(1))
    version = int(re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return page, {"card_id": card_id, "version": version, "csrf_token": token}


def log_count(session) -> int:
    return session.execute(select(func.count()).select_from(ReviewLog)).scalar_one()


def test_home_lists_bundled_decks_and_start_button(seeded_app) -> None:
    page = seeded_app.test_client().get("/").get_data(as_text=True)
    assert "TPM terminology" in page and "Good and bad answers" in page
    # 134 new cards paced over the 25 days before the final window: 6 today.
    assert 'id="start"' in page and "7 new" in page


def test_security_headers_on_every_page(client) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Server-Timing"].startswith("app;dur=")


def test_study_page_shows_front_and_hides_answer_until_revealed(client, session) -> None:
    make_deck(session, cards=2)
    page, form = first_card_form(client)
    assert "Deck front 0" in page
    assert re.search(r'<div id="answer" class="answer"\s+hidden>', page)
    revealed = client.get(f"/review/study?card={form['card_id']}&show=1").get_data(as_text=True)
    assert re.search(r'<div id="answer" class="answer"\s+>', revealed)
    assert "Deck back 0" in revealed
    # Interval labels for the four grades of a new card.
    assert [m for m in re.findall(r'<span class="ivl">([^<]+)</span>', revealed)] == [
        "1m", "6m", "10m", "8d"]


def test_grade_redirects_to_next_card_and_updates_counts(client, session) -> None:
    make_deck(session, cards=30)  # paced over 25 days: 2 new cards today
    _, form = first_card_form(client)
    response = client.post("/review/grade", data={**form, "rating": "4"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/review/study")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Deck front 1" in page
    assert "Studied today: 1" in page
    card = session.get(Card, form["card_id"])
    assert card.state == 2 and card.reps == 1


def test_double_post_creates_one_review_and_moves_on(client, session) -> None:
    make_deck(session, cards=2)
    _, form = first_card_form(client)
    first = client.post("/review/grade", data={**form, "rating": "3"})
    second = client.post("/review/grade", data={**form, "rating": "3"})
    assert first.status_code == second.status_code == 302
    assert log_count(session) == 1


def test_stale_grade_gets_409_and_changes_nothing(client, session) -> None:
    make_deck(session, cards=1)
    _, form = first_card_form(client)
    client.post("/review/grade", data={**form, "rating": "3"})
    response = client.post("/review/grade", data={**form, "rating": "1"})
    assert response.status_code == 409
    assert "changed since you opened it" in response.get_data(as_text=True)
    assert log_count(session) == 1


def test_grades_outside_1_to_4_are_400_and_change_nothing(client, session) -> None:
    make_deck(session, cards=1)
    _, form = first_card_form(client)
    for bad in ("0", "5", "-1", "abc", ""):
        response = client.post("/review/grade", data={**form, "rating": bad})
        assert response.status_code == 400, bad
        assert "rating" in response.get_data(as_text=True)
    session.rollback()
    assert session.get(Card, form["card_id"]).reps == 0
    assert log_count(session) == 0


def test_missing_csrf_token_is_400(client, session) -> None:
    make_deck(session, cards=1)
    _, form = first_card_form(client)
    del form["csrf_token"]
    response = client.post("/review/grade", data={**form, "rating": "3"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert log_count(session) == 0


def test_unknown_card_is_404(client, session) -> None:
    make_deck(session, cards=1)
    _, form = first_card_form(client)
    response = client.post("/review/grade", data={**form, "card_id": "999", "rating": "3"})
    assert response.status_code == 404


def test_undo_restores_card_and_shows_it_again(client, session) -> None:
    make_deck(session, cards=2)
    _, form = first_card_form(client)
    before = session.get(Card, form["card_id"])
    snapshot = (before.state, before.due, before.reps, before.stability)
    client.post("/review/grade", data={**form, "rating": "3"})
    response = client.post("/review/undo", data={"csrf_token": form["csrf_token"]})
    assert response.status_code == 302
    assert f"card={form['card_id']}" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Undid the review" in page and "Deck front 0" in page
    session.rollback()
    card = session.get(Card, form["card_id"])
    assert (card.state, card.due, card.reps, card.stability) == snapshot
    assert log_count(session) == 0


def test_answer_pair_pick_shows_verdict_and_suggests_again_when_wrong(client, session) -> None:
    make_deck(session, "Pairs", cards=1, kind="answer_pair")
    page, form = first_card_form(client)
    assert "Which answer passes?" in page
    letters = dict(re.findall(r'data-pick="([ab])" href="[^"]+"><span class="letter">[AB]</span>'
                              r'<span class="text">(\w+)</span>', page))
    weak = next(letter for letter, text in letters.items() if text == "weak")
    strong = next(letter for letter, text in letters.items() if text == "strong")
    wrong = client.get(f"/review/study?card={form['card_id']}&pick={weak}").get_data(as_text=True)
    assert "is the weak answer" in wrong
    assert re.search(r'value="1" class="grade grade-again suggested"', wrong)
    right = client.get(f"/review/study?card={form['card_id']}&pick={strong}").get_data(
        as_text=True)
    assert "is the strong answer" in right and "Pairs back 0" in right
    assert re.search(r'value="3" class="grade grade-good suggested"', right)


def test_bury_and_suspend_from_review_screen(client, session) -> None:
    make_deck(session, cards=2)
    _, form = first_card_form(client)
    assert client.post("/review/bury", data=form).status_code == 302
    page, second = first_card_form(client)
    assert "Buried until tomorrow" in page and second["card_id"] != form["card_id"]
    assert client.post("/review/suspend", data=second).status_code == 302
    done = client.get("/review/study").get_data(as_text=True)
    assert "No more cards are due right now" in done
    # U undoes the last action: the suspended card is back.
    client.post("/review/undo", data={"csrf_token": form["csrf_token"]})
    session.rollback()
    assert session.get(Card, second["card_id"]).suspended is False


def test_edit_card_from_review_screen(client, session) -> None:
    make_deck(session, cards=1)
    _, form = first_card_form(client)
    url = f"/cards/{form['card_id']}/edit?next=/review/study"
    page = client.get(url).get_data(as_text=True)
    assert "Deck front 0" in page
    bad = client.post(url, data={"csrf_token": form["csrf_token"], "front": "  ", "back": "b",
                                 "next": "/review/study"})
    assert bad.status_code == 400 and "Front cannot be empty." in bad.get_data(as_text=True)
    session.rollback()
    card = session.get(Card, form["card_id"])
    assert card.front == "Deck front 0"
    ok = client.post(url, data={"csrf_token": form["csrf_token"], "front": "New <b>front</b>",
                                "back": "b", "tags": "x y", "source": "s",
                                "deck": str(card.deck_id), "next": "//evil.example/"})
    # Never back to another site: to the card's own page instead.
    assert ok.status_code == 302 and ok.headers["Location"] == f"/cards/{card.id}"
    page = client.get("/review/study").get_data(as_text=True)
    assert "New &lt;b&gt;front&lt;/b&gt;" in page


def test_settings_validation_changes_nothing_on_error(client, session) -> None:
    token = csrf_token(client)
    bad = client.post("/settings", data={"csrf_token": token, "desired_retention": "1.5",
                                         "new_per_day": "10", "max_reviews_per_day": "100",
                                         "timezone": "Mars/Olympus", "rollover_hour": "4"})
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "Number must be between 0.7 and 0.99" in text
    assert "“Mars/Olympus” is not a time zone this server knows" in text
    assert session.get(Settings, 1).new_per_day == 20
    ok = client.post("/settings", data={"csrf_token": token, "desired_retention": "0.85",
                                        "new_per_day": "10", "max_reviews_per_day": "100",
                                        "timezone": "Europe/Berlin", "rollover_hour": "3",
                                        "interview_date": "2026-03-20", "daily_minutes": "45",
                                        "interview_retention": "0.95", "leech_threshold": "6",
                                        "leech_action": "tag", **WEEKDAY_MINUTES})
    assert ok.status_code == 302
    session.rollback()
    settings = session.get(Settings, 1)
    assert (settings.desired_retention, settings.new_per_day, settings.timezone) == (
        0.85, 10, "Europe/Berlin")
    assert (settings.interview_date.isoformat(), settings.daily_minutes,
            settings.interview_retention, settings.weekday_minutes) == (
        "2026-03-20", 45, 0.95, ",,,,,23,0")
    assert (settings.leech_threshold, settings.leech_action) == (6, "tag")


# Blank: the daily budget; Saturday half of it, Sunday off.
WEEKDAY_MINUTES = {f"minutes_{day}": "" for day in ("monday", "tuesday", "wednesday",
                                                   "thursday", "friday")} | {
    "minutes_saturday": "23", "minutes_sunday": "0"}


def test_plan_settings_are_validated(client, session) -> None:
    token = csrf_token(client)
    bad = client.post("/settings", data={
        "csrf_token": token, "desired_retention": "0.9", "new_per_day": "20",
        "max_reviews_per_day": "200", "timezone": "UTC", "rollover_hour": "4",
        "interview_date": "not a date", "daily_minutes": "0", "interview_retention": "2",
        **WEEKDAY_MINUTES, "minutes_saturday": "x", "minutes_sunday": "601"})
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "Not a valid date value." in text and "Number must be between 5 and 600" in text
    # Each weekday's error sits in that day's field, under its label.
    saturday = re.search(r'<div class="field has-error">\s*<label for="minutes_saturday">'
                         r'Saturday</label>.*?</div>', text, re.S)
    sunday = re.search(r'<div class="field has-error">\s*<label for="minutes_sunday">'
                       r'Sunday</label>.*?</div>', text, re.S)
    assert saturday and "Saturday must be a whole number, not “x”." in saturday.group(0)
    assert sunday and ("Between 0 and 600 minutes, or blank for the daily budget."
                       in sunday.group(0))
    assert re.search(r'<div class="field">\s*<label for="minutes_friday">Friday</label>', text)
    session.rollback()
    settings = session.get(Settings, 1)
    assert (settings.daily_minutes, settings.weekday_minutes) == (60, ",,,,,,")


def test_unmigrated_database_gets_a_clear_503(databases) -> None:
    from flashcards import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": databases.create(migrated=False),
                      "SECRET_KEY": "x"})
    response = app.test_client().get("/")
    assert response.status_code == 503
    assert "python app.py" in response.get_data(as_text=True)
    app.extensions["flashcards.engine"].dispose()


def test_coming_back_tomorrow_shows_the_cards_due_then(client, session, clock) -> None:
    make_deck(session, cards=2)
    get_settings = session.get(Settings, 1)
    get_settings.new_per_day = 1
    session.commit()
    _, form = first_card_form(client)
    client.post("/review/grade", data={**form, "rating": "4"})  # Easy: due in 8 days
    done = client.get("/review/study").get_data(as_text=True)
    assert "Well done!" in done and 'id="reviewed-count">1<' in done
    assert "today’s planned 1 new cards" in done
    clock.advance(days=1)
    page, second = first_card_form(client)  # a new day: the second new card
    assert second["card_id"] != form["card_id"] and "Studied today: 0" in page
    session.rollback()
    clock.now = session.get(Card, form["card_id"]).due  # days later, whatever the fuzz chose
    page, third = first_card_form(client)
    assert third["card_id"] == form["card_id"]  # the first card is due again, before new ones
    assert 'class="badge review"' in page


def test_done_page_counts_answers_and_cards_and_offers_the_next_step(client, session) -> None:
    make_deck(session, "Now", cards=2)
    make_deck(session, "Later", cards=3)
    session.rollback()
    now_1, now_2, *waiting = session.execute(select(Card).order_by(Card.id)).scalars().all()
    # Two reviews due today; tomorrow one more (a suspended one and a later one do not count).
    for card, due, suspended in ((now_1, START - timedelta(hours=1), False),
                                 (now_2, START - timedelta(hours=1), False),
                                 (waiting[0], START + timedelta(days=1), False),
                                 (waiting[1], START + timedelta(days=1), True),
                                 (waiting[2], START + timedelta(days=5), False)):
        card.state, card.step, card.stability, card.difficulty = 2, None, 3.0, 5.0
        card.due, card.last_review, card.reps, card.suspended = due, START, 1, suspended
    session.commit()
    token = csrf_token(client, "/plan/tasks")  # the add form's page
    client.post("/plan/tasks", data={"csrf_token": token, "title": "Write the launch story",
                                     "minutes": "25", "day": START.date().isoformat(),
                                     "kind": "stories"})
    _, form = first_card_form(client)
    client.post("/review/grade", data={**form, "rating": "1"})  # Again: it comes back
    answers = 1
    page = client.get("/review/study").get_data(as_text=True)
    while 'name="card_id"' in page and answers < 10:
        _, form = first_card_form(client)
        client.post("/review/grade", data={**form, "rating": "4"})
        answers += 1
        page = client.get("/review/study").get_data(as_text=True)
    assert answers == 3
    assert re.search(r'<strong id="reviewed-count">3</strong> answers \(<span id="card-count">'
                     r'2 cards</span>\)', page)
    next_step = page[page.index('id="next-step"'):]
    assert "Write the launch story" in next_step and "(25 min)" in next_step
    assert 'href="/plan"' in next_step
    tomorrow = re.search(r'<p id="tomorrow-load">(.*?)</p>', page, re.S).group(1)
    assert "Tomorrow (Tue 3 Mar): <strong>1</strong> review due." == tomorrow
    # Once the task is ticked, the next step is only the plan and tomorrow.
    session.rollback()
    task = session.execute(select(PlanTask).where(PlanTask.title.like("Write%"))).scalar_one()
    client.post(f"/plan/tasks/{task.id}/done", data={"csrf_token": token, "done": "y"})
    next_step = client.get("/review/study").get_data(as_text=True).split('id="next-step"')[1]
    assert "Write the launch story" not in next_step and "Still to do today" not in next_step
    assert 'href="/plan"' in next_step
