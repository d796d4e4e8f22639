"""kill -9 in the middle of an import leaves all rows or none, and a sound database."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = 40_000
TRIALS = 20


def test_killed_import_is_all_or_nothing(tmp_path) -> None:
    instance = tmp_path / "instance"
    env = {**os.environ, "FLASHCARDS_INSTANCE": str(instance)}
    env.pop("DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "setup"], cwd=ROOT, env=env, check=True, capture_output=True)
    source = tmp_path / "big.csv"
    source.write_text("front,back,tags\n" + "".join(
        f"Question {i},Answer {i},t{i % 7}\n" for i in range(ROWS)), encoding="utf-8")
    database = instance / "flashcards.sqlite3"

    def cards() -> int:
        with sqlite3.connect(database) as connection:
            return connection.execute("SELECT count(*) FROM cards").fetchone()[0]

    before = cards()
    rng = random.Random(7)
    outcomes = set()
    for trial in range(TRIALS):
        process = subprocess.Popen([*flask, "import-deck", str(source), "--deck", f"T{trial}"],
                                   cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.8, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = cards()
        assert after - before in (0, ROWS), f"trial {trial}: {after - before} rows written"
        outcomes.add(after - before)
        before = after
        with sqlite3.connect(database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # Kills must have landed mid-import for the test to mean anything.
    assert 0 in outcomes
