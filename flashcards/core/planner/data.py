"""What the plan takes in (every card's state and the user's settings) and what it gives
back (each day's load, the recall on interview day, the tasks as fitted, the fixes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flashcards.core.budgets import WeekBudgets
from flashcards.core.fitting import SLACK, Change, FittedTask, TaskWeeks
from flashcards.core.fixes import Fixes
from flashcards.core.fsrs_vector import BoolArray, FloatArray, FsrsModel, IntArray
from flashcards.core.planner.limits import MAX_PLAN_DAYS

DEFAULT_SECONDS_PER_REVIEW = 12.0
DEFAULT_SECONDS_PER_NEW = 40.0


@dataclass(frozen=True)
class CardArrays:
    """Every card's state. Days count from today (0); new cards come first-to-introduce
    first among themselves (`order`)."""

    deck: IntArray
    is_new: BoolArray
    stability: FloatArray
    difficulty: FloatArray
    due_day: IntArray
    last_day: IntArray
    new_order: IntArray  # indices of new cards, in the order they are introduced

    @property
    def count(self) -> int:
        return int(self.deck.shape[0])


@dataclass(frozen=True)
class PlanInput:
    today: date
    interview: date
    cards: CardArrays
    deck_names: Sequence[str]
    model: FsrsModel
    target: float
    budget_minutes: int
    new_cap: int = 20
    max_reviews: int = 200
    seconds_per_review: float = DEFAULT_SECONDS_PER_REVIEW
    seconds_per_new: float = DEFAULT_SECONDS_PER_NEW
    # Minutes that cannot move, by day (tasks not given to the fitting as `tasks`).
    task_minutes: dict[int, int] = field(default_factory=dict)
    new_done_today: int = 0
    reviews_done_today: int = 0
    # Today's new cards when the day's target is already fixed (what is left of it);
    # None: the plan decides, as it does for the following days.
    new_today: int | None = None
    # The tasks to fit into the budget with the cards (see core.fitting), and the first
    # day of the plan their weeks count from (None: today).
    tasks: Sequence[TaskWeeks] = ()
    plan_start: date | None = None
    # Copies of the collection the Monte Carlo forecast steps through; None: as many
    # as fit MONTE_CARLO_STATES card states (at most 32). Fewer answer sooner, noisier.
    replicas: int | None = None
    # Exam mode's share of the stability the user's answers bear out (exam_due_day).
    stability_factor: float = 1.0
    # Minutes each weekday holds (Monday first); None: budget_minutes on every day.
    weekday_minutes: tuple[float, ...] | None = None
    # The dates of the interview's later rounds (after `interview`, the first), if any.
    later_rounds: tuple[date, ...] = ()

    @property
    def horizon(self) -> int:
        """The interview's day, counted from today (0 when it is today or past)."""
        return max((self.interview - self.today).days, 0)

    def week(self) -> WeekBudgets:
        """Each weekday's budget: `weekday_minutes`, else the daily budget every day."""
        minutes = self.weekday_minutes or (float(self.budget_minutes),) * 7
        return WeekBudgets.from_minutes(self.budget_minutes, minutes, self.today.weekday())

    @property
    def round_days(self) -> tuple[int, ...]:
        """The later rounds' days, counted from today: those after the first round and
        within MAX_PLAN_DAYS (a date stored before the limit must not size the work)."""
        return tuple(sorted({(day - self.today).days for day in self.later_rounds
                             if self.horizon < (day - self.today).days <= MAX_PLAN_DAYS}))

    @property
    def last_day(self) -> int:
        """The last day the forecast steps through, counted from today: the last round
        (the first, without later ones)."""
        return max((self.horizon, *self.round_days))


@dataclass(frozen=True)
class PlanDay:
    day: date
    reviews: float  # spaced reviews (a lapse and its relearning step count twice)
    new: int
    answers: float  # every grade expected: reviews plus new cards' learning steps
    review_minutes: float
    new_minutes: float
    task_minutes: int
    budget: float

    @property
    def minutes(self) -> float:
        return self.review_minutes + self.new_minutes + self.task_minutes

    @property
    def over_budget(self) -> bool:
        return self.minutes > self.budget + SLACK


@dataclass(frozen=True)
class Plan:
    days: list[PlanDay]
    recall_by_deck: dict[str, float]
    mean_recall: float
    below_target: float  # share of cards predicted below target on interview day
    unplaced_new: int
    last_new_day: date | None
    interview: date
    target: float
    # What the budget did to tasks and cards (see core.fitting), in the input's order.
    tasks: list[FittedTask] = field(default_factory=list)
    # Mean predicted recall on the day had every new card fitted (unplaced ones at the
    # recall of those that did): what the cards that do not fit cost.
    recall_if_all_fit: float = 1.0
    fixes: Fixes | None = None
    # The mean predicted recall on each round's day (the first round's is mean_recall),
    # as (date, recall), the rounds in order; empty without later rounds.
    round_recall: tuple[tuple[date, float], ...] = ()

    @property
    def lowest_round_recall(self) -> tuple[int, float] | None:
        """The round (1 = the first) with the lowest mean predicted recall, and that
        recall; None without later rounds."""
        if not self.round_recall:
            return None
        return min(((k + 1, recall) for k, (_, recall) in enumerate(self.round_recall)),
                   key=lambda item: (item[1], item[0]))

    @property
    def days_over(self) -> list[PlanDay]:
        return [d for d in self.days if d.over_budget]

    @property
    def recall_cost(self) -> float:
        return max(self.recall_if_all_fit - self.mean_recall, 0.0)

    def changed_tasks(self, change: Change) -> list[FittedTask]:
        return [t for t in self.tasks if t.change == change]

    def day(self, when: date) -> PlanDay | None:
        return next((d for d in self.days if d.day == when), None)
