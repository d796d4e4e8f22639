"""The first-run set-up over HTTP: a new user's pages lead there first; the choices are
checked and stored (or the defaults, with a skip); a set-up user is never asked again."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from flashcards.models import Settings
from flashcards.scoping import all_users
from flashcards.services import users
from tests.conftest import START, csrf_token
from tests.web.test_accounts import PASSWORD

pytestmark = pytest.mark.first_run

TODAY = date(2026, 3, 2)  # the test clock's study day (UTC)


def stored(session) -> tuple[object, ...]:
    session.rollback()
    s = session.get(Settings, 1)
    session.refresh(s)
    return s.interview_date, s.daily_minutes, s.timezone, s.setup_done_at is not None


def setup_form(client, **changes: str) -> dict[str, str]:
    return {"csrf_token": csrf_token(client, "/setup"),
            "interview_date": (TODAY + timedelta(days=20)).isoformat(),
            "daily_minutes": "45", "timezone": "Europe/Berlin", "next": ""} | changes


@pytest.mark.parametrize("path", ["/", "/plan", "/settings", "/cards?q=deck:x", "/decks"])
def test_a_new_users_pages_lead_to_the_set_up(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/setup?next=")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "Set up your plan" in page.get_data(as_text=True)


def test_files_feeds_and_scripts_are_not_led_to_the_set_up(client) -> None:
    static = client.get("/static/style.css")
    assert static.status_code == 200
    static.close()
    assert client.get("/plan.ics").status_code == 200
    # A page's own fetch() (not a navigation) gets its answer, not the set-up page.
    assert client.get("/", headers={"Sec-Fetch-Dest": "empty"}).status_code == 200
    assert client.get("/", headers={"Sec-Fetch-Dest": "document"}).status_code == 302
    # A navigation the service worker passes on (Chromium: dest "empty", mode "navigate").
    assert client.get("/", headers={"Sec-Fetch-Dest": "empty",
                                     "Sec-Fetch-Mode": "navigate"}).status_code == 302


def test_the_set_up_page_offers_the_defaults(client, session) -> None:
    page = client.get("/setup").get_data(as_text=True)
    inputs = {re.search(r' id="([\w-]+)"', tag).group(1): tag
              for tag in re.findall(r"<input[^>]*>", page) if 'id="' in tag}
    # The interview a month ahead, bounded from tomorrow to a year ahead.
    assert 'value="2026-04-01"' in inputs["interview_date"]
    assert 'min="2026-03-03"' in inputs["interview_date"]
    assert 'max="2027-03-02"' in inputs["interview_date"]
    assert 'value="60"' in inputs["daily_minutes"]
    # The stored zone, which app.js replaces with the browser's, from a list of zones.
    assert 'value="UTC"' in inputs["timezone"] and 'list="time-zones"' in inputs["timezone"]
    assert 'data-browser-zone="fill"' in inputs["timezone"]
    assert '<option value="America/New_York" label="America · New York">' in page
    assert "Save and start" in page and "Skip (use the defaults)" in page
    assert stored(session)[3] is False  # showing it stores nothing


def test_saving_the_set_up_stores_the_choices_and_goes_on(client, session) -> None:
    response = client.post("/setup", data=setup_form(client, next="/plan"))
    assert response.status_code == 302 and response.headers["Location"] == "/plan"
    assert stored(session) == (TODAY + timedelta(days=20), 45, "Europe/Berlin", True)
    assert client.get("/").status_code == 200
    assert client.get("/setup").headers["Location"] == "/"  # asked once only
    settings_page = client.get("/settings").get_data(as_text=True)
    assert 'value="2026-03-22"' in settings_page and 'value="45"' in settings_page


@pytest.mark.parametrize(("changes", "message"), [
    ({"interview_date": TODAY.isoformat()},
     "The interview date cannot be today: choose tomorrow (3 March 2026) or later."),
    ({"interview_date": (TODAY - timedelta(days=1)).isoformat()},
     "The interview date cannot be in the past (today is 2 March 2026)."),
    ({"interview_date": (TODAY + timedelta(days=366)).isoformat()},
     "The interview date can be at most 365 days ahead: 2 March 2027 at the latest."),
    ({"interview_date": "9999-12-31"}, "at most 365 days ahead"),
    ({"interview_date": ""}, "Enter the interview date."),
    ({"daily_minutes": "0"}, "Between 5 and 600 minutes."),
    ({"daily_minutes": "601"}, "Between 5 and 600 minutes."),
    ({"timezone": "Mars/Olympus"}, "“Mars/Olympus” is not a time zone this server knows"),
    ({"timezone": "  "}, "Choose a time zone."),
    ({"timezone": "<script>x</script>"}, "“&lt;script&gt;x&lt;/script&gt;” is not a time zone"),
])
def test_bad_set_up_input_is_a_form_error_and_changes_nothing(client, session, changes,
                                                              message: str) -> None:
    before = stored(session)
    response = client.post("/setup", data=setup_form(client, **changes))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "<script>x" not in page
    assert stored(session) == before and before[3] is False
    assert client.get("/").status_code == 302  # still not set up


def test_a_date_checked_in_the_chosen_zone(client, session, clock) -> None:
    """At 23:00 UTC on 2 March it is already 3 March (after 4 am) in Tokyo: there,
    3 March is today and no longer a possible interview date."""
    clock.advance(hours=9)  # 23:00 UTC
    response = client.post("/setup", data=setup_form(
        client, interview_date="2026-03-03", timezone="Asia/Tokyo"))
    assert response.status_code == 400
    assert "cannot be today: choose tomorrow (4 March 2026)" in response.get_data(as_text=True)
    assert stored(session)[3] is False


def test_skip_stores_the_defaults_with_the_browsers_zone(client, session) -> None:
    token = csrf_token(client, "/setup")
    response = client.post("/setup/skip", data={"csrf_token": token,
                                                "browser_zone": "America/New_York",
                                                "next": "/decks"})
    assert response.status_code == 302 and response.headers["Location"] == "/decks"
    # 14:00 UTC is 09:00 in New York: still 2 March there.
    assert stored(session) == (TODAY + timedelta(days=30), 60, "America/New_York", True)
    assert client.get("/plan").status_code == 200


def test_skip_keeps_the_stored_zone_when_the_browser_gave_none_it_knows(client,
                                                                         session) -> None:
    token = csrf_token(client, "/setup")
    assert client.post("/setup/skip", data={"csrf_token": token,
                                            "browser_zone": "Nowhere/Land"}).status_code == 302
    assert stored(session) == (TODAY + timedelta(days=30), 60, "UTC", True)


def test_a_skip_after_saving_in_another_tab_changes_nothing(client, session) -> None:
    token = csrf_token(client, "/setup")
    client.post("/setup", data=setup_form(client))
    saved = stored(session)
    assert client.post("/setup/skip", data={"csrf_token": token}).status_code == 302
    assert stored(session) == saved


def test_set_up_posts_need_the_csrf_token(client, session) -> None:
    form = setup_form(client)
    assert client.post("/setup", data=form | {"csrf_token": "wrong"}).status_code == 400
    assert client.post("/setup/skip", data={}).status_code == 400
    assert stored(session)[3] is False


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/setup"])
def test_the_next_page_stays_on_this_site(client, target: str) -> None:
    response = client.post("/setup", data=setup_form(client, next=target))
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_each_user_sets_up_once_and_only_their_own_settings(app, client, session) -> None:
    """With accounts: the login page comes first, then each user's own set-up; one user's
    set-up neither changes nor skips another's."""
    ada = users.create_user(session, "ada", PASSWORD, START).user.id  # the local collection
    bob = users.create_user(session, "bob", PASSWORD, START).user.id
    session.commit()
    assert client.get("/").headers["Location"].startswith("/login")
    client.post("/login", data={"csrf_token": csrf_token(client, "/login"), "name": "bob",
                                "password": PASSWORD, "next": "/plan"})
    assert client.get("/plan").headers["Location"] == "/setup?next=/plan"
    response = client.post("/setup", data=setup_form(client, timezone="Asia/Tokyo"))
    assert response.status_code == 302
    session.rollback()
    all_users(session)
    rows = {row.id: row for row in session.execute(select(Settings)).scalars()}
    assert (rows[bob].timezone, rows[bob].daily_minutes) == ("Asia/Tokyo", 45)
    assert rows[bob].setup_done_at is not None
    assert (rows[ada].timezone, rows[ada].setup_done_at) == ("UTC", None)
    assert client.get("/plan").status_code == 200
    # ada, on her own session, is still asked.
    other = app.test_client()
    other.post("/login", data={"csrf_token": csrf_token(other, "/login"), "name": "ada",
                               "password": PASSWORD})
    assert other.get("/").headers["Location"] == "/setup?next=/"
