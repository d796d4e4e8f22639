"""Concurrent saves through every kind of write route never fail (issue 11, item 3), on
SQLite and PostgreSQL.

The real `python app.py --threads 8` serves the bundled collection. Eight clients, each
with its own session cookie and CSRF token, save settings, rename one deck, edit one
card, suspend and unsuspend another in bulk, and move one task, all at once and all on
the same rows. No request may answer 5xx or meet a locked database, and every
acknowledged change (a 302) must be stored exactly once: the edited card's version went
up once per acknowledged edit, there is one bulk-action record per acknowledged bulk
change, and what is left in each row is one of the acknowledged values.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from load_test import LOCKED, server_env, serving  # noqa: E402
from review_latency import TOKEN, Client, free_port  # noqa: E402

from flashcards.db import make_engine  # noqa: E402
from tests.test_app import database_of  # noqa: E402

CLIENTS = 8
ROUNDS = 3  # each client sends every kind of write this many times
KINDS = ("settings", "deck", "card", "bulk", "task")


def first_rows(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as connection:
        def one(sql: str) -> int:
            return int(connection.execute(text(sql)).scalar_one())

        deck = one("SELECT min(id) FROM decks")
        rows = {
            "deck": deck,
            "card": one(f"SELECT min(id) FROM cards WHERE deck_id = {deck}"),
            "bulk_card": one(f"SELECT max(id) FROM cards WHERE deck_id <> {deck}"),
            "task": one("SELECT min(id) FROM plan_tasks"),
            "actions": one("SELECT count(*) FROM card_actions"),
        }
        rows["version"] = one(f"SELECT version FROM cards WHERE id = {rows['card']}")
    engine.dispose()
    return rows


def stored(url: str, rows: dict[str, int]) -> dict[str, object]:
    engine = make_engine(url)
    with engine.connect() as connection:
        def one(sql: str) -> object:
            return connection.execute(text(sql)).scalar_one()

        result = {
            "new_per_day": one("SELECT new_per_day FROM settings WHERE id = 1"),
            "deck": one(f"SELECT name FROM decks WHERE id = {rows['deck']}"),
            "front": one(f"SELECT front FROM cards WHERE id = {rows['card']}"),
            "version": one(f"SELECT version FROM cards WHERE id = {rows['card']}"),
            "actions": one("SELECT count(*) FROM card_actions"),
            "task_day": one(f"SELECT scheduled_for FROM plan_tasks WHERE id = {rows['task']}"),
        }
    engine.dispose()
    return result


class Writer(threading.Thread):
    def __init__(self, number: int, port: int, rows: dict[str, int], start: threading.Event,
                 today: date) -> None:
        super().__init__(name=f"writer-{number}")
        self.number, self.port, self.rows, self.go, self.today = number, port, rows, start, today
        self.statuses: Counter[int] = Counter()
        self.problems: list[str] = []
        self.acknowledged: dict[str, list[object]] = {kind: [] for kind in KINDS}

    def form(self, kind: str, n: int) -> tuple[str, dict[str, object], object]:
        """(path, form, the value this request stores) for one write of `kind`."""
        rows, tag = self.rows, f"w{self.number}-{n}"
        if kind == "settings":
            value = 100 + self.number * 10 + n
            return "/settings", {
                "interview_date": (self.today + timedelta(days=20)).isoformat(),
                "daily_minutes": "60", "interview_retention": "",
                **{f"easy_{day}": "n" for day in ("monday", "tuesday", "wednesday",
                                                  "thursday", "friday", "saturday", "sunday")},
                "desired_retention": "0.9", "new_per_day": str(value),
                "max_reviews_per_day": "200", "timezone": "UTC", "rollover_hour": "4",
                "leech_threshold": "8", "leech_action": "suspend"}, value
        if kind == "deck":
            return f"/decks/{rows['deck']}/edit", {"name": f"Deck {tag}",
                                                   "description": ""}, f"Deck {tag}"
        if kind == "card":
            return f"/cards/{rows['card']}/edit", {
                "deck": rows["deck"], "front": f"Front {tag}", "back": "Back", "tags": "",
                "source": "", "next": ""}, f"Front {tag}"
        if kind == "bulk":
            action = "suspend" if (self.number + n) % 2 else "unsuspend"
            return "/cards/bulk", {"action": action, "scope": "selected", "q": "",
                                   "ids": [rows["bulk_card"]], "deck": "", "tag": "",
                                   "confirm": ""}, action
        day = self.today + timedelta(days=1 + (self.number + n) % 5)
        return f"/plan/tasks/{rows['task']}/move", {"day": day.isoformat(),
                                                     "next": "/plan"}, day

    def run(self) -> None:
        client = Client(self.port)
        try:
            status, _, page, _ = client.request("GET", "/settings")
            token = TOKEN.search(page)
            assert status == 200 and token, page[:300]
            self.go.wait()
            for n in range(ROUNDS):
                for kind in KINDS[self.number % len(KINDS):] + KINDS[:self.number % len(KINDS)]:
                    path, form, value = self.form(kind, n)
                    body = urlencode({"csrf_token": token.group(1), **form}, doseq=True)
                    status, _, text_, _ = client.request("POST", path, body)
                    self.statuses[status] += 1
                    if status == 302:
                        self.acknowledged[kind].append(value)
                    else:
                        self.problems.append(f"POST {path} -> {status}: {text_[:300]}")
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.problems.append(f"{type(exc).__name__}: {exc}")
        finally:
            client.conn.close()


def test_concurrent_saves_of_the_same_rows_never_fail(tmp_path: Path, databases) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    server_url, url = database_of(databases, instance)
    port = free_port()
    command = [sys.executable, "app.py", "--port", str(port), "--threads", str(CLIENTS)]
    log = tmp_path / "server.log"
    with serving(command, server_env(instance, server_url), port, log, timeout=120):
        rows = first_rows(url)
        today = date.today()
        go = threading.Event()
        writers = [Writer(n, port, rows, go, today) for n in range(CLIENTS)]
        for writer in writers:
            writer.start()
        go.set()
        for writer in writers:
            writer.join(timeout=240)
    output = log.read_text(errors="replace")
    statuses = sum((w.statuses for w in writers), Counter())
    problems = [p for w in writers for p in w.problems]
    acknowledged = {kind: [v for w in writers for v in w.acknowledged[kind]] for kind in KINDS}
    after = stored(url, rows)
    summary = (f"{databases.kind}: {sum(statuses.values())} writes, statuses {dict(statuses)}, "
               f"acknowledged {({k: len(v) for k, v in acknowledged.items()})}")
    print(summary)
    assert problems == [], f"{summary}\n" + "\n".join(problems[:10])
    assert "Traceback" not in output and LOCKED not in output, output[-3000:]
    assert sum(statuses.values()) == CLIENTS * ROUNDS * len(KINDS)
    # Every acknowledged change stored exactly once, and the last one left standing.
    assert after["version"] == rows["version"] + len(acknowledged["card"]), summary
    assert after["front"] in acknowledged["card"]
    assert after["actions"] == rows["actions"] + len(acknowledged["bulk"]), summary
    assert after["new_per_day"] in acknowledged["settings"]
    assert after["deck"] in acknowledged["deck"]
    task_day = after["task_day"]
    task_day = date.fromisoformat(task_day) if isinstance(task_day, str) else task_day
    assert task_day in acknowledged["task"]
    # Nothing was refused for want of a lock: each kind was acknowledged every time.
    assert all(len(values) == CLIENTS * ROUNDS for values in acknowledged.values()), summary
