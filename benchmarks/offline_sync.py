"""500 answers queued offline, applied in one POST /review/sync, against the same
number given online one by one (POST /review/grade), on a 10,000-card collection.

Runs the app in-process (Flask's test client, CSRF on) on SQLite and, with
--start-postgres, on a throwaway PostgreSQL server. Server-side time is read from the
Server-Timing header. Each run takes fresh cards: half for the sync, half online; each
card is answered twice (Again, then Good ten minutes later), as a learning step would.

Target (issue 26): <= 2 ms per answer on the server (median of 5 runs).

    .venv/bin/python benchmarks/offline_sync.py [--answers 500] [--runs 5] [--start-postgres]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.datastructures import Headers  # noqa: E402

from benchmarks.load_test import throwaway_postgres  # noqa: E402
from benchmarks.review_latency import build_collection_at  # noqa: E402
from flashcards import create_app  # noqa: E402

TIMING = re.compile(r"app;dur=([\d.]+)")
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
TARGET_MS = 2.0


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def server_ms(headers: Headers) -> float:
    match = TIMING.search(headers.get("Server-Timing", ""))
    assert match, "no Server-Timing header"
    return float(match.group(1))


def versions(url: str, ids: list[int]) -> dict[int, int]:
    from sqlalchemy import select

    from flashcards.db import make_engine
    from flashcards.models import Card
    from flashcards.scoping import ALL_USERS

    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(Card.id, Card.version).where(Card.id.in_(ids))
                                  .execution_options(**{ALL_USERS: True})).all()
    engine.dispose()
    return {card_id: version for card_id, version in rows}


def plan(url: str, start: datetime, ids: list[int]) -> list[tuple[datetime, int, int, int]]:
    """The day's answers on `ids` from `start`: each card Again, then Good ten minutes
    later, as (time, card, version shown, rating) in time order."""
    seen = versions(url, ids)
    steps = []
    for k, card_id in enumerate(ids):
        at = start + timedelta(seconds=7 * k)
        steps.append((at, card_id, seen[card_id], 1))
        steps.append((at + timedelta(minutes=10), card_id, seen[card_id] + 1, 3))
    return sorted(steps)


def run(url: str, answers: int, runs: int, seed: int) -> list[tuple[float, float]]:
    """(sync ms per answer, online ms per answer) for each run."""
    now = datetime.now(UTC).replace(microsecond=0)
    clock = Clock(now)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "CLOCK": clock,
                      "RNG": random.Random(seed), "FIRST_RUN_SETUP": False,
                      "AUTO_OPTIMISE": False,
                      # No job thread polling the database beside what is measured.
                      "JOBS_IN_BACKGROUND": False})
    client = app.test_client()
    page = client.get("/settings").get_data(as_text=True)
    match = TOKEN.search(page)
    assert match, "no CSRF token on /settings"
    token = match.group(1)
    rng = random.Random(seed)
    cards_per_half = answers // 2 // 2
    pool = rng.sample(range(1, 10_001), cards_per_half * 2 * runs)
    figures = []
    for number in range(runs):
        start = now + timedelta(hours=3 * number)
        taken = pool[number * cards_per_half * 2:(number + 1) * cards_per_half * 2]
        offline, online = taken[:cards_per_half], taken[cards_per_half:]
        queued = plan(url, start, offline)
        clock.now = start + timedelta(hours=2)
        body = {"answers": [
            {"id": f"run{number}-{i}", "card_id": card_id, "version": version,
             "rating": rating, "reviewed_at": at.isoformat(), "duration_ms": 4000}
            for i, (at, card_id, version, rating) in enumerate(queued)]}
        response = client.post("/review/sync", json=body, headers={"X-CSRFToken": token})
        assert response.status_code == 200, response.get_data(as_text=True)
        counts = response.get_json()["counts"]
        assert counts["applied"] == len(queued), counts
        sync_ms = server_ms(response.headers) / len(queued)

        online_ms = []
        for at, card_id, version, rating in plan(url, start, online):
            clock.now = at
            graded = client.post("/review/grade", data={
                "csrf_token": token, "card_id": card_id, "version": version,
                "rating": rating})
            assert graded.status_code == 302, graded.get_data(as_text=True)[:300]
            online_ms.append(server_ms(graded.headers))
        figures.append((sync_ms, statistics.fmean(online_ms)))
    runner = app.extensions.get("flashcards.jobs")
    if runner is not None:
        runner.stop()
    app.extensions["flashcards.engine"].dispose()
    return figures


def report(name: str, figures: list[tuple[float, float]]) -> None:
    sync_median = statistics.median(f[0] for f in figures)
    online_median = statistics.median(f[1] for f in figures)
    runs = ", ".join(f"{s:.2f}" for s, _ in figures)
    verdict = "meets" if sync_median <= TARGET_MS else "misses"
    print(f"{name:<11} sync {sync_median:6.3f} ms/answer (runs: {runs}) {verdict} the "
          f"{TARGET_MS} ms goal; online one by one {online_median:6.3f} ms/answer; "
          f"ratio sync/online {sync_median / online_median:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--start-postgres", action="store_true",
                        help="also measure PostgreSQL, on a throwaway server started here")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    args = parser.parse_args(argv)
    if args.cards != 10_000:
        parser.error("the card pool is the 10,000-card collection")
    results = []
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            build_collection_at(url, args.cards)
            results.append(("SQLite", run(url, args.answers, args.runs, args.seed)))
    if args.start_postgres:
        with throwaway_postgres() as url:
            build_collection_at(url, args.cards)
            results.append(("PostgreSQL", run(url, args.answers, args.runs, args.seed)))
    print(f"{args.answers} answers per sync, {args.runs} runs, {args.cards} cards "
          "(server time from Server-Timing)")
    for name, figures in results:
        report(name, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
