"""How many searches run at once in this process: one per user, a few in all.

A search may read every card of a collection; eight of them at once from one user would
take the server's threads and cores from everyone else. A search beyond the limits is
refused at once (429) rather than queued, so that a waiting search holds no thread."""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum

from flask import Flask, current_app

GATE = "flashcards.search_gate"


class Refusal(Enum):
    YOURS = "Your previous search is still running. Wait a moment and search again."
    BUSY = "The server is busy with other searches. Wait a moment and search again."


class SearchGate:
    """Admits a search when its user has fewer than `per_user` running and the process
    fewer than `total`."""

    def __init__(self, per_user: int, total: int) -> None:
        self.per_user = per_user
        self.total = total
        self._running: Counter[int] = Counter()
        self._lock = threading.Lock()

    @contextmanager
    def admit(self, user_id: int) -> Iterator[Refusal | None]:
        """None while the search may run; a Refusal (and nothing to run) otherwise."""
        with self._lock:
            if self._running[user_id] >= self.per_user:
                refusal: Refusal | None = Refusal.YOURS
            elif self._running.total() >= self.total:
                refusal = Refusal.BUSY
            else:
                refusal = None
                self._running[user_id] += 1
        try:
            yield refusal
        finally:
            if refusal is None:
                with self._lock:
                    self._running[user_id] -= 1
                    if not self._running[user_id]:
                        del self._running[user_id]


def search_gate() -> SearchGate:
    """The app's gate (one per process and app)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    gate: SearchGate | None = app.extensions.get(GATE)
    if gate is None:
        gate = app.extensions.setdefault(
            GATE, SearchGate(per_user=1, total=max(2, os.cpu_count() or 2)))
    return gate
