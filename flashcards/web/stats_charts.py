"""The statistics page's charts as geometry for server-rendered SVG (no script): the
year's heatmap, bar charts (answers, minutes, forecast, histograms) and line charts
(true retention, readiness). Sizes are in viewBox units, as in web/charts.py, whose
width, font, frame, scale and slots this module shares; templates/stats/_charts.html
draws them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flashcards.core.stats import Bin
from flashcards.services.stats import Stats
from flashcards.web.charts import FONT, VIEW_WIDTH, Frame, Tick, scale, slots

LEFT = 52  # room for the y axis's values ("100%")
RIGHT = 8
TOP = 28  # room for the legend
PLOT_HEIGHT = 150
LABEL_WIDTH = 70  # an x label takes about this much width ("28 Mar" and a gap)


def round_step(top: float, most_ticks: int = 4) -> float:
    """A round step (1, 2, 5 x 10^n) giving at most `most_ticks` ticks above zero."""
    if top <= 0:
        return 1.0
    raw = top / most_ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return float(10 * power)


def _number(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:g}" if value != int(value) else f"{int(value)}"


# -- bars ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # the x label, shown when `labelled`
    title: str  # the bar's full description (its <title> and table row)
    value: float
    shown: str  # the value as text
    x: float
    y: float
    width: float
    height: float
    labelled: bool
    anchor: str


@dataclass(frozen=True, slots=True)
class BarChart(Frame):
    unit: str
    bars: list[Bar]
    y_ticks: list[Tick]
    average: float | None  # a dashed line at the daily average, when given
    average_y: float | None

    @property
    def empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


def bar_chart(items: Sequence[tuple[str, str, float, str]], unit: str, *,
              average: float | None = None, label_width: float = LABEL_WIDTH,
              edge_labels: bool = False, whole: bool = True,
              least_top: float = 0.0) -> BarChart:
    """Bars for (x label, full title, value, value text); a y axis from 0 in round steps;
    x labels as many as fit without overlapping (`edge_labels`: each at its bar's left
    edge, for a histogram's bin starts; `whole`: counts, ticks at whole numbers;
    `least_top`: the y axis goes at least this high, so a few seconds of study do not
    draw an axis of thousandths)."""
    plot_bottom = TOP + PLOT_HEIGHT
    plot_right = VIEW_WIDTH - RIGHT
    highest = max([value for _, _, value, _ in items] + [average or 0.0, least_top])
    step = round_step(highest * 1.05 if highest else 1.0)
    if whole:
        step = max(step, 1.0)
    top = step * max(math.ceil(highest * 1.05 / step), 1)

    y_of = scale(plot_bottom, TOP, top)
    x_slots = slots(LEFT, plot_right, len(items), label_width)
    bars = []
    for i, (label, title, value, shown) in enumerate(items):
        centre = x_slots.centre(i)
        anchor = ("start" if edge_labels
                  else "end" if centre + label_width / 2 > plot_right
                  else "start" if centre - label_width / 2 < LEFT - 10 else "middle")
        y = y_of(value)
        bars.append(Bar(label, title, value, shown, x_slots.bar_x(i), y,
                        x_slots.bar_width(0.4), plot_bottom - y,
                        labelled=_labelled(i, len(items), x_slots.every, centre, plot_right,
                                           label_width, edge_labels),
                        anchor=anchor))
    ticks = [Tick(y_of(k * step), _number(k * step))
             for k in range(int(round(top / step)) + 1)]
    return BarChart(VIEW_WIDTH, plot_bottom + FONT + 10, LEFT, plot_right, TOP, plot_bottom,
                    FONT, unit, bars, ticks, average,
                    y_of(average) if average is not None else None)


def _labelled(i: int, count: int, every: int, centre: float, plot_right: float,
              label_width: float, edge_labels: bool = False) -> bool:
    """Every `every`th x label counting back from the last, which ends at the plot's
    right edge: one whose text would run into that last label is left out."""
    if (count - 1 - i) % every:
        return False
    return (edge_labels or i == count - 1
            or centre + 0.4 * label_width < plot_right - 0.75 * label_width)


def day_label(day: date) -> str:
    return f"{day:%-d %b}"


def day_title(day: date) -> str:
    return f"{day:%a %-d %b %Y}"


# -- lines --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    title: str


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    css: str  # s0, s1 ...: colour and dash pattern
    points: list[Point]

    @property
    def path(self) -> str:
        """An SVG path through the points; a gap (no value) starts a new segment."""
        return " ".join(f"{'M' if i == 0 else 'L'}{p.x:.1f} {p.y:.1f}"
                        for i, p in enumerate(self.points))


@dataclass(frozen=True, slots=True)
class LineChart(Frame):
    series: list[Series]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    target: float | None
    target_y: float | None
    target_label: str
    legend_rows: int

    @property
    def empty(self) -> bool:
        return not any(s.points for s in self.series)


SERIES_CLASSES = 6


def line_chart(columns: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
               titles: Sequence[str], *, target: float | None = None,
               target_label: str = "") -> LineChart:
    """Lines of shares (0..1) over `columns` (x labels), one per named series (None: no
    value that column); a y axis in percent from a round floor below the lowest value
    (or the target) to 100%, and the target as a dashed line."""
    legend_rows = max(1, math.ceil((len(series) + (1 if target is not None else 0)) / 2))
    plot_top = 8 + legend_rows * (FONT + 6)
    plot_bottom = plot_top + PLOT_HEIGHT
    plot_right = VIEW_WIDTH - RIGHT
    values = [v for _, vs in series for v in vs if v is not None]
    lowest = min(values + ([target] if target is not None else []) + [1.0])
    floor = max(0.0, math.floor(lowest * 10 - 0.5) / 10) if lowest > 0.05 else 0.0
    floor = min(floor, 0.8)

    y_of = scale(plot_bottom, plot_top, 1.0, floor)
    x_slots = slots(LEFT, plot_right, len(columns), LABEL_WIDTH)
    x_ticks = [Tick(x_slots.centre(i), label) for i, label in enumerate(columns)
               if _labelled(i, len(columns), x_slots.every, x_slots.centre(i), plot_right,
                            LABEL_WIDTH)]
    drawn = []
    for n, (name, shares) in enumerate(series):
        points = [Point(x_slots.centre(i), y_of(share), f"{name}, {titles[i]}: {share:.1%}")
                  for i, share in enumerate(shares) if share is not None]
        drawn.append(Series(name, f"s{n % SERIES_CLASSES}", points))
    step = 0.1 if 1 - floor <= 0.5 else 0.2 if 1 - floor <= 0.8 else 0.25
    ticks = []
    share = 1.0
    while share >= floor - 1e-9:
        ticks.append(Tick(y_of(share), f"{share:.0%}"))
        share = round(share - step, 4)
    return LineChart(VIEW_WIDTH, plot_bottom + FONT + 10, LEFT, plot_right, plot_top,
                     plot_bottom, FONT, drawn, ticks[::-1], x_ticks, target,
                     y_of(target) if target is not None else None, target_label, legend_rows)


# -- the heatmap --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    day: date
    count: int
    level: int  # 0 (none) .. 4 (most)
    x: float
    y: float
    title: str


@dataclass(frozen=True, slots=True)
class Heatmap:
    width: int
    height: int
    cell: float
    cells: list[Cell]
    months: list[Tick]  # x of each month's first column
    weekdays: list[Tick]  # y of the labelled rows (Mon, Wed, Fri)
    levels: list[tuple[int, str]]  # (level, the counts it stands for)
    legend_y: float
    legend_x: float


HEATMAP_LEFT = 30
HEATMAP_TOP = FONT + 6
# A cell's side: the year is drawn about 1:1 (53 weeks: about 720 units wide), so its
# days stay tappable and its labels readable; a narrower screen scrolls it sideways.
HEATMAP_CELL = 13


def heatmap(days: Sequence[tuple[date, int]]) -> Heatmap:
    """One cell per day, weeks as columns (Monday on top), shaded in 5 levels: none,
    and four equal parts of the busiest day's count."""
    if not days:
        return Heatmap(VIEW_WIDTH, 40, 0, [], [], [], [(0, "0")], 30, 0)
    first = days[0][0]
    monday = first - timedelta(days=first.weekday())
    weeks = (days[-1][0] - monday).days // 7 + 1
    cell = HEATMAP_CELL
    width = HEATMAP_LEFT + weeks * cell + 2
    most = max(count for _, count in days)

    def level(count: int) -> int:
        return 0 if count == 0 or most == 0 else min(4, math.ceil(count / most * 4))

    cells = []
    months: list[Tick] = []
    for day, count in days:
        column = (day - monday).days // 7
        x = HEATMAP_LEFT + column * cell
        if (day.day == 1 or day == first) and x + 2 * FONT <= width:
            if not months or x - months[-1].position > 2.5 * FONT:
                months.append(Tick(x, f"{day:%b}"))
        cells.append(Cell(day, count, level(count), x, HEATMAP_TOP + day.weekday() * cell,
                          f"{day_title(day)}: {count} answer{'' if count == 1 else 's'}"))
    bands = []
    for k in range(1, 5):
        low = math.floor(most * (k - 1) / 4) + 1
        high = math.floor(most * k / 4)
        if most and high >= low:
            bands.append((k, f"{low}" if low == high else f"{low}–{high}"))
    legend_y = HEATMAP_TOP + 7 * cell + 8
    return Heatmap(int(width), int(legend_y + FONT + 8), cell, cells, months,
                   [Tick(HEATMAP_TOP + row * cell + cell * 0.8, name)
                    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"))],
                   [(0, "0")] + bands, legend_y, HEATMAP_LEFT)


# -- the page -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageCharts:
    heatmap: Heatmap
    reviews: BarChart
    minutes: BarChart
    retention: LineChart
    readiness: LineChart
    forecast: BarChart
    stability: BarChart
    difficulty: BarChart


def _edge(bin_: Bin) -> str:
    return f"{bin_.low:g}+" if math.isinf(bin_.high) else f"{bin_.low:g}"


def page_charts(view: Stats) -> PageCharts:
    """Every chart of the statistics page, from what services.stats loaded."""
    summary = view.summary
    reviews = bar_chart([(day_label(d.day), day_title(d.day), float(d.reviews), str(d.reviews))
                         for d in view.days], "answers", average=summary.reviews_per_day)
    minutes = bar_chart([(day_label(d.day), day_title(d.day), round(d.minutes, 1),
                          f"{d.minutes:.1f}") for d in view.days], "min",
                        average=summary.minutes_per_day, whole=False, least_top=1.0)
    week_names = [day_label(w.last) for w in view.weeks]
    week_titles = [f"{day_label(w.first)}–{day_label(w.last)}" for w in view.weeks]
    retention = line_chart(week_names, [
        ("young", [w.young_rate for w in view.weeks]),
        ("mature", [w.mature_rate for w in view.weeks])], week_titles,
        target=view.desired_retention,
        target_label=f"desired {view.desired_retention:.0%}")
    first = view.days[0].day
    columns = [first + timedelta(days=k) for k in range(view.range_days)]
    index = {day: k for k, day in enumerate(columns)}
    lines = []
    for series in view.readiness.series:
        shares: list[float | None] = [None] * len(columns)
        for day, recall in series.points:
            if day in index:
                shares[index[day]] = recall
        lines.append((series.deck, shares))
    readiness = line_chart([day_label(day) for day in columns], lines,
                           [day_title(day) for day in columns],
                           target=view.readiness.target,
                           target_label=f"target {view.readiness.target:.0%}")
    forecast = bar_chart([(day_label(day), day_title(day), round(reviews_, 1),
                           f"{reviews_:.0f}") for day, reviews_ in view.forecast],
                         "reviews")
    # Each bar labelled by where its bin starts (a bin's range is too wide for a phone).
    stability = bar_chart([(_edge(b), f"{b.label} days", float(b.count), str(b.count))
                           for b in view.stability], "cards", label_width=30, edge_labels=True)
    difficulty = bar_chart([(_edge(b), f"difficulty {b.label}", float(b.count), str(b.count))
                            for b in view.difficulty], "cards", label_width=30, edge_labels=True)
    return PageCharts(heatmap([(d.day, d.reviews) for d in view.year]), reviews, minutes,
                      retention, readiness, forecast, stability, difficulty)
