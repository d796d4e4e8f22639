"""The private calendar subscription: the feed calendar apps poll (no login), and the
settings section that makes, replaces and revokes its link and sets the reminder."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from flashcards.services import calendar_feed, plans, users
from flashcards.services.plan_ical import plan_calendar
from flashcards.services.settings import get_settings
from flashcards.web.auth import is_loopback
from flashcards.web.context import db, now

bp = Blueprint("calendar", __name__)

# The event UIDs' domain, as the download's (web/plan.py), so both name events alike.
HOST = "flashcards.plan"
# Calendar apps poll on their own schedule; a proxy or app may keep a copy this long.
FEED_CACHE = "private, max-age=900"
# One answer for every token that opens nothing: never, revoked, malformed, another
# kind of token. It says nothing about whether a user exists.
NOT_FOUND_BODY = "No calendar at this address.\n"


class CalendarLinkForm(FlaskForm):
    """Create, replace or revoke the link: a button, with the CSRF token."""


def reminder_label(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


class CalendarReminderForm(FlaskForm):
    reminder = SelectField(
        "Reminder", choices=[SelectChoice("", "No reminder")] + [
            SelectChoice(str(m), f"On each plan day at {reminder_label(m)}")
            for m in calendar_feed.REMINDER_TIMES],
        description="One alert a day, in the download and the subscription. Apple "
                    "Calendar and Outlook show it; Google Calendar uses its own "
                    "notification settings for subscribed calendars.")


def calendar_section() -> dict[str, object]:
    """What settings/_calendar.html shows: the current link's date and the forms."""
    session = db()
    reminder = get_settings(session).calendar_reminder
    form = CalendarReminderForm(formdata=None,
                                reminder="" if reminder is None else str(reminder))
    return {"created_at": calendar_feed.link_created_at(session), "link_form":
            CalendarLinkForm(formdata=None), "reminder_form": form}


def _not_found() -> Response:
    response = Response(NOT_FOUND_BODY, status=404, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/plan/<feed_token>.ics")
def feed(feed_token: str) -> Response:
    """The plan for whoever's token this is, as it stands now. Open without a login
    (auth.OPEN_ENDPOINTS): the token is the key."""
    session = db()
    # Whatever the request's login chose (a browser may carry a cookie) is dropped:
    # this answer is only ever the token owner's.
    session.rollback()
    session.expunge_all()
    user_id = calendar_feed.feed_owner(session, feed_token)
    session.rollback()
    if user_id is None:
        return _not_found()
    users.for_user(session, user_id)
    # Read only: a poll stores nothing (where the plan would put unplaced tasks is
    # computed the same way each time, and stored when the user next opens the plan).
    view = plans.build_plan(session, now(), plans.plan_rng(current_app.config))
    body = plan_calendar(view, host=HOST, stamp=now())
    session.rollback()
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = FEED_CACHE
    response.headers.set("Content-Disposition", "inline", filename="interview-plan.ics")
    return response


def on_this_computer_only() -> bool:
    """Whether the page was opened by a loopback name, so the link names an address no
    other device (or Google's servers) can reach."""
    host = (request.host.rsplit(":", 1)[0] if not request.host.endswith("]")
            else request.host).strip("[]")
    return host == "localhost" or is_loopback(host)


def feed_urls(token: str) -> tuple[str, str]:
    """The link for "From URL" / "Subscribe", and the same as webcal:// for a tap."""
    url = url_for("calendar.feed", feed_token=token, _external=True)
    return url, "webcal://" + url.split("://", 1)[1]


@bp.post("/settings/calendar/link")
def create_link() -> BaseResponse | tuple[str, int, dict[str, str]]:
    if not CalendarLinkForm().validate():
        flash("The form was not valid: nothing changed. Try again.", "error")
        return redirect(url_for("settings.edit", _anchor="calendar"))
    session = db()
    replaced = calendar_feed.link_created_at(session) is not None
    token = calendar_feed.create_link(session, now())
    session.commit()
    url, webcal = feed_urls(token)
    # Shown once: the database keeps only its hash, and this page is not cached.
    return (render_template("settings/calendar_link.html", url=url, webcal=webcal,
                            replaced=replaced, local_only=on_this_computer_only()),
            200, {"Cache-Control": "no-store"})


@bp.post("/settings/calendar/revoke")
def revoke_link() -> BaseResponse:
    if not CalendarLinkForm().validate():
        flash("The form was not valid: nothing changed. Try again.", "error")
        return redirect(url_for("settings.edit", _anchor="calendar"))
    session = db()
    revoked = calendar_feed.revoke_link(session)
    session.commit()
    flash("Calendar link revoked: calendars subscribed to it get nothing more."
          if revoked else "There was no calendar link to revoke.", "info")
    return redirect(url_for("settings.edit", _anchor="calendar"))


@bp.post("/settings/calendar/reminder")
def reminder() -> BaseResponse:
    form = CalendarReminderForm()
    if not form.validate():
        for error in form.reminder.errors or ["The form was not valid."]:
            flash(f"Reminder: {error} Nothing changed.", "error")
        return redirect(url_for("settings.edit", _anchor="calendar"))
    minute = int(form.reminder.data) if form.reminder.data else None
    session = db()
    calendar_feed.set_reminder(session, minute)
    session.commit()
    flash(f"Calendar reminder set to {reminder_label(minute)} on each plan day."
          if minute is not None else "Calendar reminder off.", "info")
    return redirect(url_for("settings.edit", _anchor="calendar"))
