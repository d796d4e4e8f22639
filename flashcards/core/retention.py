"""Help me decide: what each desired retention costs and gives.

Pure. Two questions, two sources:

- Until the interview: the plan's own forecast (core.planner.plan), run once per
  desired retention on the same cards, limits and FSRS parameters, with the same seed
  (so rows differ by the retention, not by the dice): minutes a day on cards, the
  busiest day, and predicted recall on interview day.
- After it: the long-term optimum, the retention with the least study time per card
  remembered, from fsrs-rs's simulator (`optimal_retention`), on a collection sized to
  the user's, cached per parameter set and size.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date

import fsrs_rs_python as fsrs_rs
import numpy as np

from flashcards.core.planner import PlanInput, plan

# The rows every table shows; the user's own value is added when it is not one of them.
RETENTIONS = (0.80, 0.83, 0.85, 0.87, 0.90, 0.92, 0.95, 0.97)
# The range the settings accept for the desired (and interview) retention.
MIN_RETENTION = 0.70
MAX_RETENTION = 0.99
# Card states the table's forecasts step through per row (the plan uses 200,000): the
# rows are compared with each other, on common dice, so fewer copies suffice.
TABLE_STATES = 20_000
# The simulated collection for the long-term optimum is scaled down to at most this
# many cards (limits and budget scaled with it): the optimum is a ratio, and fsrs-rs
# takes about 0.25 s here against 2-3 s for 10,000 cards.
OPTIMUM_DECK = 500
OPTIMUM_MIN_DECK = 100
OPTIMUM_SPAN_DAYS = 365


@dataclass(frozen=True, slots=True)
class RetentionRow:
    retention: float
    average_minutes: float  # minutes a day on cards (reviews and new), over the plan
    busiest_minutes: float
    busiest_day: date | None
    recall: float  # mean predicted recall on interview day
    below_target: float  # share of cards predicted below the target on the day
    target: float
    unplaced_new: int  # new cards the budget leaves out
    current: bool


def retentions_with(current: float, choices: Sequence[float] = RETENTIONS) -> list[float]:
    """The table's retentions, lowest first, with `current` among them."""
    values = [round(float(r), 4) for r in choices]
    if not any(abs(r - current) < 1e-9 for r in values):
        values.append(round(current, 4))
    return sorted(set(values))


def table_replicas(cards: int) -> int:
    """Copies of the collection a row's forecast steps through (see TABLE_STATES)."""
    return int(min(32, max(1, TABLE_STATES // max(cards, 1))))


def retention_table(data: PlanInput, current: float, *, seed: int,
                    target: float | None = None,
                    choices: Sequence[float] = RETENTIONS) -> list[RetentionRow]:
    """One forecast per desired retention (`data` as the plan builds it). `target`: the
    recall wanted on interview day; None when it follows the desired retention (the
    user left it empty), so each row's target is its own retention. The same input
    gives the same rows (the dice are seeded): they are kept for TABLE_CACHE inputs,
    so picking a row and coming back costs nothing until a card or a setting changes."""
    retentions = tuple(retentions_with(current, choices))
    key = input_key(data, retentions, seed, target)
    with _LOCK:
        rows = _TABLE_CACHE.get(key)
        if rows is not None:
            _TABLE_CACHE.move_to_end(key)
    if rows is None:
        rows = [_row(data, retention, seed, target) for retention in retentions]
        with _LOCK:
            _TABLE_CACHE[key] = rows
            while len(_TABLE_CACHE) > TABLE_CACHE:
                _TABLE_CACHE.popitem(last=False)
    return [replace(row, current=abs(row.retention - current) < 1e-9) for row in rows]


TABLE_CACHE = 32  # tables kept per process (a few kilobytes each)
_TABLE_CACHE: OrderedDict[str, list[RetentionRow]] = OrderedDict()
_LOCK = threading.Lock()


def input_key(data: PlanInput, retentions: Sequence[float], seed: int,
              target: float | None) -> str:
    """A digest of everything the table's forecasts read: the card arrays, every other
    field of the plan's input (the desired retention, the target and the Monte Carlo
    size aside: each row sets its own), the rows, the seed and the target."""
    digest = hashlib.blake2b(digest_size=20)
    cards = data.cards
    for array in (cards.deck, cards.is_new, cards.stability, cards.difficulty,
                  cards.due_day, cards.last_day, cards.new_order):
        digest.update(str(array.dtype).encode())
        digest.update(np.ascontiguousarray(array).tobytes())
        digest.update(b"|")
    others = [(f.name, getattr(data, f.name)) for f in fields(data)
              if f.name not in ("cards", "model", "target", "replicas")]
    digest.update(repr((others, data.model.w, data.model.maximum_interval, tuple(retentions),
                        seed, target)).encode())
    return digest.hexdigest()


def _row(data: PlanInput, retention: float, seed: int, target: float | None) -> RetentionRow:
    wanted = retention if target is None else target
    forecast = plan(replace(data, model=replace(data.model, desired_retention=retention),
                            target=wanted, replicas=table_replicas(data.cards.count)),
                    np.random.default_rng(seed))
    minutes = [day.review_minutes + day.new_minutes for day in forecast.days]
    busiest = int(np.argmax(minutes)) if minutes else -1
    return RetentionRow(
        retention=retention,
        average_minutes=float(np.mean(minutes)) if minutes else 0.0,
        busiest_minutes=minutes[busiest] if minutes else 0.0,
        busiest_day=forecast.days[busiest].day if minutes else None,
        recall=forecast.mean_recall, below_target=forecast.below_target, target=wanted,
        unplaced_new=forecast.unplaced_new, current=False)


@dataclass(frozen=True, slots=True)
class Optimum:
    retention: float
    # Study seconds per card remembered at the end of the simulated year, at the optimum
    # and at the user's current desired retention.
    cost_at_optimum: float
    cost_at_current: float

    @property
    def extra_at_current(self) -> float:
        """How much more time per card remembered the current value costs (0.25: 25%)."""
        if self.cost_at_optimum <= 0:
            return 0.0
        return max(self.cost_at_current / self.cost_at_optimum - 1, 0.0)


@dataclass(frozen=True, slots=True)
class Habits:
    """The collection and limits the long-term simulation assumes: the user's."""

    cards: int
    new_per_day: int
    max_reviews_per_day: int
    daily_minutes: int


def scaled(habits: Habits, most: int = OPTIMUM_DECK) -> Habits:
    """`habits` for a collection of at most `most` cards, limits scaled alike, and of at
    least OPTIMUM_MIN_DECK (a handful of cards would make the optimum a coin toss)."""
    if habits.cards < OPTIMUM_MIN_DECK:
        return replace(habits, cards=OPTIMUM_MIN_DECK)
    if habits.cards <= most:
        return habits
    k = habits.cards / most
    return Habits(most, max(1, round(habits.new_per_day / k)),
                  max(1, round(habits.max_reviews_per_day / k)),
                  max(1, round(habits.daily_minutes / k)))


def simulator_config(habits: Habits, span: int = OPTIMUM_SPAN_DAYS) -> fsrs_rs.SimulatorConfig:
    """fsrs-rs's default simulator (Anki's answer costs and button shares) with the
    user's collection size, daily limits and budget."""
    base = fsrs_rs.default_simulator_config()
    return fsrs_rs.SimulatorConfig(
        max(habits.cards, 1), span, float(max(habits.daily_minutes, 1) * 60), base.max_ivl,
        base.first_rating_prob, base.review_rating_prob, max(habits.new_per_day, 1),
        max(habits.max_reviews_per_day, 1), base.new_cards_ignore_review_limit,
        base.learning_step_transitions, base.relearning_step_transitions,
        base.state_rating_costs, base.learning_step_count, base.relearning_step_count)


def _cost_per_card(parameters: Sequence[float], retention: float,
                   config: fsrs_rs.SimulatorConfig) -> float:
    result = fsrs_rs.simulate(list(parameters), retention, config, 42)
    remembered = result.memorized_cnt_per_day[-1] if result.memorized_cnt_per_day else 0.0
    return sum(result.cost_per_day) / remembered if remembered > 0 else 0.0


@functools.lru_cache(maxsize=64)
def long_term_optimum(parameters: tuple[float, ...], habits: Habits,
                      current: float) -> Optimum:
    """The desired retention with the least study time per card remembered over a
    year of these habits (fsrs-rs's optimal_retention), and what the current value
    costs against it. Cached per parameters, habits and current value."""
    config = simulator_config(scaled(habits))
    best = round(float(fsrs_rs.optimal_retention(config, list(parameters))), 2)
    best = min(max(best, MIN_RETENTION), MAX_RETENTION)
    return Optimum(best, _cost_per_card(parameters, best, config),
                   _cost_per_card(parameters, current, config))
