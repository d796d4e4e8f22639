"""Help me decide, pure: the plan's forecast per desired retention, and the long-term
optimum from fsrs-rs's simulator."""

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from flashcards.core import retention
from flashcards.core.fsrs_vector import FsrsModel
from flashcards.core.planner import CardArrays, PlanInput, plan
from flashcards.core.retention import (
    RETENTIONS,
    Habits,
    long_term_optimum,
    retention_table,
    retentions_with,
    scaled,
    simulator_config,
)
from flashcards.core.scheduling import DEFAULT_PARAMETERS, SchedulerConfig

MODEL = FsrsModel.from_config(SchedulerConfig())


def cards(seen: int, new: int = 0, seed: int = 3) -> CardArrays:
    """`seen` cards studied before today (due over the next 20 days) and `new` new ones."""
    rng = np.random.default_rng(seed)
    return CardArrays(
        deck=np.zeros(seen + new, dtype=np.int64),
        is_new=np.r_[np.ones(new, dtype=bool), np.zeros(seen, dtype=bool)],
        stability=np.r_[np.full(new, np.nan), rng.uniform(1, 40, seen)],
        difficulty=np.r_[np.full(new, np.nan), rng.uniform(2, 8, seen)],
        due_day=np.r_[np.zeros(new, dtype=np.int64), rng.integers(0, 20, seen)],
        last_day=np.r_[np.zeros(new, dtype=np.int64), -rng.integers(1, 20, seen)],
        new_order=np.arange(new))


def data_for(arrays: CardArrays, budget: int = 600) -> PlanInput:
    return PlanInput(today=date(2026, 3, 2), interview=date(2026, 4, 1), cards=arrays,
                     deck_names=["A"], model=MODEL, target=0.9, budget_minutes=budget)


def test_the_rows_are_the_fixed_ones_and_the_users_value_in_order() -> None:
    assert retentions_with(0.9) == list(RETENTIONS)
    assert retentions_with(0.88) == [0.8, 0.83, 0.85, 0.87, 0.88, 0.9, 0.92, 0.95, 0.97]
    assert retentions_with(0.75) == [0.75, *RETENTIONS]
    assert retentions_with(0.99) == [*RETENTIONS, 0.99]


def test_higher_retention_costs_more_minutes_and_gives_more_recall() -> None:
    rows = retention_table(data_for(cards(400)), 0.88, seed=1)
    assert [row.retention for row in rows] == [0.8, 0.83, 0.85, 0.87, 0.88, 0.9, 0.92,
                                               0.95, 0.97]
    assert [row.current for row in rows] == [False] * 4 + [True] + [False] * 4
    averages = [row.average_minutes for row in rows]
    busiest = [row.busiest_minutes for row in rows]
    recall = [row.recall for row in rows]
    assert averages == sorted(averages) and len(set(averages)) == len(averages)
    assert busiest == sorted(busiest)
    assert recall == sorted(recall) and len(set(recall)) == len(recall)
    # The target follows each row's retention when the user left it empty.
    assert [row.target for row in rows] == [row.retention for row in rows]
    assert all(row.busiest_minutes >= row.average_minutes > 0 for row in rows)
    assert all(row.busiest_day is not None and date(2026, 3, 2) <= row.busiest_day
               <= date(2026, 4, 1) for row in rows)
    assert rows[-1].average_minutes > 2 * rows[0].average_minutes
    assert all(row.unplaced_new == 0 and row.below_target == 0.0 for row in rows)


def test_a_row_is_the_plan_itself_at_that_retention() -> None:
    """Not a second forecast: the current row is what plan() gives for the user's value
    (with the table's Monte Carlo size and seed)."""
    data = data_for(cards(200, 50))
    [row] = [r for r in retention_table(data, 0.9, seed=5) if r.current]
    direct = plan(replace(data, replicas=retention.table_replicas(250)),
                  np.random.default_rng(5))
    minutes = [d.review_minutes + d.new_minutes for d in direct.days]
    assert row.average_minutes == pytest.approx(float(np.mean(minutes)))
    assert row.busiest_minutes == pytest.approx(max(minutes))
    assert row.recall == pytest.approx(direct.mean_recall)
    assert row.below_target == pytest.approx(direct.below_target)


def test_a_set_target_stays_in_every_row() -> None:
    rows = retention_table(data_for(cards(400)), 0.9, seed=1, target=0.93)
    assert {row.target for row in rows} == {0.93}
    # Exam mode lifts weak cards to the target before the day, whatever the retention.
    assert all(row.recall >= 0.93 for row in rows)


def test_a_tight_budget_leaves_new_cards_out_at_high_retention() -> None:
    rows = retention_table(data_for(cards(300, 400), budget=15), 0.9, seed=1)
    assert rows[-1].unplaced_new > rows[0].unplaced_new
    assert rows[-1].below_target > 0


def test_the_same_input_is_not_forecast_twice(monkeypatch) -> None:
    calls = []
    real = retention.plan

    def counting(data, rng):
        calls.append(data.model.desired_retention)
        return real(data, rng)

    monkeypatch.setattr(retention, "plan", counting)
    data = data_for(cards(120, seed=11))
    first = retention_table(data, 0.9, seed=1)
    assert len(calls) == len(RETENTIONS)
    # Picking another fixed row changes only which row is the user's.
    again = retention_table(replace(data, model=replace(MODEL, desired_retention=0.85)),
                            0.85, seed=1)
    assert len(calls) == len(RETENTIONS)
    assert [r.current for r in again] == [r.retention == 0.85 for r in first]
    assert [r.recall for r in again] == [r.recall for r in first]
    # A card that changed is forecast again.
    changed = cards(120, seed=11)
    changed.stability[0] += 1.0
    retention_table(data_for(changed), 0.9, seed=1)
    assert len(calls) == 2 * len(RETENTIONS)


def test_habits_scale_down_with_their_limits() -> None:
    assert scaled(Habits(300, 20, 200, 30)) == Habits(300, 20, 200, 30)
    assert scaled(Habits(0, 20, 200, 30)) == Habits(100, 20, 200, 30)
    assert scaled(Habits(12, 5, 50, 10)) == Habits(100, 5, 50, 10)
    assert scaled(Habits(10_000, 20, 200, 30)) == Habits(500, 1, 10, 2)
    assert scaled(Habits(2_000, 40, 9999, 60)) == Habits(500, 10, 2500, 15)
    config = simulator_config(Habits(500, 10, 2500, 15))
    assert (config.deck_size, config.learn_limit, config.review_limit) == (500, 10, 2500)
    assert config.learn_span == 365 and config.max_cost_perday == 900.0


def test_the_long_term_optimum_is_the_cheapest_per_card_known() -> None:
    parameters = tuple(DEFAULT_PARAMETERS)
    habits = Habits(158, 20, 200, 30)
    optimum = long_term_optimum(parameters, habits, 0.9)
    assert 0.7 <= optimum.retention <= 0.99
    assert optimum.retention < 0.9  # with FSRS-6's defaults, far below exam-level recall
    assert 0 < optimum.cost_at_optimum < optimum.cost_at_current
    assert optimum.extra_at_current == pytest.approx(
        optimum.cost_at_current / optimum.cost_at_optimum - 1)
    # Cached per parameters, habits and current value.
    assert long_term_optimum(parameters, habits, 0.9) is optimum
