"""The calendar subscription over HTTP: the link is made, replaced and revoked in
Settings; the feed needs its token and nothing else, says nothing about who exists,
and shows its owner's plan as it stands at each poll."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from flashcards.core.taskformat import TaskKind
from flashcards.models import CalendarFeed, Settings
from flashcards.services import plans, users
from flashcards.web import calendar
from tests.conftest import START, count_rows, csrf_token, make_deck

PASSWORD = "correct horse battery"
TODAY = date(2026, 3, 2)  # the test clock's study day
LINK_RE = re.compile(r'id="calendar-url"[^>]*value="(http://localhost/plan/([A-Za-z0-9_-]+)'
                     r'\.ics)"')


@pytest.fixture
def ada_and_bob(app, session) -> dict[str, dict[str, int]]:
    """ada (who took over the local collection) and bob, each with a task of their own;
    ada has new cards to learn too."""
    ids = {}
    for name in ("ada", "bob"):
        user_id = users.create_user(session, name, PASSWORD, START).user.id
        session.commit()
        users.for_user(session, user_id)
        task = plans.add_task(session, title=f"{name} task", details=f"{name} details",
                              minutes=10, day=date(2026, 3, 3), kind=TaskKind.RESEARCH,
                              now=START)
        session.commit()
        ids[name] = {"user": user_id, "task": task.id}
    make_deck(session, "ada deck", cards=5, user_id=ids["ada"]["user"])
    users.for_user(session, ids["ada"]["user"])
    return ids


def login(client, name: str = "ada") -> None:
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "name": name,
                                           "password": PASSWORD})
    assert response.status_code == 302


def create_link(client) -> tuple[str, str]:
    """Create (or replace) the link from the settings page: (its URL path, the page)."""
    response = client.post("/settings/calendar/link", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    match = LINK_RE.search(page)
    assert match, page
    assert f'href="webcal://localhost/plan/{match.group(2)}.ics"' in page
    return match.group(1).removeprefix("http://localhost"), page


def events(response) -> dict[str, object]:
    assert response.status_code == 200
    return {str(e["uid"]): e for e in Calendar.from_ical(response.data).walk("VEVENT")}


def test_the_feed_opens_with_its_token_alone_and_404s_alike_for_any_other(
        app, client, session, ada_and_bob) -> None:
    login(client)
    path, page = create_link(client)
    assert "shown only this once" in page
    # The test client's host is localhost: the page says a phone cannot reach it.
    assert "only a calendar app on it can reach it" in page
    token = path.removeprefix("/plan/").removesuffix(".ics")
    assert len(token) >= 43  # 32 random bytes
    # Only the hash is stored.
    session.rollback()
    feed = session.execute(select(CalendarFeed)).scalar_one()
    assert token not in feed.token_hash
    # A calendar app: no cookie, no login redirect.
    app_client = app.test_client()
    response = app_client.get(path)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, max-age=900"
    body = response.get_data(as_text=True)
    assert "ada task" in body and "bob task" not in body
    # A poll reads only: it does not fix today's pace (the user's first visit does).
    session.rollback()
    assert session.get(Settings, ada_and_bob["ada"]["user"]).paced_day is None
    wrong = [app_client.get(f"/plan/{p}.ics") for p in (
        secrets.token_urlsafe(32), token[:-1], token + "A", token.upper(), "x", "%00",
        "a" * 3000)]
    revoke = client.post("/settings/calendar/revoke",
                         data={"csrf_token": csrf_token(client)})
    assert revoke.status_code == 302
    assert "Calendar link revoked" in client.get(revoke.headers["Location"]).get_data(
        as_text=True)
    revoked = app_client.get(path)
    for response in [*wrong, revoked]:
        assert response.status_code == 404
        # The same answer whether the token never existed or was revoked.
        assert response.data == revoked.data == b"No calendar at this address.\n"
        assert response.headers["Cache-Control"] == "no-store"
        assert "Location" not in response.headers
    session.rollback()
    assert count_rows(session, CalendarFeed) == 0


def test_a_new_link_replaces_the_old_one(client, ada_and_bob) -> None:
    login(client)
    first, _ = create_link(client)
    second, page = create_link(client)
    assert first != second and "replaces the one before" in page
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    settings_page = client.get("/settings").get_data(as_text=True)
    assert "A link is active" in settings_page
    # The page shows the link only once: never again from Settings.
    assert second not in settings_page


@pytest.mark.parametrize(("host", "local"), [
    ("localhost:5000", True), ("127.0.0.1:5000", True), ("[::1]:5000", True),
    ("127.0.0.1", True), ("cards.example.org", False), ("192.168.1.5:5000", False),
    ("[2001:db8::1]", False)])
def test_the_link_names_the_host_and_says_when_only_this_computer_can_reach_it(
        app, host: str, local: bool) -> None:
    with app.test_request_context("/", headers={"Host": host}):
        assert calendar.on_this_computer_only() is local
        url, webcal = calendar.feed_urls("abc")
        assert url == f"http://{host}/plan/abc.ics" and webcal == f"webcal://{host}/plan/abc.ics"


def test_a_token_shows_its_owners_plan_to_whoever_holds_it(app, ada_and_bob) -> None:
    bob_client = app.test_client()
    login(bob_client, "bob")
    bob_path, _ = create_link(bob_client)
    ada_client = app.test_client()
    login(ada_client, "ada")
    ada_path, _ = create_link(ada_client)
    # Ada, logged in, opens bob's link: bob's plan, nothing of hers mixed in.
    body = ada_client.get(bob_path).get_data(as_text=True)
    assert "bob task" in body and "ada task" not in body
    assert f"task-{ada_and_bob['bob']['task']}@" in body
    assert f"interview-{ada_and_bob['bob']['user']}@" in body
    # And her own session is still hers afterwards.
    assert "ada task" in ada_client.get("/plan").get_data(as_text=True)
    assert "bob task" not in ada_client.get(ada_path).get_data(as_text=True)


def test_the_feed_follows_a_moved_task_and_a_new_interview_date(
        app, client, session, ada_and_bob) -> None:
    login(client)
    path, _ = create_link(client)
    feed = app.test_client()
    task_uid = f"task-{ada_and_bob['ada']['task']}@flashcards.plan"
    interview_uid = f"interview-{ada_and_bob['ada']['user']}@flashcards.plan"
    before = events(feed.get(path))
    assert before[task_uid].decoded("dtstart") == date(2026, 3, 3)
    assert str(before[task_uid]["summary"]) == "ada task (10 min)"
    assert before[interview_uid].decoded("dtstart") == TODAY + timedelta(days=30)

    moved_to = TODAY + timedelta(days=6)
    token = csrf_token(client, "/plan/tasks")  # where Move is
    client.post(f"/plan/tasks/{ada_and_bob['ada']['task']}/move",
                data={"csrf_token": token, "day": moved_to.isoformat()})
    users.for_user(session, ada_and_bob["ada"]["user"])
    session.get(Settings, ada_and_bob["ada"]["user"]).interview_date = TODAY + timedelta(days=20)
    session.commit()

    after = events(feed.get(path))
    # The same events (same UIDs), on their new days: calendars move them, not copy them.
    assert after[task_uid].decoded("dtstart") == moved_to
    assert after[interview_uid].decoded("dtstart") == TODAY + timedelta(days=20)
    assert not any(e.decoded("dtstart") > TODAY + timedelta(days=20)
                   for e in after.values())


def valarms(response) -> dict[date, list[object]]:
    by_day: dict[date, list[object]] = {}
    for event in events(response).values():
        for alarm in event.walk("VALARM"):
            by_day.setdefault(event.decoded("dtstart"), []).append(alarm)
    return by_day


def test_a_reminder_time_adds_one_alarm_a_day_to_the_feed_and_the_download(
        app, client, session, ada_and_bob) -> None:
    login(client)
    path, _ = create_link(client)
    assert valarms(client.get(path)) == {}
    assert valarms(client.get("/plan.ics")) == {}
    page = client.get("/settings").get_data(as_text=True)
    assert '<option selected value="">No reminder</option>' in page
    response = client.post("/settings/calendar/reminder",
                           data={"csrf_token": csrf_token(client), "reminder": "540"})
    assert response.status_code == 302
    assert "reminder set to 09:00" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    for source in (path, "/plan.ics"):
        by_day = valarms(client.get(source))
        interview = TODAY + timedelta(days=30)
        assert TODAY in by_day and date(2026, 3, 3) in by_day and interview in by_day
        for day, alarms in by_day.items():
            assert day >= TODAY and len(alarms) == 1, day
            alarm = alarms[0]
            assert str(alarm["action"]) == "DISPLAY"
            # 9 hours after the all-day event's start: 09:00 on that day.
            assert alarm.decoded("trigger") == timedelta(hours=9)
        assert "ada task" in str(by_day[date(2026, 3, 3)][0]["description"])
    assert '<option selected value="540">' in client.get("/settings").get_data(as_text=True)
    off = client.post("/settings/calendar/reminder",
                      data={"csrf_token": csrf_token(client), "reminder": ""})
    assert off.status_code == 302
    assert valarms(client.get(path)) == {}


@pytest.mark.parametrize("value", ["541", "-1", "1440", "nine", "540; DROP"])
def test_a_reminder_time_not_offered_is_refused_and_changes_nothing(
        client, session, ada_and_bob, value: str) -> None:
    login(client)
    client.post("/settings/calendar/reminder",
                data={"csrf_token": csrf_token(client), "reminder": "600"})
    response = client.post("/settings/calendar/reminder",
                           data={"csrf_token": csrf_token(client), "reminder": value})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Reminder: Not a valid choice. Nothing changed." in page
    session.rollback()
    assert session.get(Settings, ada_and_bob["ada"]["user"]).calendar_reminder == 600


def test_the_settings_actions_need_the_csrf_token(client, session, ada_and_bob) -> None:
    login(client)
    page = client.get("/settings").get_data(as_text=True)
    assert 'id="calendar"' in page and "No link yet." in page and "Create link" in page
    for action in ("link", "revoke", "reminder"):
        response = client.post(f"/settings/calendar/{action}", data={"reminder": "540"})
        assert response.status_code == 400, action
    session.rollback()
    assert count_rows(session, CalendarFeed) == 0
    assert session.get(Settings, ada_and_bob["ada"]["user"]).calendar_reminder is None
    path, _ = create_link(client)
    assert client.post("/settings/calendar/revoke").status_code == 400
    assert client.get(path).status_code == 200


def test_the_settings_actions_need_a_login(app, ada_and_bob) -> None:
    anonymous = app.test_client()
    for action in ("link", "revoke", "reminder"):
        response = anonymous.post(f"/settings/calendar/{action}")
        assert response.status_code in (400, 401), action


def test_without_accounts_the_feed_serves_this_computer_only(app, client, session) -> None:
    path, _ = create_link(client)
    assert client.get(path).status_code == 200
    remote = client.get(path, environ_base={"REMOTE_ADDR": "192.168.1.20"})
    assert remote.status_code == 403
