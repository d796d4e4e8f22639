"""The first-run set-up page, and the check that leads a new user there first."""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

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
from werkzeug.wrappers import Response

from flashcards.core.planner import MAX_PLAN_DAYS
from flashcards.services.setup import (
    DEFAULT_DAILY_MINUTES,
    DEFAULT_INTERVIEW_DAYS,
    complete_setup,
    setup_defaults,
    setup_done,
    skip_setup,
)
from flashcards.services.users import USER_KEY
from flashcards.web import app_shell
from flashcards.web.context import attempt, db, now
from flashcards.web.forms import SetupForm, SkipSetupForm, time_zone_options
from flashcards.web.redirects import safe_next

bp = Blueprint("setup", __name__)

# Pages a user reaches before (or without) the set-up: logging in and out, files and
# feeds fetched by programs (a calendar app, the import page's progress poll).
EXEMPT_ENDPOINTS = frozenset({"static", "auth.login", "auth.logout", "plan.calendar",
                              "transfer.export", *app_shell.ENDPOINTS})
EXEMPT_SUFFIXES = (".ics", ".json")
DONE_KEY = "flashcards.setup_done"


T = TypeVar("T")


def no_setup_redirect(view: T) -> T:
    """Mark a GET view that a user (or a program) may reach before the set-up."""
    view.flashcards_no_setup = True  # type: ignore[attr-defined]
    return view


def _exempt() -> bool:
    endpoint = request.endpoint
    if request.method != "GET" or endpoint is None or endpoint.startswith("setup."):
        return True
    if endpoint in EXEMPT_ENDPOINTS or request.path.endswith(EXEMPT_SUFFIXES):
        return True
    if getattr(current_app.view_functions.get(endpoint), "flashcards_no_setup", False):
        return True
    # Only a page the browser navigates to: not a fetch() from a page's script. A page
    # the service worker (static/sw.js) fetches for a navigation says "empty" but keeps
    # its "navigate" mode.
    if request.headers.get("Sec-Fetch-Mode") == "navigate":
        return False
    return request.headers.get("Sec-Fetch-Dest", "document") != "document"


@bp.before_app_request
def _lead_to_setup() -> Response | None:
    """Before a new user's first page: the set-up. Runs after the login check (auth's
    hook), which has chosen the user."""
    if not current_app.config.get("FIRST_RUN_SETUP", True) or _exempt():
        return None
    session = db()
    user_id = session.info.get(USER_KEY)
    if user_id is None:
        return None
    # Done is done for good: remembered per process, so the check costs one query once.
    done: set[int] = current_app.extensions.setdefault(DONE_KEY, set())
    if user_id in done:
        return None
    try:
        if setup_done(session):
            done.add(int(user_id))
            return None
    finally:
        session.rollback()  # end this read: the view may write (see auth's hook)
    return redirect(url_for("setup.show", next=request.full_path.rstrip("?")))


def _next_page(value: str | None) -> str:
    target = safe_next(value, url_for("review.home"))
    # Back to the set-up itself would only bounce to the home page.
    return url_for("review.home") if target.startswith(url_for("setup.show")) else target


def _render(form: SetupForm, skip_form: SkipSetupForm, status: int = 200,
            prefill: bool = False) -> tuple[str, int]:
    return render_template("setup/setup.html", form=form, skip_form=skip_form,
                           zones=time_zone_options(), prefill=prefill,
                           default_days=DEFAULT_INTERVIEW_DAYS,
                           default_minutes=DEFAULT_DAILY_MINUTES), status


def _setup_form() -> SetupForm:
    """The set-up form, its date bounded from tomorrow to MAX_PLAN_DAYS ahead."""
    today = setup_defaults(db(), now()).today
    form = SetupForm()
    form.today = today
    form.interview_date.render_kw = {
        "min": (today + timedelta(days=1)).isoformat(),
        "max": (today + timedelta(days=MAX_PLAN_DAYS)).isoformat()}
    return form


@bp.get("/setup")
def show() -> Response | tuple[str, int]:
    session = db()
    if setup_done(session):
        return redirect(_next_page(request.args.get("next")))
    defaults = setup_defaults(session, now())
    form, skip_form = _setup_form(), SkipSetupForm()
    form.interview_date.data = defaults.interview_date
    form.daily_minutes.data = defaults.daily_minutes
    form.timezone.data = defaults.timezone
    form.next.data = skip_form.next.data = request.args.get("next", "")
    session.rollback()
    # The browser's zone replaces the stored one on a first showing (app.js).
    return _render(form, skip_form, prefill=True)


@bp.post("/setup")
def save() -> Response | tuple[str, int]:
    session = db()
    form, skip_form = _setup_form(), SkipSetupForm()
    skip_form.next.data = form.next.data
    if form.validate_on_submit():
        assert form.interview_date.data is not None and form.daily_minutes.data is not None
        interview, minutes = form.interview_date.data, form.daily_minutes.data
        _, problem = attempt(lambda s: complete_setup(
            s, interview_date=interview, daily_minutes=minutes,
            timezone=str(form.timezone.data), now=now()))
        if problem is not None:  # the date, checked again in the chosen zone
            form.interview_date.errors = [*form.interview_date.errors, problem]
        else:
            flash("Your plan is set up. You can change any of this in Settings.", "info")
            return redirect(_next_page(form.next.data))
    session.rollback()
    return _render(form, skip_form, status=400)


@bp.post("/setup/skip")
def skip() -> Response:
    session = db()
    skip_form = SkipSetupForm()
    if not skip_form.validate_on_submit():
        abort(400, description="The skip form was not valid.")
    skip_setup(session, timezone=skip_form.browser_zone.data, now=now())
    session.commit()
    flash(f"Set up with the defaults: the interview in {DEFAULT_INTERVIEW_DAYS} days, "
          f"{DEFAULT_DAILY_MINUTES} minutes a day. Change them in Settings.", "info")
    return redirect(_next_page(skip_form.next.data))
