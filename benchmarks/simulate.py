"""A simulated candidate follows the plan with the bundled decks, in five scenarios run
side by side (issue 12): (30 days, 60 min), (14 days, 30 min), (10 days, 30 min),
(10 days, 30 min, plus 500 imported cards), (45 days, 45 min, 23 min at weekends).

Each seed starts a fresh database (migrated, bundled decks seeded, plan started), then
lives through every study day up to the interview: it opens the app (which plans the
day, as the first visit does), and reviews every card the app shows until nothing is
left, through the same services the web pages call. It recalls a review card with
FSRS's own probability (the card's retrievability at that moment); a brand-new card is
failed on first sight with the forecast's FIRST_SIGHT_AGAIN rate; learning steps are
passed. It answers a card in SECONDS_PER_REVIEW seconds, so the clock moves.

Reported per scenario (medians over the seeds): days over budget, minutes planned
against the budget (the first day's plan), tasks dropped / shortened / split / moved by
the plan, the forecast error of each morning's plan, predicted and simulated recall on
interview day. Goals: no day over budget unless required tasks alone exceed it, each
morning's MAPE <= 10%, and simulated recall on the day >= the target in (30, 60) and
(14, 30).

Reported, per seed, for the default scenario (--scenario 30,60):
  - forecast vs actual reviews per day (every answer, learning steps included), as the
    mean absolute percentage error over the days with reviews (goal <= 10%), for two
    forecasts: the 30-day plan made on the first day, and each morning's plan for that
    day (what the plan page and the home page show the candidate); with 3+ seeds, also
    the noise floor of a day-one forecast (each seed forecast by the mean of the others'
    actual days), since one candidate's 30 days are one roll of the dice;
  - days over budget: the time the candidate spent on cards (every answer, learning
    steps included, at SECONDS_PER_REVIEW) plus the tasks the morning's plan held;
  - recall on interview day: mean predicted recall of every card (goal >= the desired
    retention) and the share of cards below it.

    .venv/bin/python benchmarks/simulate.py [--seeds 3] [--scenario DAYS,MINUTES[,EASY[,EXTRA]]]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import fsrs_rs_python as fsrs_rs  # noqa: E402
import numpy as np  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from flashcards import create_app  # noqa: E402
from flashcards.core.planner import FIRST_SIGHT_AGAIN  # noqa: E402
from flashcards.core.scheduling import (  # noqa: E402
    DEFAULT_PARAMETERS,
    CardState,
    Rating,
    Scheduler,
    SchedulerConfig,
)
from flashcards.maintenance.bootstrap import setup_database  # noqa: E402
from flashcards.models import Card, Deck, ReviewLog  # noqa: E402
from flashcards.services import optimizer, plans, study  # noqa: E402
from flashcards.services.settings import get_settings, scheduler_config  # noqa: E402

SECONDS_PER_REVIEW = 12


@dataclass(frozen=True)
class Scenario:
    days: int
    minutes: int
    # Monday..Sunday minutes, blank for `minutes` (Settings.weekday_minutes).
    weekday_minutes: str = ",,,,,,"
    extra_cards: int = 0  # imported on top of the bundled decks
    # The learner's true stability as a share of what FSRS-6's default parameters
    # believe (1.0: the learner the defaults describe), and whether the app learns
    # from the answers as they come in (the optimiser, weekly, as the app runs it).
    scale: float = 1.0
    learning: bool = False

    @property
    def name(self) -> str:
        shorter = sum(1 for c in self.weekday_minutes.split(",") if c)
        return (f"({self.days} days, {self.minutes} min"
                + (f", {shorter} days of their own" if shorter else "")
                + (f", +{self.extra_cards} cards" if self.extra_cards else "")
                + (f", learner at {self.scale:.0%}" if self.scale != 1.0 else "")
                + (", learning" if self.learning else "") + ")")


SCENARIOS = [Scenario(30, 60), Scenario(14, 30), Scenario(10, 30),
             Scenario(10, 30, extra_cards=500), Scenario(45, 45, weekday_minutes=",,,,,23,23")]
# Recall on the day is a goal in these (the others are short on purpose).
RECALL_GOAL = {(30, 60), (14, 30)}


def import_cards(session, count: int, now: datetime) -> None:
    """`count` new cards in a deck of their own, as an import leaves them."""
    deck = Deck(user_id=1, name="Imported", description="", created_at=now)
    session.add(deck)
    session.flush()
    session.add_all(Card(user_id=1, deck_id=deck.id, guid=f"imported-{i}", kind="basic",
                         front=f"Imported front {i}", back=f"Imported back {i}", tags="",
                         source="simulate", position=100_000 + i, created_at=now)
                    for i in range(count))


class Truth:
    """The learner's memory: FSRS-6 with its default parameters run on the learner's own
    answers, the stability scaled by `scale`. At 1.0 the learner is what the app's
    defaults describe, and the card's stored schedule is read instead (`exact`)."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.exact = scale == 1.0
        self.model = fsrs_rs.FSRS(list(DEFAULT_PARAMETERS))
        self.cards: dict[int, tuple[object, datetime, date]] = {}

    def recall(self, card_id: int, now: datetime) -> float:
        known = self.cards.get(card_id)
        if known is None:
            return 0.0
        state, last, _ = known
        elapsed = max((now - last).total_seconds() / 86400, 0.0)
        stability = self.scale * state.stability  # type: ignore[attr-defined]
        return float((1 + FACTOR * elapsed / stability) ** DECAY)

    def answer(self, card_id: int, rating: int, now: datetime, day: date) -> None:
        known = self.cards.get(card_id)
        state, elapsed = (None, 0) if known is None else (known[0], (day - known[2]).days)
        step = self.model.next_states(state, 0.9, elapsed)
        chosen = (step.again, step.hard, step.good, step.easy)[rating - 1]
        self.cards[card_id] = (chosen.memory, now, day)


DECAY = -DEFAULT_PARAMETERS[20]
FACTOR = 0.9 ** (1 / DECAY) - 1


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def run(seed: int, scenario: Scenario = SCENARIOS[0]) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="fc-simulate-"))
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    clock = Clock(start)
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'sim.sqlite3'}",
                      "SECRET_KEY": "sim", "CLOCK": clock})
    truth = Truth(scenario.scale)
    setup_database(app)
    maker = app.extensions["flashcards.sessionmaker"]
    learner = random.Random(seed)
    fuzz = random.Random(seed + 1000)
    with maker(info={"user_id": 1}) as session:
        settings = get_settings(session)
        settings.timezone = "UTC"
        settings.interview_date = start.date() + timedelta(days=scenario.days)
        settings.daily_minutes = scenario.minutes
        settings.weekday_minutes = scenario.weekday_minutes
        if scenario.extra_cards:
            import_cards(session, scenario.extra_cards, start)
        session.commit()
        first = plans.plan_and_save(session, clock(), np.random.default_rng(seed))
        session.commit()
        forecast = {d.day: d.answers for d in first.plan.days}
        forecast_new = {d.day: d.new for d in first.plan.days}
        interview = first.interview
        pressure = plans.pressure(first)
        planned_minutes = sum(d.minutes for d in first.plan.days)
        budget_minutes = sum(d.budget for d in first.plan.days)
        required_over = sum(1 for d in first.plan.days if d.over_budget)
        predicted = first.plan.mean_recall
        config = scheduler_config(get_settings(session))
    scheduler = Scheduler(SchedulerConfig(desired_retention=config.desired_retention))
    actual: dict = {}
    day_ahead: dict = {}
    mornings: dict = {}  # each morning's forecast of every day to the interview
    actual_new: dict = {}
    scored: list[tuple[int, float, bool]] = []  # (day, app's predicted recall, recalled)
    first_adopted = first_optimised = None
    fits: list[str] = []  # each run of the optimiser (or calibration), in words
    over = 0
    tasks_done = 0
    day = start
    while True:
        clock.now = day
        with maker(info={"user_id": 1}) as session:
            # The morning visit: the app plans the day (as plans.pace_day does on a new
            # study day); its forecast for today is what the plan page shows. With
            # learning on, it first runs the optimiser when due (weekly), as home does.
            if scenario.learning:
                outcome = optimizer.auto_optimise(session, clock())
                session.commit()
                if outcome is not None and outcome.fit.log_loss_before is not None:
                    fit = outcome.fit
                    fits.append(f"day {(day - start).days}: {fit.reviews_used} items, "
                                f"log loss {fit.log_loss_before:.4f} -> "
                                f"{fit.log_loss_after:.4f}, "
                                f"{'adopted' if fit.adopted else 'kept'}")
                if outcome is not None and outcome.record is not None \
                        and outcome.record.adopted:
                    # The candidate agrees to reschedule with the new parameters.
                    optimizer.reschedule(session, clock())
                    session.commit()
                    if first_adopted is None:
                        first_adopted = (day - start).days
                    if first_optimised is None and \
                            outcome.fit.reviews_used >= optimizer.MIN_ITEMS:
                        first_optimised = (day - start).days
            morning = plans.plan_and_save(session, clock(), np.random.default_rng(seed))
            session.commit()
            today = study.day_allowance(session, clock())
            app_scheduler = Scheduler(scheduler_config(get_settings(session)))
            mornings[today.day.date] = {d.day: d.answers for d in morning.plan.days}
            if morning.plan.days:
                day_ahead[today.day.date] = morning.plan.days[0].answers
                budget_today = morning.plan.days[0].budget
            else:
                budget_today = 0.0
            if today.day.date > interview:
                break
            reviews = new = 0
            while True:
                today = study.day_allowance(session, clock())
                card = study.next_card(session, today)
                if card is None:
                    break
                if card.due is not None and card.due > clock.now:
                    clock.now = card.due  # a card due later today: its time comes
                if card.state == CardState.NEW:
                    rating = Rating.AGAIN if learner.random() < FIRST_SIGHT_AGAIN else Rating.GOOD
                    new += 1
                elif card.state == CardState.REVIEW:
                    recall = (scheduler.retrievability(card.id, card.schedule, clock())
                              if truth.exact else truth.recall(card.id, clock()))
                    rating = Rating.GOOD if learner.random() < recall else Rating.AGAIN
                    # What the app predicted for this answer, for the log loss.
                    predicted_by_app = app_scheduler.retrievability(card.id, card.schedule,
                                                                    clock())
                    scored.append(((day - start).days, predicted_by_app,
                                   rating != Rating.AGAIN))
                else:
                    rating = Rating.GOOD
                study.grade(session, card.id, card.version, rating, clock(),
                            duration_ms=SECONDS_PER_REVIEW * 1000, rng=fuzz)
                session.commit()
                truth.answer(card.id, int(rating), clock(), today.day.date)
                reviews += 1
                clock.now += timedelta(seconds=SECONDS_PER_REVIEW)
            actual[today.day.date] = reviews
            actual_new[today.day.date] = new
            # The tasks: the candidate works each part the morning's plan holds today
            # and ticks it (a task split over days is ticked off one part a day).
            task_today = 0
            for views in morning.tasks.values():
                for view in views:
                    part = sum(m for d, m in view.parts if d == today.day.date)
                    if not part or view.task.done_at is not None:
                        continue
                    task_today += min(part, view.task.minutes_left)
                    task = plans.set_done(session, view.task.id, True, clock())
                    tasks_done += task.done_at is not None
                    session.commit()
            # The time the candidate spent: every answer takes SECONDS_PER_REVIEW.
            minutes = reviews * SECONDS_PER_REVIEW / 60 + task_today
            if minutes > budget_today + 0.5:
                over += 1
            if "--verbose" in sys.argv:
                planned = morning.plan.days[0] if morning.plan.days else None
                print(f"{today.day.date}: spent {minutes:.1f} min ({reviews} answers, {new} new,"
                      f" tasks {task_today}) of {budget_today:.0f}; planned "
                      f"{planned.minutes if planned else 0:.1f}")
        day += timedelta(days=1)
    # Recall on interview day, at the start of the day.
    at = datetime.combine(interview, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
    with maker(info={"user_id": 1}) as session:
        cards = session.execute(select(Card)).scalars().all()
        recall = [scheduler.retrievability(c.id, c.schedule, at) if truth.exact
                  else truth.recall(c.id, at) for c in cards]
        total_reviews = session.execute(select(func.count()).select_from(ReviewLog)).scalar_one()
    target = config.desired_retention
    errors = [abs(forecast[d] - a) / a for d, a in actual.items() if a and d in forecast]
    ahead = [abs(day_ahead[d] - a) / a for d, a in actual.items() if a and d in day_ahead]
    # Interview day apart: the study queue's new cards there do not follow the plan
    # (it plans none; the queue falls back to the daily new-card limit).
    before = [abs(day_ahead[d] - a) / a for d, a in actual.items()
              if a and d in day_ahead and d < interview]
    # Each morning's forecast of the days left (today to the interview) against what
    # happened, as the plan page shows it that morning: the mean over the mornings.
    rolling = []
    for morning_day, ahead_days in mornings.items():
        errs = [abs(ahead_days[d] - a) / a for d, a in actual.items()
                if a and d >= morning_day and d in ahead_days]
        if errs:
            rolling.append(statistics.mean(errs))
            if "--verbose" in sys.argv:
                print("morning", morning_day, f"{statistics.mean(errs):.3f}",
                      " ".join(f"{ahead_days[d]:.0f}/{a}" for d, a in sorted(actual.items())
                               if d >= morning_day and d in ahead_days))
    if "--verbose" in sys.argv:
        for d, a in sorted(actual.items()):
            print(d, round(forecast.get(d, 0), 1), a, forecast_new.get(d), actual_new.get(d))
    return {"mape": statistics.mean(errors) if errors else 0.0,
            "mape_day": statistics.mean(ahead) if ahead else 0.0, "over": over,
            "mape_before": statistics.mean(before) if before else 0.0,
            "mape_rolling": statistics.mean(rolling) if rolling else 0.0,
            "days": len(actual), "recall": statistics.mean(recall),
            "below": sum(r < target for r in recall) / len(recall), "target": target,
            "reviews": total_reviews, "actual": actual, "planned_minutes": planned_minutes,
            "budget_minutes": budget_minutes, "planned_over": required_over,
            "dropped": len(pressure.dropped), "shortened": len(pressure.shortened),
            "split": len(pressure.split), "moved": len(pressure.moved),
            "unplaced_new": pressure.unplaced_new, "predicted": predicted,
            "tasks_done": tasks_done, "scored": scored, "first_adopted": first_adopted,
            "first_optimised": first_optimised, "fits": fits,
            "card_minutes": total_reviews * SECONDS_PER_REVIEW / 60}


def noise_floor(results: list[dict]) -> float | None:
    """The 30-day forecast's floor: the median MAPE that the best day-one forecast
    could reach, estimated by forecasting each seed with the mean of the other seeds'
    actual days (leave one out). Below it, a forecast would be predicting the dice."""
    if len(results) < 3:
        return None
    floors = []
    for i, result in enumerate(results):
        others = [r["actual"] for j, r in enumerate(results) if j != i]
        errors = [abs(statistics.mean(o.get(d, 0) for o in others) - a) / a
                  for d, a in result["actual"].items() if a]
        floors.append(statistics.mean(errors))
    return statistics.median(floors)


def parse_scenario(text: str) -> Scenario:
    parts = text.split(",")
    return Scenario(int(parts[0]), int(parts[1]), parts[2] if len(parts) > 2 else "nnnnnnn",
                    int(parts[3]) if len(parts) > 3 else 0)


def side_by_side(seeds: int, scenarios: list[Scenario]) -> bool:
    """Every scenario over `seeds` seeds; prints one row each and the goal checks."""
    rows = []
    ok = True
    for scenario in scenarios:
        results = [run(seed, scenario) for seed in range(1, seeds + 1)]

        def median(key: str, results: list[dict] = results) -> float:
            return statistics.median(r[key] for r in results)

        row = {key: median(key) for key in (
            "over", "planned_over", "planned_minutes", "budget_minutes", "dropped",
            "shortened", "split", "moved", "unplaced_new", "mape_day", "mape_before",
            "predicted", "recall", "target")}
        row["days"] = results[0]["days"]
        rows.append((scenario, row))
        goals = [row["over"] == 0 or row["planned_over"] > 0, row["mape_day"] <= 0.10]
        if (scenario.days, scenario.minutes) in RECALL_GOAL:
            goals.append(row["recall"] >= row["target"])
        row["ok"] = all(goals)
        ok = ok and row["ok"]
    header = (f"{'scenario':<34} {'over':>6} {'plan over':>9} {'planned/budget min':>19} "
              f"{'dropped/short/split/moved':>25} {'new unfit':>9} {'MAPE':>6} {'w/o D':>6} "
              f"{'recall pred':>11} {'recall sim':>10} {'target':>6}  goals")
    print(header)
    for scenario, row in rows:
        print(f"{scenario.name:<34} {row['over']:>4.0f}/{row['days']:<1} "
              f"{row['planned_over']:>9.0f} "
              f"{row['planned_minutes']:>9.0f}/{row['budget_minutes']:<9.0f} "
              f"{row['dropped']:>9.0f}/{row['shortened']:.0f}/{row['split']:.0f}/"
              f"{row['moved']:<10.0f} {row['unplaced_new']:>9.0f} {row['mape_day']:>6.1%} "
              f"{row['mape_before']:>6.1%} "
              f"{row['predicted']:>11.1%} {row['recall']:>10.1%} {row['target']:>6.0%}  "
              f"{'ok' if row['ok'] else 'MISSED'}")
    print("over: days over budget as studied (every answer at SECONDS_PER_REVIEW plus the "
          "task parts worked that day); plan over: days over in the first day's plan "
          "(allowed only where reviews and required tasks alone exceed the budget); "
          "dropped/short/split/moved: tasks in the first day's plan; MAPE: each morning's "
          "plan for that day against the answers given (goal <= 10%), w/o D: the same "
          "without interview day; recall goal (>= target) in "
          f"{sorted(RECALL_GOAL)}.")
    return ok


def log_loss(scored: list[tuple[int, float, bool]], from_day: int) -> float | None:
    """Mean log loss of the app's predicted recall over the review answers from
    `from_day` on."""
    import math

    chosen = [(p, hit) for day, p, hit in scored if day >= from_day]
    if not chosen:
        return None
    eps = 1e-6
    return statistics.mean(-math.log(min(max(p, eps), 1 - eps) if hit
                                     else 1 - min(max(p, eps), 1 - eps)) for p, hit in chosen)


def misspecified(seeds: int, scale: float = 0.45, from_day: int = 14) -> bool:
    """A learner whose true stability is `scale` times what the defaults believe, with
    and without the app learning from the answers (calibration, the optimiser, and exam
    mode's check of the model against the answers), beside the learner the defaults
    describe. Goal (issue 14): with learning, <= 5% of cards below the target on the
    day, the error of each morning's forecast of the days left <= 10% (the mean over
    the mornings), at no more than 15% more minutes than without.

    Three seeds are few here: the app's learning takes each seed its own way (which
    day calibration and the optimiser adopt, and what they learn). Over seeds 1-8
    the medians were 1.3% below target (worst 10.1%), 15.8% for the mornings' forecast
    and +17.8% minutes (221 against 188), where seeds 1-3 give 0.6%, 12.9% and +13.1%.
    The first mornings cannot know the learner yet (no review answers), and the
    parameters keep changing while calibration and the optimiser learn: each morning's
    forecast of the days left is off by about 20% for the first one to two weeks, and
    by 10 to 15% after."""
    rows = []
    for scenario in (Scenario(30, 60), Scenario(30, 60, scale=scale),
                     Scenario(30, 60, scale=scale, learning=True)):
        results = [run(seed, scenario) for seed in range(1, seeds + 1)]
        losses = [log_loss(r["scored"], from_day) for r in results]
        adopted = [r["first_adopted"] for r in results if r["first_adopted"] is not None]
        optimised = [r["first_optimised"] for r in results
                     if r["first_optimised"] is not None]
        if scenario.learning:
            for seed, r in enumerate(results, 1):
                print(f"seed {seed}: below {r['below']:.1%}, MAPE day 1 {r['mape']:.1%}, "
                      f"mornings {r['mape_rolling']:.1%}, {r['card_minutes']:.0f} min; "
                      + "; ".join(r["fits"]))
        rows.append((scenario, {
            "below": statistics.median(r["below"] for r in results),
            "recall": statistics.median(r["recall"] for r in results),
            "mape": statistics.median(r["mape"] for r in results),
            "mape_day": statistics.median(r["mape_day"] for r in results),
            "mape_rolling": statistics.median(r["mape_rolling"] for r in results),
            "minutes": statistics.median(r["card_minutes"] for r in results),
            "log_loss": statistics.median(x for x in losses if x is not None),
            "adopted": f"day {statistics.median(adopted):.0f}" if adopted else "-",
            "optimised": (f"day {statistics.median(optimised):.0f} ({len(optimised)}/"
                          f"{len(results)})" if optimised else "-")}))
    print(f"{'learner':<44} {'below target':>12} {'recall':>7} {'MAPE day 1':>10} "
          f"{'MAPE mornings':>13} {'MAPE today':>10} {'card min':>8} "
          f"{f'log loss d{from_day}+':>14} {'adopted':>8} {'optimised':>12}")
    for scenario, row in rows:
        print(f"{scenario.name:<44} {row['below']:>12.1%} {row['recall']:>7.1%} "
              f"{row['mape']:>10.1%} {row['mape_rolling']:>13.1%} {row['mape_day']:>10.1%} "
              f"{row['minutes']:>8.0f} {row['log_loss']:>14.4f} {row['adopted']:>8} "
              f"{row['optimised']:>12}")
    print("MAPE day 1: the first morning's forecast of every day to the interview against "
          "the answers given; MAPE mornings: each morning's forecast of the days left, "
          "the mean over the mornings (the forecast error of the goal); MAPE today: each "
          "morning's forecast of that day alone. adopted: the first day new parameters "
          "were adopted (calibration or the optimiser); optimised: the first day the "
          "optimiser's were (median, and in how many seeds).")
    without, learning = rows[1][1], rows[2][1]
    extra = learning["minutes"] / without["minutes"] - 1
    print(f"with learning against without: {extra:+.1%} minutes, log loss "
          f"{without['log_loss']:.4f} -> {learning['log_loss']:.4f}")
    ok = learning["below"] <= 0.05 and learning["mape_rolling"] <= 0.10 and extra <= 0.15
    print("goals (with learning): <= 5% below target, MAPE mornings <= 10%, <= 15% extra "
          f"minutes: {'met' if ok else 'MISSED'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--verbose", action="store_true", help="print forecast and actual per day")
    parser.add_argument("--scenario", type=parse_scenario, default=None,
                        help="one scenario in detail, per seed: DAYS,MINUTES[,EASY[,EXTRA]]")
    parser.add_argument("--misspecified", type=float, nargs="?", const=0.45, default=None,
                        metavar="SCALE", help="a learner whose true stability is SCALE "
                        "(default 0.45) of what the defaults believe, with and without "
                        "the app learning from the answers")
    args = parser.parse_args()
    if args.misspecified is not None:
        ok = misspecified(args.seeds, args.misspecified)
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    if args.scenario is None:
        ok = side_by_side(args.seeds, SCENARIOS)
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    results = []
    for seed in range(1, args.seeds + 1):
        result = run(seed, args.scenario)
        results.append(result)
        print(f"seed {seed}: forecast error (MAPE) of the first day's 30-day plan "
              f"{result['mape']:.1%}, of each morning's plan for the day "
              f"{result['mape_day']:.1%}, days over budget "
              f"{result['over']}/{result['days']}, recall on interview day "
              f"{result['recall']:.1%} (below {result['target']:.0%}: {result['below']:.1%}), "
              f"{result['reviews']} reviews")
    mape = statistics.median(r["mape"] for r in results)
    mape_day = statistics.median(r["mape_day"] for r in results)
    recall = statistics.median(r["recall"] for r in results)
    below = statistics.median(r["below"] for r in results)
    over = statistics.median(r["over"] for r in results)
    target = results[0]["target"]
    print(f"\nMedian of {len(results)} seeds: MAPE of the 30-day plan {mape:.1%}, of each "
          f"morning's plan {mape_day:.1%} (goal <= 10%), days over budget "
          f"{over:.0f}, recall on interview day {recall:.1%} (goal >= {target:.0%}), "
          f"{below:.1%} of cards below it")
    floor = noise_floor(results)
    if floor is not None:
        print(f"Noise floor of a day-one forecast (each seed forecast by the mean of the "
              f"others' actual days): MAPE {floor:.1%}")
    ok = min(mape, mape_day) <= 0.10 and recall >= target
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
