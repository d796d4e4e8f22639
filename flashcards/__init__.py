"""flashcards: spaced-repetition review and a study plan for the month before an interview."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, abort, g, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from flashcards.config import MAX_UPLOAD_BYTES, default_database_url, load_secret_key, with_driver
from flashcards.db import make_engine, make_sessionmaker, statement_limit

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
    "worker-src 'self'; manifest-src 'self'"
)


def _seconds(variable: str, default: float) -> float | None:
    """A number of seconds from the environment (0: no limit), or the default."""
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError(f"{variable}={text!r} is not a number of seconds") from None
    if not 0 <= seconds <= 86_400:
        raise ValueError(f"{variable}={text!r}: give seconds from 0 (no limit) to 86400")
    return seconds or None


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The application. Tests pass a mapping that overrides any setting, e.g.
    DATABASE_URL, CLOCK (a callable returning an aware datetime) and RNG."""
    instance = os.environ.get("FLASHCARDS_INSTANCE")
    app = Flask(__name__, instance_path=str(Path(instance).resolve()) if instance else None)
    app.config.from_mapping(
        DATABASE_URL=None,
        SECRET_KEY=None,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        # A review tab may stay open all day: tokens live as long as the session.
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        # Secure cookies need HTTPS: `python app.py` turns them on when it serves other
        # machines; a deployment behind an HTTPS proxy sets FLASHCARDS_SECURE_COOKIES=1.
        SESSION_COOKIE_SECURE=os.environ.get("FLASHCARDS_SECURE_COOKIES") == "1",
        # Behind a reverse proxy (FLASHCARDS_PROXIES=1): trust its X-Forwarded-* headers.
        PROXIES=int(os.environ.get("FLASHCARDS_PROXIES", "0") or 0),
        CLOCK=utc_now,
        RNG=None,
        DECKS_DIR=str(Path(__file__).resolve().parent.parent / "decks"),
        # A new user's first page is the set-up (interview date, minutes, time zone).
        FIRST_RUN_SETUP=True,
        # Imports and the optimiser run as jobs (services/jobs.py) in a thread of the
        # worker that claims them; off: in the request that queued them (tests).
        JOBS_IN_BACKGROUND=True,
        # A running job whose worker has not been heard from for this long is taken
        # over by another (or marked failed after JOB_MAX_ATTEMPTS runs).
        JOB_STALE_SECONDS=float(os.environ.get("FLASHCARDS_JOB_STALE_SECONDS", "15") or 15),
        JOB_MAX_ATTEMPTS=2,
        # How long one SQL statement of a page may run before it is cut off (seconds),
        # and one of a job's; the CLI and start-up (migrations, backups) have no limit.
        STATEMENT_TIMEOUT=_seconds("FLASHCARDS_STATEMENT_TIMEOUT", 5.0),
        JOB_STATEMENT_TIMEOUT=_seconds("FLASHCARDS_JOB_STATEMENT_TIMEOUT", 600.0),
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    instance_dir = Path(app.instance_path)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = default_database_url(instance_dir)
    app.config["DATABASE_URL"] = with_driver(app.config["DATABASE_URL"])
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = load_secret_key(instance_dir)

    engine = make_engine(app.config["DATABASE_URL"],
                         statement_timeout=app.config["STATEMENT_TIMEOUT"])
    from flashcards import models, scoping

    scoping.install_engine(engine, models.unit_of_work_caches)
    app.extensions["flashcards.engine"] = engine
    app.extensions["flashcards.sessionmaker"] = make_sessionmaker(engine)

    from flashcards.web.numbers import IdConverter

    app.url_map.converters["int"] = IdConverter  # ids: ASCII digits, at most MAX_ID
    csrf.init_app(app)
    if app.config["PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXIES"],  # type: ignore[method-assign]
                                x_proto=app.config["PROXIES"], x_host=app.config["PROXIES"])
    _register_request_hooks(app)

    from flashcards import cli
    from flashcards.web import (
        app_shell,
        auth,
        browse,
        calendar,
        cards,
        decks,
        errors,
        filters,
        fsrs,
        plan,
        retention,
        review,
        settings,
        setup,
        stats,
        sync,
        transfer,
    )

    app.register_blueprint(review.bp)  # first: its schema check runs before the login's
    app.register_blueprint(auth.bp)
    auth.login_manager.init_app(app)
    app.register_blueprint(setup.bp)  # after auth: its check needs the request's user
    app.register_blueprint(cards.bp)
    app.register_blueprint(decks.bp)
    app.register_blueprint(browse.bp)
    app.register_blueprint(settings.bp)
    app.register_blueprint(transfer.bp)
    app.register_blueprint(plan.bp)
    app.register_blueprint(calendar.bp)
    app.register_blueprint(app_shell.bp)
    app.register_blueprint(fsrs.bp)
    app.register_blueprint(retention.bp)

    app.register_blueprint(stats.bp)
    app.register_blueprint(sync.bp)
    errors.register(app)
    # After the login check (auth's hook), which ends its own read transaction.
    from flashcards.web.context import take_write_lock

    app.before_request(take_write_lock)
    from flashcards.web import jobs as web_jobs

    web_jobs.register(app)
    filters.register(app)
    cli.register(app)
    return app


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.before_request
    def _limit_statements() -> None:
        # First, before any hook reads the database: every statement of the request.
        g.statement_limit = statement_limit(app.config["STATEMENT_TIMEOUT"])
        g.statement_limit.__enter__()

    @app.teardown_request
    def _unlimit_statements(_exc: BaseException | None) -> None:
        limit = g.pop("statement_limit", None)
        if limit is not None:
            limit.__exit__(None, None, None)

    @app.before_request
    def _refuse_nul() -> None:
        # PostgreSQL text cannot hold NUL (its driver refuses to send one): refuse it on
        # every database, before it reaches a service.
        if any("\x00" in value for values in (request.args, request.form)
               for _, value in values.items(multi=True)):
            abort(400, description="The request contains a NUL character, which no text "
                                   "can hold.")

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    @app.after_request
    def _headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        started = g.get("request_started")
        if started is not None:
            # Server-side time, for the benchmark and the browser's dev tools.
            elapsed_ms = (time.perf_counter() - started) * 1000
            response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.2f}"
        if request.endpoint == "static":
            response.headers["Cache-Control"] = "public, max-age=3600"
        return response
