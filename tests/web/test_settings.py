"""The settings page over HTTP: the interview date is bounded where it enters."""

import re
from datetime import date, timedelta

import pytest

from flashcards.core.planner import MAX_PLAN_DAYS
from flashcards.models import Settings
from tests.conftest import csrf_token

TODAY = date(2026, 3, 2)  # the test clock's study day


def settings_form(client) -> dict[str, str]:
    """The settings form's fields as the page fills them in."""
    page = client.get("/settings").get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page))
    fields.update(re.findall(
        r'<select[^>]*name="(\w+)"[^>]*>(?:(?!</select>).)*?<option selected value="([^"]*)"',
        page, re.DOTALL))
    fields["csrf_token"] = csrf_token(client)
    return fields


def set_interview(session, day: date) -> None:
    session.get(Settings, 1).interview_date = day
    session.commit()


def stored_interview(session) -> date:
    session.rollback()
    return session.get(Settings, 1).interview_date


@pytest.mark.parametrize(("day", "message"), [
    ("9999-12-31", "The interview date can be at most 365 days ahead: 2 March 2027 at the "
                   "latest."),
    ((TODAY + timedelta(days=MAX_PLAN_DAYS + 1)).isoformat(), "at most 365 days ahead"),
    ((TODAY + timedelta(days=4 * 365)).isoformat(), "at most 365 days ahead"),
    ((TODAY - timedelta(days=1)).isoformat(),
     "The interview date cannot be in the past (today is 2 March 2026)."),
    ("0001-01-01", "cannot be in the past"),
    (TODAY.isoformat(),
     "The interview date cannot be today: choose tomorrow (3 March 2026) or later."),
])
def test_an_interview_date_out_of_bounds_is_a_form_error(client, session, day: str,
                                                         message: str) -> None:
    before = TODAY + timedelta(days=30)
    set_interview(session, before)
    form = settings_form(client)
    assert form["interview_date"] == before.isoformat()
    response = client.post("/settings", data=form | {"interview_date": day,
                                                     "new_per_day": "7"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored_interview(session) == before
    assert session.get(Settings, 1).new_per_day == 20
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("day", [TODAY + timedelta(days=1),
                                 TODAY + timedelta(days=MAX_PLAN_DAYS)])
def test_an_interview_date_within_bounds_is_saved(client, session, day: date) -> None:
    form = settings_form(client)
    response = client.post("/settings", data=form | {"interview_date": day.isoformat()})
    assert response.status_code == 302
    assert stored_interview(session) == day
    page = client.get("/settings").get_data(as_text=True)
    assert (f'max="{(TODAY + timedelta(days=MAX_PLAN_DAYS)).isoformat()}"' in page
            and f'min="{(TODAY + timedelta(days=1)).isoformat()}"' in page)


def test_a_passed_interview_does_not_block_the_other_settings(client, session, clock) -> None:
    set_interview(session, TODAY + timedelta(days=30))
    clock.advance(days=40)  # the interview is over
    form = settings_form(client)
    assert client.post("/settings", data=form | {"new_per_day": "7"}).status_code == 302
    session.rollback()
    assert session.get(Settings, 1).new_per_day == 7
    earlier = (TODAY + timedelta(days=29)).isoformat()
    assert client.post("/settings", data=form | {"interview_date": earlier}).status_code == 400
