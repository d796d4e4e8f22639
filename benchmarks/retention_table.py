"""Help me decide's page (/settings/retention): server time for the bundled decks and
for a large collection, against Settings itself.

Builds two SQLite collections (the bundled decks as a first start seeds them, and
--cards cards in mixed states from the review-latency benchmark's builder), sets the
interview --days ahead, and GETs /settings/retention and /settings --runs times each
through the app, reading the server time from the Server-Timing header every response
carries. The median is of the table computed afresh (its per-input cache emptied
before each GET, as after a review); the first GET of a process also computes the
long-term optimum (fsrs-rs's simulator, cached per parameter set and collection size
afterwards), and a GET with nothing changed since reads the cache: both are reported
on their own.

Goals (issue 14): Settings itself stays fast (median <= 0.1 s: the table is on a page
of its own, linked from it), and the table for the plan's default 30 days answers well
under a second (median <= 0.5 s). A far interview costs more (the forecast steps through
every day to it, once per row): reported, not judged.

    .venv/bin/python benchmarks/retention_table.py [--cards 10000] [--runs 5] [--days 30 90 365]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from review_latency import build_collection  # noqa: E402
from sqlalchemy import update  # noqa: E402

from flashcards import create_app  # noqa: E402
from flashcards.core import retention as core_retention  # noqa: E402
from flashcards.maintenance.bootstrap import setup_database  # noqa: E402
from flashcards.models import Settings  # noqa: E402
from flashcards.scoping import ALL_USERS  # noqa: E402

TIMING = re.compile(r"app;dur=([\d.]+)")
SETTINGS_GOAL = 0.1
TABLE_GOAL = 0.5
DEFAULT_DAYS = 30  # the plan's default interview date


def server_ms(client, path: str) -> float:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    match = TIMING.search(response.headers.get("Server-Timing", ""))
    assert match, "no Server-Timing header"
    return float(match.group(1))


def measure(label: str, url: str, seed: bool, runs: int,
            days: list[int]) -> list[tuple[int, float, float]]:
    """(days ahead, the table's median, Settings' median) per interview date."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "FIRST_RUN_SETUP": False})
    if seed:
        setup_database(app)
    engine = app.extensions["flashcards.engine"]
    client = app.test_client()
    medians = []
    for ahead in days:
        interview = datetime.now(UTC).date() + timedelta(days=ahead)
        with engine.begin() as connection:
            connection.execute(update(Settings).values(interview_date=interview)
                               .execution_options(**{ALL_USERS: True}))
        core_retention.long_term_optimum.cache_clear()
        core_retention._TABLE_CACHE.clear()
        cold = server_ms(client, "/settings/retention")
        table = []
        for _ in range(runs):
            core_retention._TABLE_CACHE.clear()  # the forecasts again (a card changed)
            table.append(server_ms(client, "/settings/retention"))
        kept = [server_ms(client, "/settings/retention") for _ in range(runs)]
        settings = [server_ms(client, "/settings") for _ in range(runs)]
        median = statistics.median(table) / 1000
        medians.append((ahead, median, statistics.median(settings) / 1000))
        print(f"{label}, interview in {ahead} days: /settings/retention median "
              f"{median:.3f} s (runs {', '.join(f'{t / 1000:.3f}' for t in table)}; "
              f"the first, with the long-term optimum: {cold / 1000:.3f} s; "
              f"nothing changed since the last visit: "
              f"{statistics.median(kept) / 1000:.3f} s); "
              f"/settings median {statistics.median(settings) / 1000:.3f} s")
    engine.dispose()
    return medians


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--days", type=int, nargs="+", default=[30, 90, 365])
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fc-retention-bench-"))
    found = measure("bundled decks", f"sqlite:///{folder / 'bundled.sqlite3'}", True,
                    args.runs, args.days)
    build_collection(folder / "large.sqlite3", args.cards)
    found += measure(f"{args.cards:,} cards", f"sqlite:///{folder / 'large.sqlite3'}", False,
                     args.runs, args.days)
    settings = max(s for _, _, s in found)
    default = [t for ahead, t, _ in found if ahead == DEFAULT_DAYS]
    print(f"\nSettings: slowest median {settings:.3f} s (goal <= {SETTINGS_GOAL} s)")
    ok = settings <= SETTINGS_GOAL
    if default:
        print(f"Table, interview in {DEFAULT_DAYS} days: slowest median {max(default):.3f} s "
              f"(goal <= {TABLE_GOAL} s)")
        ok = ok and max(default) <= TABLE_GOAL
    for ahead in sorted({a for a, _, _ in found} - {DEFAULT_DAYS}):
        slowest = max(t for a, t, _ in found if a == ahead)
        print(f"Table, interview in {ahead} days: slowest median {slowest:.3f} s")
    print("  PASS" if ok else "  FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
