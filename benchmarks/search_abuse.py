"""Expensive searches against the real server, and what they cost everyone else (issue 24).

Builds a 100,000-card collection (the review-latency benchmark's builder) owned by a user
"bench", adds a second user "other" (with the bundled decks, as `create-user` gives), starts
`python app.py --threads 8` on loopback, logs both in, then measures, on SQLite and (with
`--start-postgres`) on PostgreSQL:

1. each search of SEARCHES alone (`--repeats` times, the median of the client round trip,
   its status: 200, or the 4xx/503 that refuses it);
2. "other" asking for GET /decks alone (`--samples` times, median);
3. the same while `--attackers` threads (the server's thread count) send the most expensive
   search of SEARCHES over and over as "bench": the median during, and its ratio to alone.

`--app-dir DIR` runs the server (and the migrations) from another checkout: the baseline,
e.g. `git worktree add /tmp/base <commit>`. A request that gets no answer within
`--timeout` seconds is reported as "> timeout"; the server is stopped after each database,
so nothing it left running outlives the run (the PostgreSQL server is a throwaway one).

    .venv/bin/python benchmarks/search_abuse.py [--cards 100000] [--start-postgres]
        [--no-sqlite] [--app-dir DIR] [--repeats 3] [--samples 20] [--timeout 300]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from load_test import server_env, serving, throwaway_postgres  # noqa: E402
from review_latency import TOKEN, Client, build_collection_at, free_port  # noqa: E402
from sqlalchemy import case, update  # noqa: E402

from flashcards.db import make_engine  # noqa: E402
from flashcards.models import Card  # noqa: E402

PASSWORD = "correct horse battery"
STARS = "tag:" + "*" * 996
# (label, query)
SEARCHES: list[tuple[str, str]] = [
    ("everyday: provenance tag:ladder -rollback", "provenance tag:ladder -rollback"),
    ("tag: + 996 stars", STARS),
    ("tag:leech + 985 stars", "tag:leech" + "*" * 985),
    ("'a ' x 499", "a " * 499),
    ("24 wildcard words (over the cap)",
     " ".join(f"q*{c}*m" for c in "abcdefghijklmnopqrstuvwx")),
]
# The costliest search the caps allow: twenty wildcard terms, none found, each a pass over
# every card's four text fields.
WORST = " or ".join(f"zq{i}*x" for i in range(20))
SEARCHES.append(("worst allowed: 20 wildcard terms, or", WORST))
ATTACKS = [("tag: + 996 stars", STARS), ("the worst allowed", WORST)]


def run_cli(app_dir: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=app_dir,
                   env=env, check=True, capture_output=True)


def log_in(port: int, name: str, timeout: float) -> Client:
    client = Client(port)
    client.conn.timeout = timeout
    page = client.request("GET", "/login")[2]
    token = TOKEN.search(page)
    assert token, "no CSRF token on /login"
    status = client.request("POST", "/login", urlencode(
        {"csrf_token": token.group(1), "name": name, "password": PASSWORD}))[0]
    assert status == 302, f"log-in as {name} answered {status}"
    status, headers, _, _ = client.request("GET", "/")
    if status == 302 and headers.get("Location", "").startswith("/setup"):
        token = TOKEN.search(client.request("GET", "/setup")[2])
        assert token, "no CSRF token on /setup"
        client.request("POST", "/setup/skip", urlencode({"csrf_token": token.group(1)}))
    return client


def timed(client: Client, path: str) -> tuple[int, float]:
    """(status, seconds); status 0 and the time waited if no answer came in time."""
    started = time.perf_counter()
    try:
        status = client.request("GET", path)[0]
    except OSError:
        return 0, time.perf_counter() - started
    return status, time.perf_counter() - started


def search_path(query: str) -> str:
    return "/cards?" + urlencode({"q": query})


def same_session(port: int, client: Client, timeout: float) -> Client:
    """Another connection with client's session (log-ins are rate limited)."""
    other = Client(port)
    other.conn.timeout, other.cookie = timeout, client.cookie
    return other


def attack(port: int, client: Client, queries: list[str], stop: threading.Event,
           answers: Counter[int], timeout: float) -> None:
    """Send the searches in turn, each once the last has answered, until stop; as a
    browser would, wait a second after a 429 (Retry-After). Status 0: no answer."""
    client = same_session(port, client, timeout)
    turn = 0
    try:
        while not stop.is_set():
            status, _ = timed(client, search_path(queries[turn % len(queries)]))
            turn += 1
            answers[status] += 1
            if status == 0:
                return
            if status == 429:
                stop.wait(1.0)
    finally:
        client.conn.close()


def adding_users(app_dir: Path, env: dict[str, str]) -> None:
    run_cli(app_dir, env, "create-user", "bench", "--password", PASSWORD)
    run_cli(app_dir, env, "create-user", "other", "--password", PASSWORD)


# Tags as a real collection has them (the builder gives every card "bench"): several a
# card, hierarchical, some long; the wildcard searches' cost grows with them.
TAG_SETS = (
    "tpm-career-guide-2026::ladder::senior-program-manager interview-process leech",
    "tpm-career-guide-2026::terminology raci-matrix stakeholder-management",
    "tpm-career-guide-2026::stories star-method good-example behavioural-round",
    "bench",
    "tpm-career-guide-2026::ladder::principal-program-manager career-ladder bad-example",
)


def tag_like_a_collection(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(update(Card).values(tags=case(
            *((Card.id % len(TAG_SETS) == k, tags) for k, tags in enumerate(TAG_SETS)),
            else_="bench")))
    engine.dispose()


def measure(database: str, url: str, instance: Path, app_dir: Path,
            args: argparse.Namespace) -> None:
    build_collection_at(url, args.cards)
    tag_like_a_collection(url)
    env = server_env(instance, url if database == "postgresql" else None)
    adding_users(app_dir, env)
    log = instance / "server.log"
    print(f"\n{database}, {args.cards:,} cards, server from {app_dir}:", flush=True)
    with server(app_dir, env, log, args) as port:
        bench = log_in(port, "bench", args.timeout)
        for label, query in SEARCHES:
            runs = [timed(bench, search_path(query)) for _ in range(args.repeats)]
            statuses = Counter(status for status, _ in runs)
            median = statistics.median(seconds for _, seconds in runs)
            shown = (f"> {args.timeout:.0f} s (no answer)" if 0 in statuses
                     else f"{median * 1000:9.1f} ms")
            print(f"  {label:<44} {shown}  status {dict(statuses)}", flush=True)
            if 0 in statuses:  # the connection is gone: a new one for what follows
                bench = same_session(port, bench, args.timeout)
    for label, query in ATTACKS:
        # A server of its own: what an earlier phase left running does not count here.
        with server(app_dir, env, log, args) as port:
            bench = log_in(port, "bench", args.timeout)
            other = log_in(port, "other", args.timeout)
            alone = [timed(other, "/decks")[1] for _ in range(args.samples)]
            stop = threading.Event()
            attacks: Counter[int] = Counter()
            threads = [threading.Thread(target=attack, daemon=True, args=(
                port, bench, [query], stop, attacks, args.timeout))
                for _ in range(args.attackers)]
            for thread in threads:
                thread.start()
            time.sleep(1.0)  # every attacker has a request in flight
            during = []
            for _ in range(args.samples):
                status, seconds = timed(other, "/decks")
                during.append(seconds if status else args.timeout)
                if not status:
                    break
            stop.set()
            before, after = statistics.median(alone), statistics.median(during)
            print(f"  other user's GET /decks alone: {before * 1000:.1f} ms; while "
                  f"{args.attackers} send {label}: {after * 1000:.1f} ms "
                  f"(ratio {after / before:.2f}); attackers' answers {dict(attacks)}",
                  flush=True)
        # Leaving the server stops it; attackers still waiting get a closed connection.
        for thread in threads:
            thread.join(timeout=10)


@contextmanager
def server(app_dir: Path, env: dict[str, str], log: Path,
           args: argparse.Namespace) -> Iterator[int]:
    """`python app.py` from app_dir with the attackers' number of threads: its port."""
    port = free_port()
    command = [sys.executable, "app.py", "--port", str(port), "--threads",
               str(args.attackers)]
    with serving(command, env, port, log, ready=(200, 302), cwd=app_dir):
        yield port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--attackers", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--app-dir", type=Path, default=ROOT)
    parser.add_argument("--start-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args(argv)
    app_dir = args.app_dir.resolve()
    with ExitStack() as stack:
        if not args.no_sqlite:
            instance = Path(tempfile.mkdtemp(prefix="fc-abuse-"))
            measure("sqlite", f"sqlite:///{instance / 'flashcards.sqlite3'}", instance,
                    app_dir, args)
        if args.start_postgres:
            url = stack.enter_context(throwaway_postgres())
            measure("postgresql", url, Path(tempfile.mkdtemp(prefix="fc-abuse-")), app_dir,
                    args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
