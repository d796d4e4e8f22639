"""/stats for a 100k-card collection with 1M reviews: server time against the goal.

Builds the review-latency benchmark's 100,000-card collection (10 decks, mixed states)
and adds a review log of 1,000,000 answers spread over the past year (every state,
about one in ten Again, durations of 2 to 20 s, review answers with their scheduled
interval), then requests /stats through the Flask test client several times each for
all decks and one deck, over 30 and 365 days, and reads the server time from the
Server-Timing header every response carries. Each request is measured three ways: cold
(the process keeps nothing: closed study days' sums and the forecast computed afresh),
after one new answer (the usual visit after studying: today's sums and the forecast
computed afresh, closed days kept), and reloaded unchanged.

Goal (issue 14): median <= 300 ms server time for each request (after an answer).

    .venv/bin/python benchmarks/stats_speed.py [--cards 100000] [--reviews 1000000]
        [--runs 7] [--database PATH (kept and reused)] [--start-postgres]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from review_latency import build_collection_at  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from flashcards import create_app  # noqa: E402
from flashcards.db import make_engine  # noqa: E402
from flashcards.db.migrate import upgrade  # noqa: E402
from flashcards.models import ReviewLog  # noqa: E402
from flashcards.services import stats  # noqa: E402

GOAL_MS = 300.0
TIMING = re.compile(r"app;dur=([\d.]+)")
REQUESTS = [("all decks, 30 days", "/stats?range=30"),
            ("all decks, 365 days", "/stats?range=365"),
            ("one deck, 30 days", "/stats?deck=3&range=30"),
            ("one deck, 365 days", "/stats?deck=3&range=365")]


def add_reviews(url: str, cards: int, reviews: int, seed: int = 11) -> None:
    """`reviews` answers over the past 365 days on random cards, inserted in bulk."""
    rng = random.Random(seed)
    engine = make_engine(url)
    now = datetime.now(UTC)
    version = [100] * (cards + 1)  # card versions above the builder's own logs
    batch: list[dict[str, object]] = []
    with engine.begin() as connection:
        for _ in range(reviews):
            card = rng.randint(1, cards)
            version[card] += 1
            at = now - timedelta(seconds=rng.uniform(60, 365 * 86400))
            kind = rng.random()
            state = 0 if kind < 0.08 else 1 if kind < 0.16 else 3 if kind < 0.2 else 2
            rating = 1 if rng.random() < 0.1 else rng.choice((2, 3, 3, 3, 4))
            row: dict[str, object] = {
                "card_id": card, "user_id": 1, "reviewed_at": at, "rating": rating,
                "duration_ms": rng.randint(2000, 20000), "card_version": version[card],
                "state_before": state, "state_after": 2, "stability_after": 10.0,
                "difficulty_after": 5.0, "due_after": at + timedelta(days=5),
                "due_before": None, "last_review_before": None, "stability_before": None,
                "difficulty_before": None}
            if state == 2:
                interval = timedelta(days=rng.choice((1, 3, 7, 12, 20, 25, 40, 80, 150)))
                last = at - interval * rng.uniform(0.9, 1.3)
                row.update(due_before=last + interval, last_review_before=last,
                           stability_before=interval.days * 1.1, difficulty_before=5.0)
            batch.append(row)
            if len(batch) == 20_000:
                connection.execute(insert(ReviewLog), batch)
                batch = []
        if batch:
            connection.execute(insert(ReviewLog), batch)
    engine.dispose()


def build(url: str, cards: int, reviews: int) -> None:
    started = time.perf_counter()
    build_collection_at(url, cards)
    add_reviews(url, cards, reviews)
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        # As autovacuum leaves a table after a bulk load: planner statistics, and the
        # visibility map that lets a scan read an index alone.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    print(f"built {cards:,} cards and {reviews:,} reviews in "
          f"{time.perf_counter() - started:.0f} s")


def server_ms(client, path: str) -> float:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    match = TIMING.search(response.headers.get("Server-Timing", ""))
    assert match, "no Server-Timing header"
    return float(match.group(1))


def measure(url: str, runs: int) -> dict[str, dict[str, list[float]]]:
    """Per request: `cold` (nothing kept by the process: the first visit after a
    restart, or after a card was added, deleted or moved), `after an answer` (one new
    answer before each request: the usual visit after studying) and `again` (the same
    page reloaded)."""
    engine = make_engine(url)
    upgrade(engine)  # a kept database built before the newest migration
    engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    maker = app.extensions["flashcards.sessionmaker"]
    client = app.test_client()
    client.get("/stats?range=7")  # the first request of a process compiles its statements
    times: dict[str, dict[str, list[float]]] = {}
    with maker(info={"user_id": 1}) as session:
        highest = session.execute(select(func.max(ReviewLog.card_version)).where(
            ReviewLog.user_id == 1)).scalar_one()
    version = count(highest + 1)
    for name, path in REQUESTS:
        found = times.setdefault(name, {"cold": [], "after an answer": [], "again": []})
        for _ in range(max(runs // 2, 2)):
            stats._CLOSED_DAYS.clear()
            stats._FORECASTS.clear()
            found["cold"].append(server_ms(client, path))
        for _ in range(runs):
            with maker(info={"user_id": 1}) as session:
                session.add(ReviewLog(card_id=3, user_id=1, reviewed_at=datetime.now(UTC),
                                      rating=3, duration_ms=7000, card_version=next(version),
                                      state_before=2, state_after=2))
                session.commit()
            found["after an answer"].append(server_ms(client, path))
        for _ in range(runs):
            found["again"].append(server_ms(client, path))
    app.extensions["flashcards.engine"].dispose()
    return times


def report(database: str, times: dict[str, dict[str, list[float]]]) -> bool:
    ok = True
    print(f"\n/stats server time on {database} (goal: median <= {GOAL_MS:.0f} ms; "
          f"pass/fail on 'after an answer'):")
    for name, kinds in times.items():
        for kind, values in kinds.items():
            median = statistics.median(values)
            if kind == "after an answer":
                ok = ok and median <= GOAL_MS
            print(f"  {name:<20} {kind:<16} median {median:7.1f} ms  (min {min(values):.1f}, "
                  f"max {max(values):.1f}; {median / GOAL_MS:.2f} of the goal)")
    return ok


def review_count(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(ReviewLog)).scalar_one()
    engine.dispose()
    return int(count)


@contextmanager
def postgres_database() -> Iterator[str]:
    from tests.pg_server import PostgresDatabases, local_server
    with local_server() as admin:
        databases = PostgresDatabases(admin)
        try:
            yield databases.create(migrated=False)
        finally:
            databases.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database", type=Path, help="SQLite file, built if missing")
    parser.add_argument("--start-postgres", action="store_true",
                        help="also measure on a throwaway PostgreSQL server")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    ok = True
    if not args.no_sqlite:
        path = args.database or Path(tempfile.mkdtemp(prefix="fc-stats-bench-")) / "c.sqlite3"
        url = f"sqlite:///{path}"
        if not path.exists():
            build(url, args.cards, args.reviews)
        print(f"SQLite: {review_count(url):,} reviews")
        ok = report("SQLite", measure(url, args.runs))
    with postgres_database() if args.start_postgres else nullcontext() as pg_url:
        if pg_url:
            build(pg_url, args.cards, args.reviews)
            ok = report("PostgreSQL", measure(pg_url, args.runs)) and ok
    print("  PASS" if ok else "  FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
