"""Login, logout, and whose data each request works on.

Without a user that has a password, the app is one local user without a login and
answers only requests from this computer (never through a proxy). Once `flask --app app
create-user NAME` has made one, every page needs a login (Flask-Login), and a session
works only on the logged-in user's data.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from flashcards.services import users
from flashcards.web import app_shell
from flashcards.web.context import db, now
from flashcards.web.forms import ConfirmForm, LoginForm
from flashcards.web.numbers import id_number
from flashcards.web.redirects import safe_next

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
# The login page and static files are open to all; everything else needs a user. The
# calendar feed has no login (calendar apps send no cookie): its URL's token is the key.
OPEN_ENDPOINTS = {"auth.login", "static", "calendar.feed"}


@dataclass(frozen=True)
class Account(UserMixin):  # type: ignore[misc]
    id: int
    name: str
    # The login session's token (see users.log_in); the cookie holds it with the id.
    token: str

    def get_id(self) -> str:
        # What Flask-Login keeps in the session cookie: the user and the login session,
        # so ending the session in the database ends the cookie (Flask-Login's
        # "alternative tokens").
        return f"{self.id}:{self.token}"


@login_manager.user_loader
def _load(session_id: str) -> Account | None:
    user_part, _, token = session_id.partition(":")
    try:
        user_id = id_number(user_part, "user")  # 0: no user's id
    except ValueError:
        user_id = 0
    if not (user_id and token):
        return None  # e.g. a cookie from before login sessions: log in again
    user = users.session_user(db(), user_id, token)
    if user is None:
        return None
    return Account(user.id, user.name, token)


def is_loopback(address: str | None) -> bool:
    if not address:
        return False
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


@bp.before_app_request
def _choose_user() -> Response | None:
    if current_app.debug and not is_loopback(request.remote_addr):
        # Flask's debugger runs code typed into the page: never for another machine.
        abort(403, description="Debug mode serves this computer only.")
    if request.endpoint == "static" or app_shell.is_open(request.endpoint):
        return None  # files that name no user, as the static ones
    session = db()
    try:
        return _user_for_request(session)
    finally:
        # End the read transaction these checks opened, so the view's first write can
        # start its own with the write lock taken up front (BEGIN IMMEDIATE on SQLite):
        # upgrading a read transaction to a write fails at once when another process
        # has committed meanwhile ("database is locked").
        session.rollback()


# Accounts are never switched off again, so "on" is remembered for good; "off" is looked up
# again after this many seconds, so a user made by `create-user` in another process takes
# effect within a second (until then the app still answers this computer only).
ACCOUNTS_RECHECK_SECONDS = 1.0


def _accounts_enabled(session: Session) -> bool:
    known = current_app.extensions.get("flashcards.accounts")
    if known is not None and (known[0] or time.monotonic() - known[1]
                              < ACCOUNTS_RECHECK_SECONDS):
        return bool(known[0])
    enabled = users.accounts_enabled(session)
    current_app.extensions["flashcards.accounts"] = (enabled, time.monotonic())
    return enabled


def _user_for_request(session: Session) -> Response | None:
    if not _accounts_enabled(session):
        # One local user without a login: only for this computer, never through a proxy
        # (which would make every visitor look local).
        proxied = request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded")
        if proxied or not is_loopback(request.remote_addr):
            abort(403, description="This app has no accounts yet, so it serves only the "
                                   "computer it runs on. Create one with `flask --app app "
                                   "create-user NAME` to use it from elsewhere.")
        g.accounts = False
        users.for_user(session, users.LOCAL_USER_ID)
        return None
    g.accounts = True
    if current_user.is_authenticated:
        users.for_user(session, current_user.id)
        return None
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if request.method == "GET":
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(401, description="Log in first.")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int] | tuple[str, int, dict[str, str]]:
    if not g.get("accounts"):
        return redirect(url_for("review.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        session = db()
        try:
            logged_in = users.log_in(session, form.name.data or "", form.password.data or "",
                                     request.remote_addr or "", now())
        except users.TooManyAttempts as exc:
            session.rollback()
            form.password.errors = [*form.password.errors, str(exc)]
            return (render_template("auth/login.html", form=form), 429,
                    {"Retry-After": str(exc.retry_after)})
        except users.LoginRefused as exc:
            session.commit()  # the failure counts towards the limit
            form.password.errors = [*form.password.errors, str(exc)]
            status = 401
        else:
            session.commit()
            # A new session for the new login: nothing from before it carries over.
            flask_session.clear()
            login_user(Account(logged_in.user.id, logged_in.user.name, logged_in.token))
            return redirect(safe_next(form.next.data, url_for("review.home")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    if not ConfirmForm().validate():
        abort(400, description="The logout form was not valid.")
    if current_user.is_authenticated:
        session = db()
        users.log_out(session, current_user.id, current_user.token)
        session.commit()
    logout_user()
    flask_session.clear()
    flash("Logged out.", "info")
    return redirect(url_for("auth.login"))
