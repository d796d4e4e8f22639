"""What the statistics page shows for the bundled decks after a simulated week.

A fresh database (migrated, bundled decks seeded, the plan started with the interview
30 days ahead and 60 minutes a day), then seven study days: each morning the app plans
the day (which stores each deck's readiness), and a simulated candidate answers every
card the app shows, through the same services the pages call, with a fixed seed. A
review card is recalled with FSRS's own probability, a new card failed on first sight at
the forecast's rate, learning steps passed; each answer takes 6 to 20 seconds. Then the
page's headline figures are printed, as /stats shows them (all decks, last 7 days), and
the page is requested once to check it renders.

    .venv/bin/python benchmarks/stats_week.py [--seed 7] [--days 7]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from flashcards import create_app  # noqa: E402
from flashcards.core.planner import FIRST_SIGHT_AGAIN  # noqa: E402
from flashcards.core.scheduling import CardState, Rating, Scheduler  # noqa: E402
from flashcards.maintenance.bootstrap import setup_database  # noqa: E402
from flashcards.services import plans, stats, study  # noqa: E402
from flashcards.services.settings import get_settings, scheduler_config  # noqa: E402


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.1%}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fc-stats-week-"))
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    clock = Clock(start)
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'week.sqlite3'}",
                      "SECRET_KEY": "week", "CLOCK": clock})
    setup_database(app)
    maker = app.extensions["flashcards.sessionmaker"]
    learner = random.Random(args.seed)
    fuzz = random.Random(args.seed + 1000)
    with maker(info={"user_id": 1}) as session:
        settings = get_settings(session)
        settings.timezone = "UTC"
        settings.plan_start = start.date()
        settings.interview_date = start.date() + timedelta(days=30)
        settings.daily_minutes = 60
        settings.setup_done_at = start  # the first-run set-up is not what is shown
        session.commit()
        scheduler = Scheduler(scheduler_config(settings))
    for offset in range(args.days):
        clock.now = start + timedelta(days=offset)
        with maker(info={"user_id": 1}) as session:
            plans.plan_and_save(session, clock(), np.random.default_rng(args.seed))
            session.commit()
            while True:
                today = study.day_allowance(session, clock())
                card = study.next_card(session, today)
                if card is None:
                    break
                if card.due is not None and card.due > clock.now:
                    clock.now = card.due  # a card due later today: its time comes
                if card.state == CardState.NEW:
                    rating = Rating.AGAIN if learner.random() < FIRST_SIGHT_AGAIN else Rating.GOOD
                elif card.state == CardState.REVIEW:
                    recall = scheduler.retrievability(card.id, card.schedule, clock())
                    rating = Rating.GOOD if learner.random() < recall else Rating.AGAIN
                else:
                    rating = Rating.GOOD
                seconds = learner.randint(6, 20)
                study.grade(session, card.id, card.version, rating, clock(),
                            duration_ms=seconds * 1000, rng=fuzz)
                session.commit()
                clock.now += timedelta(seconds=seconds)
    clock.now = start + timedelta(days=args.days - 1, hours=12)
    with maker(info={"user_id": 1}) as session:
        view = stats.load_stats(session, clock(), None, 7)
    page = app.test_client().get("/stats?range=7")
    assert page.status_code == 200, page.status_code
    s, r = view.summary, view.retention
    print(f"/stats after {args.days} simulated days with the bundled decks (seed {args.seed}), "
          f"all decks, last 7 days, on {view.today}:")
    print(f"  answers: {s.reviews} ({s.reviews_per_day:.1f} a day); minutes: {s.minutes:.0f} "
          f"({s.minutes_per_day:.1f} a day); days studied: {s.studied_days} of {s.days}; "
          f"streak: {view.streak}")
    print(f"  true retention: {percent(r.rate)} ({r.young_passed + r.mature_passed} of "
          f"{r.total} review answers); young {percent(r.young_rate)} ({r.young_passed}/"
          f"{r.young}), mature {percent(r.mature_rate)} ({r.mature_passed}/{r.mature}); "
          f"desired {view.desired_retention:.0%}")
    print(f"  readiness (predicted recall on {view.readiness.interview}, target "
          f"{view.readiness.target:.0%}):")
    for series in view.readiness.series:
        first, last = series.points[0], series.points[-1]
        print(f"    {series.deck:<36} {first[0]:%-d %b} {first[1]:.1%} -> "
              f"{last[0]:%-d %b} {last[1]:.1%}")
    print("  cards: " + ", ".join(f"{key} {value}" for key, value in view.counts.items()))
    print("  forecast, next 7 days: " + ", ".join(
        f"{day:%-d %b} {reviews:.0f}" for day, reviews in view.forecast[:7]))
    print("  stability (days): " + ", ".join(f"{b.label}: {b.count}" for b in view.stability))
    print("  difficulty: " + ", ".join(f"{b.label}: {b.count}" for b in view.difficulty))
    return 0


if __name__ == "__main__":
    sys.exit(main())
