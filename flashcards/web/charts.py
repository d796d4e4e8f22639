"""The plan page's charts as geometry for server-rendered SVG (no script): minutes a
day against the budget, and each deck's predicted recall against the target. Also what
every server-rendered chart shares (web/stats_charts.py, web/retention_chart.py): the
Frame and Tick the templates draw (templates/_chart_parts.html), where a value falls on
an axis (scale), the bars' slots (slots) and a minutes axis's round steps.

Sizes are in viewBox units. A chart is VIEW_WIDTH wide and scales with the page; at
390 px (a phone) its box is about 308 px wide, so FONT units render at about 11.7 px.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flashcards.core.planner import Plan

VIEW_WIDTH = 420
FONT = 16
LEFT = 34  # room for the y axis's values
RIGHT = 6
TOP = 30  # room for the legend
PLOT_HEIGHT = 170
# A value label fits on a bar this wide (in viewBox units), else the list below says it.
MIN_LABELLED_BAR = 18
# A date label takes about this much width ("28 Mar" and a gap).
DATE_LABEL_WIDTH = 66


@dataclass(frozen=True, slots=True)
class Tick:
    position: float  # y for the minutes chart, x for the recall chart
    label: str


@dataclass(frozen=True, slots=True)
class Frame:
    """A chart's box in viewBox units: its size, the plot area's edges and the font
    size. Every server-rendered chart (plan, statistics, help me decide) has one."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    font: int


@dataclass(frozen=True, slots=True)
class DayBar:
    day: date
    x: float
    y: float
    width: float
    height: float
    minutes: int
    budget: int
    over: bool
    date_label: str  # empty for the days between labelled ones
    date_anchor: str  # "middle", or "end" near the right edge
    value_label: str  # empty when it does not fit
    budget_y: float


@dataclass(frozen=True, slots=True)
class MinutesChart(Frame):
    bars: list[DayBar]
    y_ticks: list[Tick]
    budget: int
    budget_y: float
    budget_varies: bool  # weekday budgets differ from the daily one
    over_days: list[DayBar]
    peak: DayBar | None
    total_minutes: int
    total_budget: int


def nice_step(top: float, most_ticks: int = 5) -> int:
    """A round tick step (5, 10, 15, 20, 30, 60 ... minutes) giving at most `most_ticks`
    ticks above zero up to `top`."""
    for step in (5, 10, 15, 20, 30, 60, 90, 120, 180, 240, 300, 600):
        if top / step <= most_ticks:
            return step
    return int(math.ceil(top / most_ticks / 600) * 600)


def minute_axis(highest: float, most_ticks: int = 5) -> tuple[int, int]:
    """A minutes axis reaching `highest`: its round tick step (nice_step) and its top,
    the first multiple of the step at or above `highest`."""
    step = nice_step(highest, most_ticks)
    return step, step * math.ceil(highest / step)


def scale(start: float, end: float, top: float,
          floor: float = 0.0) -> Callable[[float], float]:
    """Where a value falls on an axis that runs from `floor`, at `start`, to `top`, at
    `end` (in viewBox units; a y axis runs from the plot's bottom up to its top)."""
    def position(value: float) -> float:
        return start + (value - floor) / (top - floor) * (end - start)
    return position


@dataclass(frozen=True, slots=True)
class Slots:
    """Equal slots side by side from `left`, one per bar or point: a bar fills its slot
    but for a small gap, and every `every`th slot has an x label, so that labels do not
    overlap."""

    left: float
    width: float
    gap: float
    every: int

    def centre(self, i: int) -> float:
        return self.left + (i + 0.5) * self.width

    def bar_x(self, i: int) -> float:
        return self.left + i * self.width + self.gap / 2

    def bar_width(self, least: float) -> float:
        return max(self.width - self.gap, least)


def slots(left: float, right: float, count: int, label_width: float) -> Slots:
    """`count` slots between `left` and `right`, for x labels `label_width` wide."""
    width = (right - left) / max(count, 1)
    return Slots(left, width, min(2.0, width * 0.2), max(1, math.ceil(label_width / width)))


def minutes_chart(plan: Plan, daily_minutes: int) -> MinutesChart:
    """Bars of planned minutes per day, a y axis in minutes, dates below, the budget."""
    days = plan.days
    plot_bottom = TOP + PLOT_HEIGHT
    plot_right = VIEW_WIDTH - RIGHT
    highest = max([d.minutes for d in days] + [d.budget for d in days]
                  + [float(daily_minutes), 1.0])
    step, top = minute_axis(highest * 1.08)
    y_of = scale(plot_bottom, TOP, top)
    x_slots = slots(LEFT, plot_right, len(days), DATE_LABEL_WIDTH)
    bars = []
    label_end = -math.inf  # where the last date label drawn ends
    for i, day in enumerate(days):
        minutes = round(day.minutes)
        y = y_of(day.minutes)
        centre = x_slots.centre(i)
        anchor = "end" if centre + DATE_LABEL_WIDTH / 2 > plot_right else "middle"
        start = plot_right - DATE_LABEL_WIDTH if anchor == "end" else centre - DATE_LABEL_WIDTH / 2
        labelled = i % x_slots.every == 0 and start >= label_end
        if labelled:
            label_end = start + DATE_LABEL_WIDTH + 4
        bars.append(DayBar(
            day=day.day, x=x_slots.bar_x(i), y=y, width=x_slots.bar_width(0.5),
            height=plot_bottom - y, minutes=minutes, budget=round(day.budget),
            over=day.over_budget,
            date_label=f"{day.day:%-d %b}" if labelled else "",
            date_anchor=anchor,
            value_label=str(minutes) if x_slots.width >= MIN_LABELLED_BAR else "",
            budget_y=y_of(day.budget)))
    over = [bar for bar in bars if bar.over]
    return MinutesChart(
        width=VIEW_WIDTH, height=plot_bottom + FONT + 10, plot_top=TOP,
        plot_bottom=plot_bottom, plot_left=LEFT, plot_right=plot_right, font=FONT,
        bars=bars,
        y_ticks=[Tick(y_of(value), str(value)) for value in range(0, top + 1, step)],
        budget=daily_minutes, budget_y=y_of(daily_minutes),
        budget_varies=any(bar.budget != daily_minutes for bar in bars),
        over_days=over, peak=max(bars, key=lambda bar: bar.minutes, default=None),
        total_minutes=sum(bar.minutes for bar in bars),
        total_budget=sum(bar.budget for bar in bars))


@dataclass(frozen=True, slots=True)
class DeckBar:
    name: str
    percent: int
    below: bool
    name_y: float
    bar_y: float
    width: float
    value_x: float


@dataclass(frozen=True, slots=True)
class RecallChart(Frame):
    bar_height: int
    bars: list[DeckBar]
    x_ticks: list[Tick]
    target: int
    target_x: float


RECALL_ROW = 46  # a deck's name above its bar
RECALL_BAR = 18


def recall_chart(plan: Plan) -> RecallChart:
    """One bar per deck (its name above it, so long names fit a phone), an axis from
    0 to 100%, the target line."""
    left, right = 8, VIEW_WIDTH - 40  # room for "100%" after a full bar
    on_axis = scale(left, right, 1.0)

    def x_of(share: float) -> float:
        return on_axis(max(0.0, min(share, 1.0)))

    bars = []
    for i, (name, recall) in enumerate(plan.recall_by_deck.items()):
        row = TOP + i * RECALL_ROW
        bars.append(DeckBar(name=name, percent=round(recall * 100), below=recall < plan.target,
                            name_y=row + FONT, bar_y=row + FONT + 6,
                            width=x_of(recall) - left, value_x=x_of(recall) + 4))
    bottom = TOP + len(bars) * RECALL_ROW + 4
    return RecallChart(
        width=VIEW_WIDTH, height=bottom + FONT + 10, plot_left=left, plot_right=right,
        plot_top=TOP, plot_bottom=bottom, font=FONT, bar_height=RECALL_BAR, bars=bars,
        x_ticks=[Tick(x_of(share / 100), f"{share}%") for share in (0, 25, 50, 75, 100)],
        target=round(plan.target * 100), target_x=x_of(plan.target))
