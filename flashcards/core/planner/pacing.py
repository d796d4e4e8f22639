"""New-card pacing: the days new cards may be introduced on, the room the required and
pinned tasks take first, and how many new cards each day gets of what is left."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flashcards.core.fitting import (
    FittedTask,
    TaskToFit,
    card_room,
    day_task_minutes,
    fit_tasks,
    headroom,
    new_card_reserve,
    new_for_day,
)
from flashcards.core.fsrs_vector import FloatArray
from flashcards.core.planner.data import PlanInput
from flashcards.core.planner.exam import FINAL_WINDOW_DAYS

# Days a new card needs after its first day for one spaced review before the window.
NEW_CARD_LEAD_DAYS = 3


def last_new_day(horizon: int) -> int:
    """The last day a new card may be introduced on (days from today; negative: none)."""
    return horizon - FINAL_WINDOW_DAYS - NEW_CARD_LEAD_DAYS


@dataclass(frozen=True)
class Pacing:
    """The first pass: where the required and pinned tasks go, against the reviews
    already due, and the new cards' pace around them."""

    last_new_day: int
    weights: FloatArray  # each day's share of a usual day (more days than the plan)
    budgets: FloatArray  # minutes per day, plan days only (to the last round)
    fixed: list[TaskToFit]  # the required and pinned tasks
    fixed_fit: dict[int, FittedTask]  # where the first pass put them, by task id
    fixed_minutes: list[int]  # minutes per day that cannot give way to new cards

    def new_cards(self, data: PlanInput, d: int, queue: int, review_minutes: float) -> int:
        """New cards for day `d`, with `queue` left to introduce: an even share of what
        is left, in what the reviews and the tasks that cannot give way leave of the
        budget (optional tasks take the rest). Today's target, once fixed, stands."""
        new_today = 0
        if queue and d <= self.last_new_day:
            cap = data.new_cap - (data.new_done_today if d == 0 else 0)
            spare = card_room(float(self.budgets[d]), self.fixed_minutes[d]) - review_minutes
            new_today = new_for_day(queue, float(self.weights[d]),
                                    float(self.weights[d:self.last_new_day + 1].sum()), cap,
                                    spare, data.seconds_per_new)
        if d == 0 and data.new_today is not None:
            # Today's target was fixed by the day's first plan: it stands all day.
            new_today = max(0, min(data.new_today, queue))
        return new_today


def pace(data: PlanInput, weights: FloatArray, budgets: FloatArray, tasks: Sequence[TaskToFit],
         load: Callable[[int], float]) -> Pacing:
    """Required and pinned tasks are placed first, against the reviews already due
    (`load`: expected reviews per day), keeping an even share of the new cards' minutes
    where they can (they give way where no day holds a required task otherwise); new
    cards are then paced into what they leave."""
    horizon = data.horizon
    new_cards = len(data.cards.new_order)
    last = last_new_day(horizon)
    plan_weights = weights[:horizon + 1].tolist()
    fixed = [t for t in tasks if t.required or t.pinned]
    reserve = new_card_reserve(plan_weights, new_cards, last, data.seconds_per_new,
                               data.seconds_per_review)
    # The headroom of the cards as estimated, as the second pass keeps it of the cards
    # as forecast (else tasks placed here would not fit there).
    first_room = [float(budgets[d]) - load(d) * data.seconds_per_review / 60
                  - data.task_minutes.get(d, 0)
                  - headroom(load(d) * data.seconds_per_review / 60 + reserve[d])
                  for d in range(horizon + 1)]
    fixed_fit = {f.id: f for f in fit_tasks(first_room, fixed, reserve)}
    fixed_minutes = day_task_minutes(list(fixed_fit.values()), horizon + 1)
    for d, minutes in data.task_minutes.items():
        if 0 <= d <= horizon:
            fixed_minutes[d] += minutes
    return Pacing(last, weights, budgets[:data.last_day + 1], fixed, fixed_fit, fixed_minutes)
