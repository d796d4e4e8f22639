"""The study options service: what update_settings stores and what it refuses."""

from datetime import date, timedelta

import pytest

from flashcards.core.planner import MAX_PLAN_DAYS
from flashcards.services.errors import ServiceError
from flashcards.services.settings import get_settings, update_settings

TODAY = date(2026, 3, 2)
OPTIONS = {"desired_retention": 0.9, "new_per_day": 20, "max_reviews_per_day": 200,
           "timezone": "UTC", "rollover_hour": 4, "today": TODAY}


@pytest.mark.parametrize("day", [date(9999, 12, 31), TODAY + timedelta(days=MAX_PLAN_DAYS + 1),
                                 TODAY - timedelta(days=1), date(1, 1, 1), TODAY])
def test_an_interview_date_out_of_bounds_is_refused(session, day: date) -> None:
    before = get_settings(session).interview_date
    with pytest.raises(ServiceError, match="interview date"):
        update_settings(session, **OPTIONS | {"new_per_day": 5}, interview_date=day)
    session.rollback()
    settings = get_settings(session)
    assert (settings.interview_date, settings.new_per_day) == (before, 20)


@pytest.mark.parametrize("day", [TODAY + timedelta(days=1), TODAY + timedelta(days=MAX_PLAN_DAYS)])
def test_an_interview_date_within_bounds_is_stored(session, day: date) -> None:
    update_settings(session, **OPTIONS, interview_date=day)
    session.commit()
    assert get_settings(session).interview_date == day


def test_a_past_interview_date_already_stored_may_stay(session) -> None:
    """Once the interview is over, the other settings can still be saved."""
    over = TODAY - timedelta(days=10)
    get_settings(session).interview_date = over
    session.commit()
    update_settings(session, **OPTIONS | {"new_per_day": 7}, interview_date=over)
    session.commit()
    assert (get_settings(session).interview_date, get_settings(session).new_per_day) == (over, 7)
    with pytest.raises(ServiceError, match="cannot be in the past"):
        update_settings(session, **OPTIONS, interview_date=over - timedelta(days=1))
