"""Importing a 100k-row text file: our importer against Anki's own.

Two workloads, each a file of (front, back, tags) rows built with a fixed seed:

  anki:  in a form both apps read without any option changed: Anki's header lines
         `#separator:Comma`, `#html:false`, `#columns:Front,Back,Tags` and
         `#tags column:3`, then rows with fronts of 20-80 characters, backs of up to
         ~250, zero to three tags and some quoting.
  short: an ordinary spreadsheet export: a `front,back,tags` header row, then rows with
         a front of ~60 characters, a back of ~150 and one tag. Anki has no header-row
         option, so it imports the header as one more note (allowed for below).

Then, for each workload, --runs times each, every run in a fresh process
(multiprocessing, 'spawn'):

  ours: an empty, freshly migrated SQLite database; the `flask import-deck FILE` command
        as a user runs it (reading the file, the backup before writing, the commit,
        the summary line), timed from the command's start to its end: start-up (loading
        the app, migrating) is left out, as it is for Anki.
  Anki: an empty collection (the `anki` package, used here as the reference only);
        timed from get_csv_metadata to import_csv returning.

Both must import exactly --rows notes (checked after the clock stops). Peak memory is
the process's own high-water resident set size (getrusage(RUSAGE_SELF).ru_maxrss, read
in the child at the end of the run), shown in total and as the rise over the resident
size just before the timed part, i.e. what the import itself added on top of the loaded
libraries and the empty database.

Goal: median time of ours <= 0.8 x median time of Anki. Exit code 0 when met, else 1.

    .venv/bin/python benchmarks/import_speed.py [--rows 100000] [--runs 3] [--seed 7]
        [--workload anki|short|both]
"""

from __future__ import annotations

import argparse
import csv
import io
import multiprocessing
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL = 0.8
HEADER = "#separator:Comma\n#html:false\n#columns:Front,Back,Tags\n#tags column:3\n"
WORDS = ("latency throughput cache shard replica quorum leader follower partition index "
         "queue stream batch window backoff retry timeout lease token budget rollout canary "
         "schema migration tenant region failover consensus snapshot journal compaction "
         "heartbeat gossip vector clock bloom filter hash ring").split()
TAGS = ("systems", "storage", "network", "behavioural", "leadership", "sql", "python",
        "design::caching", "design::queues", "week1", "week2", "week3", "week4")


def build_file(path: Path, rows: int, seed: int) -> None:
    """`rows` notes with unique fronts; some fields need quoting (commas, quotes)."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    buffer.write(HEADER)
    writer = csv.writer(buffer, lineterminator="\n")
    for i in range(1, rows + 1):
        front = f"Q{i}: what is the {' '.join(rng.choices(WORDS, k=rng.randint(3, 9)))}?"
        back = " ".join(rng.choices(WORDS, k=rng.randint(5, 25)))
        if rng.random() < 0.2:
            back = f'{back}, then "{rng.choice(WORDS)}", and {rng.choice(WORDS)}'
        tags = " ".join(rng.sample(TAGS, rng.randint(0, 3)))
        writer.writerow([front, back, tags])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _words_up_to(rng: random.Random, length: int) -> str:
    words: list[str] = []
    while sum(map(len, words)) + len(words) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words)


def build_short_file(path: Path, rows: int, seed: int) -> None:
    """A spreadsheet-style file: `front,back,tags`, front ~60, back ~150, one tag."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["front", "back", "tags"])
    for i in range(1, rows + 1):
        front = f"Q{i}: {_words_up_to(rng, rng.randint(44, 56))}?"
        back = _words_up_to(rng, rng.randint(135, 160))
        writer.writerow([front, back, rng.choice(TAGS)])
    path.write_text(buffer.getvalue(), encoding="utf-8")


WORKLOADS = {"anki": build_file, "short": build_short_file}


def _peak_kib() -> int:
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def _rss_kib() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return _peak_kib()


def import_ours(file: str, folder: str, rows: int) -> dict[str, float]:
    """Runs in a fresh process: `flask import-deck FILE` into an empty, migrated database,
    as a user runs it, start-up (imports, app, migration) left out of the clock."""
    from sqlalchemy import func, select

    from flashcards import create_app
    from flashcards.db.migrate import upgrade
    from flashcards.models import Card

    app = create_app({"DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                      "SECRET_KEY": "bench"})
    engine = app.extensions["flashcards.engine"]
    upgrade(engine)
    runner = app.test_cli_runner()
    with app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        session.execute(select(func.count()).select_from(Card)).scalar_one()  # warm the pool
    rss_before = _rss_kib()
    started = time.perf_counter()
    outcome = runner.invoke(args=["import-deck", file])
    seconds = time.perf_counter() - started
    peak = _peak_kib()
    assert outcome.exit_code == 0, outcome.output
    assert outcome.output.startswith(f"Imported {file}: {rows} new,"), outcome.output
    with app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        stored = session.execute(select(func.count()).select_from(Card)).scalar_one()
    engine.dispose()
    assert stored == rows, stored
    return {"seconds": seconds, "peak_kib": peak, "rise_kib": peak - rss_before}


def import_anki(file: str, folder: str, rows: int) -> dict[str, float]:
    """Runs in a fresh process: one import into an empty Anki collection."""
    from anki.collection import Collection, ImportCsvRequest

    col = Collection(str(Path(folder) / "collection.anki2"))
    try:
        rss_before = _rss_kib()
        started = time.perf_counter()
        metadata = col.get_csv_metadata(file, None)
        log = col.import_csv(ImportCsvRequest(path=file, metadata=metadata)).log
        seconds = time.perf_counter() - started
        peak = _peak_kib()
        new, notes, cards = len(log.new), col.note_count(), col.card_count()
    finally:
        col.close()
    # A header row (the short workload) is one more note for Anki.
    assert new == notes == cards and new in (rows, rows + 1), (new, notes, cards)
    return {"seconds": seconds, "peak_kib": peak, "rise_kib": peak - rss_before}


def in_fresh_process(function, *args):
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workload", choices=[*WORKLOADS, "both"], default="both")
    args = parser.parse_args()

    failed = 0
    for workload in WORKLOADS if args.workload == "both" else [args.workload]:
        folder = Path(tempfile.mkdtemp(prefix="fc-import-bench-"))
        try:
            print(f"== workload: {workload}")
            failed |= run(folder, args, workload)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return failed


def run(folder: Path, args: argparse.Namespace, workload: str) -> int:
    file = folder / ("notes.txt" if workload == "anki" else "notes.csv")
    started = time.perf_counter()
    WORKLOADS[workload](file, args.rows, args.seed)
    print(f"built a {args.rows:,}-row file ({file.stat().st_size / 1e6:.1f} MB) in "
          f"{time.perf_counter() - started:.1f} s")

    ours, anki = [], []
    for run in range(1, args.runs + 1):
        for name, function, results in (("ours", import_ours, ours),
                                        ("anki", import_anki, anki)):
            target = folder / f"{name}-{run}"
            target.mkdir()
            result = in_fresh_process(function, str(file), str(target), args.rows)
            results.append(result)
            print(f"run {run} {name}: {result['seconds']:.2f} s, peak RSS "
                  f"{mib(result['peak_kib'])} (+{mib(result['rise_kib'])} during the import)")

    ours_s = statistics.median(r["seconds"] for r in ours)
    anki_s = statistics.median(r["seconds"] for r in anki)
    ratio = ours_s / anki_s
    print(f"\n[{workload}] Import of {args.rows:,} new notes into an empty collection, median of "
          f"{args.runs} run(s), each in a fresh process:")
    print(f"  ours: {ours_s:.2f} s ({args.rows / ours_s:,.0f} rows/s)")
    print(f"  Anki: {anki_s:.2f} s ({args.rows / anki_s:,.0f} rows/s)")
    print(f"  ratio ours/Anki: {ratio:.2f} (goal <= {GOAL})")
    print("  peak memory (the child process's own ru_maxrss; rise = over its resident size "
          "just before the timed part):")
    print(f"    ours: {mib(max(r['peak_kib'] for r in ours))} peak, "
          f"+{mib(max(r['rise_kib'] for r in ours))} during the import")
    print(f"    Anki: {mib(max(r['peak_kib'] for r in anki))} peak, "
          f"+{mib(max(r['rise_kib'] for r in anki))} during the import")
    ok = ratio <= GOAL
    print("  PASS" if ok else "  FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
