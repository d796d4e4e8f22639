"""Per-request access to the database session, the clock and the random source."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from flask import current_app, g, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from flashcards.db import begin_write
from flashcards.db.migrate import is_current
from flashcards.services.errors import NotFound, ServiceError

T = TypeVar("T")


def db() -> Session:
    """The request's session; closed at the end of the request."""
    session: Session | None = g.get("db_session")
    if session is None:
        maker: sessionmaker[Session] = current_app.extensions["flashcards.sessionmaker"]
        session = g.db_session = maker()
    return session


def engine() -> Engine:
    engine_: Engine = current_app.extensions["flashcards.engine"]
    return engine_


def now() -> datetime:
    moment: datetime = current_app.config["CLOCK"]()
    return moment


def rng() -> random.Random | None:
    source: random.Random | None = current_app.config["RNG"]
    return source


def schema_is_current() -> bool:
    """Checked once per process: pages need the migrated schema."""
    if not current_app.extensions.get("flashcards.schema_ok"):
        current_app.extensions["flashcards.schema_ok"] = is_current(engine())
    return bool(current_app.extensions["flashcards.schema_ok"])


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def reads_only(view: T) -> T:
    """Mark a POST view that writes nothing to the database (a preview, or one that
    hands the work to a job with its own session): it takes no write lock."""
    view.flashcards_reads_only = True  # type: ignore[attr-defined]
    return view


def take_write_lock() -> None:
    """Before every request that may write (any method but GET, HEAD and OPTIONS): start
    its transaction as a write transaction before its first read (BEGIN IMMEDIATE on
    SQLite, the user's advisory lock on PostgreSQL). A transaction that read first and
    writes later fails on SQLite when another writer committed in between ("database
    is locked"), and on PostgreSQL acts on what it read before the other one's change."""
    if request.method in SAFE_METHODS or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is None or getattr(view, "flashcards_reads_only", False):
        return
    begin_write(db())


def attempt(action: Callable[[Session], T]) -> tuple[T | None, str | None]:
    """Run one user action in one transaction: (its result, None) once committed, or
    (None, the problem in words) after a rollback that leaves everything as it was.
    NotFound is not a problem to show on the form: it goes on to the 404 page
    (web/errors.py), as another user's id must."""
    session = db()
    try:
        result = action(session)
        session.commit()
    except NotFound:
        raise
    except ServiceError as exc:
        session.rollback()
        return None, str(exc)
    return result, None
