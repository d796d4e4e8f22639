"""The study options page."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from flashcards.core.planner import MAX_PLAN_DAYS, format_weekday_minutes, parse_weekday_minutes
from flashcards.services.plans import plan_dates
from flashcards.services.settings import get_settings, stored_rounds, update_settings
from flashcards.services.study import current_day
from flashcards.web.calendar import calendar_section
from flashcards.web.context import attempt, db, now
from flashcards.web.forms import SettingsForm, time_zone_options
from flashcards.web.fsrs import fsrs_section

bp = Blueprint("settings", __name__)


@bp.route("/settings", methods=["GET", "POST"])
def edit() -> Response | tuple[str, int] | str:
    session = db()
    settings = get_settings(session)
    form = SettingsForm(obj=settings if request.method == "GET" else None)
    day_fields = form.weekday_fields()
    today = current_day(session, now()).date
    form.today, form.stored_interview = today, settings.interview_date
    form.stored_rounds = stored_rounds(settings)
    # Tomorrow at the earliest, but a stored date that has passed may stay as it is.
    earliest = today + timedelta(days=1)
    if settings.interview_date is not None:
        earliest = min(earliest, settings.interview_date)
    form.interview_date.render_kw = {
        "min": earliest.isoformat(),
        "max": (today + timedelta(days=MAX_PLAN_DAYS)).isoformat()}
    for field in form.round_fields:
        field.render_kw = form.interview_date.render_kw
    if request.method == "GET":
        form.interview_date.data = plan_dates(settings, today)[1]
        for field, day in zip(form.round_fields, form.stored_rounds, strict=False):
            field.data = day
        for field, minutes in zip(day_fields, parse_weekday_minutes(settings.weekday_minutes),
                                  strict=True):
            field.data = minutes
    if form.validate_on_submit():
        _, problem = attempt(lambda s: update_settings(
                s,
                desired_retention=float(form.desired_retention.data or 0),
                new_per_day=int(form.new_per_day.data or 0),
                max_reviews_per_day=int(form.max_reviews_per_day.data or 0),
                timezone=str(form.timezone.data),
                rollover_hour=int(form.rollover_hour.data or 0),
                today=today,
                interview_date=form.interview_date.data,
                daily_minutes=int(form.daily_minutes.data or 0),
                interview_retention=form.interview_retention.data,
                weekday_minutes=format_weekday_minutes([field.data for field in day_fields]),
                leech_threshold=int(form.leech_threshold.data or 0),
                leech_action=str(form.leech_action.data),
                later_rounds=form.later_rounds,
            ))
        if problem is not None:  # the interview's dates (the form checks them first)
            form.interview_date.errors = [*form.interview_date.errors, problem]
        else:
            flash("Settings saved.", "info")
            return redirect(url_for("settings.edit"))
    status = 400 if request.method == "POST" else 200
    return render_template("settings/edit.html", form=form, zones=time_zone_options(),
                           calendar=calendar_section(), fsrs=fsrs_section()), status
