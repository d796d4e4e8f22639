"""The plan's chart geometry (web/charts.py): round ticks, labels that do not collide,
values on bars only where they fit, over-budget days and the target."""

from datetime import date, timedelta

import pytest

from flashcards.core.planner import Plan, PlanDay
from flashcards.web.charts import (
    DATE_LABEL_WIDTH,
    VIEW_WIDTH,
    minutes_chart,
    nice_step,
    recall_chart,
)

START = date(2026, 3, 2)


def a_plan(minutes: list[float], budget: float = 60, recall: dict[str, float] | None = None,
           target: float = 0.9) -> Plan:
    days = [PlanDay(day=START + timedelta(days=i), reviews=0, new=0, answers=0,
                    review_minutes=m, new_minutes=0, task_minutes=0, budget=budget)
            for i, m in enumerate(minutes)]
    return Plan(days=days, recall_by_deck=recall or {}, mean_recall=0.9, below_target=0,
                unplaced_new=0, last_new_day=None,
                interview=START + timedelta(days=len(minutes)), target=target)


@pytest.mark.parametrize(("top", "step"), [(10, 5), (64, 15), (70, 15), (130, 30),
                                           (600, 120), (5000, 1200)])
def test_ticks_are_round_and_few(top: float, step: int) -> None:
    assert nice_step(top) == step


def test_a_short_plan_labels_every_bar_and_marks_over_budget_days() -> None:
    chart = minutes_chart(a_plan([64.4, 30, 61]), 60)
    assert [bar.value_label for bar in chart.bars] == ["64", "30", "61"]
    assert [bar.over for bar in chart.bars] == [True, False, True]
    assert [bar.minutes for bar in chart.over_days] == [64, 61]
    assert chart.peak is not None and chart.peak.minutes == 64
    assert [tick.label for tick in chart.y_ticks] == ["0", "15", "30", "45", "60", "75"]
    # The budget line sits at 60 on the same scale as the ticks.
    sixty = next(tick for tick in chart.y_ticks if tick.label == "60")
    assert chart.budget_y == pytest.approx(sixty.position)
    assert not chart.budget_varies


def test_a_long_plan_spaces_its_date_labels_and_drops_bar_values() -> None:
    chart = minutes_chart(a_plan([50.0] * 365), 60)
    assert all(bar.value_label == "" for bar in chart.bars)
    labelled = [bar for bar in chart.bars if bar.date_label]
    assert 3 <= len(labelled) <= VIEW_WIDTH // DATE_LABEL_WIDTH
    edges = []
    for bar in labelled:
        centre = bar.x + bar.width / 2
        start = (chart.plot_right - DATE_LABEL_WIDTH if bar.date_anchor == "end"
                 else centre - DATE_LABEL_WIDTH / 2)
        edges.append((start, start + DATE_LABEL_WIDTH))
        assert start >= 0 and start + DATE_LABEL_WIDTH <= chart.width
    assert all(b[0] >= a[1] for a, b in zip(edges, edges[1:], strict=False))


def test_easy_days_make_the_budget_vary() -> None:
    plan = a_plan([20, 20])
    plan.days[1] = PlanDay(day=plan.days[1].day, reviews=0, new=0, answers=0,
                           review_minutes=20, new_minutes=0, task_minutes=0, budget=30)
    chart = minutes_chart(plan, 60)
    assert chart.budget_varies and [bar.budget for bar in chart.bars] == [60, 30]
    assert chart.total_budget == 90


def test_recall_bars_below_the_target_and_the_axis() -> None:
    chart = recall_chart(a_plan([10], recall={"Terms": 0.95, "Stories": 0.82}, target=0.9))
    assert [(bar.name, bar.percent, bar.below) for bar in chart.bars] == [
        ("Terms", 95, False), ("Stories", 82, True)]
    assert [tick.label for tick in chart.x_ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert chart.x_ticks[0].position < chart.target_x < chart.x_ticks[-1].position
    assert chart.target == 90
