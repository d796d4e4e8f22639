"""An interview of several rounds: exam mode keeps the cards at the target through the
last round, the later rounds' dates are checked, and the forecast runs to the last."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from flashcards.core.fitting import TaskWeeks
from flashcards.core.fsrs_vector import FsrsModel
from flashcards.core.planner import (
    MAX_PLAN_DAYS,
    CardArrays,
    PlanInput,
    exam_due_day,
    later_rounds_problems,
    plan,
)
from flashcards.core.scheduling import SchedulerConfig

MODEL = FsrsModel.from_config(SchedulerConfig())
# Four rounds: day 20 (the first), then days 22, 25 and 30.
ROUNDS = {"interview_day": 20, "later_rounds": (22, 25, 30)}


def test_a_card_at_the_target_at_every_round_gets_no_extra_check() -> None:
    # Stability 100: thirty days on, recall is still ~0.96.
    assert exam_due_day(review_day=0, due_day=90, stability=100.0, target=0.9, model=MODEL,
                        **ROUNDS) == 90


def test_a_card_below_the_target_at_the_first_round_is_checked_before_it() -> None:
    assert exam_due_day(review_day=0, due_day=90, stability=5.0, target=0.9, model=MODEL,
                        **ROUNDS) == 19


def test_a_card_that_falls_below_the_target_at_round_3_is_checked_in_its_window() -> None:
    # Stability 23: recall 0.909 at round 1 (day 20), 0.903 at round 2 (day 22), 0.894
    # at round 3 (day 25): the check goes in round 3's window, days 22-24.
    args = {"review_day": 0, "due_day": 90, "stability": 23.0, "target": 0.9,
            "model": MODEL, **ROUNDS}
    assert exam_due_day(**args) == 24  # no load given: the day before round 3
    loads = {22: 1.0, 23: 0.0, 24: 5.0}
    assert exam_due_day(**args, load=loads.__getitem__) == 23
    # Without the later rounds the interval may cross the first round as it is.
    assert exam_due_day(**{**args, "later_rounds": ()}) == 90


def test_the_check_looks_only_at_the_rounds_the_interval_crosses() -> None:
    # Due on day 24: it crosses rounds 1 and 2, where recall is enough; round 3 comes
    # after it is due, so FSRS decides (the review on day 24 looks again).
    assert exam_due_day(review_day=0, due_day=24, stability=23.0, target=0.9, model=MODEL,
                        **ROUNDS) == 24
    # Reviewed on day 21, after round 1, stability 10: recall 0.986 at round 2, 0.950
    # at round 3, 0.915 at round 4: checked before round 4 only.
    assert exam_due_day(review_day=21, due_day=40, stability=10.0, target=0.95,
                        model=MODEL, **ROUNDS) == 29
    # After the last round plain FSRS resumes.
    assert exam_due_day(review_day=30, due_day=60, stability=1.0, target=0.99, model=MODEL,
                        **ROUNDS) == 60


def test_a_round_with_no_day_left_before_it_passes_the_check_to_the_next() -> None:
    # Reviewed the day before round 2 with recall below target there (0.973 < 0.98): no
    # day is left before round 2, so the check goes before round 3 (recall 0.915 there).
    assert exam_due_day(review_day=21, due_day=40, stability=5.0, target=0.98, model=MODEL,
                        **ROUNDS) == 24


TODAY = date(2026, 3, 2)
FIRST = TODAY + timedelta(days=20)


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.mark.parametrize(("rounds", "problems"), [
    ((), []),
    ((day(22), day(25), day(30)), []),
    ((day(22), None, None), []),
    ((day(20),), [(0, "Round 2 is on the same day as round 1 (22 March 2026): each round "
                      "needs its own day.")]),
    ((day(19),), [(0, "Round 2 (21 March 2026) must come after round 1 (22 March 2026).")]),
    ((day(22), day(22)), [(1, "Round 3 is on the same day as round 2 (24 March 2026): "
                               "each round needs its own day.")]),
    ((day(25), day(23), day(26)), [
        (1, "Round 3 (25 March 2026) must come after round 2 (27 March 2026).")]),
    ((day(22), day(25), day(25)), [(2, "Round 4 is on the same day as round 3 (27 March "
                                       "2026): each round needs its own day.")]),
    ((day(22), None, day(30)), [(1, "Round 3 is empty but round 4 is set: give the rounds "
                                    "in order, round 2 first.")]),
    ((day(22), day(MAX_PLAN_DAYS + 1)), [
        (1, "Round 3 can be at most 365 days ahead: 2 March 2027 at the latest.")]),
])
def test_later_rounds_problems_name_the_round(rounds: tuple[date | None, ...],
                                              problems: list[tuple[int, str]]) -> None:
    assert later_rounds_problems(rounds, FIRST, TODAY) == problems


def test_later_rounds_already_stored_may_stay_when_past() -> None:
    # The first round was on day -5 and round 2 on day -3: both over, both stored.
    first, second = day(-5), day(-3)
    assert later_rounds_problems((second,), first, TODAY, stored=(second,)) == []
    assert later_rounds_problems((second,), first, TODAY) == [
        (0, "Round 2 cannot be today or in the past (today is 2 March 2026).")]


def test_at_most_four_rounds() -> None:
    assert later_rounds_problems((day(21), day(22), day(23), day(24)), FIRST, TODAY) == [
        (3, "An interview can have at most 4 rounds.")]


def review_cards(n: int, stability: float) -> CardArrays:
    return CardArrays(deck=np.zeros(n, dtype=np.int64), is_new=np.zeros(n, dtype=bool),
                      stability=np.full(n, stability), difficulty=np.full(n, 5.0),
                      due_day=np.zeros(n, dtype=np.int64),
                      last_day=np.full(n, -10, dtype=np.int64), new_order=np.arange(0))


def rounds_input(later: tuple[date, ...], cards: CardArrays, **options: object) -> PlanInput:
    values: dict[str, object] = {"target": 0.9, **options}
    return PlanInput(today=TODAY, interview=day(10), cards=cards, deck_names=["A"],
                     model=MODEL, budget_minutes=60, later_rounds=later,
                     **values)  # type: ignore[arg-type]


def test_the_forecast_runs_to_the_last_round_and_tasks_stay_before_the_first() -> None:
    tasks = [TaskWeeks(k, 30, False, False, None, 1, 2, False) for k in range(1, 6)]
    data = rounds_input((day(12), day(15)), review_cards(20, 10.0), tasks=tasks)
    assert data.last_day == 15
    result = plan(data, np.random.default_rng(7))
    assert [d.day for d in result.days] == [day(k) for k in range(16)]
    assert result.interview == day(10)
    assert all(0 <= part_day <= 10 for t in result.tasks for part_day, _ in t.parts)
    assert all(d.task_minutes == 0 for d in result.days[11:])
    # The recall on each round's day, the first round's being the plan's own.
    assert [when for when, _ in result.round_recall] == [day(10), day(12), day(15)]
    assert result.round_recall[0][1] == pytest.approx(result.mean_recall)
    lowest = result.lowest_round_recall
    assert lowest is not None
    assert lowest[1] == min(recall for _, recall in result.round_recall)


def test_the_forecast_keeps_the_cards_at_the_target_through_the_last_round() -> None:
    # Fifty cards due today, reviewed Good: recall at the first round (day 10) is about
    # 0.96, above the 0.95 aimed at; at a last round on day 30 it would be below, so
    # nearly every card gets its check in the days just before day 30 (days 27-29),
    # and the recall there is back above the target.
    cards = review_cards(50, 10.0)
    alone = plan(rounds_input((), cards, target=0.95), np.random.default_rng(3))
    rounds = plan(rounds_input((day(30),), cards, target=0.95), np.random.default_rng(3))
    assert len(alone.days) == 11 and len(rounds.days) == 31
    assert alone.round_recall == () and alone.lowest_round_recall is None
    assert rounds.round_recall[-1][0] == day(30) and rounds.round_recall[-1][1] >= 0.95
    assert sum(d.reviews for d in rounds.days[27:30]) > 40
    assert all(d.reviews < 2 for d in rounds.days[11:27])


def test_rounds_past_the_plan_limit_do_not_size_the_forecast() -> None:
    data = rounds_input((day(5), day(12), day(MAX_PLAN_DAYS + 40)), review_cards(1, 10.0))
    assert data.round_days == (12,)  # day 5 is before the first round (day 10)
    assert data.last_day == 12
