"""The adapter must give exactly what fsrs gives, fuzz included."""

import random
from datetime import UTC, datetime, timedelta

import fsrs
import fsrs.scheduler
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashcards.core.scheduling import (
    NEW_SCHEDULE,
    CardState,
    Rating,
    Schedule,
    Scheduler,
    SchedulerConfig,
    forget,
    format_interval,
    fuzz_range,
    fuzzed_interval,
)

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def replay_with_fsrs(ratings, gaps, seed, retention=0.9):
    """What fsrs itself does with its own fuzz, fed by a seeded global-random stand-in."""
    source = random.Random(seed)
    original = fsrs.scheduler.random
    fsrs.scheduler.random = source.random
    try:
        scheduler = fsrs.Scheduler(desired_retention=retention)
        card = fsrs.Card(card_id=7, due=T0)
        now = T0
        cards = []
        for rating, gap in zip(ratings, gaps, strict=True):
            card, _ = scheduler.review_card(card, fsrs.Rating(rating), now)
            cards.append(card)
            now = card.due + gap
        return cards
    finally:
        fsrs.scheduler.random = original


def replay_with_adapter(ratings, gaps, seed, retention=0.9):
    scheduler = Scheduler(SchedulerConfig(desired_retention=retention), random.Random(seed))
    schedule = NEW_SCHEDULE
    now = T0
    out = []
    for rating, gap in zip(ratings, gaps, strict=True):
        schedule = scheduler.review(7, schedule, Rating(rating), now)
        out.append(schedule)
        now = schedule.due + gap
    return out


def assert_same(schedule: Schedule, card: fsrs.Card) -> None:
    assert int(schedule.state) == int(card.state)
    assert schedule.step == card.step
    assert schedule.stability == card.stability
    assert schedule.difficulty == card.difficulty
    assert schedule.due == card.due
    assert schedule.last_review == card.last_review


@settings(max_examples=200, deadline=None)
@given(
    ratings=st.lists(st.integers(1, 4), min_size=1, max_size=25),
    gap_minutes=st.lists(st.integers(-600, 60 * 24 * 40), min_size=25, max_size=25),
    seed=st.integers(0, 2**32),
    retention=st.sampled_from([0.8, 0.9, 0.95]),
)
def test_replayed_histories_match_fsrs_exactly(ratings, gap_minutes, seed, retention) -> None:
    gaps = [timedelta(minutes=m) for m in gap_minutes[: len(ratings)]]
    ours = replay_with_adapter(ratings, gaps, seed, retention)
    theirs = replay_with_fsrs(ratings, gaps, seed, retention)
    for schedule, card in zip(ours, theirs, strict=True):
        assert_same(schedule, card)


def test_fixed_history_exact_values() -> None:
    scheduler = Scheduler(SchedulerConfig(fuzz=False))
    s = scheduler.review(1, NEW_SCHEDULE, Rating.GOOD, T0)
    assert (s.state, s.step, s.stability) == (CardState.LEARNING, 1, 2.3065)
    assert s.due == T0 + timedelta(minutes=10)
    s = scheduler.review(1, s, Rating.GOOD, s.due)
    assert s.state == CardState.REVIEW and s.step is None
    assert s.due == T0 + timedelta(minutes=10) + timedelta(days=2)
    s = scheduler.review(1, s, Rating.AGAIN, s.due)
    assert s.state == CardState.RELEARNING
    assert (s.reps, s.lapses) == (3, 1)


def test_preview_matches_unfuzzed_fsrs() -> None:
    scheduler = Scheduler(SchedulerConfig())
    plain = fsrs.Scheduler(enable_fuzzing=False)
    schedule = Scheduler(SchedulerConfig(fuzz=False)).review(3, NEW_SCHEDULE, Rating.EASY, T0)
    at = T0 + timedelta(days=10)
    preview = scheduler.preview(3, schedule, at)
    card = fsrs.Card(card_id=3, state=fsrs.State(int(schedule.state)), step=schedule.step,
                     stability=schedule.stability, difficulty=schedule.difficulty,
                     due=schedule.due, last_review=schedule.last_review)
    for rating in Rating:
        expected, _ = plain.review_card(card, fsrs.Rating(int(rating)), at)
        assert preview[rating] == expected.due - at


@pytest.mark.parametrize("days", [3, 5, 8, 15, 21, 40, 100, 365, 36499])
def test_fuzz_range_matches_fsrs(days) -> None:
    plain = fsrs.Scheduler(maximum_interval=36500)
    original = fsrs.scheduler.random
    try:
        fsrs.scheduler.random = lambda: 0.0
        low = plain._get_fuzzed_interval(interval=timedelta(days=days)).days
        fsrs.scheduler.random = lambda: 0.999999
        high = plain._get_fuzzed_interval(interval=timedelta(days=days)).days
    finally:
        fsrs.scheduler.random = original
    our_low, our_high = fuzz_range(days, 36500)
    assert low == fuzzed_interval(days, 36500, lambda: 0.0) == our_low
    assert high == fuzzed_interval(days, 36500, lambda: 0.999999)
    assert our_low <= days <= our_high


def test_short_intervals_are_not_fuzzed_and_draw_nothing() -> None:
    def draw() -> float:
        raise AssertionError("no random number may be drawn")

    assert fuzzed_interval(1, 36500, draw) == 1
    assert fuzzed_interval(2, 36500, draw) == 2


def test_retrievability_of_new_card_is_zero_and_falls_with_time() -> None:
    scheduler = Scheduler(SchedulerConfig(fuzz=False))
    assert scheduler.retrievability(1, NEW_SCHEDULE, T0) == 0.0
    s = scheduler.review(1, NEW_SCHEDULE, Rating.EASY, T0)
    r1 = scheduler.retrievability(1, s, T0 + timedelta(days=1))
    r9 = scheduler.retrievability(1, s, T0 + timedelta(days=9))
    assert 1.0 > r1 > r9 > 0.0


def test_forget_resets_memory_but_keeps_counts() -> None:
    s = Scheduler(SchedulerConfig(fuzz=False)).review(1, NEW_SCHEDULE, Rating.EASY, T0)
    assert forget(s) == Schedule(reps=1, lapses=0)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        Scheduler(SchedulerConfig()).review(1, NEW_SCHEDULE, Rating.GOOD, datetime(2026, 1, 1))


@pytest.mark.parametrize(("delta", "label"), [
    (timedelta(seconds=30), "<1m"), (timedelta(minutes=1), "1m"), (timedelta(minutes=10), "10m"),
    (timedelta(minutes=330), "6h"), (timedelta(days=1), "1d"), (timedelta(days=29), "29d"),
    (timedelta(days=45), "1.5mo"), (timedelta(days=60), "2mo"), (timedelta(days=400), "1.1y"),
    (timedelta(days=730), "2y"),
])
def test_format_interval(delta, label) -> None:
    assert format_interval(delta) == label


def test_load_balancer_prefers_light_days_and_skips_minimum_easy_days() -> None:
    from flashcards.core.scheduling import LoadBalance, balanced_interval

    low, high = fuzz_range(30, 36500)
    assert (low, high) == (27, 33)
    heavy = LoadBalance(load=lambda d: 0.0 if d == 31 else 50.0, easy=lambda d: 1.0)
    picks = [balanced_interval(30, 36500, heavy, lambda u=u: u) for u in
             (0.05, 0.3, 0.6, 0.99)]
    assert set(picks) == {31}
    minimum = LoadBalance(load=lambda d: 0.0, easy=lambda d: 0.0 if d != 29 else 1.0)
    assert {balanced_interval(30, 36500, minimum, lambda u=u: u)
            for u in (0.0, 0.5, 0.99)} == {29}
    every_day_minimum = LoadBalance(load=lambda d: 0.0, easy=lambda d: 0.0)
    # Every day a minimum day: fsrs's own fuzz, draw for draw.
    for u in (0.0, 0.5, 0.999):
        assert balanced_interval(30, 36500, every_day_minimum, lambda u=u: u) == (
            fuzzed_interval(30, 36500, lambda u=u: u))
    assert balanced_interval(2, 36500, heavy, lambda: 0.5) == 2  # no window under 2.5 days


def test_elapsed_time_counts_study_days_as_anki_does() -> None:
    scheduler = Scheduler(SchedulerConfig(fuzz=False))
    s = scheduler.review(1, NEW_SCHEDULE, Rating.EASY, datetime(2026, 3, 2, 21, 0, tzinfo=UTC))
    # Next morning, 11 hours later: fsrs alone would see the same day (short-term).
    morning = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    same_day = scheduler.review(1, s, Rating.GOOD, morning)
    next_day = scheduler.review(1, s, Rating.GOOD, morning, elapsed_days=1)
    plain = fsrs.Scheduler(enable_fuzzing=False)
    card = fsrs.Card(card_id=1, state=fsrs.State.Review, stability=s.stability,
                     difficulty=s.difficulty, due=s.due, last_review=morning - timedelta(days=1))
    expected, _ = plain.review_card(card, fsrs.Rating.Good, morning)
    assert next_day.stability == expected.stability != same_day.stability
    assert next_day.last_review == morning
