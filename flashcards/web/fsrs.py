"""The FSRS parameters section of Settings: optimise now, and go back."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from flashcards.services import optimizer
from flashcards.services.errors import NotFound, ServiceError
from flashcards.web.context import db, now, reads_only

bp = Blueprint("fsrs", __name__)


class FsrsForm(FlaskForm):
    """Optimise now, or go back to the previous parameters: a button, with the CSRF token."""


def fsrs_section() -> dict[str, object]:
    """What settings/_fsrs.html shows."""
    return {"status": optimizer.status(db()), "form": FsrsForm(formdata=None)}


def _back() -> Response:
    return redirect(url_for("settings.edit", _anchor="fsrs"))


@bp.post("/settings/fsrs/optimise")
@reads_only  # the service reads without the write lock and then writes briefly
def optimise() -> Response:
    if not FsrsForm().validate():
        abort(400, description="The form was not valid.")
    session = db()
    outcome = optimizer.optimise(session, now())
    reason = outcome.record.reason if outcome.record is not None else outcome.fit.reason
    adopted = outcome.record is not None and outcome.record.adopted
    session.commit()
    if adopted:
        reason += (f" The memory states of {outcome.cards_updated} cards were re-computed "
                   "with them; due dates are unchanged.")
    flash(reason, "info")
    return _back()


@bp.post("/settings/fsrs/<int:fit_id>/undo")
def undo(fit_id: int) -> Response:
    if not FsrsForm().validate():
        abort(400, description="The form was not valid.")
    session = db()
    try:
        cards = optimizer.undo_fit(session, fit_id, now())
    except NotFound as exc:
        abort(404, description=str(exc))
    except ServiceError as exc:
        session.rollback()
        flash(str(exc), "error")
        return _back()
    session.commit()
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
