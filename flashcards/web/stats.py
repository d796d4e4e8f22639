"""The statistics page: answers, time, true retention, readiness and the cards, for all
decks or one, over the last 7 to 365 days (a GET form: works without script)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from flashcards.services import stats
from flashcards.web import stats_charts
from flashcards.web.context import db, now
from flashcards.web.numbers import query_id

bp = Blueprint("stats", __name__)


@bp.get("/stats")
def index() -> str:
    """A bad range or deck value is a 400 that says what it takes; a deck that is not
    the user's is a 404, as a missing one."""
    try:
        range_days = stats.parse_range(request.args.get("range"))
    except stats.BadStatsRequest as exc:
        abort(400, description=str(exc))
    deck_id = query_id("deck")
    session = db()
    view = stats.load_stats(session, now(), deck_id, range_days)
    session.rollback()  # ends the read
    return render_template("stats/index.html", view=view, ranges=stats.RANGES,
                           charts=stats_charts.page_charts(view))
