"""Home, the deck overview and the review session."""

from __future__ import annotations

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
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from flashcards.core.scheduling import Rating, format_interval
from flashcards.services import custom_study, plans, progress, study
from flashcards.services.decks import deck_names
from flashcards.services.errors import NotFound, NothingToUndo, ServiceError, StaleCard
from flashcards.services.settings import get_settings
from flashcards.web import app_shell
from flashcards.web.context import db, now, rng, schema_is_current
from flashcards.web.forms import (
    CardActionForm,
    CustomStudyForm,
    GradeForm,
    LearnMoreForm,
    UndoForm,
    id_number,
)
from flashcards.web.redirects import safe_next

bp = Blueprint("review", __name__)

UNDO_KEY = "undo"
CUSTOM_KEY = "custom_study"


@bp.before_app_request
def _require_schema() -> None:
    if (request.endpoint != "static" and not app_shell.is_open(request.endpoint)
            and not schema_is_current()):
        abort(503, description="The database has not been set up yet. Start the app with "
                               "`python app.py`, or run `flask --app app setup` first.")


def _paced_today(session_: Session) -> study.Today:
    """Today, after planning it if this is the study day's first visit."""
    today = study.today(session_, now())
    if not plans.pace_day(session_, today, plans.plan_rng(current_app.config),
                          auto_optimise=current_app.config.get("AUTO_OPTIMISE", True)):
        return today
    session_.commit()
    return study.today(session_, now())


@bp.get("/")
def home() -> str:
    session_ = db()
    today = _paced_today(session_)
    settings = get_settings(session_)
    tasks = plans.tasks_on(session_, settings, today.day.date)
    _, interview = plans.plan_dates(settings, today.day.date)
    counts = study.queue_counts(session_, today)
    day = progress.progress_of(session_, today, counts, tasks)
    decks = study.deck_overview(session_, today)
    # Ends the read: nothing is written here (the pace is, above, in its own
    # transaction); a commit, unlike a rollback, keeps the rows the template reads.
    session_.commit()
    return render_template("review/home.html", today=today, counts=counts,
                           decks=decks, new_shared=study.new_limit_shared(decks, counts),
                           tasks=tasks,
                           interview=interview,
                           days_left=(interview - today.day.date).days,
                           progress=day, learn_more_form=LearnMoreForm())


@bp.get("/review")
def overview() -> str:
    session_ = db()
    today = _paced_today(session_)
    counts = study.queue_counts(session_, today)
    decks = study.deck_overview(session_, today)
    return render_template("review/overview.html", today=today, counts=counts, decks=decks,
                           new_shared=study.new_limit_shared(decks, counts))


@bp.get("/review/study")
def study_page() -> str:
    session_ = db()
    today = _paced_today(session_)
    page = study.study_page(session_, today, deck_id=request.args.get("deck", type=id_number),
                            card_id=request.args.get("card", type=id_number),
                            show=request.args.get("show") == "1",
                            pick=request.args.get("pick"))
    can_undo = UNDO_KEY in session
    deck_id = page.deck.id if page.deck is not None else None
    if page.card is None:
        unfinished = plans.unfinished_tasks_on(session_, get_settings(session_),
                                               today.day.date)
        return render_template("review/done.html", deck=page.deck, today=today,
                               counts=page.counts, summary=page.summary, can_undo=can_undo,
                               learn_more_form=LearnMoreForm(), unfinished=unfinished,
                               tomorrow=study.tomorrow_load(session_, today))
    labels = {r: format_interval(i) for r, i in (page.intervals or {}).items()}
    return render_template(
        "review/study.html", deck=page.deck, deck_id=deck_id, today=today, counts=page.counts,
        card=page.card, queue=page.queue, revealed=page.revealed, options=page.options,
        picked=page.picked, suggested=page.suggested, labels=labels,
        shown_at=int(today.now.timestamp() * 1000), can_undo=can_undo, ratings=list(Rating))


def _back_to_study(deck_id: int | None, card_id: int | None = None,
                   custom: bool = False) -> Response:
    if custom:
        return redirect(url_for("review.custom_study_page", card=card_id))
    return redirect(url_for("review.study_page", deck=deck_id, card=card_id))


def _stale(session_: Session, exc: StaleCard,
           form: GradeForm | CardActionForm) -> tuple[str, int]:
    """The card changed since its page was shown (graded in another tab): nothing of this
    request is kept, and the page says so, with the way back to the same study session."""
    session_.rollback()
    return render_template("review/stale.html", message=str(exc),
                           deck_id=form.deck.data, custom=form.custom.data), 409


@bp.post("/review/grade")
def grade() -> Response | tuple[str, int]:
    form = GradeForm()
    if not form.validate():
        abort(400, description=_form_problem(form))
    session_ = db()
    try:
        outcome = study.answer(session_, form.card_id.data, form.version.data,
                               Rating(form.rating.data), now(),
                               shown_at_ms=form.shown_at.data, rng=rng())
    except StaleCard as exc:
        return _stale(session_, exc, form)
    if not outcome.duplicate:
        session[UNDO_KEY] = study.UndoAction(study.UndoKind.REVIEW, outcome.card_id,
                                             log_id=outcome.log_id).to_dict()
    if outcome.leech:
        flash(f"That card has lapsed {outcome.schedule.lapses} times: it is a leech, tagged "
              f"“leech”{' and suspended' if outcome.suspended else ''}. Rewriting it usually "
              "helps; the card browser finds leeches with is:leech. Undo takes it back.",
              "warning")
    return _back_to_study(form.deck.data, custom=bool(form.custom.data))


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
        return _back_to_study(form.deck.data, custom=bool(form.custom.data))
    session.pop(UNDO_KEY, None)
    what = action.kind if action else study.UndoKind.REVIEW
    flash(f"Undid the {what} of “{_short(card.front)}”.", "info")
    return _back_to_study(form.deck.data, card.id, custom=bool(form.custom.data))


@bp.post("/review/bury")
def bury() -> Response | tuple[str, int]:
    return _card_action(study.UndoKind.BURY)


@bp.post("/review/suspend")
def suspend() -> Response | tuple[str, int]:
    return _card_action(study.UndoKind.SUSPEND)


def _card_action(kind: study.UndoKind) -> Response | tuple[str, int]:
    form = CardActionForm()
    if not form.validate():
        abort(400, description=_form_problem(form))
    session_ = db()
    try:
        if kind == study.UndoKind.BURY:
            action = study.bury(session_, now(), form.card_id.data, form.version.data)
            message = "Buried until tomorrow."
        else:
            action = study.suspend(session_, form.card_id.data, form.version.data)
            message = "Suspended: it will not come up until you unsuspend it."
        session_.commit()
    except StaleCard as exc:
        return _stale(session_, exc, form)
    session[UNDO_KEY] = action.to_dict()
    flash(f"{message} Undo is under More actions (or press U).", "info")
    return _back_to_study(form.deck.data, custom=bool(form.custom.data))


@bp.post("/review/learn-more")
def learn_more() -> Response:
    """Learn more today: N new cards on top of today's target."""
    form = LearnMoreForm()
    back = safe_next(form.next.data, url_for("review.home"))
    if not form.validate():  # CSRFProtect has already refused a missing token (400)
        flash(" ".join(form.count.errors), "error")
        return redirect(back)
    session_ = db()
    _paced_today(session_)  # the day's target is fixed first: Learn more adds to it
    try:
        today = study.learn_more(session_, now(), int(form.count.data or 0))
        session_.commit()
    except ServiceError as exc:
        session_.rollback()
        flash(str(exc), "error")
        return redirect(back)
    flash(f"Added {form.count.data} new cards to today: {today.new_left} new "
          f"card{'' if today.new_left == 1 else 's'} left today (if the decks have them). "
          "The plan spreads the rest over the following days.", "info")
    return redirect(back)


def _custom_form(session_: Session) -> CustomStudyForm:
    form = CustomStudyForm()
    form.deck.choices = [("", "Choose a deck…")] + [
        (str(id_), name) for id_, name in deck_names(session_)]
    return form


@bp.route("/review/custom", methods=["GET", "POST"])
def custom_start() -> Response | str | tuple[str, int]:
    """Custom study: review ahead a deck's or a tag's cards that are not due yet."""
    session_ = db()
    form = _custom_form(session_)
    if request.method == "GET" or not form.validate():
        session_.rollback()
        status = 400 if request.method == "POST" else 200
        return render_template("review/custom.html", form=form), status
    try:
        custom = custom_study.start(session_, now(), deck_id=form.deck.data,
                                    tag=form.tag.data, limit=int(form.count.data or 0))
    except NotFound:
        raise  # the 404 page (web/errors.py)
    except ServiceError as exc:
        session_.rollback()
        form.deck.errors = [*form.deck.errors, str(exc)]
        return render_template("review/custom.html", form=form), 400
    session_.rollback()
    session[CUSTOM_KEY] = custom.to_dict()
    return redirect(url_for("review.custom_study_page"))


@bp.get("/review/custom/study")
def custom_study_page() -> Response | str:
    custom = custom_study.CustomStudy.from_dict(session.get(CUSTOM_KEY))
    if custom is None:
        flash("Start a custom study session first.", "info")
        return redirect(url_for("review.custom_start"))
    session_ = db()
    today = study.today(session_, now())
    page = custom_study.page(session_, today, custom,
                             card_id=request.args.get("card", type=id_number),
                             show=request.args.get("show") == "1",
                             pick=request.args.get("pick"))
    can_undo = UNDO_KEY in session
    if page.card is None:
        return render_template("review/custom_done.html", custom=custom,
                               reviewed=custom_study.reviewed(session_, custom),
                               can_undo=can_undo)
    labels = {r: format_interval(i) for r, i in (page.intervals or {}).items()}
    return render_template(
        "review/study.html", deck=None, deck_id=None, today=today, counts=page.counts,
        card=page.card, queue=page.queue, revealed=page.revealed, options=page.options,
        picked=page.picked, suggested=page.suggested, labels=labels,
        shown_at=int(today.now.timestamp() * 1000), can_undo=can_undo, ratings=list(Rating),
        custom=custom)


def _form_problem(form: GradeForm | CardActionForm | UndoForm) -> str:
    problems = [f"{name}: {'; '.join(errors)}" for name, errors in form.errors.items()]
    return "The request was not valid: " + ", ".join(problems) + "."


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
