"""The interview's rounds over HTTP: the settings form's later rounds, and the plan page
and its calendar file showing every round."""

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar

from flashcards.models import Settings
from tests.conftest import csrf_token
from tests.web.test_settings import TODAY, settings_form

FIRST = TODAY + timedelta(days=10)  # 12 March 2026


def rounds_stored(session) -> tuple[date | None, str]:
    session.rollback()
    session.expire_all()  # a row this session committed itself is not expired
    settings = session.get(Settings, 1)
    return settings.interview_date, settings.later_rounds


def field_errors(page: str, name: str) -> list[str]:
    """The error lines under the form field `name`."""
    block = re.search(rf'<div class="field[^"]*">\s*<label for="{name}">.*?</div>', page,
                      re.DOTALL)
    assert block is not None, name
    return re.findall(r'<p class="error">([^<]*)</p>', block.group(0))


def test_the_settings_page_labels_the_first_round_and_three_optional_later_ones(client) -> None:
    page = client.get("/settings").get_data(as_text=True)
    assert '<label for="interview_date">First interview round</label>' in page
    for number in (2, 3, 4):
        assert f'<label for="round_{number}">Round {number} (optional)</label>' in page
        assert re.search(rf'<input[^>]*id="round_{number}"[^>]*type="date"', page)


def test_later_rounds_are_saved_and_shown_again(client, session) -> None:
    form = settings_form(client) | {"interview_date": FIRST.isoformat(),
                                    "round_2": "2026-03-16", "round_3": "2026-03-19"}
    assert client.post("/settings", data=form).status_code == 302
    assert rounds_stored(session) == (FIRST, "2026-03-16,2026-03-19")
    page = client.get("/settings").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="round_2"[^>]*value="2026-03-16"', page)
    assert re.search(r'<input[^>]*name="round_3"[^>]*value="2026-03-19"', page)
    # Emptied: the interview is one round again.
    form = settings_form(client) | {"round_2": "", "round_3": ""}
    assert client.post("/settings", data=form).status_code == 302
    assert rounds_stored(session) == (FIRST, "")


@pytest.mark.parametrize(("rounds", "errors"), [
    ({"round_2": "2026-03-12"},
     {"round_2": ["Round 2 is on the same day as round 1 (12 March 2026): each round needs "
                  "its own day."]}),
    ({"round_2": "2026-03-16", "round_3": "2026-03-14"},
     {"round_3": ["Round 3 (14 March 2026) must come after round 2 (16 March 2026)."]}),
    ({"round_2": "2026-03-16", "round_3": "2026-03-16", "round_4": "2026-03-16"},
     {"round_3": ["Round 3 is on the same day as round 2 (16 March 2026): each round "
                  "needs its own day."],
      "round_4": ["Round 4 is on the same day as round 2 (16 March 2026): each round "
                  "needs its own day."]}),
    ({"round_2": "2026-03-16", "round_4": "2026-03-20"},
     {"round_3": ["Round 3 is empty but round 4 is set: give the rounds in order, round 2 "
                  "first."]}),
    ({"round_2": "2027-03-03"},
     {"round_2": ["Round 2 can be at most 365 days ahead: 2 March 2027 at the latest."]}),
    ({"round_2": "not a date"}, {"round_2": ["Not a valid date value."]}),
])
def test_bad_later_rounds_are_form_errors_on_their_field_and_nothing_is_saved(
        client, session, rounds: dict[str, str], errors: dict[str, list[str]]) -> None:
    form = settings_form(client) | {"interview_date": FIRST.isoformat(), "new_per_day": "7"}
    response = client.post("/settings", data=form | rounds)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for name in ("round_2", "round_3", "round_4"):
        assert field_errors(page, name) == errors.get(name, [])
    session.rollback()
    settings = session.get(Settings, 1)
    assert (settings.later_rounds, settings.new_per_day) == ("", 20)


def test_the_plan_page_and_calendar_file_show_every_round(seeded_app, session) -> None:
    settings = session.get(Settings, 1)
    settings.interview_date = FIRST
    settings.later_rounds = "2026-03-16,2026-03-19"
    session.commit()
    client = seeded_app.test_client()
    page = client.get("/plan").get_data(as_text=True)
    assert ("<h1>Plan to 3 interview rounds: Thu 12 Mar, Mon 16 Mar, Thu 19 Mar</h1>"
            in page)
    assert "Lowest over the rounds: " in page
    for day, number, css in (("2026-03-12", 1, "interview"), ("2026-03-16", 2, "round"),
                             ("2026-03-19", 3, "round")):
        cell = re.search(rf'<li class="([^"]*)" data-date="{day}">\s*<div class="day-head">'
                         rf'\s*<span class="date">([^<]*)</span>', page)
        assert cell is not None, day
        assert css in cell.group(1).split() and "outside" not in cell.group(1).split()
        assert cell.group(2).endswith(f" · round {number}")
    # The days between and after the rounds: planned up to the last, outside after it.
    between = re.search(r'<li class="([^"]*)" data-date="2026-03-17">', page)
    after = re.search(r'<li class="([^"]*)" data-date="2026-03-20">', page)
    assert between is not None and "outside" not in between.group(1).split()
    assert after is not None and "outside" in after.group(1).split()
    events = Calendar.from_ical(client.get("/plan.ics").data).walk("VEVENT")
    summaries = sorted((e.decoded("dtstart"), str(e["summary"])) for e in events
                       if str(e["summary"]).startswith("Interview"))
    assert summaries == [(date(2026, 3, 12), "Interview round 1 of 3"),
                         (date(2026, 3, 16), "Interview round 2 of 3"),
                         (date(2026, 3, 19), "Interview round 3 of 3")]


def test_one_round_keeps_the_interview_day_heading_and_event(seeded_app, session) -> None:
    settings = session.get(Settings, 1)
    settings.interview_date = FIRST
    session.commit()
    client = seeded_app.test_client()
    page = client.get("/plan").get_data(as_text=True)
    assert "<h1>Plan to Thursday 12 March</h1>" in page and "round 1" not in page
    assert "Lowest over the rounds" not in page
    events = Calendar.from_ical(client.get("/plan.ics").data).walk("VEVENT")
    assert [str(e["summary"]) for e in events if str(e["summary"]).startswith("Interview")
            ] == ["Interview day"]


def test_moving_the_interview_from_the_plan_says_the_rounds_moved_too(client, session) -> None:
    settings = session.get(Settings, 1)
    settings.interview_date = FIRST
    settings.later_rounds = "2026-03-16,2026-03-19"
    session.commit()
    token = csrf_token(client, "/settings")
    moved = client.post("/plan/fix", data={"csrf_token": token, "interview_date": "2026-03-22"})
    assert moved.status_code == 302
    page = client.get("/settings").get_data(as_text=True)
    assert ("Interview moved to Sunday 22 March 2026, its later rounds with it to Thu 26 "
            "Mar, Sun 29 Mar.") in page
    assert rounds_stored(session) == (date(2026, 3, 22), "2026-03-26,2026-03-29")
