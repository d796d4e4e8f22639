"""The FSRS parameters section of Settings: optimise now, and go back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, abort, flash, jsonify, redirect, render_template, url_for
from flask import Response as FlaskResponse
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from flashcards.services import jobs, optimizer
from flashcards.web import jobs as web_jobs
from flashcards.web.context import attempt, db, now, reads_only

bp = Blueprint("fsrs", __name__)


class FsrsForm(FlaskForm):
    """Optimise now, or go back to the previous parameters: a button, with the CSRF token."""


def fsrs_section() -> dict[str, object]:
    """What settings/_fsrs.html shows."""
    session = db()
    return {"status": optimizer.status(session), "form": FsrsForm(formdata=None),
            "job": jobs.active(session, jobs.OPTIMISE)}


def _back() -> Response:
    return redirect(url_for("settings.edit", _anchor="fsrs"))


@bp.post("/settings/fsrs/optimise")
@reads_only  # queues a job; the optimiser runs in it with transactions of its own
def optimise() -> Response:
    """Optimise now: a background job with its progress page. While one is queued or
    running, a second click leads to it and starts nothing."""
    if not FsrsForm().validate():
        abort(400, description="The form was not valid.")
    session = db()
    session.commit()
    token = jobs.enqueue_optimise(session, now())
    session.commit()
    web_jobs.start(token)
    return redirect(url_for("fsrs.job", token=token))


def run_optimise(app: Flask, session: Session, job: jobs.Claimed,
                 progress: Callable[[int, int], None]) -> dict[str, Any]:
    """The optimiser's job: its last transaction (what it stores) is committed by the
    runner together with the job's "done"."""
    with app.app_context():
        outcome = optimizer.optimise(session, datetime.fromisoformat(job.options["now"]),
                                     progress=progress)
    reason = outcome.record.reason if outcome.record is not None else outcome.fit.reason
    adopted = outcome.record is not None and outcome.record.adopted
    if adopted:
        reason += (f" The memory states of {outcome.cards_updated} cards were re-computed "
                   "with them; due dates are unchanged.")
    return {"message": reason, "adopted": adopted}


def _status_or_404(token: str) -> dict[str, Any]:
    return web_jobs.status_or_404(token, jobs.OPTIMISE, "There is no such run of the optimiser.")


@bp.get("/settings/fsrs/job/<token>")
def job(token: str) -> Response | str:
    """The optimiser's progress; once it has ended, Settings with what it found."""
    status = _status_or_404(token)
    if status["state"] == jobs.DONE:
        flash(status["result"]["message"], "info")
        return _back()
    if status["state"] == jobs.FAILED:
        flash(f"The optimiser failed: {status['error']}", "error")
        return _back()
    return render_template("settings/fsrs_job.html", status=status, token=token,
                           phases=optimizer.PHASES)


@bp.get("/settings/fsrs/job/<token>.json")
def job_status(token: str) -> FlaskResponse:
    return jsonify(_status_or_404(token))


@bp.post("/settings/fsrs/<int:fit_id>/undo")
def undo(fit_id: int) -> Response:
    if not FsrsForm().validate():
        abort(400, description="The form was not valid.")
    cards, problem = attempt(lambda s: optimizer.undo_fit(s, fit_id, now()))
    if problem is not None:
        flash(problem, "error")
        return _back()
    flash(f"Back to the previous parameters; the memory states of {cards} cards were "
          "re-computed with them.", "info")
    return _back()


@bp.post("/settings/fsrs/reschedule")
def reschedule() -> Response:
    if not FsrsForm().validate():
        abort(400, description="The form was not valid.")
    session = db()
    moved = optimizer.reschedule(session, now())
    session.commit()
    flash(f"Due dates re-computed with the parameters in use: {moved} cards moved.", "info")
    return _back()
