"""This process's job runner (services/jobs.py), and the status a progress page shows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, abort, current_app

from flashcards.services import jobs
from flashcards.services.errors import NotFound
from flashcards.web.context import db, engine, now

RUNNER = "flashcards.jobs"


def settings_of(app: Flask) -> jobs.JobSettings:
    stale = float(app.config["JOB_STALE_SECONDS"])
    return jobs.JobSettings(stale_after=timedelta(seconds=stale),
                            heartbeat_every=min(2.0, stale / 4),
                            max_attempts=int(app.config["JOB_MAX_ATTEMPTS"]),
                            statement_timeout=app.config["JOB_STATEMENT_TIMEOUT"])


def runner() -> jobs.Runner:
    """The app's runner in this process, made at first use."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    found: jobs.Runner | None = app.extensions.get(RUNNER)
    if found is None:
        from flashcards.web.fsrs import run_optimise
        from flashcards.web.transfer import import_job

        found = app.extensions[RUNNER] = jobs.Runner(
            engine(), app.extensions["flashcards.sessionmaker"], app.config["CLOCK"],
            {jobs.IMPORT: lambda session, job, progress: import_job(app, session, job,
                                                                    progress),
             jobs.OPTIMISE: lambda session, job, progress: run_optimise(app, session, job,
                                                                        progress)},
            settings_of(app))
    return found


def register(app: Flask) -> None:
    """A served process looks for queued jobs nobody runs (their worker stopped before
    it claimed them) from its first request on, not only once a job is queued here.
    The tests' apps start their runner only when they queue a job."""

    @app.before_request
    def _start_runner() -> None:
        if app.testing or not app.config["JOBS_IN_BACKGROUND"]:
            return
        found: jobs.Runner | None = app.extensions.get(RUNNER)
        if found is None or not found.started():
            runner().wake()


def start(token: str) -> None:
    """Run a job the user just queued: in the background (a thread of this process),
    or here and now when the app is configured so (JOBS_IN_BACKGROUND off: tests)."""
    if current_app.config["JOBS_IN_BACKGROUND"]:
        runner().wake()
    else:
        runner().run_now(token)


def status_or_404(token: str, kind: str, missing: str) -> dict[str, Any]:
    """`status`, or the 404 page saying `missing` when the user has no such job."""
    try:
        return status(token, kind)
    except NotFound:
        abort(404, description=missing)


def status(token: str, kind: str) -> dict[str, Any]:
    """The user's job of `kind` as its progress page shows it (NotFound for another
    user's token). Asking also takes over jobs whose worker stopped, so a job ends
    in a visible state even when no runner is alive elsewhere, and hands a queued job
    to this process's runner."""
    own = runner()
    jobs.resolve_stale(engine(), now(), own.settings)
    session = db()
    job = jobs.find(session, token)
    if job.kind != kind:
        raise NotFound("There is no such job.")
    shown = jobs.status(job)
    session.commit()
    if shown["state"] == jobs.QUEUED:
        start(token)
        if not current_app.config["JOBS_IN_BACKGROUND"]:
            session.expire_all()
            shown = jobs.status(jobs.find(session, token))
            session.commit()
    elif shown["state"] == jobs.RUNNING and token in own.progress:
        shown["done"], shown["total"] = own.progress[token]
    return shown
