"""Error pages: each names the problem in words."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound as HTTPNotFound

from flashcards.db import is_statement_timeout
from flashcards.services.errors import NotFound
from flashcards.web.context import db


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):  # type: ignore[no-untyped-def]
        message = ("The form was missing its security token or it had expired. "
                   "Reload the page and try again.")
        return render_template("errors.html", code=400, title="Form expired",
                               message=message), 400

    @app.errorhandler(IntegrityError)
    @app.errorhandler(StaleDataError)
    def _conflict(error: Exception):  # type: ignore[no-untyped-def]
        # Two saves of the same thing at the same moment (another user's, or one the
        # write lock cannot order, such as two new decks of one name): the later one
        # is refused whole, nothing of it stored.
        db().rollback()
        message = ("Something you changed was changed at the same moment by another "
                   "request, so nothing of this one was saved. Reload the page and try "
                   "again.")
        return render_template("errors.html", code=409, title="Changed meanwhile",
                               message=message), 409

    @app.errorhandler(OperationalError)
    def _too_slow(error: OperationalError):  # type: ignore[no-untyped-def]
        # A statement cut off by the request's limit (flashcards.db.statement_limit):
        # nothing of the request was stored. Any other database failure stays a 500.
        if not is_statement_timeout(error):
            raise error
        session = g.get("db_session")
        if session is not None:
            session.rollback()
        limit = current_app.config["STATEMENT_TIMEOUT"]
        message = (f"This page's work took longer than {limit:g} s and was stopped, so that "
                   "the app stays quick for everyone; nothing was changed. Try again; if it "
                   "happens again, ask for less at once (a narrower search, a shorter range).")
        return render_template("errors.html", code=503, title="Took too long",
                               message=message), 503

    @app.errorhandler(NotFound)
    def _not_found(error: NotFound):  # type: ignore[no-untyped-def]
        # A service did not find what the request names (a missing thing, or another
        # user's, which looks the same): the 404 page, with the service's message. What
        # the request changed before is dropped.
        session = g.get("db_session")
        if session is not None:
            session.rollback()
        return render_template("errors.html", code=404, title=HTTPNotFound().name,
                               message=str(error)), 404

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # type: ignore[no-untyped-def]
        return render_template("errors.html", code=error.code, title=error.name,
                               message=error.description), error.code or 500
