"""The 30-day plan for a 100k-card collection: our NumPy forecast against the same
forecast computed card by card with fsrs.Scheduler.review_card.

Builds a 100,000-card SQLite collection in mixed states (the review-latency
benchmark's builder), then, several times each:

  ours:     plans.build_plan, database load included (cards, tasks, review log), i.e.
            what /plan and `flask plan` cost;
  baseline: the same day-by-day forecast for the same cards (and as many simulated
            copies of the collection as our Monte Carlo uses), one fsrs.Card at a time,
            database load included as for ours (every card read through the ORM): each
            due card reviewed with fsrs.Scheduler.review_card (recalled with FSRS's own
            probability), the plan's new cards introduced on the plan's days.

Goals (issue 5): ours median <= 0.3 s, and baseline / ours >= 20.

With --grid (issue 23, point 7): the pages that plan, over the budgets and runways a
candidate may choose. For each budget (10 to 600 min a day) and runway (1 to 365 days to
the interview), a fresh SQLite app with the bundled decks seeded (as on a first start;
the clock fixed at a Monday afternoon), settings set directly; then through the Flask
test client: Today (`GET /`) once (the study day's first visit, which plans; in a fresh
app it also compiles the templates and SQL statements, once per process), `--loads`
more times, then `GET /plan` once and `--loads` more times (a reload with nothing
changed: the process's stored plan, services.plans.cached_plan), then `--cold-loads`
times with the stored plans emptied first (what a load costs after any change: an
answer, a setting, another day). Prints each cell's median
and p95 (wall time of the test client's request, template included), the worst cell and
its ratio to the default cell (30 days, 60 min), and what 100,000 extra new cards, or
100,000 cards in review, add to each page at the defaults (median of `--loads`).
Goal: p95 <= 0.3 s in every cell, stored plan or not; each extra 100,000 cards add
<= 0.3 s. The 100k mode empties the stored plans before each run (it times the plan).

    .venv/bin/python benchmarks/plan_speed.py [--cards 100000] [--runs 3]
    .venv/bin/python benchmarks/plan_speed.py --grid [--quick] [--loads 5] [--cold-loads 3]
        [--extra 100000]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import fsrs  # noqa: E402
import numpy as np  # noqa: E402
from flask import Flask  # noqa: E402
from review_latency import build_collection  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from flashcards import create_app  # noqa: E402
from flashcards.core.cards import deck_name_key  # noqa: E402
from flashcards.core.planner import SAME_EVERY_DAY  # noqa: E402
from flashcards.maintenance.bootstrap import setup_database  # noqa: E402
from flashcards.models import Card, Deck  # noqa: E402
from flashcards.services import plans  # noqa: E402
from flashcards.services.plans import forget_plans  # noqa: E402
from flashcards.services.settings import get_settings  # noqa: E402
from flashcards.services.study import current_day  # noqa: E402

GRID_BUDGETS = (10, 15, 20, 30, 45, 60, 90, 120, 240, 600)
GRID_RUNWAYS = (1, 2, 3, 7, 10, 14, 21, 30, 60, 90, 180, 365)
# --quick: the corners, the default and the budget where the fixes search costs most.
QUICK_BUDGETS = (15, 60, 600)
QUICK_RUNWAYS = (1, 30, 365)
DEFAULT_CELL = (60, 30)  # (minutes a day, days to the interview)
GOAL_P95 = 0.3
GOAL_EXTRA = 0.3
# A Monday afternoon, UTC (as the tests' clock): every run plans the same days.
GRID_NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def baseline(maker, new_per_day: list[int], horizon: int, now: datetime, seed: int,
             replicas: int) -> int:
    """The forecast card by card with the fsrs package, database load included as for
    ours: every card read through the ORM into an fsrs.Card, over as many copies of the
    collection as our Monte Carlo forecast simulates; returns the reviews counted."""
    rng = random.Random(seed)
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    start = now
    live = []
    new_queue = []
    with maker(info={"user_id": 1}) as session:
        rows = session.execute(select(Card).where(Card.suspended == False)  # noqa: E712
                               .order_by(Card.position)).scalars().all()
        for _ in range(replicas):
            for card in rows:
                if card.state == 0:
                    new_queue.append(card.id)
                    continue
                live.append(fsrs.Card(card_id=card.id, state=fsrs.State.Review,
                                      stability=card.stability, difficulty=card.difficulty,
                                      due=card.due, last_review=card.last_review))
    reviews = 0
    for day in range(horizon + 1):
        moment = start + timedelta(days=day)
        end = moment + timedelta(days=1)
        for k, card in enumerate(live):
            while card.due < end:
                recall = scheduler.get_card_retrievability(card, card.due if card.due > moment
                                                           else moment)
                rating = fsrs.Rating.Good if rng.random() < recall else fsrs.Rating.Again
                card, _ = scheduler.review_card(card, rating, max(card.due, moment))
                reviews += 1
            live[k] = card
        for _ in range((new_per_day[day] if day < len(new_per_day) else 0) * replicas):
            if not new_queue:
                break
            card = fsrs.Card(card_id=new_queue.pop(0), due=moment)
            while card.state != fsrs.State.Review:
                card, _ = scheduler.review_card(card, fsrs.Rating.Good, max(card.due, moment))
                reviews += 1
            live.append(card)
    return reviews


# -- the grid (issue 23) ---------------------------------------------------------


def _grid_app(database: Path) -> Flask:
    return create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "bench",
                       "CLOCK": lambda: GRID_NOW, "FIRST_RUN_SETUP": False,
                       "JOBS_IN_BACKGROUND": False})


def _bundled_template(folder: Path) -> Path:
    """An SQLite database with the bundled decks seeded, as after a first start."""
    path = folder / "bundled.sqlite3"
    app = _grid_app(path)
    setup_database(app)
    app.extensions["flashcards.engine"].dispose()
    return path


def _add_cards(app: Flask, count: int, reviewed: bool, seed: int = 7) -> None:
    """`count` cards in a deck of their own: new, or in review (due spread over the 30
    days around now, stability 0.5 to 60 days)."""
    rng = random.Random(seed)
    maker = app.extensions["flashcards.sessionmaker"]
    with maker(info={"user_id": 1}) as session:
        name = "Bench reviewed" if reviewed else "Bench new"
        deck = Deck(user_id=1, name=name, name_key=deck_name_key(name), description="",
                    created_at=GRID_NOW)
        session.add(deck)
        session.flush()
        rows = []
        for i in range(count):
            row = {"user_id": 1, "deck_id": deck.id, "guid": f"bench-{reviewed:d}-{i}",
                   "kind": "basic", "front": f"Question {i}", "back": f"Answer {i}",
                   "tags": "bench", "source": "benchmark", "position": 100_000 + i,
                   "created_at": GRID_NOW}
            if reviewed:
                row.update(state=2, stability=rng.uniform(0.5, 60),
                           difficulty=rng.uniform(1, 10), reps=rng.randint(1, 12),
                           due=GRID_NOW + timedelta(days=rng.uniform(-15, 15)),
                           last_review=GRID_NOW - timedelta(days=rng.uniform(0.5, 40)))
            rows.append(row)
        for start in range(0, len(rows), 5000):
            session.execute(insert(Card), rows[start:start + 5000])
        session.commit()


def _settle(app: Flask, budget: int, runway: int) -> None:
    """The plan starts today, the interview `runway` days later, `budget` min every day
    (a new collection's longer Saturday set back to the daily budget)."""
    maker = app.extensions["flashcards.sessionmaker"]
    with maker(info={"user_id": 1}) as session:
        today = current_day(session, GRID_NOW).date
        settings = get_settings(session)
        settings.plan_start = today
        settings.interview_date = today + timedelta(days=runway)
        settings.daily_minutes = budget
        settings.weekday_minutes = SAME_EVERY_DAY
        session.commit()


def _time_get(client, path: str) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"GET {path}: {response.status_code}")
    return elapsed


@dataclass
class Cell:
    today_first: float
    today: list[float]
    plan_first: float
    plan: list[float]
    cold: list[float]  # /plan with the process's stored plans emptied first


def _measure(template: Path, folder: Path, budget: int, runway: int, loads: int,
             cold_loads: int, extra: tuple[int, bool] | None = None) -> Cell:
    """One setting on a fresh copy of the bundled database."""
    database = folder / f"cell-{budget}-{runway}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, database)
    app = _grid_app(database)
    try:
        if extra is not None:
            _add_cards(app, *extra)
        _settle(app, budget, runway)
        client = app.test_client()
        today_first = _time_get(client, "/")
        today = [_time_get(client, "/") for _ in range(loads)]
        plan_first = _time_get(client, "/plan")
        plan = [_time_get(client, "/plan") for _ in range(loads)]
        cold = []
        for _ in range(cold_loads):
            forget_plans()  # as after any change to the inputs (an answer, a setting)
            cold.append(_time_get(client, "/plan"))
    finally:
        app.extensions["flashcards.engine"].dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return Cell(today_first, today, plan_first, plan, cold)


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) if values else float("nan")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def grid(args: argparse.Namespace) -> int:
    budgets = QUICK_BUDGETS if args.quick else GRID_BUDGETS
    runways = QUICK_RUNWAYS if args.quick else GRID_RUNWAYS
    folder = Path(tempfile.mkdtemp(prefix="fc-plan-grid-"))
    template = _bundled_template(folder)
    began = time.perf_counter()
    cells: dict[tuple[int, int], Cell] = {}
    print(f"GET / and GET /plan, bundled decks, {args.loads} loads after a first "
          "(seconds, wall time of the test client's request)")
    print(f"{'min/day':>7} {'days':>4} | {'/ first':>7} {'/ med':>6} {'/ p95':>6} | "
          f"{'/plan 1st':>9} {'/plan med':>9} {'/plan p95':>9} | {'cold med':>8} {'cold p95':>8}")
    for budget in budgets:
        for runway in runways:
            cell = _measure(template, folder, budget, runway, args.loads, args.cold_loads)
            cells[budget, runway] = cell
            flag = "  over" if max(_p95(cell.plan), _p95(cell.today)) > GOAL_P95 else ""
            print(f"{budget:>7} {runway:>4} | {cell.today_first:7.3f} "
                  f"{statistics.median(cell.today):6.3f} {_p95(cell.today):6.3f} | "
                  f"{cell.plan_first:9.3f} {statistics.median(cell.plan):9.3f} "
                  f"{_p95(cell.plan):9.3f} | {_median(cell.cold):8.3f} {_p95(cell.cold):8.3f}"
                  f"{flag}", flush=True)
    default = cells.get(DEFAULT_CELL) or _measure(template, folder, *DEFAULT_CELL, args.loads,
                                                  args.cold_loads)
    print(f"\nGrid: {len(budgets)} budgets x {len(runways)} runways in "
          f"{time.perf_counter() - began:.0f} s")
    ok = True
    pages = [("GET /plan", lambda c: c.plan), ("GET /", lambda c: c.today)]
    if args.cold_loads:
        pages.append(("GET /plan, no stored plan", lambda c: c.cold))
    for page, pick in pages:
        worst_key = max(cells, key=lambda k: _p95(pick(cells[k])))
        worst, base = pick(cells[worst_key]), pick(default)
        print(f"  {page}: worst p95 {_p95(worst):.3f} s (median {statistics.median(worst):.3f}"
              f" s) at {worst_key[0]} min x {worst_key[1]} days; default "
              f"({DEFAULT_CELL[0]} min x {DEFAULT_CELL[1]} days) p95 {_p95(base):.3f} s, "
              f"median {statistics.median(base):.3f} s; worst / default: p95 "
              f"{_p95(worst) / _p95(base):.1f}x, median "
              f"{statistics.median(worst) / statistics.median(base):.1f}x")
        ok = ok and _p95(worst) <= GOAL_P95
    first_key = max(cells, key=lambda k: cells[k].today_first)
    print(f"  Today's first visit of the day (it plans): worst {cells[first_key].today_first:.3f}"
          f" s at {first_key[0]} min x {first_key[1]} days; default "
          f"{default.today_first:.3f} s")
    if args.extra:
        print(f"\nAt the defaults, what {args.extra:,} more cards add (median of {args.loads}):")
        for label, reviewed in (("new", False), ("in review", True)):
            more = _measure(template, folder, *DEFAULT_CELL, args.loads, args.cold_loads,
                            extra=(args.extra, reviewed))
            for page, pick in pages:
                added = statistics.median(pick(more)) - statistics.median(pick(default))
                print(f"  {args.extra:,} {label}, {page}: median "
                      f"{statistics.median(pick(more)):.3f} s, {added:+.3f} s "
                      f"(goal <= +{GOAL_EXTRA} s)")
                ok = ok and added <= GOAL_EXTRA
            added_first = more.today_first - default.today_first
            print(f"  {args.extra:,} {label}, Today's first visit (plans): "
                  f"{more.today_first:.3f} s, {added_first:+.3f} s")
    print("  PASS" if ok else "  FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument("--grid", action="store_true",
                        help="GET / and GET /plan over budgets x runways (issue 23)")
    parser.add_argument("--quick", action="store_true",
                        help="with --grid: 3 budgets x 3 runways")
    parser.add_argument("--loads", type=int, default=5,
                        help="with --grid: loads per page after the first")
    parser.add_argument("--cold-loads", type=int, default=3,
                        help="with --grid: /plan loads with the process's stored plans "
                             "emptied first (the cost after any change to the inputs)")
    parser.add_argument("--extra", type=int, default=100_000,
                        help="with --grid: extra new / review cards at the defaults (0: skip)")
    args = parser.parse_args()
    if args.grid:
        return grid(args)
    folder = Path(tempfile.mkdtemp(prefix="fc-plan-bench-"))
    database = folder / "collection.sqlite3"
    build_collection(database, args.cards)
    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "bench"})
    maker = app.extensions["flashcards.sessionmaker"]
    now = datetime.now(UTC)
    ours = []
    for _ in range(args.runs):
        forget_plans()  # the computation is timed, not the process's stored plan
        with maker(info={"user_id": 1}) as session:
            started = time.perf_counter()
            view = plans.build_plan(session, now, np.random.default_rng(1))
            ours.append(time.perf_counter() - started)
            session.rollback()
    print(f"ours: {', '.join(f'{t:.3f}' for t in ours)} s "
          f"({len(view.plan.days)} days, {args.cards:,} cards)")
    with maker(info={"user_id": 1}) as session:
        day = current_day(session, now)
        cards, _ = plans.card_arrays(session, day)
    new_per_day = [d.new for d in view.plan.days]
    horizon = len(view.plan.days) - 1
    base = []
    for run in range(args.baseline_runs):
        started = time.perf_counter()
        replicas = min(32, max(1, 200_000 // max(cards.count, 1)))  # as plan() does
        counted = baseline(maker, new_per_day, horizon, day.start, seed=run,
                           replicas=replicas)
        base.append(time.perf_counter() - started)
    print(f"baseline (fsrs card by card): {', '.join(f'{t:.1f}' for t in base)} s, "
          f"{counted:,} reviews")
    ours_median, base_median = statistics.median(ours), statistics.median(base)
    ratio = base_median / ours_median
    print(f"\nPlan for {args.cards:,} cards to interview day, database load included:")
    print(f"  ours: median {ours_median:.3f} s (goal <= 0.3 s)")
    print(f"  baseline: median {base_median:.1f} s; baseline / ours = {ratio:.0f}x (goal >= 20x)")
    ok = ours_median <= 0.3 and ratio >= 20
    print("  PASS" if ok else "  FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
