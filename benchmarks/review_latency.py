"""One graded review over HTTP on a 100k-card SQLite collection.

Starts the real app (`python app.py`) on loopback with a fresh instance folder
holding 100,000 cards in mixed states, then repeats: POST a grade, GET the next
card (the redirect target). Server-side time is read from the Server-Timing
header of both responses; client round trips are reported too.

Targets (issue 2): median <= 10 ms and p95 <= 25 ms server side.

    .venv/bin/python benchmarks/review_latency.py [--cards 100000] [--reviews 400] [--runs 3]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, update  # noqa: E402

from flashcards.core.cards import deck_name_key  # noqa: E402
from flashcards.db import make_engine  # noqa: E402
from flashcards.db.migrate import upgrade  # noqa: E402
from flashcards.models import Card, Deck, ReviewLog, Settings  # noqa: E402

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CARD = re.compile(r'name="card_id" type="hidden" value="(\d+)"')
VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"')
TIMING = re.compile(r"app;dur=([\d.]+)")


def build_collection(path: Path, cards: int, seed: int = 7) -> None:
    """`cards` cards in 10 decks: 55% new, 10% learning, 35% review (due spread over
    60 days around now), with a review log of one row per reviewed card."""
    build_collection_at(f"sqlite:///{path}", cards, seed)


def build_collection_at(url: str, cards: int, seed: int = 7) -> None:
    """build_collection into the (empty) database at SQLAlchemy `url`: SQLite or
    PostgreSQL, migrated here."""
    rng = random.Random(seed)
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        # A heavy user: limits far above the defaults, so counts span thousands of cards;
        # set up already (the first-run set-up page is not what is measured).
        connection.execute(update(Settings).values(new_per_day=100, max_reviews_per_day=9999,
                                                   setup_done_at=now))
        connection.execute(insert(Deck), [
            {"id": d, "user_id": 1, "name": f"Bench deck {d}",
             "name_key": deck_name_key(f"Bench deck {d}"), "description": "",
             "created_at": now}
            for d in range(1, 11)])
        rows, logs = [], []
        for i in range(1, cards + 1):
            kind = rng.random()
            row = {"id": i, "user_id": 1, "deck_id": 1 + i % 10, "guid": f"bench-{i}",
                   "kind": "basic",
                   "front": f"Question {i}: " + "lorem ipsum " * 5,
                   "back": f"Answer {i}", "tags": "bench", "source": "benchmark",
                   "position": i, "state": 0, "step": None, "stability": None,
                   "difficulty": None, "due": None, "last_review": None, "reps": 0,
                   "lapses": 0, "suspended": False, "buried_until": None, "version": 1,
                   "created_at": now}
            if kind >= 0.55:
                learning = kind < 0.65
                last = now - timedelta(days=rng.uniform(0.01, 40))
                due = (now + timedelta(minutes=rng.uniform(-30, 600)) if learning
                       else now + timedelta(days=rng.uniform(-30, 30)))
                row.update(state=1 if learning else 2, step=0 if learning else None,
                           stability=rng.uniform(0.5, 60), difficulty=rng.uniform(1, 10),
                           due=due, last_review=last, reps=rng.randint(1, 12), version=2)
                logs.append({"card_id": i, "user_id": 1, "reviewed_at": last, "rating": 3,
                             "duration_ms": 5000, "card_version": 1, "state_before": 0,
                             "state_after": row["state"], "stability_after": row["stability"],
                             "difficulty_after": row["difficulty"], "due_after": due})
            rows.append(row)
            if len(rows) == 5000:
                connection.execute(insert(Card), rows)
                rows = []
        if rows:
            connection.execute(insert(Card), rows)
        for start in range(0, len(logs), 5000):
            connection.execute(insert(ReviewLog), logs[start:start + 5000])
        if engine.dialect.name == "postgresql":
            # Explicit ids leave the sequences behind: move them past the rows.
            for table in ("decks", "cards"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))")
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Client:
    """A keep-alive HTTP client that carries the session cookie."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None
                ) -> tuple[int, dict[str, str], str, float]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        elapsed = (time.perf_counter() - started) * 1000
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, dict(response.getheaders()), text, elapsed


def server_ms(headers: dict[str, str]) -> float:
    match = TIMING.search(headers.get("Server-Timing", ""))
    assert match, headers
    return float(match.group(1))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_once(db_file: Path, reviews: int, warmup: int, seed: int) -> dict[str, float]:
    instance = Path(tempfile.mkdtemp(prefix="fc-bench-"))
    (instance / "flashcards.sqlite3").write_bytes(db_file.read_bytes())
    port = free_port()
    env = {**os.environ, "FLASHCARDS_INSTANCE": str(instance)}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = Client(port)
        for _ in range(300):
            try:
                client.request("GET", "/")
                break
            except OSError:
                client = Client(port)
                time.sleep(0.1)
        rng = random.Random(seed)
        status, headers, page, _ = client.request("GET", "/review/study")
        server_times, client_times = [], []
        for n in range(warmup + reviews):
            token = TOKEN.search(page)
            card, version = CARD.search(page), VERSION.search(page)
            assert token and card and version, "no card on the review page"
            rating = rng.choices([1, 2, 3, 4], weights=[10, 10, 70, 10])[0]
            body = urlencode({"csrf_token": token.group(1), "card_id": card.group(1),
                              "version": version.group(1), "rating": rating})
            status, post_headers, _, post_ms = client.request("POST", "/review/grade", body)
            assert status == 302, status
            status, get_headers, page, get_ms = client.request("GET", post_headers["Location"])
            assert status == 200, status
            if n >= warmup:
                server_times.append(server_ms(post_headers) + server_ms(get_headers))
                client_times.append(post_ms + get_ms)
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {
        "server_median": statistics.median(server_times),
        "server_p95": percentile(server_times, 0.95),
        "client_median": statistics.median(client_times),
        "client_p95": percentile(client_times, 0.95),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="fc-bench-db-"))
    db_file = folder / "collection.sqlite3"
    started = time.perf_counter()
    build_collection(db_file, args.cards)
    print(f"built a {args.cards:,}-card collection in {time.perf_counter() - started:.1f} s")
    results = []
    for run in range(args.runs):
        result = run_once(db_file, args.reviews, args.warmup, seed=run)
        results.append(result)
        print(f"run {run + 1}: server median {result['server_median']:.2f} ms, "
              f"p95 {result['server_p95']:.2f} ms | client round trip median "
              f"{result['client_median']:.2f} ms, p95 {result['client_p95']:.2f} ms")
    median = {key: statistics.median(r[key] for r in results) for key in results[0]}
    print(f"\nOne graded review (POST grade + GET next card), {args.cards:,} cards, "
          f"median of {args.runs} runs x {args.reviews} reviews:")
    print(f"  server side: median {median['server_median']:.2f} ms (target 10, ratio "
          f"{median['server_median'] / 10:.2f}), p95 {median['server_p95']:.2f} ms "
          f"(target 25, ratio {median['server_p95'] / 25:.2f})")
    print(f"  client round trip on loopback: median {median['client_median']:.2f} ms, "
          f"p95 {median['client_p95']:.2f} ms")
    ok = median["server_median"] <= 10 and median["server_p95"] <= 25
    print("  PASS" if ok else "  FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
