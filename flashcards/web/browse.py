"""The card browser: search, sort, page, and change many cards at once (undoable)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response

from flashcards.core.search import SearchError
from flashcards.db import is_statement_timeout
from flashcards.services import browse, bulk
from flashcards.services.decks import deck_names
from flashcards.services.errors import NothingToUndo, ServiceError
from flashcards.services.study import current_day
from flashcards.services.users import owner
from flashcards.web.context import db, now
from flashcards.web.forms import BulkForm, ConfirmForm
from flashcards.web.gate import search_gate
from flashcards.web.numbers import id_number, query_page

bp = Blueprint("browse", __name__)


def _page_args() -> dict[str, object]:
    return {"q": request.args.get("q", ""), "sort": request.args.get("sort", "created"),
            "order": request.args.get("order", "asc"),
            "page": query_page()}


@bp.get("/cards")
def index() -> str | tuple[str, int]:
    session = db()
    args = _page_args()
    query = str(args["q"])
    moment = now()
    day = current_day(session, moment)
    form = BulkForm(q=query)
    form.deck.choices = [("", "Choose a deck…"), *deck_names(db())]

    def problem(message: str, status: int) -> tuple[str, int]:
        return render_template("browse/index.html", result=None, error=message, args=args,
                               form=form, sorts=browse.SORTS), status

    with search_gate().admit(owner(session)) as refusal:
        if refusal is not None:
            return problem(refusal.value, 429)
        try:
            result = browse.search(session, query, moment, day.end, sort=str(args["sort"]),
                                   descending=args["order"] == "desc",
                                   page=int(str(args["page"])))
        except SearchError as exc:
            # A typo in a search is not a failed request: the page says what to fix.
            return problem(str(exc), 200)
        except OperationalError as exc:
            if not is_statement_timeout(exc):
                raise
            session.rollback()
            return problem(too_slow_message(), 503)
    return render_template("browse/index.html", result=result, error=None, args=args,
                           form=form, sorts=browse.SORTS,
                           suggestion=browse.deck_suggestion(session, query))


def too_slow_message() -> str:
    return (f"This search took longer than {current_app.config['STATEMENT_TIMEOUT']:g} s and "
            "was stopped, so that the app stays quick for everyone. Narrow it: fewer words "
            "or wildcards, or a deck: or tag: term.")


def _selected_ids() -> list[int]:
    try:
        return [id_number(value, "A selected card's id") for value in request.form.getlist("ids")]
    except ValueError as error:
        abort(400, description=str(error))


@bp.post("/cards/bulk")
def apply_bulk() -> Response | str | tuple[str, int]:
    form = BulkForm()
    form.deck.choices = [("", "Choose a deck…"), *deck_names(db())]
    query = form.q.data or ""
    back = url_for("browse.index", q=query)
    if not form.validate():
        for name, errors in form.errors.items():
            flash(f"{getattr(form, name).label.text}: {' '.join(errors)}", "error")
        return redirect(back)
    session = db()
    moment = now()
    try:
        if form.scope.data == "all":
            day_end = current_day(session, moment).end
            with search_gate().admit(owner(session)) as refusal:
                if refusal is not None:
                    flash(refusal.value, "error")
                    return redirect(back)
                ids = browse.matching_ids(session, query, moment, day_end)
        else:
            ids = _selected_ids()
        action = bulk.BulkAction(form.action.data)
        if action == bulk.BulkAction.DELETE and form.confirm.data != "yes":
            return render_template("browse/confirm_delete.html", form=form, ids=ids,
                                   count=len(ids), query=query)
        result = bulk.apply(session, action, ids, moment, deck_id=form.deck.data or None,
                            tag=form.tag.data, query=query)
        session.commit()
    except (SearchError, ServiceError) as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    except OperationalError as exc:
        if not is_statement_timeout(exc):
            raise
        session.rollback()
        flash(too_slow_message() + " Nothing was changed.", "error")
        return redirect(back)
    return redirect(url_for("browse.action", action_id=result.action_id))


@bp.get("/cards/actions/<int:action_id>")
def action(action_id: int) -> str:
    record = bulk.get_action(db(), action_id)
    return render_template("browse/action.html", record=record, form=ConfirmForm())


@bp.post("/cards/actions/<int:action_id>/undo")
def undo(action_id: int) -> Response:
    form = ConfirmForm()
    if not form.validate():
        abort(400, description="The undo form was not valid.")
    session = db()
    try:
        record = bulk.get_action(session, action_id)
        query = record.query
        message = bulk.undo(session, action_id, now())
        session.commit()
    except NothingToUndo as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("browse.action", action_id=action_id))
    flash(message, "info")
    return redirect(url_for("browse.index", q=query))
