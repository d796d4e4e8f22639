from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flashcards.core.days import relative_study_day, study_day, study_days_between

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


UTC_ZONE = ZoneInfo("UTC")
AFTERNOON = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # study day 2 March (rollover 4 am)


@pytest.mark.parametrize(("moment", "label"), [
    (AFTERNOON + timedelta(minutes=1), "today"),
    (datetime(2026, 3, 3, 3, 59, tzinfo=UTC), "today"),  # before the next rollover
    (datetime(2026, 3, 3, 4, 0, tzinfo=UTC), "tomorrow"),  # the next study day begins
    (AFTERNOON + timedelta(hours=20), "tomorrow"),  # the card: not "today"
    (datetime(2026, 3, 4, 3, 59, tzinfo=UTC), "tomorrow"),  # 38 hours, one study day
    (datetime(2026, 3, 4, 4, 0, tzinfo=UTC), "in 2 days"),
    (datetime(2026, 3, 12, 9, 0, tzinfo=UTC), "in 10 days"),
    (AFTERNOON, "due now"),
    (datetime(2026, 3, 2, 4, 0, tzinfo=UTC), "due now"),  # earlier this study day
    (datetime(2026, 3, 2, 3, 59, tzinfo=UTC), "yesterday"),
    (datetime(2026, 2, 27, 12, 0, tzinfo=UTC), "3 days ago"),
])
def test_relative_study_day_counts_study_days_not_hours(moment: datetime, label: str) -> None:
    assert relative_study_day(moment, AFTERNOON, UTC_ZONE, 4) == label


def test_before_the_rollover_an_hour_later_can_be_tomorrow() -> None:
    # 3 am belongs to the evening before: 4 am begins the next study day.
    night = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)
    assert relative_study_day(night + timedelta(minutes=30), night, UTC_ZONE, 4) == "today"
    assert relative_study_day(night + timedelta(hours=1), night, UTC_ZONE, 4) == "tomorrow"
    # With the day starting at midnight, the same hour is the same calendar day.
    assert relative_study_day(night + timedelta(hours=1), night, UTC_ZONE, 0) == "today"
    assert relative_study_day(night - timedelta(hours=3, minutes=1), night, UTC_ZONE,
                              0) == "yesterday"


def test_relative_study_day_follows_the_local_zone() -> None:
    # Midnight in New York on 3 March is 05:00 UTC: still the study day of 2 March there,
    # already that of 3 March in UTC.
    now = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)
    assert relative_study_day(datetime(2026, 3, 3, 8, 59, tzinfo=UTC), now, NEW_YORK,
                              4) == "today"  # 03:59 EST
    assert relative_study_day(datetime(2026, 3, 3, 9, 0, tzinfo=UTC), now, NEW_YORK,
                              4) == "tomorrow"  # 04:00 EST
    assert relative_study_day(datetime(2026, 3, 3, 9, 0, tzinfo=UTC), now, UTC_ZONE,
                              4) == "today"  # the same instant, counted in UTC


def test_relative_study_day_across_daylight_saving_changes() -> None:
    # Spring forward (8 March 2026, 2 am): the study day of 7 March is 23 hours long.
    noon = datetime(2026, 3, 7, 17, 0, tzinfo=UTC)  # 12:00 EST
    assert relative_study_day(datetime(2026, 3, 8, 7, 59, tzinfo=UTC), noon, NEW_YORK,
                              4) == "today"  # 03:59 EDT
    assert relative_study_day(datetime(2026, 3, 8, 8, 0, tzinfo=UTC), noon, NEW_YORK,
                              4) == "tomorrow"  # 04:00 EDT
    assert relative_study_day(datetime(2026, 3, 10, 8, 0, tzinfo=UTC), noon, NEW_YORK,
                              4) == "in 3 days"
    # Fall back (1 November 2026, 2 am): the study day of 31 October is 25 hours long.
    evening = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)  # 23:00 EDT on 31 October
    assert relative_study_day(datetime(2026, 11, 1, 8, 59, tzinfo=UTC), evening, NEW_YORK,
                              4) == "today"  # 03:59 EST, 6 hours later
    assert relative_study_day(datetime(2026, 11, 1, 9, 0, tzinfo=UTC), evening, NEW_YORK,
                              4) == "tomorrow"
    assert study_days_between(evening, datetime(2026, 11, 8, 9, 0, tzinfo=UTC), NEW_YORK,
                              4) == 8
