"""The plan gives the same answer on every load and in every process: `flask plan`
run again in new processes (with other hash seeds), after the first run stored what it
decided, prints the same plan."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.test_app import ROOT


def flask(instance: Path, *args: str, hash_seed: str = "0") -> subprocess.CompletedProcess[str]:
    # SQLite on purpose: the real CLI in a fresh instance folder.
    env = {**os.environ, "FLASHCARDS_INSTANCE": str(instance), "PYTHONHASHSEED": hash_seed}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def test_the_same_plan_in_every_process_and_on_every_load(tmp_path) -> None:
    assert flask(tmp_path, "setup").returncode == 0
    runs = []
    for seed in ("1", "2", "3"):
        done = flask(tmp_path, "plan", "--json", hash_seed=seed)
        assert done.returncode == 0, done.stderr
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1] == runs[2]
    days = runs[0]
    # The defaults hold the bundled tasks: nothing over budget, nothing left out.
    assert days and not any(day["over_budget"] for day in days)
    assert [t["title"] for day in days for t in day["tasks"] if t["change"] == "dropped"] == []
