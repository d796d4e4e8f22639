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

    .venv/bin/python benchmarks/plan_speed.py [--cards 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import fsrs  # noqa: E402
import numpy as np  # noqa: E402
from review_latency import build_collection  # noqa: E402
from sqlalchemy import select  # noqa: E402

from flashcards import create_app  # noqa: E402
from flashcards.models import Card  # noqa: E402
from flashcards.services import plans  # noqa: E402
from flashcards.services.study import current_day  # noqa: E402


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-runs", type=int, default=1)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fc-plan-bench-"))
    database = folder / "collection.sqlite3"
    build_collection(database, args.cards)
    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "bench"})
    maker = app.extensions["flashcards.sessionmaker"]
    now = datetime.now(UTC)
    ours = []
    for _ in range(args.runs):
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
