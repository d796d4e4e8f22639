"""The preparation plan: forecast, new-card pacing, exam mode and task placement.

Pure: card states come in as arrays, days are whole numbers counted from today
(day 0), randomness comes from a seeded generator, and nothing here reads a clock.

One job per module:
- `data`: what the plan takes in (CardArrays, PlanInput) and gives back (Plan, PlanDay);
- `forecast`: `plan()`, the steps from the cards and tasks to the plan;
- `simulation`: the Monte Carlo state (ForecastState) and its review, introduce and
  reschedule steps;
- `pacing`: how many new cards each day gets, around the tasks that cannot move;
- `exam`: exam mode (`exam_due_day`), shared with the live scheduler;
- `easy_days`: the budget per weekday (and the Easy Days factors it absorbed);
- `tasks`: placing tasks in their plan weeks (`place_tasks`);
- `limits`: the interview dates' (every round's) and the budget's limits.
"""

from flashcards.core.planner.data import (
    DEFAULT_SECONDS_PER_NEW,
    DEFAULT_SECONDS_PER_REVIEW,
    CardArrays,
    Plan,
    PlanDay,
    PlanInput,
)
from flashcards.core.planner.easy_days import (
    MAX_WEEKDAY_MINUTES,
    NEW_USER_WEEKDAY_MINUTES,
    SAME_EVERY_DAY,
    WEEKDAYS,
    budget_factor,
    budget_words,
    format_weekday_minutes,
    parse_weekday_minutes,
    weekday_budgets,
)
from flashcards.core.planner.exam import FINAL_WINDOW_DAYS, exam_due_day
from flashcards.core.planner.forecast import REVIEWS_PER_NEW_CARD, plan
from flashcards.core.planner.limits import (
    MAX_BUDGET_MINUTES,
    MAX_PLAN_DAYS,
    MAX_ROUNDS,
    MIN_BUDGET_MINUTES,
    interview_date_problem,
    later_rounds_problems,
    plan_end,
    task_day_problem,
)
from flashcards.core.planner.pacing import NEW_CARD_LEAD_DAYS
from flashcards.core.planner.simulation import FIRST_SIGHT_AGAIN, MONTE_CARLO_STATES
from flashcards.core.planner.tasks import PLAN_WEEKS, TaskToPlace, place_tasks, week_days

__all__ = [
    "DEFAULT_SECONDS_PER_NEW",
    "DEFAULT_SECONDS_PER_REVIEW",
    "FINAL_WINDOW_DAYS",
    "FIRST_SIGHT_AGAIN",
    "MAX_BUDGET_MINUTES",
    "MAX_PLAN_DAYS",
    "MAX_ROUNDS",
    "MAX_WEEKDAY_MINUTES",
    "MIN_BUDGET_MINUTES",
    "MONTE_CARLO_STATES",
    "NEW_CARD_LEAD_DAYS",
    "PLAN_WEEKS",
    "REVIEWS_PER_NEW_CARD",
    "NEW_USER_WEEKDAY_MINUTES",
    "SAME_EVERY_DAY",
    "WEEKDAYS",
    "CardArrays",
    "Plan",
    "PlanDay",
    "PlanInput",
    "TaskToPlace",
    "budget_factor",
    "budget_words",
    "format_weekday_minutes",
    "parse_weekday_minutes",
    "weekday_budgets",
    "exam_due_day",
    "interview_date_problem",
    "later_rounds_problems",
    "place_tasks",
    "plan",
    "plan_end",
    "task_day_problem",
    "week_days",
]
