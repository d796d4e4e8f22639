"""Help me decide (Settings): what each desired retention costs a day and gives on
interview day, the long-term optimum, and a button per row that sets the value.

Its own page, linked from Settings next to the two fields: the table runs the plan's
forecast once per row (about 0.3 s for a collection of any size to a 30-day interview,
more for a far one), which the settings page should not pay on every visit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from flashcards.services import retention
from flashcards.services.errors import ServiceError
from flashcards.web.context import db, now
from flashcards.web.retention_chart import retention_chart

bp = Blueprint("retention", __name__)


class PickForm(FlaskForm):
    """A row's button: the CSRF token; the value comes as `retention`."""


@bp.get("/settings/retention")
def show() -> str:
    view = retention.build(db(), now())
    return render_template("settings/retention.html", view=view,
                           chart=retention_chart(view.rows), form=PickForm(formdata=None))


@bp.post("/settings/retention")
def pick() -> Response:
    if not PickForm().validate():
        abort(400, description="The form was not valid: reload the page and pick again.")
    session = db()
    try:
        value = retention.parse_retention(request.form.get("retention"))
        previous = retention.set_desired_retention(session, value)
    except ServiceError as exc:
        session.rollback()
        abort(400, description=str(exc))
    session.commit()
    if abs(previous - value) < 1e-9:
        flash(f"Desired retention stays {value:.2f}.", "info")
    else:
        flash(f"Desired retention changed from {previous:.2f} to {value:.2f}: cards you "
              "review from now on are scheduled for it.", "info")
    return redirect(url_for("retention.show"))
