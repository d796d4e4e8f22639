"""Concurrent reviewers against gunicorn on loopback, SQLite and PostgreSQL (issue 7).

Builds a 100,000-card collection (the review-latency benchmark's builder), starts
`gunicorn --workers 2 'flashcards:create_app()'` on 127.0.0.1, and runs 8 simulated
reviewers (threads, each a keep-alive client with its own session cookie and CSRF
token) for 60 s: GET /review/study, POST /review/grade with a random rating, again.
Reviewers share one collection, so two of them often see the same card: the slower
one gets 409 (stale card), which is correct and counted. Afterwards, with the server
stopped, every acknowledged grade (a 302) must be in review_logs exactly once and
nothing else may have been written.

Reported per database: grades/s (distinct acknowledged grades), round trips/s,
p50/p95/p99 of the POST + GET round trip (client side and Server-Timing, ms), errors
(5xx and connection errors seen by the clients, or failed requests in the server log),
"locked" (those that met "database is locked"), 409s, lost grades (acknowledged, not
in review_logs exactly once) and phantom grades (rows nobody acknowledged). Exit 0
only if there were no errors and no lost grades.

PostgreSQL: `--start-postgres` starts a throwaway server (tests/pg_server.py) with
PostgreSQL's default, durable settings, or
`--database-url postgresql+psycopg://USER@HOST:PORT/DB` names an EMPTY database on a
server of yours; the script migrates it and loads the same cards (it is left filled).
Clients, server and database share this machine's cores: the CPU each used is printed.

    .venv/bin/python benchmarks/load_test.py [--seconds 60] [--reviewers 8] [--cards 100000]
        [--workers 2] [--start-postgres | --database-url URL] [--no-sqlite]
        [--deck-per-reviewer]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from review_latency import (  # noqa: E402
    CARD,
    TOKEN,
    VERSION,
    Client,
    build_collection_at,
    free_port,
    percentile,
    server_ms,
)
from sqlalchemy import func, select  # noqa: E402

from flashcards.db import make_engine  # noqa: E402
from flashcards.models import ReviewLog  # noqa: E402

LOCKED = "database is locked"
# (card_id, version, rating): one grade the server acknowledged with a 302.
Grade = tuple[int, int, int]


@dataclass
class Tally:
    """What the reviewers saw."""

    acknowledged: list[Grade] = field(default_factory=list)
    measured: list[Grade] = field(default_factory=list)  # acknowledged in the timed part
    round_trips: int = 0
    conflicts: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    client_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    ran_out: int = 0

    def add(self, other: Tally) -> None:
        self.acknowledged += other.acknowledged
        self.measured += other.measured
        self.round_trips += other.round_trips
        self.conflicts += other.conflicts
        self.errors += other.errors
        self.client_ms += other.client_ms
        self.server_ms += other.server_ms
        self.ran_out += other.ran_out


def _problem(method: str, status: int, body: str, expected: tuple[int, ...]) -> str | None:
    if LOCKED in body:
        return f"{method}: {LOCKED}"
    if status not in expected:
        return f"{method} answered {status}"
    return None


def review(port: int, seed: int, measure_from: float, until: float,
           deck: int | None = None) -> Tally:
    """One reviewer: study, grade at random, study... until `until` (time.monotonic).
    Round trips that start after `measure_from` count for throughput and latency."""
    tally = Tally()
    rng = random.Random(seed)
    study = "/review/study" + (f"?deck={deck}" if deck else "")
    client = Client(port)
    page: str | None = None
    while time.monotonic() < until:
        try:
            if page is None:
                status, _, page, _ = client.request("GET", study)
                problem = _problem("GET", status, page, (200,))
                if problem:
                    tally.errors[problem] += 1
                    page = None
                    continue
            started = time.monotonic()
            token, card, version = TOKEN.search(page), CARD.search(page), VERSION.search(page)
            if not (token and card and version):
                tally.ran_out += 1  # nothing left to study today
                break
            grade = (int(card.group(1)), int(version.group(1)), rng.randint(1, 4))
            form = {"csrf_token": token.group(1), "card_id": grade[0], "version": grade[1],
                    "rating": grade[2]} | ({"deck": deck} if deck else {})
            status, post_headers, body, post_ms = client.request(
                "POST", "/review/grade", urlencode(form))
            page = None
            problem = _problem("POST", status, body, (302, 409))
            if problem:
                tally.errors[problem] += 1
                continue
            measured = started >= measure_from
            if status == 302:
                tally.acknowledged.append(grade)
                if measured:
                    tally.measured.append(grade)
            else:
                tally.conflicts += 1
            status, get_headers, page, get_ms = client.request("GET", study)
            problem = _problem("GET", status, page, (200,))
            if problem:
                tally.errors[problem] += 1
                page = None
                continue
            if measured:
                tally.round_trips += 1
                tally.client_ms.append(post_ms + get_ms)
                tally.server_ms.append(server_ms(post_headers) + server_ms(get_headers))
        except (OSError, http.client.HTTPException) as exc:
            tally.errors[f"connection: {type(exc).__name__}"] += 1
            cookie = client.cookie
            client.conn.close()
            client = Client(port)
            client.cookie = cookie
            page = None
            time.sleep(0.05)
    client.conn.close()
    return tally


def run_reviewers(port: int, reviewers: int, seconds: float, warmup: float = 0.0,
                  seed: int = 0, deck_per_reviewer: bool = False) -> Tally:
    """`reviewers` concurrent reviewers for warmup + seconds; the total of what they saw."""
    start = time.monotonic()
    measure_from, until = start + warmup, start + warmup + seconds
    with ThreadPoolExecutor(reviewers) as pool:
        futures = [pool.submit(review, port, seed * 1000 + n, measure_from, until,
                               1 + n % 10 if deck_per_reviewer else None)
                   for n in range(reviewers)]
        total = Tally()
        for future in futures:
            total.add(future.result())
    return total


def skip_first_run_setup(port: int) -> None:
    """Answer a new user's first-run set-up as one who keeps the defaults: the pages
    measured and tested here come after it."""
    client = Client(port)
    page = client.request("GET", "/setup")[2]
    token = TOKEN.search(page)
    if token:
        client.request("POST", "/setup/skip", urlencode({"csrf_token": token.group(1)}))
    client.conn.close()


@contextmanager
def serving(command: Sequence[str], env: dict[str, str], port: int, log: Path,
            timeout: float = 300.0, ready: tuple[int, ...] = (200,), cwd: Path = ROOT
            ) -> Iterator[subprocess.Popen[bytes]]:
    """Run the server `command` (output to `log`) until GET / on `port` answers 200
    (the first visit of the day also plans it; `ready`: the statuses that count, e.g.
    a 302 to the login page; a new collection's first-run set-up is skipped first); stop
    it on leaving. `cwd`: the checkout it runs from (another one: a baseline)."""
    with log.open("wb") as output:
        process = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=output,
                                   stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the server exited: {log.read_text()[-3000:]}")
                try:
                    client = Client(port)
                    status, headers, _, _ = client.request("GET", "/")
                    client.conn.close()
                    if status == 302 and headers.get("Location", "").startswith("/setup"):
                        skip_first_run_setup(port)  # a new collection: set up, then ready
                        continue
                    if status in ready:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not answer: {log.read_text()[-3000:]}")
                time.sleep(0.2)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def server_env(instance: Path, database_url: str | None) -> dict[str, str]:
    """The server's environment: its own instance folder, SQLite there unless a URL."""
    env = {**os.environ, "FLASHCARDS_INSTANCE": str(instance)}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def last_log_id(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        last = connection.execute(select(func.max(ReviewLog.id))).scalar_one()
    engine.dispose()
    return int(last or 0)


@dataclass(frozen=True)
class GradeCheck:
    rows: int  # review_logs rows written during the run
    applied: int  # distinct grades acknowledged
    lost: list[Grade]  # acknowledged, but not in review_logs exactly once
    phantom: int  # rows that no reviewer had acknowledged
    doubled: int  # card versions graded more than once


def check_grades(url: str, acknowledged: list[Grade], after_id: int) -> GradeCheck:
    """Compare the acknowledged grades with the review_logs rows after `after_id`.
    A grade acknowledged twice (two reviewers sent the same rating for the same card
    version: the second is answered as already applied) needs one row."""
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(ReviewLog.card_id, ReviewLog.card_version, ReviewLog.rating)
            .where(ReviewLog.id > after_id)).all()
    engine.dispose()
    written = Counter((card, version, rating) for card, version, rating in rows)
    versions = Counter((card, version) for card, version, _ in rows)
    applied = set(acknowledged)
    return GradeCheck(
        rows=len(rows), applied=len(applied),
        lost=sorted(grade for grade in applied if written[grade] != 1),
        phantom=sum(count for grade, count in written.items() if grade not in applied),
        doubled=sum(1 for count in versions.values() if count > 1))


def _cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU seconds of live processes `pids`."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _process_tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *(p for child in children for p in _process_tree(int(child)))]


def _machine_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


@dataclass(frozen=True)
class LoadResult:
    database: str
    seconds: float
    tally: Tally
    check: GradeCheck
    server_errors: int  # requests that failed with an exception, from the server log
    server_locked: int  # ... of which on a locked database
    cpu: dict[str, float]  # % of one core
    log: Path

    @property
    def errors(self) -> int:
        """Failed requests: what the clients saw, or the server logged if more."""
        return max(sum(self.tally.errors.values()), self.server_errors)

    @property
    def lost(self) -> int:
        return len(self.check.lost)


def load_test(database: str, url: str, instance: Path, args: argparse.Namespace) -> LoadResult:
    port = free_port()
    env = server_env(instance, url if database == "postgresql" else None)
    # As the deployment does (README): every worker gets the key from the environment.
    env.setdefault("SECRET_KEY", secrets.token_hex(32))
    log = instance / "gunicorn.log"
    command = [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(args.workers),
               "--bind", f"127.0.0.1:{port}", "flashcards:create_app()"]
    after_id = last_log_id(url)
    with serving(command, env, port, log) as server:
        tree = _process_tree(server.pid)
        cpu_before = (time.process_time(), _cpu_seconds(tree), _machine_cpu())
        wall = time.monotonic()
        tally = run_reviewers(port, args.reviewers, args.seconds, args.warmup,
                              deck_per_reviewer=args.deck_per_reviewer)
        wall = time.monotonic() - wall
        client_cpu = time.process_time() - cpu_before[0]
        server_cpu = _cpu_seconds(tree) - cpu_before[1]
        busy, total = (a - b for a, b in zip(_machine_cpu(), cpu_before[2], strict=True))
    cores = os.cpu_count() or 1
    cpu = {"machine": 100 * cores * busy / total, "clients": 100 * client_cpu / wall,
           "gunicorn": 100 * server_cpu / wall}
    cpu["other (database, OS, other jobs)"] = max(
        0.0, cpu["machine"] - cpu["clients"] - cpu["gunicorn"])
    lines = log.read_text(errors="replace").splitlines()
    # Flask logs "Exception on /path [METHOD]" once per failed request, and SQLAlchemy's
    # error line once per traceback.
    failed = sum("Exception on /" in line for line in lines)
    locked = sum(line.startswith("sqlalchemy.exc.") and LOCKED in line for line in lines)
    check = check_grades(url, tally.acknowledged, after_id)
    return LoadResult(database, args.seconds, tally, check, failed, locked, cpu, log)


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    return " / ".join(f"{percentile(values, q):.0f}" for q in (0.5, 0.95, 0.99))


def print_table(results: list[LoadResult], args: argparse.Namespace) -> None:
    print(f"\ngunicorn --workers {args.workers} on loopback, {args.reviewers} reviewers x "
          f"{args.seconds:g} s (after {args.warmup:g} s warm-up), {args.cards:,} cards"
          f"{', one deck per reviewer' if args.deck_per_reviewer else ', one shared queue'}; "
          f"{os.cpu_count()} CPU cores shared by clients, server and database")
    if args.start_postgres:
        print("PostgreSQL: a throwaway server started for this run, with its default "
              "(durable) settings")
    header = (f"{'database':<11}{'grades/s':>9}{'trips/s':>9}  {'client p50/95/99 ms':<21}"
              f"{'server p50/95/99 ms':<21}{'errors':>7}{'locked':>7}{'409s':>6}{'lost':>5}"
              f"{'phantom':>8}")
    print(header)
    print("-" * len(header))
    for r in results:
        locked = max(r.server_locked, r.tally.errors[f"POST: {LOCKED}"]
                     + r.tally.errors[f"GET: {LOCKED}"])
        print(f"{r.database:<11}{len(set(r.tally.measured)) / r.seconds:>9.1f}"
              f"{r.tally.round_trips / r.seconds:>9.1f}  {_ms(r.tally.client_ms):<21}"
              f"{_ms(r.tally.server_ms):<21}{r.errors:>7}{locked:>7}{r.tally.conflicts:>6}"
              f"{r.lost:>5}{r.check.phantom:>8}")
    for r in results:
        cpu = ", ".join(f"{name} {value:.0f}%" for name, value in r.cpu.items())
        print(f"{r.database}: {len(r.tally.acknowledged)} grades acknowledged "
              f"({r.check.applied} distinct), {r.check.rows} review_logs rows, "
              f"{r.check.doubled} card versions graded twice; CPU (% of one core): {cpu}")
        for problem, count in r.tally.errors.most_common():
            print(f"  error x{count}: {problem}")
        if r.server_errors:
            print(f"  server log: {r.server_errors} failed requests, {r.server_locked} of them "
                  f"on a locked database (see {r.log})")
        if r.lost:
            print(f"  lost grades (card, version, rating), first ones: {r.check.lost[:10]}")
        if r.tally.ran_out:
            print(f"  {r.tally.ran_out} reviewers ran out of cards before the end")


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """An empty database on a PostgreSQL server started for the run (the tests' own)."""
    from tests.pg_server import PostgresDatabases, local_server

    with local_server(durable=True) as admin_url:
        databases = PostgresDatabases(admin_url)
        try:
            yield databases.create(migrated=False)
        finally:
            databases.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5,
                        help="seconds of reviewing before measuring (checked, not timed)")
    parser.add_argument("--reviewers", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--cards", type=int, default=100_000)
    postgres = parser.add_mutually_exclusive_group()
    postgres.add_argument("--database-url",
                          help="also test PostgreSQL: an empty database, migrated and filled here")
    postgres.add_argument("--start-postgres", action="store_true",
                          help="also test PostgreSQL, on a throwaway server started here")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    parser.add_argument("--deck-per-reviewer", action="store_true",
                        help="each reviewer studies its own deck (few 409s)")
    args = parser.parse_args(argv)

    if args.no_sqlite and not (args.database_url or args.start_postgres):
        parser.error("nothing to run: --no-sqlite without PostgreSQL")
    with ExitStack() as stack:
        runs: list[tuple[str, str, Path]] = []
        if not args.no_sqlite:
            instance = Path(tempfile.mkdtemp(prefix="fc-load-sqlite-"))
            runs.append(("sqlite", f"sqlite:///{instance / 'flashcards.sqlite3'}", instance))
        if args.database_url or args.start_postgres:
            url = args.database_url or stack.enter_context(throwaway_postgres())
            runs.append(("postgresql", url, Path(tempfile.mkdtemp(prefix="fc-load-pg-"))))
        results = []
        for database, url, instance in runs:
            started = time.perf_counter()
            build_collection_at(url, args.cards)
            print(f"{database}: built a {args.cards:,}-card collection in "
                  f"{time.perf_counter() - started:.1f} s; running...", flush=True)
            results.append(load_test(database, url, instance, args))
    print_table(results, args)
    ok = all(r.errors == 0 and r.lost == 0 for r in results)
    print("PASS: no errors, no lost grades" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
