"""Card search over HTTP on a 100k-card SQLite collection.

Builds a 100,000-card collection in mixed states (the review-latency benchmark's
builder: 10 decks, tag "bench", 55% new, 10% learning, 35% review), starts the real
app (`python app.py`) on loopback with a fresh instance folder holding it, then for
each of a representative set of searches (free text, wildcards, deck:, tag:, is:,
negation, `or` with parentheses, every sort order, a deep page) sends
`GET /cards?q=...&sort=...&order=...&page=...` a few times to warm up and then
`--repeats` times, measured. Server-side time is read from the Server-Timing header;
the client round trip and the number of matching cards (from the page) are reported
too.

Goal (issue 6): every search's server-side median < 200 ms.

    .venv/bin/python benchmarks/search_speed.py [--cards 100000] [--repeats 15]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from review_latency import (  # noqa: E402
    Client,
    build_collection,
    free_port,
    percentile,
    server_ms,
)

TARGET_MS = 200.0
WARMUP = 2
MATCHES = re.compile(r'id="match-count"><strong>([\d,]+) cards?</strong>')

# (label, query, sort, order, page)
SEARCHES: list[tuple[str, str, str, str, int]] = [
    ("all cards", "", "created", "asc", 1),
    ("free text", '"Question 4242"', "created", "asc", 1),
    ("rare word (full scan)", "zebra", "created", "asc", 1),
    ("deck", 'deck:"Bench deck 3"', "created", "asc", 1),
    ("deck by a word of its name", "deck:3", "created", "asc", 1),
    ("deck: then words (quote hint)", "deck:Bench deck 3", "created", "asc", 1),
    ("tag", "tag:bench", "created", "asc", 1),
    ("is:due", "is:due", "created", "asc", 1),
    ("is:new", "is:new", "created", "asc", 1),
    ("not new, in deck", '-is:new deck:"Bench deck 7"', "created", "asc", 1),
    ("or + group + not", "(tag:bench or is:suspended) -is:new", "created", "asc", 1),
    ("wildcard", "lorem*ipsum", "created", "asc", 1),
    ("sort due desc", "", "due", "desc", 1),
    ("sort difficulty asc", "", "difficulty", "asc", 1),
    ("sort lapses desc", "", "lapses", "desc", 1),
    ("deep page 1500", "", "created", "asc", 1500),
]


@contextmanager
def running_app(db_file: Path) -> Iterator[Client]:
    """The app serving a copy of db_file on a free loopback port, and a client for it."""
    instance = Path(tempfile.mkdtemp(prefix="fc-bench-"))
    (instance / "flashcards.sqlite3").write_bytes(db_file.read_bytes())
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["FLASHCARDS_INSTANCE"] = str(instance)
    server = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            client = Client(port)
            try:
                client.request("GET", "/")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        yield client
    finally:
        server.terminate()
        server.wait(timeout=20)


def measure(client: Client, query: str, sort: str, order: str, page: int,
            repeats: int) -> dict[str, float]:
    path = "/cards?" + urlencode({"q": query, "sort": sort, "order": order, "page": page})
    server_times, client_times = [], []
    matches = -1
    for n in range(WARMUP + repeats):
        status, headers, text, elapsed = client.request("GET", path)
        assert status == 200, (status, path)
        found = MATCHES.search(text)
        assert found, f"no match count on {path}"
        matches = int(found.group(1).replace(",", ""))
        if n >= WARMUP:
            server_times.append(server_ms(headers))
            client_times.append(elapsed)
    return {"server_median": statistics.median(server_times),
            "server_p95": percentile(server_times, 0.95),
            "client_median": statistics.median(client_times),
            "matches": matches}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()

    db_file = Path(tempfile.mkdtemp(prefix="fc-bench-db-")) / "collection.sqlite3"
    started = time.perf_counter()
    build_collection(db_file, args.cards)
    print(f"built a {args.cards:,}-card collection in {time.perf_counter() - started:.1f} s")

    results = []
    with running_app(db_file) as client:
        for _label, query, sort, order, page in SEARCHES:
            results.append(measure(client, query, sort, order, page, args.repeats))

    print(f"\nGET /cards, {args.cards:,} cards, {args.repeats} requests per search "
          f"after {WARMUP} warm-ups (times in ms):")
    header = (f"  {'search':<22} {'query':<37} {'sort':<16} {'page':>4} "
              f"{'matches':>8} {'srv med':>8} {'srv p95':>8} {'rtt med':>8}")
    print(header)
    print("  " + "-" * (len(header) - 2))
    for (label, query, sort, order, page), result in zip(SEARCHES, results, strict=True):
        flag = "  SLOW" if result["server_median"] >= TARGET_MS else ""
        print(f"  {label:<22} {query or '(empty)':<37} {sort + ' ' + order:<16} {page:>4} "
              f"{result['matches']:>8,} {result['server_median']:>8.2f} "
              f"{result['server_p95']:>8.2f} {result['client_median']:>8.2f}{flag}")
    medians = [result["server_median"] for result in results]
    worst = max(range(len(medians)), key=medians.__getitem__)
    print(f"\n  median of the per-search server medians: {statistics.median(medians):.2f} ms")
    print(f"  worst per-search server median: {medians[worst]:.2f} ms "
          f"({SEARCHES[worst][0]}; target < {TARGET_MS:.0f}, "
          f"ratio {medians[worst] / TARGET_MS:.2f})")
    ok = all(median < TARGET_MS for median in medians)
    print("  PASS" if ok else "  FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
