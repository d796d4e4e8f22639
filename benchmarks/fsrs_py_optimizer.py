"""The baseline of optimize_speed.py: the `fsrs` package's own (PyTorch) optimiser.

Run by optimize_speed.py with a Python that has `fsrs[optimizer]` (PyTorch, pandas,
tqdm), which the app does not install:

    python benchmarks/fsrs_py_optimizer.py ANSWERS.json

ANSWERS.json holds [card_id, day, rating] rows (days from the first); prints one JSON
object: the seconds `compute_optimal_parameters` took and the parameters it found.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime, timedelta

from fsrs import Rating, ReviewLog
from fsrs.optimizer import Optimizer


def main() -> int:
    rows = json.loads(open(sys.argv[1], encoding="utf-8").read())  # noqa: SIM115
    start = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    logs = [ReviewLog(card_id, Rating(rating), start + timedelta(days=day, minutes=k), None)
            for k, (card_id, day, rating) in enumerate(rows)]
    began = time.perf_counter()
    parameters = Optimizer(logs).compute_optimal_parameters()
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "parameters": list(parameters)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
