"""Concurrent reviewers against the real server on loopback (issue 7), on SQLite and
PostgreSQL (the `databases` fixture runs it on each).

`python app.py --threads 4` on a fresh instance folder and a fresh database holding a
few thousand cards; six reviewers (each its own keep-alive connection, session cookie
and CSRF token) study and grade at random for a few seconds, often the same card at
the same time. No request may fail or meet a locked database; afterwards every
acknowledged grade (302) is in review_logs exactly once and a refused one (409) wrote
nothing. The reviewers, the server start and the grade check are
benchmarks/load_test.py's.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from load_test import (  # noqa: E402
    LOCKED,
    check_grades,
    last_log_id,
    run_reviewers,
    server_env,
    serving,
)
from review_latency import build_collection_at, free_port  # noqa: E402

from tests.test_app import database_of  # noqa: E402

CARDS = 3000  # new, learning and due cards to spare for 8 s of grading
REVIEWERS = 6
SECONDS = 8.0
# 70-100 distinct grades in 8 s on 2 cores, 40 on a loaded machine: fewer means nothing.
MIN_GRADES = 20


def test_concurrent_reviewers_apply_each_grade_exactly_once(tmp_path: Path, databases) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    # SQLite: the instance folder's default file; PostgreSQL: an empty database.
    server_url, url = database_of(databases, instance)
    build_collection_at(url, CARDS)  # migrated, daily limits far above what 8 s can use
    after_id = last_log_id(url)
    port = free_port()
    log = tmp_path / "server.log"
    command = [sys.executable, "app.py", "--port", str(port), "--threads", "4"]
    with serving(command, server_env(instance, server_url), port, log, timeout=60):
        tally = run_reviewers(port, REVIEWERS, SECONDS, seed=7)
    check = check_grades(url, tally.acknowledged, after_id)
    output = log.read_text(errors="replace")
    first_error = output.find("Traceback")

    errors = sum(tally.errors.values())
    summary = (f"{databases.kind}: {len(tally.acknowledged)} grades acknowledged "
               f"({check.applied} distinct), {tally.conflicts} refused with 409, "
               f"{check.rows} review_logs rows written, {check.phantom} not acknowledged, "
               f"{check.doubled} card versions graded twice; errors: {dict(tally.errors)}"
               + (f"\nfirst error in the server log:\n{output[first_error:first_error + 3000]}"
                  if first_error >= 0 else ""))
    assert errors == 0, summary
    assert LOCKED not in output and first_error < 0, summary
    assert check.lost == [], f"{summary}; lost (card, version, rating): {check.lost[:10]}"
    assert check.rows == check.applied, summary
    assert check.phantom == 0 and check.doubled == 0, summary
    assert check.applied >= MIN_GRADES, summary
    assert tally.ran_out == 0, f"{summary}; the reviewers ran out of cards"
