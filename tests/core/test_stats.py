"""The statistics page's pure figures: study days' bounds, the streak, true retention by
week (young and mature), averages and histograms."""

import math
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from flashcards.core.stats import (
    DIFFICULTY_EDGES,
    STABILITY_EDGES,
    DayTotals,
    current_streak,
    day_bounds,
    histogram,
    retention_of,
    summarise,
    weekly_retention,
)

NEW_YORK = ZoneInfo("America/New_York")
TODAY = date(2026, 3, 10)


def days_with(counts: dict[date, int]) -> list[DayTotals]:
    first = min(counts) if counts else TODAY
    return [DayTotals(first + timedelta(days=k), counts.get(first + timedelta(days=k), 0), 0.0)
            for k in range((TODAY - first).days + 1)]


def test_day_bounds_follow_the_rollover_hour_and_daylight_saving() -> None:
    # New York moves its clocks forward at 2 am on Sunday 8 March 2026: the study day
    # of Saturday 7 March (4 am to 4 am local) spans the change and is 23 hours long.
    bounds = day_bounds(date(2026, 3, 7), 3, NEW_YORK, 4)
    assert bounds == [datetime(2026, 3, 7, 9, 0, tzinfo=UTC),   # 4 am EST
                      datetime(2026, 3, 8, 8, 0, tzinfo=UTC),   # 4 am EDT
                      datetime(2026, 3, 9, 8, 0, tzinfo=UTC),
                      datetime(2026, 3, 10, 8, 0, tzinfo=UTC)]
    assert [(b - a) / timedelta(hours=1) for a, b in zip(bounds, bounds[1:], strict=False)] == [
        23, 24, 24]


def test_streak_counts_days_in_a_row_up_to_today() -> None:
    counts = {TODAY - timedelta(days=k): 5 for k in range(4)}  # today and 3 days before
    counts[TODAY - timedelta(days=6)] = 2  # an older run, broken on day -4
    assert current_streak(days_with(counts), TODAY) == 4


def test_streak_is_not_broken_before_today_is_over() -> None:
    counts = {TODAY - timedelta(days=k): 1 for k in range(1, 4)}  # not yet today
    assert current_streak(days_with(counts), TODAY) == 3


def test_streak_is_zero_after_a_missed_day_and_without_history() -> None:
    assert current_streak(days_with({TODAY - timedelta(days=2): 9}), TODAY) == 0
    assert current_streak([], TODAY) == 0


def test_weekly_true_retention_splits_young_and_mature() -> None:
    days = [DayTotals(TODAY - timedelta(days=k), 10, 1.0, young=4, young_passed=3,
                      mature=5, mature_passed=5) for k in range(14)]
    days.reverse()
    weeks = weekly_retention(days, TODAY, 14)
    assert [(w.first, w.last) for w in weeks] == [
        (date(2026, 2, 25), date(2026, 3, 3)), (date(2026, 3, 4), date(2026, 3, 10))]
    week = weeks[1]
    assert (week.young, week.young_passed, week.mature, week.mature_passed) == (28, 21, 35, 35)
    assert week.young_rate == 0.75
    assert week.mature_rate == 1.0
    assert week.rate == 56 / 63


def test_weeks_cover_the_range_exactly_the_first_one_shorter() -> None:
    days = days_with({TODAY - timedelta(days=k): 1 for k in range(30)})
    weeks = weekly_retention(days, TODAY, 30)
    assert len(weeks) == 5
    assert weeks[0].first == TODAY - timedelta(days=29)
    assert (weeks[0].last - weeks[0].first).days == 1  # 30 = 2 + 4 x 7
    assert all((w.last - w.first).days == 6 for w in weeks[1:])
    assert weeks[-1].last == TODAY


def test_empty_history_has_no_rates_and_zero_totals() -> None:
    days = days_with({})
    retention = retention_of(days, TODAY - timedelta(days=6), TODAY)
    assert (retention.young_rate, retention.mature_rate, retention.rate) == (None, None, None)
    assert retention.total == 0
    summary = summarise([DayTotals(TODAY - timedelta(days=k), 0, 0.0) for k in range(7)])
    assert (summary.days, summary.studied_days, summary.reviews, summary.minutes) == (7, 0, 0, 0)
    assert summary.reviews_per_day == 0
    assert [b.count for b in histogram([], STABILITY_EDGES)] == [0] * 9


def test_summary_averages_over_every_day_of_the_range() -> None:
    days = [DayTotals(TODAY, 30, 12.0), DayTotals(TODAY - timedelta(days=1), 0, 0.0),
            DayTotals(TODAY - timedelta(days=2), 15, 3.0)]
    summary = summarise(days)
    assert (summary.studied_days, summary.reviews, summary.minutes) == (2, 45, 15.0)
    assert summary.reviews_per_day == 15.0
    assert summary.minutes_per_day == 5.0


def test_histograms_bin_half_open_with_the_last_bin_closed() -> None:
    stability = histogram([0.5, 1.0, 2.9, 3.0, 400.0, math.nan], STABILITY_EDGES)
    assert [(b.label, b.count) for b in stability[:3]] == [("0–1", 1), ("1–3", 2), ("3–7", 1)]
    assert (stability[-1].label, stability[-1].count) == ("365+", 1)
    difficulty = histogram(np.array([1.0, 1.5, 9.99, 10.0]), DIFFICULTY_EDGES)
    assert [b.count for b in difficulty] == [2, 0, 0, 0, 0, 0, 0, 0, 2]
