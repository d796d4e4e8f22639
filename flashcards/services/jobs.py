"""Background jobs kept in the database: imports and the optimiser.

A job is a row of `jobs`: the uploaded file and its options, its state, progress and
outcome, and the worker running it with that worker's heartbeat. Any app server (any
process of any machine on the same database) can show a job, run it and take it over:

- uploaded: an import's file, waiting for the user to confirm the preview;
- queued: confirmed, waiting for a worker. A worker *claims* it in a short write
  transaction (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so two workers never
  claim the same job and neither waits for the other; on SQLite the write lock, BEGIN
  IMMEDIATE, does the same);
- running: the worker does the work in a transaction of its own and, in that same
  transaction, marks the job done, so the work and "done" are committed together or
  not at all. Meanwhile another thread of the worker writes its heartbeat (and the
  progress) every couple of seconds, each in a short transaction of its own;
- done or failed, with the result or the error; the upload is dropped then.

A running job whose heartbeat is older than `JobSettings.stale_after` lost its worker
(killed, machine gone): whoever notices (a worker looking for work, or a page asking
for the job's progress) puts it back in the queue to run again from the start, which
is safe because the work is all-or-nothing; after `max_attempts` runs it is marked
failed instead, never left "running". A worker that was only slow and finds its job
taken over rolls its work back (the finishing UPDATE names the worker).

On SQLite a running import holds the database's write lock for most of its run, so its
heartbeat cannot be written then; nobody can take the job over either (that needs the
same lock), and by the time the lock is free the job is done (committed together with
the work) or the worker is gone. Heartbeat and takeover writes therefore wait only
briefly for the lock and give up when it is busy.

Jobs older than a day are deleted (whatever their state, except running).
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Engine, Table, delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from flashcards.db import WRITE, begin_write, statement_limit
from flashcards.models import Job
from flashcards.scoping import ALL_USERS, OWNER, USER_KEY
from flashcards.services.errors import NotFound, ServiceError
from flashcards.services.users import owner

log = logging.getLogger(__name__)

UPLOADED, QUEUED, RUNNING, DONE, FAILED = "uploaded", "queued", "running", "done", "failed"
IMPORT, OPTIMISE = "import", "optimise"
KINDS = (IMPORT, OPTIMISE)
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,40}")
KEEP = timedelta(hours=24)
STOPPED = {
    IMPORT: "The worker running this import stopped; nothing was imported.",
    OPTIMISE: "The worker running the optimiser stopped; nothing was changed.",
}
UNEXPECTED = {
    IMPORT: "The import failed on the server (its log says why); nothing was imported.",
    OPTIMISE: "The optimiser failed on the server (its log says why); nothing was changed.",
}
JOBS = cast(Table, Job.__table__)
EVERY_USER = {ALL_USERS: True}
# How long a heartbeat, a progress report or a takeover waits for SQLite's write lock
# before giving up until the next time (a running import holds it).
BRIEF_WAIT_MS = 200
SQLITE_BUSY_TIMEOUT_MS = 10_000  # db.py's


@dataclass(frozen=True)
class JobSettings:
    stale_after: timedelta = timedelta(seconds=15)
    heartbeat_every: float = 2.0  # seconds
    max_attempts: int = 2  # runs of one job, the first included
    poll_every: float = 5.0  # seconds between looks for queued jobs nobody runs
    # How long one statement of a job may run (a page's limit is seconds; an import of
    # a whole collection needs longer); None: no limit.
    statement_timeout: float | None = 600.0


# -- the user's side: create, confirm, read --------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(18)


def create(session: Session, kind: str, now: datetime, *, data: bytes | None = None,
           options: dict[str, Any] | None = None, state: str = UPLOADED) -> str:
    """A new job of the session's user; returns its token. Starts a write transaction
    (the caller commits), and deletes jobs older than a day on the way."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    begin_write(session)
    forget_old(session.connection(), now)
    token = new_token()
    session.add(Job(user_id=owner(session), token=token, kind=kind, state=state, data=data,
                    options=json.dumps(options or {}), done=0, total=0, attempts=0,
                    created_at=now, updated_at=now))
    session.flush()
    return token


def find(session: Session, token: str) -> Job:
    """The session's user's job with that token (another user's is not found)."""
    job = None
    if TOKEN.fullmatch(token):
        job = session.execute(select(Job).where(Job.token == token)).scalar_one_or_none()
    if job is None:
        raise NotFound("There is no such job.")
    return job


def upload(session: Session, token: str) -> tuple[bytes, dict[str, Any]]:
    """An import's file and options while it waits for confirmation."""
    job = find(session, token)
    if job.state != UPLOADED or job.data is None:
        raise NotFound("This import has already run or has expired; upload the file again.")
    return job.data, json.loads(job.options)


def save_options(session: Session, token: str, options: dict[str, Any],
                 now: datetime) -> None:
    """Replace an upload's options (the user chose another layout). Caller commits."""
    begin_write(session)
    done = session.execute(
        update(Job).where(Job.token == token, Job.state == UPLOADED)
        .values(options=json.dumps(options), updated_at=now)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound("This import has already run or has expired; upload the file again.")


def enqueue(session: Session, token: str, now: datetime) -> None:
    """Confirm an upload: it joins the queue, once (a second confirm is not found).
    The confirmation time goes into the options: a re-run imports as of then."""
    begin_write(session)
    job = find(session, token)
    if job.state != UPLOADED:
        raise NotFound("This import has already run or has expired; upload the file again.")
    options = json.loads(job.options)
    options["now"] = now.isoformat()
    job.options = json.dumps(options)
    job.state, job.updated_at = QUEUED, now
    session.flush()


def enqueue_optimise(session: Session, now: datetime) -> str:
    """Queue a run of the optimiser for the session's user, unless one is queued or
    running already: then that one's token (a second click starts nothing). Caller
    commits."""
    begin_write(session)  # on PostgreSQL the user's lock: two clicks queue one job
    running = session.execute(
        select(Job.token).where(Job.kind == OPTIMISE, Job.state.in_((QUEUED, RUNNING)))
        .order_by(Job.id).limit(1)).scalar_one_or_none()
    if running is not None:
        return running
    return create(session, OPTIMISE, now, options={"now": now.isoformat()}, state=QUEUED)


def active(session: Session, kind: str) -> Job | None:
    """The user's queued or running job of that kind, if any."""
    return session.execute(
        select(Job).where(Job.kind == kind, Job.state.in_((QUEUED, RUNNING)))
        .order_by(Job.id).limit(1)).scalar_one_or_none()


def status(job: Job) -> dict[str, Any]:
    """What a progress page and its JSON show. An upload waiting for confirmation has
    none (not found): it is not a job yet as far as the user can tell."""
    if job.state == UPLOADED:
        raise NotFound("There is no such job.")
    return {"kind": job.kind, "state": job.state, "done": job.done, "total": job.total,
            "result": json.loads(job.result) if job.result else None, "error": job.error,
            "attempts": job.attempts}


def forget_old(connection: Connection, now: datetime) -> int:
    """Delete every user's jobs (and uploads) not touched for a day, but running ones."""
    deleted = connection.execute(
        delete(JOBS).where(JOBS.c.updated_at < now - KEEP, JOBS.c.state != RUNNING),
        execution_options=EVERY_USER)
    return int(deleted.rowcount)


# -- the worker's side: claim, heartbeat, finish, take over ----------------------------


@dataclass(frozen=True)
class Claimed:
    """A job a worker claimed: what it needs to run it."""

    id: int
    token: str
    user_id: int
    kind: str
    data: bytes | None
    options: dict[str, Any]
    attempts: int


@contextmanager
def write_briefly(engine: Engine) -> Iterator[Connection]:
    """A short write transaction on a connection of its own, across users; on SQLite
    it waits only briefly for the write lock (OperationalError when it is busy)."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.connection.driver_connection.execute(  # type: ignore[union-attr]
                f"PRAGMA busy_timeout = {BRIEF_WAIT_MS}")
        try:
            connection.execution_options(**WRITE)
            with connection.begin():
                yield connection
        finally:
            if sqlite and not connection.invalidated:
                connection.connection.driver_connection.execute(  # type: ignore[union-attr]
                    f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")


def claim(connection: Connection, worker: str, now: datetime,
          token: str | None = None) -> Claimed | None:
    """Take the oldest queued job (or the one with `token`) for `worker`, in the
    connection's write transaction (the caller commits); None when there is none."""
    query = select(JOBS).where(JOBS.c.state == QUEUED)
    if token is not None:
        query = query.where(JOBS.c.token == token)
    row = connection.execute(query.order_by(JOBS.c.id).limit(1)
                             .with_for_update(skip_locked=True),
                             execution_options=EVERY_USER).first()
    if row is None:
        return None
    connection.execute(
        update(JOBS).where(JOBS.c.id == row.id, JOBS.c.state == QUEUED)
        .values(state=RUNNING, worker=worker, heartbeat_at=now, attempts=row.attempts + 1,
                done=0, total=0, updated_at=now),
        execution_options=EVERY_USER)
    return Claimed(row.id, row.token, row.user_id, row.kind, row.data,
                   json.loads(row.options), row.attempts + 1)


def heartbeat(connection: Connection, job_id: int, worker: str, now: datetime,
              progress: tuple[int, int] | None = None) -> bool:
    """The worker is alive (and how far it got); False when the job is no longer its
    own (taken over, or ended)."""
    values: dict[str, Any] = {"heartbeat_at": now, "updated_at": now}
    if progress is not None:
        values["done"], values["total"] = progress
    changed = connection.execute(
        update(JOBS).where(JOBS.c.id == job_id, JOBS.c.worker == worker,
                           JOBS.c.state == RUNNING).values(**values),
        execution_options=EVERY_USER)
    return bool(changed.rowcount == 1)


def finish(session: Session, job_id: int, worker: str, now: datetime,
           result: dict[str, Any]) -> bool:
    """Mark the job done in the transaction of its work (the session of the job's
    user; the caller commits). False when it is no longer this worker's: the caller
    rolls the work back, the job's new runner does it."""
    done = session.connection().execute(
        update(JOBS).where(JOBS.c.id == job_id, JOBS.c.user_id == OWNER,
                           JOBS.c.worker == worker, JOBS.c.state == RUNNING)
        .values(state=DONE, result=json.dumps(result), data=None, heartbeat_at=now,
                updated_at=now))
    return bool(done.rowcount == 1)


def fail(connection: Connection, job_id: int, worker: str, now: datetime,
         error: str) -> bool:
    """The job's work failed (and was rolled back): say why."""
    changed = connection.execute(
        update(JOBS).where(JOBS.c.id == job_id, JOBS.c.worker == worker,
                           JOBS.c.state == RUNNING)
        .values(state=FAILED, error=error, data=None, updated_at=now),
        execution_options=EVERY_USER)
    return bool(changed.rowcount == 1)


def take_over_stale(connection: Connection, now: datetime, settings: JobSettings) -> int:
    """Running jobs whose worker stopped heartbeating: back in the queue to run again,
    or failed once they ran `max_attempts` times. Returns how many were dealt with."""
    cutoff = now - settings.stale_after
    stale = (JOBS.c.state == RUNNING) & (JOBS.c.heartbeat_at < cutoff)
    handled = 0
    for kind, message in STOPPED.items():
        failed = connection.execute(
            update(JOBS).where(stale, JOBS.c.kind == kind,
                               JOBS.c.attempts >= settings.max_attempts)
            .values(state=FAILED, error=message, data=None, worker=None, updated_at=now),
            execution_options=EVERY_USER)
        handled += int(failed.rowcount)
    requeued = connection.execute(
        update(JOBS).where(stale, JOBS.c.attempts < settings.max_attempts)
        .values(state=QUEUED, worker=None, done=0, total=0, updated_at=now),
        execution_options=EVERY_USER)
    return handled + int(requeued.rowcount)


def any_stale(connection: Connection, now: datetime, settings: JobSettings) -> bool:
    """Whether a running job's heartbeat is stale (a read: no lock needed to ask)."""
    return connection.execute(
        select(JOBS.c.id).where(JOBS.c.state == RUNNING,
                                JOBS.c.heartbeat_at < now - settings.stale_after).limit(1),
        execution_options=EVERY_USER).first() is not None


def resolve_stale(engine: Engine, now: datetime, settings: JobSettings) -> int:
    """Take over the jobs whose worker stopped (see take_over_stale), if there are
    any; returns how many. Never waits long: when SQLite's write lock is busy (a live
    import holds it) it leaves them for the next call."""
    with engine.connect() as connection:
        if not any_stale(connection, now, settings):
            return 0
    try:
        with write_briefly(engine) as connection:
            return take_over_stale(connection, now, settings)
    except OperationalError:
        return 0


# -- running jobs ----------------------------------------------------------------------

Progress = Callable[[int, int], None]
# handler(session of the job's user, the job, progress) -> result: does the work in the
# session without committing its last transaction (the runner commits it with "done").
Handler = Callable[[Session, Claimed, Progress], dict[str, Any]]


def worker_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass
class Runner:
    """Runs jobs in this process: a background thread, woken when a job is queued here
    and otherwise looking for queued jobs (and stale ones) every `poll_every`
    seconds; or, with run_now, in the caller's thread."""

    engine: Engine
    maker: sessionmaker[Session]
    clock: Callable[[], datetime]
    handlers: dict[str, Handler]
    settings: JobSettings = field(default_factory=JobSettings)
    worker: str = field(default_factory=worker_name)
    # The latest progress of the jobs running in this process, fresher than the
    # database's (written with the heartbeat; on SQLite not while an import writes).
    progress: dict[str, tuple[int, int]] = field(default_factory=dict)
    _wake: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _pid: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: bool = False

    def wake(self) -> None:
        """Start the background thread if this process has none, and have it look for
        work now."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                if self._pid not in (0, os.getpid()):
                    self.worker = worker_name()  # a forked process is another worker
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._loop, name="flashcards-jobs",
                                                daemon=True)
                self._thread.start()
        self._wake.set()

    def started(self) -> bool:
        """Whether this process has its background thread running."""
        thread = self._thread
        return thread is not None and thread.is_alive() and self._pid == os.getpid()

    def stop(self) -> None:
        """End the background thread once the job it runs (if any) has ended."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        while not self._stopping:
            try:
                resolve_stale(self.engine, self.clock(), self.settings)
                if self.run_next():
                    continue
            except Exception:  # noqa: BLE001 - the loop must go on; logged
                log.exception("the job runner failed; trying again")
            if not self._stopping:
                self._wake.wait(self.settings.poll_every)
                self._wake.clear()

    def run_next(self, token: str | None = None) -> bool:
        """Claim a queued job (the one with `token`, if given) and run it here; False
        when there was none to claim."""
        if token is None:  # a read first: most looks find nothing, and take no lock
            with self.engine.connect() as connection:
                if connection.execute(select(JOBS.c.id).where(JOBS.c.state == QUEUED)
                                      .limit(1), execution_options=EVERY_USER).first() is None:
                    return False
        worker = self.worker
        try:
            with write_briefly(self.engine) as connection:
                claimed = claim(connection, worker, self.clock(), token)
        except OperationalError:
            return False  # SQLite's write lock is busy: another time
        if claimed is None:
            return False
        self.run(claimed, worker)
        return True

    def run(self, job: Claimed, worker: str) -> None:
        """Run a job `worker` claimed to its end, heartbeating meanwhile."""
        stop, kick = threading.Event(), threading.Event()
        self.progress[job.token] = (0, 0)
        beat = threading.Thread(target=self._beat, args=(job, worker, stop, kick),
                                name=f"heartbeat-{job.token[:8]}", daemon=True)
        beat.start()
        session = self.maker(info={USER_KEY: job.user_id})
        last = [0.0]

        def progress(done: int, total: int) -> None:
            self.progress[job.token] = (done, total)
            if time.monotonic() - last[0] > 0.2 or done == total:
                last[0] = time.monotonic()
                kick.set()

        try:
            try:
                with statement_limit(self.settings.statement_timeout):
                    result = self.handlers[job.kind](session, job, progress)
            finally:
                stop.set()
                kick.set()
                beat.join()
            if finish(session, job.id, worker, self.clock(), result):
                session.commit()
            else:  # taken over meanwhile: the new run does the work
                session.rollback()
        except Exception as exc:  # noqa: BLE001 - reported to the user, nothing written
            session.rollback()
            if isinstance(exc, ServiceError | ValueError):  # a message for the user
                error = str(exc) or type(exc).__name__
            else:  # the server's problem: its details go to the log, not to the page
                log.exception("job %s (%s) failed", job.token[:8], job.kind)
                error = UNEXPECTED[job.kind]
            self._fail(job, worker, error)
        finally:
            session.close()
            self.progress.pop(job.token, None)

    def _fail(self, job: Claimed, worker: str, error: str) -> None:
        for _ in range(50):  # the write lock may be busy for a moment
            try:
                with write_briefly(self.engine) as connection:
                    fail(connection, job.id, worker, self.clock(), error)
                return
            except OperationalError:
                time.sleep(0.2)
        log.error("could not record that job %s failed: %s", job.token[:8], error)

    def _beat(self, job: Claimed, worker: str, stop: threading.Event,
              kick: threading.Event) -> None:
        """Write the heartbeat every `heartbeat_every` seconds, and the progress when
        it moved (at most a few times a second), each in a short transaction."""
        last_beat = time.monotonic()
        written: tuple[int, int] | None = None
        while not stop.is_set():
            kick.wait(min(0.5, self.settings.heartbeat_every))
            kick.clear()
            if stop.is_set():
                return
            current = self.progress.get(job.token)
            if current == written and time.monotonic() - last_beat < \
                    self.settings.heartbeat_every:
                continue
            try:
                with write_briefly(self.engine) as connection:
                    if not heartbeat(connection, job.id, worker, self.clock(), current):
                        return  # no longer ours
                written, last_beat = current, time.monotonic()
            except OperationalError:
                pass  # SQLite's write lock is held (by this very import): next time

    def run_now(self, token: str) -> None:
        """Run a queued job in this thread (tests, and servers configured to)."""
        self.run_next(token)
