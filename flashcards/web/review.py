"""Home, the deck overview and the review session."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from flashcards.core.cards import CardKind
from flashcards.core.scheduling import LEARN_AHEAD, CardState, Rating, Scheduler, format_interval
from flashcards.models import Card, Deck
from flashcards.services import plans, study
from flashcards.services.errors import NotFound, NothingToUndo, StaleCard
from flashcards.services.settings import get_settings, scheduler_config
from flashcards.web.context import db, now, rng, schema_is_current
from flashcards.web.forms import CardActionForm, GradeForm, UndoForm, id_number

bp = Blueprint("review", __name__)

UNDO_KEY = "undo"


@bp.before_app_request
def _require_schema() -> None:
    if request.endpoint != "static" and not schema_is_current():
        abort(503, description="The database has not been set up yet. Start the app with "
                               "`python app.py`, or run `flask --app app setup` first.")


@dataclass(frozen=True, slots=True)
class AnswerOption:
    letter: str
    strong: bool
    text: str


def _paced_today(session_: Session) -> study.Today:
    """Today, after planning it if this is the study day's first visit."""
    today = study.today(session_, now())
    if not plans.needs_pacing(today):
        return today
    plans.build_plan(session_, today.now, np.random.default_rng(
        current_app.config.get("PLAN_SEED", 2026)))
    session_.commit()
    return study.today(session_, now())


@bp.get("/")
def home() -> str:
    session_ = db()
    today = _paced_today(session_)
    settings = get_settings(session_)
    tasks = [view for view in plans.task_days(session_, settings, today.day.date)
             if view.day == today.day.date]
    _, interview = plans.plan_dates(settings, today.day.date)
    session_.commit()
    return render_template("review/home.html", today=today,
                           counts=study.queue_counts(session_, today),
                           decks=study.deck_overview(session_, today), tasks=tasks,
                           interview=interview,
                           days_left=(interview - today.day.date).days)


@bp.get("/review")
def overview() -> str:
    session_ = db()
    today = _paced_today(session_)
    return render_template("review/overview.html", today=today,
                           counts=study.queue_counts(session_, today),
                           decks=study.deck_overview(session_, today))


def _deck_or_404(deck_id: int | None) -> Deck | None:
    if deck_id is None:
        return None
    deck = db().get(Deck, deck_id)
    if deck is None:
        abort(404, description=f"There is no deck {deck_id}.")
    return deck


def _is_studyable(card: Card, today: study.Today, deck_id: int | None) -> bool:
    """Whether `card` may be shown now: in the deck, not hidden, and due today."""
    if deck_id is not None and card.deck_id != deck_id:
        return False
    if card.suspended or (card.buried_until is not None and card.buried_until > today.now):
        return False
    if card.state == CardState.NEW:
        return True
    assert card.due is not None
    if card.state == CardState.REVIEW:
        return card.due < today.day.end
    return card.due <= today.now + LEARN_AHEAD


@bp.get("/review/study")
def study_page() -> str:
    session_ = db()
    deck_id = request.args.get("deck", type=id_number)
    deck = _deck_or_404(deck_id)
    today = _paced_today(session_)
    moment = today.now
    counts = study.queue_counts(session_, today, deck_id)
    can_undo = UNDO_KEY in session
    requested_id = request.args.get("card", type=id_number)
    card = session_.get(Card, requested_id) if requested_id else None
    if card is None or not _is_studyable(card, today, deck_id):
        card = study.next_card(session_, today, deck_id)
    if card is None:
        return render_template("review/done.html", deck=deck, today=today, counts=counts,
                               summary=study.day_summary(session_, today, deck_id),
                               can_undo=can_undo)

    this_card = requested_id == card.id
    revealed = this_card and request.args.get("show") == "1"
    options: list[AnswerOption] = []
    picked: AnswerOption | None = None
    if card.kind == CardKind.ANSWER_PAIR.value:
        # Random order, stable for this version of the card so a reload does not reshuffle.
        strong_first = random.Random(f"{card.id}:{card.version}").random() < 0.5
        pair = [(True, card.strong_answer or ""), (False, card.weak_answer or "")]
        if not strong_first:
            pair.reverse()
        options = [AnswerOption(letter, strong, text)
                   for letter, (strong, text) in zip("ab", pair, strict=True)]
        pick = request.args.get("pick") if this_card else None
        picked = next((o for o in options if o.letter == pick), None)
        revealed = revealed or picked is not None
    suggested = Rating.AGAIN if picked is not None and not picked.strong else Rating.GOOD
    intervals = Scheduler(scheduler_config(today.settings)).preview(card.id, card.schedule, moment)
    return render_template(
        "review/study.html", deck=deck, deck_id=deck_id, today=today, counts=counts, card=card,
        queue=_queue_name(card), revealed=revealed, options=options, picked=picked,
        suggested=suggested, labels={r: format_interval(i) for r, i in intervals.items()},
        shown_at=int(moment.timestamp() * 1000), can_undo=can_undo, ratings=list(Rating))


def _queue_name(card: Card) -> str:
    if card.state == CardState.NEW:
        return "new"
    return "review" if card.state == CardState.REVIEW else "learning"


def _back_to_study(deck_id: int | None, card_id: int | None = None) -> Response:
    return redirect(url_for("review.study_page", deck=deck_id, card=card_id))


@bp.post("/review/grade")
def grade() -> Response | tuple[str, int]:
    form = GradeForm()
    if not form.validate():
        abort(400, description=_form_problem(form))
    session_ = db()
    moment = now()
    duration = None
    if form.shown_at.data is not None:
        duration = int(moment.timestamp() * 1000) - form.shown_at.data
    for attempt in (1, 2):
        try:
            outcome = study.grade(session_, form.card_id.data, form.version.data,
                                  Rating(form.rating.data), moment, duration_ms=duration,
                                  rng=rng())
            session_.commit()
            break
        except StaleCard as exc:
            session_.rollback()
            return render_template("review/stale.html", message=str(exc),
                                   deck_id=form.deck.data), 409
        except NotFound as exc:
            session_.rollback()
            abort(404, description=str(exc))
        except (IntegrityError, StaleDataError):
            # Another request graded this card between our read and our write:
            # try once more, which finds the grade it applied.
            session_.rollback()
            if attempt == 2:
                raise
    if not outcome.duplicate:
        session[UNDO_KEY] = study.UndoAction("review", outcome.card_id,
                                             log_id=outcome.log_id).to_dict()
    if outcome.leech:
        flash(f"That card has lapsed {outcome.schedule.lapses} times: it is a leech, tagged "
              f"“leech”{' and suspended' if outcome.suspended else ''}. Rewriting it usually "
              "helps; the card browser finds leeches with is:leech. Undo takes it back.",
              "warning")
    return _back_to_study(form.deck.data)


@bp.post("/review/undo")
def undo() -> Response:
    form = UndoForm()
    if not form.validate():
        abort(400, description=_form_problem(form))
    session_ = db()
    action = study.UndoAction.from_dict(session.get(UNDO_KEY))
    try:
        card = study.undo(session_, now(), action)
        session_.commit()
    except (NothingToUndo, NotFound) as exc:
        session_.rollback()
        session.pop(UNDO_KEY, None)
        flash(str(exc), "error")
        return _back_to_study(form.deck.data)
    session.pop(UNDO_KEY, None)
    what = {"bury": "bury", "suspend": "suspend"}.get(action.kind if action else "", "review")
    flash(f"Undid the {what} of “{_short(card.front)}”.", "info")
    return _back_to_study(form.deck.data, card.id)


@bp.post("/review/bury")
def bury() -> Response | tuple[str, int]:
    return _card_action("bury")


@bp.post("/review/suspend")
def suspend() -> Response | tuple[str, int]:
    return _card_action("suspend")


def _card_action(kind: str) -> Response | tuple[str, int]:
    form = CardActionForm()
    if not form.validate():
        abort(400, description=_form_problem(form))
    session_ = db()
    try:
        if kind == "bury":
            action = study.bury(session_, now(), form.card_id.data, form.version.data)
            message = "Buried until tomorrow."
        else:
            action = study.suspend(session_, form.card_id.data, form.version.data)
            message = "Suspended: it will not come up until you unsuspend it."
        session_.commit()
    except StaleCard as exc:
        session_.rollback()
        return render_template("review/stale.html", message=str(exc),
                               deck_id=form.deck.data), 409
    except NotFound as exc:
        session_.rollback()
        abort(404, description=str(exc))
    session[UNDO_KEY] = action.to_dict()
    flash(f"{message} Press U to undo.", "info")
    return _back_to_study(form.deck.data)


def _form_problem(form: GradeForm | CardActionForm | UndoForm) -> str:
    problems = [f"{name}: {'; '.join(errors)}" for name, errors in form.errors.items()]
    return "The request was not valid: " + ", ".join(problems) + "."


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
