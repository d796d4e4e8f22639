"""The statistics charts' geometry (web/stats_charts.py): the heatmap's weeks and shades,
round ticks, x labels that do not collide, line gaps where a week has no answers."""

from datetime import date, timedelta

import pytest

from flashcards.web.charts import VIEW_WIDTH
from flashcards.web.stats_charts import (
    LABEL_WIDTH,
    bar_chart,
    day_label,
    heatmap,
    line_chart,
    round_step,
)

TODAY = date(2026, 3, 10)  # a Tuesday


def test_heatmap_has_a_cell_per_day_in_week_columns_monday_on_top() -> None:
    days = [(TODAY - timedelta(days=k), k % 5) for k in range(364, -1, -1)]
    chart = heatmap(days)
    assert len(chart.cells) == 365
    by_day = {cell.day: cell for cell in chart.cells}
    monday, tuesday = by_day[date(2026, 3, 9)], by_day[TODAY]
    assert monday.x == tuesday.x and tuesday.y - monday.y == pytest.approx(chart.cell)
    assert by_day[date(2026, 3, 2)].x == pytest.approx(monday.x - chart.cell)
    assert max(cell.x for cell in chart.cells) + chart.cell <= chart.width
    # Shades: none for 0, then quarters of the busiest day (4 answers).
    assert {cell.count: cell.level for cell in chart.cells} == {0: 0, 1: 1, 2: 2, 3: 3, 4: 4}
    assert chart.levels == [(0, "0"), (1, "1"), (2, "2"), (3, "3"), (4, "4")]
    assert by_day[TODAY].title == "Tue 10 Mar 2026: 0 answers"
    # Month names where a month starts, none crowding the one before or past the edge
    # (April starts three weeks after the first column: too close to "Mar").
    months = chart.months
    assert [tick.label for tick in months][:3] == ["Mar", "May", "Jun"]  # readable size
    assert all(b.position - a.position > 40 for a, b in zip(months, months[1:], strict=False))
    assert months[-1].position + 32 <= chart.width
    # Cells about 13 units wide whatever the year: the page scrolls it on a phone.
    assert chart.cell == 13 and chart.width > VIEW_WIDTH


def test_heatmap_of_an_empty_year_is_all_level_zero() -> None:
    chart = heatmap([(TODAY - timedelta(days=k), 0) for k in range(10)])
    assert {cell.level for cell in chart.cells} == {0}
    assert chart.levels == [(0, "0")]


@pytest.mark.parametrize(("top", "step"), [(0, 1), (4, 1), (7, 2), (15, 5), (3000, 1000),
                                           (0.9, 0.5)])
def test_round_steps(top: float, step: float) -> None:
    assert round_step(top) == step


@pytest.mark.parametrize("days", [7, 30, 90, 365])
def test_x_labels_never_collide_and_the_last_day_is_labelled(days: int) -> None:
    items = [(day_label(TODAY - timedelta(days=k)), "", float(k), str(k))
             for k in range(days - 1, -1, -1)]
    chart = bar_chart(items, "answers", average=3.0)
    labelled = [bar for bar in chart.bars if bar.labelled]
    assert labelled[-1] is chart.bars[-1] and labelled[-1].anchor == "end"
    centres = [bar.x + bar.width / 2 for bar in labelled]
    assert all(b - a >= LABEL_WIDTH * 0.8 for a, b in zip(centres, centres[1:], strict=False))
    assert chart.bars[-1].x + chart.bars[-1].width <= chart.plot_right + 0.01
    # Whole-number ticks up to above the highest bar.
    assert all(float(t.label.rstrip("k")) == int(float(t.label.rstrip("k")))
               for t in chart.y_ticks)
    assert chart.average_y is not None and chart.plot_top <= chart.average_y <= chart.plot_bottom


def test_a_line_skips_weeks_without_answers_and_draws_the_target() -> None:
    chart = line_chart(["1 Mar", "8 Mar", "15 Mar"],
                       [("young", [0.8, None, 0.9]), ("mature", [None, None, None])],
                       ["a", "b", "c"], target=0.9, target_label="desired 90%")
    young, mature = chart.series
    assert len(young.points) == 2 and mature.points == []
    assert young.path.startswith("M") and young.path.count("L") == 1
    assert chart.target_y == pytest.approx(young.points[1].y)
    # The y axis starts at a round share below the lowest value and ends at 100%.
    assert chart.y_ticks[0].label == "70%" and chart.y_ticks[-1].label == "100%"
    assert young.points[0].title == "young, a: 80.0%"
