"""Help me decide's chart as geometry for server-rendered SVG (no script): one bar per
desired retention, its length the minutes a day on cards over the plan, with the
predicted recall on interview day after it. The table under it says the same.

Sizes in viewBox units, as web/charts.py (whose constants, minutes axis and scale it
uses)."""

from __future__ import annotations

from dataclasses import dataclass

from flashcards.core.retention import RetentionRow
from flashcards.web.charts import FONT, TOP, VIEW_WIDTH, Frame, Tick, minute_axis, scale

LABEL_WIDTH = 48  # "97%" and the "now" mark before each bar
VALUE_WIDTH = 118  # "206 min · 68%" after the longest bar
ROW = 28
BAR = 18


@dataclass(frozen=True, slots=True)
class RetentionBar:
    label: str  # the retention, "90%"
    y: float  # the bar's top
    width: float
    value_x: float
    value_label: str
    current: bool
    below_target: bool  # recall on the day under the target


@dataclass(frozen=True, slots=True)
class RetentionChart(Frame):
    bar_height: int
    bars: list[RetentionBar]
    x_ticks: list[Tick]


def retention_chart(rows: list[RetentionRow]) -> RetentionChart:
    """A bar per row, lowest retention on top; an x axis in minutes a day."""
    left, right = LABEL_WIDTH, VIEW_WIDTH - VALUE_WIDTH
    highest = max([row.average_minutes for row in rows] + [1.0])
    step, top = minute_axis(highest, most_ticks=4)
    on_axis = scale(left, right, top)

    def x_of(minutes: float) -> float:
        return on_axis(max(0.0, minutes))

    bars = []
    for i, row in enumerate(rows):
        y = TOP + i * ROW
        end = x_of(row.average_minutes)
        bars.append(RetentionBar(
            label=f"{row.retention * 100:.0f}%" if round(row.retention * 100, 1).is_integer()
            else f"{row.retention * 100:.1f}%",
            y=y, width=max(end - left, 1.0), value_x=end + 5,
            value_label=f"{row.average_minutes:.0f} min · {row.recall * 100:.0f}%",
            current=row.current, below_target=row.recall < row.target))
    bottom = TOP + len(rows) * ROW
    return RetentionChart(
        width=VIEW_WIDTH, height=bottom + FONT + 12, plot_left=left, plot_right=right,
        plot_top=TOP, plot_bottom=bottom, font=FONT, bar_height=BAR, bars=bars,
        x_ticks=[Tick(x_of(value), str(value)) for value in range(0, top + 1, step)])
