"""Error pages: each names the problem in words."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):  # type: ignore[no-untyped-def]
        message = ("The form was missing its security token or it had expired. "
                   "Reload the page and try again.")
        return render_template("errors.html", code=400, title="Form expired",
                               message=message), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # type: ignore[no-untyped-def]
        return render_template("errors.html", code=error.code, title=error.name,
                               message=error.description), error.code or 500
