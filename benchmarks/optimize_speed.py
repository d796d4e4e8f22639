"""Personal FSRS parameters: our optimise against the `fsrs` package's optimiser.

A simulated learner (true stability 45% of what the default parameters believe)
leaves 50,000 answers in a fresh SQLite collection. Ours is timed as the app runs it
(`services.optimizer.optimise`): read the log from the database, build the items, fit
with fsrs-rs, score the parameters in use and the new ones on one time-series split,
store the run and re-compute every card's memory state with the adopted parameters.
Goal (issue 14): <= 1 s.

The baseline is the `fsrs` package's PyTorch optimiser (`Optimizer.compute_optimal_
parameters`), which the app does not use. It needs `fsrs[optimizer]`, which the app
does not install: give a Python that has it with --baseline-python (e.g. a venv made
with `pip install "fsrs[optimizer]"`). It is run on a sample of the answers (it takes
minutes on all of them) and scaled linearly to the full log; ours is also timed on the
same sample, fitting only, for a like-for-like ratio.

    .venv/bin/python benchmarks/optimize_speed.py [--reviews 50000] [--runs 5]
        [--sample 3000] [--baseline-python /path/to/python]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, insert, update  # noqa: E402

from flashcards import create_app  # noqa: E402
from flashcards.core.fsrs_items import Answer, build_items  # noqa: E402
from flashcards.core.optimizer import DEFAULT_PARAMETERS, to_fsrs_items  # noqa: E402
from flashcards.core.scheduling import CardState  # noqa: E402
from flashcards.maintenance.bootstrap import setup_database  # noqa: E402
from flashcards.models import Card, Deck, FsrsFit, ReviewLog, Settings  # noqa: E402
from flashcards.scoping import ALL_USERS  # noqa: E402
from flashcards.services import optimizer  # noqa: E402
from tests.fsrs_learner import learner  # noqa: E402

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def build(folder: Path, answers: list[Answer]):  # type: ignore[no-untyped-def]
    """A collection holding the answers as its review log; returns the app."""
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'opt.sqlite3'}",
                      "SECRET_KEY": "bench", "CLOCK": lambda: START})
    setup_database(app)
    engine = app.extensions["flashcards.engine"]
    cards = sorted({a.card_id for a in answers})
    with engine.begin() as connection:
        connection = connection.execution_options(**{ALL_USERS: True})
        connection.execute(update(Settings).values(timezone="UTC"))
        deck = connection.execute(insert(Deck).values(
            user_id=1, name="Optimiser", name_key="optimiser", description="",
            created_at=START).returning(Deck.id)).scalar_one()
        connection.execute(insert(Card), [dict(
            id=10_000_000 + c, user_id=1, deck_id=deck, guid=f"opt-{c}", kind="basic",
            front=f"front {c}", back=f"back {c}", tags="", source="", position=c,
            state=int(CardState.REVIEW), stability=5.0, difficulty=5.0,
            due=START, last_review=START, created_at=START) for c in cards])
        seen: dict[int, int] = {}
        rows = []
        for answer in answers:
            k = seen[answer.card_id] = seen.get(answer.card_id, 0) + 1
            rows.append(dict(
                card_id=10_000_000 + answer.card_id, user_id=1,
                reviewed_at=START + timedelta(days=answer.day, minutes=k),
                rating=answer.rating, card_version=k,
                state_before=int(CardState.NEW if answer.new else CardState.REVIEW),
                state_after=int(CardState.REVIEW)))
        connection.execute(insert(ReviewLog), rows)
    return app


def ours(app) -> tuple[float, bool, int]:  # type: ignore[no-untyped-def]
    """One optimise as the app runs it, from the parameters' defaults."""
    maker = app.extensions["flashcards.sessionmaker"]
    with maker(info={"user_id": 1}) as session:
        session.execute(update(Settings).where(Settings.id == 1).values(fsrs_parameters=None))
        session.execute(delete(FsrsFit))
        session.commit()
        began = time.perf_counter()
        outcome = optimizer.optimise(session, START + timedelta(days=400))
        session.commit()
        seconds = time.perf_counter() - began
    return seconds, outcome.fit.adopted, outcome.fit.reviews_used


def baseline(python: str, answers: list[Answer]) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump([[a.card_id, a.day, a.rating] for a in answers], handle)
    result = subprocess.run([python, str(ROOT / "benchmarks" / "fsrs_py_optimizer.py"),
                             handle.name], capture_output=True, text=True, check=True)
    Path(handle.name).unlink()
    return float(json.loads(result.stdout.strip().splitlines()[-1])["seconds"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sample", type=int, default=3000)
    parser.add_argument("--baseline-python", default=None)
    args = parser.parse_args()

    answers = learner(args.reviews, scale=0.45, seed=1, start_days=60)
    folder = Path(tempfile.mkdtemp(prefix="fc-optimize-"))
    app = build(folder, answers)
    times = []
    for run in range(args.runs):
        seconds, adopted, used = ours(app)
        times.append(seconds)
        print(f"run {run + 1}: optimise {seconds:.3f} s ({used} items, adopted: {adopted})")
    median = statistics.median(times)
    print(f"ours, {args.reviews} answers, read + build + fit + evaluate + store + memory "
          f"states: median {median:.3f} s of {args.runs} (goal <= 1 s: "
          f"{'met' if median <= 1.0 else 'MISSED'})")

    sample = answers[:args.sample]
    cards = build_items(sample)
    items, card_ids = to_fsrs_items(cards)
    import fsrs_rs_python as fsrs_rs

    fit_times = []
    for _ in range(args.runs):
        began = time.perf_counter()
        fsrs_rs.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(items, card_ids)
        fit_times.append(time.perf_counter() - began)
    ours_sample = statistics.median(fit_times)
    print(f"ours on the sample ({len(sample)} answers), fitting only: {ours_sample:.3f} s")
    if args.baseline_python is None:
        print("baseline not run: give --baseline-python, a Python with fsrs[optimizer]")
        return 0 if median <= 1.0 else 1
    base_times = [baseline(args.baseline_python, sample) for _ in range(max(1, args.runs // 2))]
    base = statistics.median(base_times)
    scaled = base * args.reviews / len(sample)
    print(f"baseline fsrs.Optimizer on the sample: median {base:.2f} s of {len(base_times)}; "
          f"scaled to {args.reviews} answers: {scaled:.0f} s")
    print(f"ratio, like for like on the sample (ours / baseline): {ours_sample / base:.4f} "
          f"(baseline {base / ours_sample:.0f}x slower)")
    print(f"ratio, our whole optimise on {args.reviews} answers / baseline scaled: "
          f"{median / scaled:.4f}")
    return 0 if median <= 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
