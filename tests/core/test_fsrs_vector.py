"""The array formulas must equal the fsrs package's own, card by card."""

from datetime import UTC, datetime, timedelta

import fsrs
import numpy as np
import pytest

from flashcards.core.fsrs_vector import FsrsModel
from flashcards.core.scheduling import SchedulerConfig

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("retention", [0.8, 0.9, 0.95])
def test_review_step_matches_fsrs_on_random_states(retention) -> None:
    rng = np.random.default_rng(42)
    n = 3000
    stability = np.exp(rng.uniform(np.log(0.05), np.log(400), n))
    difficulty = rng.uniform(1, 10, n)
    elapsed = rng.integers(0, 200, n)
    rating = rng.integers(1, 5, n)
    model = FsrsModel.from_config(SchedulerConfig(desired_retention=retention))
    new_s, new_d = model.review(stability, difficulty, elapsed, rating)
    intervals = model.next_interval(new_s)
    r = model.retrievability(elapsed, stability)
    scheduler = fsrs.Scheduler(desired_retention=retention, enable_fuzzing=False)
    for i in range(n):
        card = fsrs.Card(card_id=i + 1, state=fsrs.State.Review, stability=float(stability[i]),
                         difficulty=float(difficulty[i]), due=T0,
                         last_review=T0 - timedelta(days=int(elapsed[i])))
        assert r[i] == pytest.approx(scheduler.get_card_retrievability(card, T0), abs=1e-12)
        after, _ = scheduler.review_card(card, fsrs.Rating(int(rating[i])), T0)
        assert new_s[i] == pytest.approx(after.stability, rel=1e-9, abs=1e-12)
        assert new_d[i] == pytest.approx(after.difficulty, rel=1e-9, abs=1e-12)
        if rating[i] != 1:
            assert (after.due - T0).days == intervals[i]


def test_new_card_formulas_match_fsrs() -> None:
    model = FsrsModel.from_config(SchedulerConfig())
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    for rating in (1, 2, 3, 4):
        card, _ = scheduler.review_card(fsrs.Card(card_id=1, due=T0), fsrs.Rating(rating), T0)
        assert model.initial_stability(np.array([rating]))[0] == card.stability
        assert model.initial_difficulty(np.array([rating]))[0] == pytest.approx(
            card.difficulty, abs=1e-12)
        if rating == 4:
            continue  # Easy graduates at once: no same-day learning step
        # The learning step that follows on the same day.
        second, _ = scheduler.review_card(card, fsrs.Rating.Good, card.due)
        s = model.short_term_stability(np.array([card.stability]), np.array([3]))
        assert s[0] == pytest.approx(second.stability, rel=1e-12)


def test_array_fuzz_matches_the_scalar_fuzz() -> None:
    from flashcards.core.scheduling import fuzzed_interval

    model = FsrsModel.from_config(SchedulerConfig())
    rng = np.random.default_rng(3)
    intervals = rng.integers(1, 400, 2000)
    draws = rng.random(2000)
    expected = [fuzzed_interval(int(i), 36500, lambda u=u: float(u))
                for i, u in zip(intervals, draws, strict=True)]
    assert model.fuzzed(intervals, draws).tolist() == expected


def test_balanced_takes_load_and_easy_days_of_any_length() -> None:
    """The load balancer reads each per-day array within its own length: a shorter
    Easy Days array than the load (a longer plan after a shorter one) raised IndexError."""
    model = FsrsModel.from_config(SchedulerConfig())
    intervals = np.array([10, 30, 200, 1000], dtype=np.int64)
    draws = np.array([0.1, 0.5, 0.9, 0.3])
    for load_days, easy_days in ((1860, 830), (830, 1860), (1, 1), (5, 2000)):
        chosen = model.balanced(intervals, 1400, np.zeros(load_days), np.ones(easy_days),
                                draws)
        low, high = model.fuzz_bounds(intervals.astype(np.float64))
        assert ((chosen >= low) & (chosen <= high)).all(), (load_days, easy_days)
