from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flashcards.core.days import study_day

NEW_YORK = ZoneInfo("America/New_York")


def test_day_starts_at_rollover_hour_in_utc() -> None:
    day = study_day(datetime(2026, 3, 2, 14, 0, tzinfo=UTC), ZoneInfo("UTC"), 4)
    assert day.date == date(2026, 3, 2)
    assert day.start == datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    assert day.end == datetime(2026, 3, 3, 4, 0, tzinfo=UTC)


def test_before_rollover_counts_as_previous_day() -> None:
    day = study_day(datetime(2026, 3, 3, 3, 59, tzinfo=UTC), ZoneInfo("UTC"), 4)
    assert day.date == date(2026, 3, 2)
    assert study_day(datetime(2026, 3, 3, 4, 0, tzinfo=UTC), ZoneInfo("UTC"), 4).date == date(
        2026, 3, 3)


def test_local_time_zone_decides_the_day() -> None:
    # 02:30 UTC on 3 March is 21:30 on 2 March in New York (EST, UTC-5).
    day = study_day(datetime(2026, 3, 3, 2, 30, tzinfo=UTC), NEW_YORK, 4)
    assert day.date == date(2026, 3, 2)
    assert day.start == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert day.end == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def test_daylight_saving_day_is_23_hours() -> None:
    # Clocks go forward in New York at 2 am on 8 March 2026: the study day of
    # 7 March runs from 4 am EST to 4 am EDT.
    day = study_day(datetime(2026, 3, 7, 12, 0, tzinfo=UTC), NEW_YORK, 4)
    assert day.start == datetime(2026, 3, 7, 9, 0, tzinfo=UTC)
    assert day.end == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)
    assert day.end - day.start == timedelta(hours=23)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        study_day(datetime(2026, 3, 2, 14, 0), ZoneInfo("UTC"), 4)
