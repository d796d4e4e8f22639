"""Two app servers on one PostgreSQL database share their jobs (issue 14, part 4).

Two `gunicorn` instances, each with an instance folder of its own, on one database
(the same SECRET_KEY, so one login works on both: login sessions are in the
database). A file is uploaded through the first server and the import confirmed and
watched through the second, which runs it; the server running it (gunicorn's master
and its worker; the second, unless the first one's runner claimed the job first) is
then killed with SIGKILL in the middle of the import. Nothing of the
import may be left half-written, and the first server, asked for the job's progress,
must bring it to a visible end: taken over and done (all the cards), or failed with
the message (none of them); never "running" for ever.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flashcards.db import make_engine
from flashcards.models import Card, Job
from flashcards.scoping import ALL_USERS
from flashcards.services import jobs, users
from flashcards.services.setup import skip_setup
from flashcards.services.users import all_users
from tests.conftest import START
from tests.pg_server import PostgresDatabases

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from review_latency import free_port  # noqa: E402

PASSWORD = "correct horse battery"
# Big enough to be still importing on a loaded 2-core machine when the kill comes
# (measured: some 6-10 s of import on PostgreSQL here), well under the upload limit.
ROWS = 120_000
STALE_SECONDS = 3
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
TOKEN_RE = re.compile(r'action="/import/([A-Za-z0-9_-]+)/confirm"')


class NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """One user's cookies, across both servers (a cookie's host is 127.0.0.1 for any
    port, as behind one proxy)."""

    def __init__(self) -> None:
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), NoRedirects())

    def request(self, port: int, path: str, data: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        request = Request(f"http://127.0.0.1:{port}{path}", data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace"), dict(exc.headers)

    def form(self, port: int, path: str, fields: dict[str, str]) -> tuple[int, str, dict]:
        return self.request(port, path, urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, port: int, csrf: str, name: str, content: bytes) -> tuple[int, str, dict]:
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in {"csrf_token": csrf, "on_duplicate": "update", "deck": "Big"}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"'
                         f"\r\n\r\n{value}\r\n".encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                     f'filename="{name}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                     + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(port, "/import", b"".join(parts),
                            {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def status(self, port: int, token: str) -> dict[str, Any]:
        code, body, _ = self.request(port, f"/import/{token}.json")
        assert code == 200, (code, body[:500])
        return dict(json.loads(body))


@contextmanager
def gunicorn(port: int, instance: Path, database_url: str, log: Path
             ) -> Iterator[subprocess.Popen[bytes]]:
    """A gunicorn master with one worker in a process group of its own (so both can
    be killed at once), serving until it answers."""
    instance.mkdir()
    env = {**os.environ, "FLASHCARDS_INSTANCE": str(instance), "DATABASE_URL": database_url,
           "SECRET_KEY": "two-servers-one-secret",
           "FLASHCARDS_JOB_STALE_SECONDS": str(STALE_SECONDS)}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind",
             f"127.0.0.1:{port}", "--timeout", "120", "flashcards:create_app()"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log.read_text()[-3000:]
                try:
                    if Browser().request(port, "/login")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.2)
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def test_two_servers_postgresql_share_a_job_and_survive_a_killed_worker(
        tmp_path: Path, postgres: PostgresDatabases) -> None:
    started = time.monotonic()
    url = postgres.create()
    engine = make_engine(url)
    with Session(engine) as session:
        all_users(session)
        user_id = users.create_user(session, "ada", PASSWORD, START).user.id
        session.commit()
        users.for_user(session, user_id)
        skip_setup(session, timezone="UTC", now=START)
        session.commit()

    def cards() -> int:
        with engine.connect() as connection:
            return int(connection.execute(
                select(func.count()).select_from(Card).where(Card.user_id == user_id),
                execution_options={ALL_USERS: True}).scalar_one())

    content = ("front,back,tags\n" + "".join(f"Question {i},Answer {i},t{i % 7}\n"
                                             for i in range(ROWS))).encode()
    before = cards()
    port_a, port_b = free_port(), free_port()
    browser = Browser()
    try:
        with gunicorn(port_a, tmp_path / "a", url, tmp_path / "a.log") as server_a, \
                gunicorn(port_b, tmp_path / "b", url, tmp_path / "b.log") as server_b:
            _, page, _ = browser.request(port_a, "/login")
            code, _, _ = browser.form(port_a, "/login", {
                "csrf_token": CSRF_RE.search(page).group(1), "name": "ada",
                "password": PASSWORD})
            assert code == 302
            _, page, _ = browser.request(port_a, "/import")
            csrf = CSRF_RE.search(page).group(1)
            code, preview, _ = browser.upload(port_a, csrf, "big.csv", content)
            assert code == 200, preview[-2000:]
            token = TOKEN_RE.search(preview).group(1)
            # Confirmed through the other server, which queues the job and runs it.
            code, _, headers = browser.form(port_b, f"/import/{token}/confirm",
                                            {"csrf_token": csrf})
            assert (code, headers["Location"]) == (302, f"/import/{token}")
            deadline = time.monotonic() + 120
            while True:
                status = browser.status(port_b, token)
                assert status["state"] in ("queued", "running"), status
                if status["state"] == "running" and status["done"] > 0:
                    break  # writing cards
                assert time.monotonic() < deadline, status
                time.sleep(0.05)
            # Server A sees the same job.
            seen = browser.status(port_a, token)
            assert seen["state"] == "running" and seen["attempts"] == 1
            # B's runner was woken by the confirm, so B runs it (unless A's runner,
            # looking for work every few seconds, came first): kill whichever does.
            with engine.connect() as connection:
                worker = connection.execute(select(Job.worker).where(Job.token == token),
                                            execution_options={ALL_USERS: True}).scalar_one()
            pid = int(worker.split(":")[1])
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            assert parent in (server_a.pid, server_b.pid), worker
            victim, survivor, port, name = ((server_b, server_a, port_a, "a")
                                            if parent == server_b.pid
                                            else (server_a, server_b, port_b, "b"))
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait()
            killed_at = time.monotonic()
            assert cards() == before  # the dead worker's transaction left nothing
            # Asking the survivor for the job's progress resolves it: taken over, re-run
            # from the start by its own runner.
            deadline = time.monotonic() + 180
            states = []
            while True:
                status = browser.status(port, token)
                states.append(status["state"])
                assert cards() - before in (0, ROWS), status
                if status["state"] in ("done", "failed"):
                    break
                assert time.monotonic() < deadline, status
                time.sleep(0.2)
            assert survivor.poll() is None
            assert "Traceback" not in (tmp_path / f"{name}.log").read_text(errors="replace")
            resolved_in = time.monotonic() - killed_at
            code, page, _ = browser.request(port, f"/import/{token}")
            assert code == 200
            if status["state"] == "done":
                assert status["attempts"] == 2 and "queued" in states
                assert status["result"]["counts"]["new"] == ROWS
                assert cards() - before == ROWS
                assert f"big.csv: {ROWS} new" in page
            else:
                assert status["error"] == ("The worker running this import stopped; "
                                           "nothing was imported.")
                assert cards() == before and "Import failed" in page
            # A job queued by a process that stopped before it claimed it: the
            # surviving server's runner finds it by itself, without anyone asking.
            with Session(engine, info={"user_id": user_id}) as session:
                orphan = jobs.create(session, jobs.IMPORT, START, data=b"front,back\nX,Y\n",
                                     options={"file_name": "orphan.csv", "deck": "Orphan",
                                              "policy": "update", "default_deck": "Orphan",
                                              "header": None, "columns": None,
                                              "now": START.isoformat()},
                                     state=jobs.QUEUED)
                session.commit()
                deadline = time.monotonic() + 60
                while jobs.find(session, orphan).state in (jobs.QUEUED, jobs.RUNNING):
                    assert time.monotonic() < deadline
                    session.rollback()
                    time.sleep(0.2)
                assert jobs.find(session, orphan).state == jobs.DONE
    finally:
        engine.dispose()
        postgres.drop(url)
    print(f"\ntwo servers: {time.monotonic() - started:.1f} s in all; the job ended "
          f"{status['state']} {resolved_in:.1f} s after server {'b' if name == 'a' else 'a'} "
          "was killed")
