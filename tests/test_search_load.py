"""Expensive searches against the real server (issue 24), on SQLite and PostgreSQL.

`python app.py --threads 8` over a collection of 20,000 cards tagged as real ones are,
with two users. While eight threads of one user send the searches an outside review
used to tie up the server (a tag with 996 stars, `tag:leech` with 985, 499 words, and
the costliest search the caps still allow), the other user's deck list answers about as
fast as it did alone; every search answers, none with a 500. With a page's statement
limit made tiny, the costliest search is cut off with a page that says so, while the
other user is served and the same user's next search answers. The searches, the users
and the server are benchmarks/search_abuse.py's.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from load_test import server_env, serving  # noqa: E402
from review_latency import Client, build_collection_at, free_port  # noqa: E402
from search_abuse import (  # noqa: E402
    STARS,
    WORST,
    adding_users,
    attack,
    log_in,
    search_path,
    tag_like_a_collection,
    timed,
)
from sqlalchemy import insert, select, update  # noqa: E402

from flashcards.db import make_engine  # noqa: E402
from flashcards.models import Card  # noqa: E402
from tests.test_app import database_of  # noqa: E402

CARDS = 20_000
ATTACKERS = 8
SAMPLES = 15
ATTACK = [STARS, "tag:leech" + "*" * 985, "a " * 499, WORST]
# The other user's page while the attack runs, against alone: before the fix it took
# 60 times as long on SQLite (100k cards); two busy threads of Python halve anyone's
# speed, so twice is what sharing the machine costs, and four times the bound.
MAX_RATIO = 4.0
SLACK = 0.015  # seconds: a page of a few ms is not judged on scheduler noise


def grow(url: str, doublings: int) -> None:
    """Double bench's cards `doublings` times (copies with their own guid), each with a
    paragraph added to its answer."""
    engine = make_engine(url)
    columns = [column for column in Card.__table__.columns if column.name not in ("id", "guid")]
    with engine.begin() as connection:
        connection.execute(update(Card).values(back=Card.back + " " + "lorem ipsum " * 40))
        for k in range(doublings):
            copies = select(*columns, (Card.guid + f"-{k}").label("guid"))
            connection.execute(insert(Card).from_select(
                [column.name for column in columns] + ["guid"], copies))
    engine.dispose()


@contextmanager
def closing_client(client: Client) -> Iterator[Client]:
    try:
        yield client
    finally:
        client.conn.close()


def median_page(client, path: str) -> float:
    times = []
    for _ in range(SAMPLES):
        status, seconds = timed(client, path)
        assert status == 200, (path, status)
        times.append(seconds)
    return statistics.median(times)


def test_expensive_searches_neither_fail_nor_hold_up_other_users(tmp_path: Path,
                                                                  databases) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    server_url, url = database_of(databases, instance)
    build_collection_at(url, CARDS)
    tag_like_a_collection(url)
    env = server_env(instance, server_url)
    adding_users(ROOT, env)
    log = tmp_path / "server.log"

    # 1. Eight at once: answered, refused (429: one search of a user's at a time) or
    # cut off (503), never failed; the other user hardly notices.
    port = free_port()
    command = [sys.executable, "app.py", "--port", str(port), "--threads", str(ATTACKERS)]
    with (serving(command, env, port, log, ready=(200, 302), timeout=60),
          ExitStack() as clients):
        bench = clients.enter_context(closing_client(log_in(port, "bench", 60)))
        other = clients.enter_context(closing_client(log_in(port, "other", 60)))
        alone = median_page(other, "/decks")
        stop, answers = threading.Event(), Counter[int]()
        threads = [threading.Thread(target=attack, args=(port, bench, ATTACK[k % 4:] +
                                                         ATTACK[:k % 4], stop, answers, 60))
                   for k in range(ATTACKERS)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        during = median_page(other, "/decks")
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)
    summary = (f"{databases.kind}: /decks {alone * 1000:.1f} ms alone, {during * 1000:.1f} ms "
               f"during the attack; the attack's answers {dict(answers)}")
    print(summary)
    assert set(answers) <= {200, 429, 503}, summary
    assert answers[200] >= 1, summary  # the searches do answer
    assert during <= MAX_RATIO * alone + SLACK, summary
    assert "Traceback" not in log.read_text(errors="replace")

    # 2. A page's statements limited to a quarter of a second over eight times the cards,
    # with answers of a paragraph: the costliest search (a second or more) is cut off and
    # says so; meanwhile and afterwards the server answers.
    grow(url, doublings=3)
    limit = "0.25"
    port = free_port()
    command = [sys.executable, "app.py", "--port", str(port), "--threads", "4"]
    limited = {**env, "FLASHCARDS_STATEMENT_TIMEOUT": limit}
    with (serving(command, limited, port, log, ready=(200, 302), timeout=60),
          ExitStack() as clients):
        bench = clients.enter_context(closing_client(log_in(port, "bench", 60)))
        other = clients.enter_context(closing_client(log_in(port, "other", 60)))
        result: dict[str, object] = {}

        def slow_search() -> None:
            started = time.perf_counter()
            result["answer"] = bench.request("GET", search_path(WORST))
            result["seconds"] = time.perf_counter() - started

        searching = threading.Thread(target=slow_search)
        searching.start()
        served = [timed(other, "/decks") for _ in range(5)]
        searching.join(timeout=30)
        status, _headers, page, _ms = result["answer"]  # type: ignore[misc]
        assert status == 503, page[:500]
        assert f"This search took longer than {limit} s and was stopped" in page
        assert result["seconds"] < 5  # type: ignore[operator]
        assert all(answer == 200 for answer, _ in served), served
        # The server is back to work: the same user's next page, and another's search.
        # (None of bench's eight times larger collection: a quarter of a second does
        # not read it all on PostgreSQL.)
        assert timed(bench, "/settings")[0] == 200
        status, _, page, _ = other.request("GET", search_path("tag:*"))
        assert status == 200 and 'id="match-count"' in page, page[:500]
    assert "Traceback" not in log.read_text(errors="replace")
