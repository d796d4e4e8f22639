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
    url_for,
)
from flask import session as flask_session
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from flashcards.core.scheduling import Rating, format_interval
from flashcards.services import custom_study, plans, progress, study
from flashcards.services.decks import deck_names
from flashcards.services.errors import NotFound, NothingToUndo, ServiceError, StaleCard
from flashcards.services.settings import get_settings
from flashcards.web import app_shell
from flashcards.web.context import attempt, db, now, rng, schema_is_current
from flashcards.web.forms import (
    CardActionForm,
    CustomStudyForm,
    GradeForm,
    LearnMoreForm,
    UndoForm,
)
from flashcards.web.numbers import query_id
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


def _paced_allowance(session: Session) -> study.DayAllowance:
    """Today, after planning it if this is the study day's first visit."""
    allowance = study.day_allowance(session, now())
    if not plans.pace_day(session, allowance, plans.plan_rng(current_app.config),
                          auto_optimise=current_app.config.get("AUTO_OPTIMISE", True)):
        return allowance
    session.commit()
    return study.day_allowance(session, now())


@bp.get("/")
def home() -> str:
    session = db()
    allowance = _paced_allowance(session)
    settings = get_settings(session)
    tasks = plans.tasks_on(session, settings, allowance.day.date)
    _, interview = plans.plan_dates(settings, allowance.day.date)
    counts = study.queue_counts(session, allowance)
    day = progress.progress_of(session, allowance, counts, tasks)
    held, spare = plans.held_and_dropped(tasks)
    decks = study.deck_overview(session, allowance)
    # Ends the read: nothing is written here (the pace is, above, in its own
    # transaction); a commit, unlike a rollback, keeps the rows the template reads.
    session.commit()
    return render_template("review/home.html", allowance=allowance, counts=counts,
                           decks=decks, new_shared=study.new_limit_shared(decks, counts),
                           tasks=held, spare=spare,
                           interview=interview,
                           days_left=(interview - allowance.day.date).days,
                           progress=day, learn_more_form=LearnMoreForm())


@bp.get("/review")
def overview() -> str:
    session = db()
    allowance = _paced_allowance(session)
    counts = study.queue_counts(session, allowance)
    decks = study.deck_overview(session, allowance)
    return render_template("review/overview.html", allowance=allowance, counts=counts, decks=decks,
                           new_shared=study.new_limit_shared(decks, counts))


@bp.get("/review/study")
def study_page() -> str:
    session = db()
    allowance = _paced_allowance(session)
    page = study.study_page(session, allowance, deck_id=query_id("deck"),
                            card_id=query_id("card", may_be_gone=True),
                            show=request.args.get("show") == "1",
                            pick=request.args.get("pick"))
    can_undo = UNDO_KEY in flask_session
    deck_id = page.deck.id if page.deck is not None else None
    if page.card is None:
        unfinished = plans.unfinished_tasks_on(session, get_settings(session),
                                               allowance.day.date)
        return render_template("review/done.html", deck=page.deck, allowance=allowance,
                               counts=page.counts, summary=page.summary, can_undo=can_undo,
                               learn_more_form=LearnMoreForm(), unfinished=unfinished,
                               tomorrow=study.tomorrow_load(session, allowance))
    labels = {r: format_interval(i) for r, i in (page.intervals or {}).items()}
    return render_template(
        "review/study.html", deck=page.deck, deck_id=deck_id, allowance=allowance,
        counts=page.counts, card=page.card, queue=page.queue, revealed=page.revealed,
        options=page.options, picked=page.picked, suggested=page.suggested, labels=labels,
        shown_at=int(allowance.now.timestamp() * 1000), can_undo=can_undo, ratings=list(Rating))


def _back_to_study(deck_id: int | None, card_id: int | None = None,
                   custom: bool = False) -> Response:
    if custom:
        return redirect(url_for("review.custom_study_page", card=card_id))
    return redirect(url_for("review.study_page", deck=deck_id, card=card_id))


def _stale(session: Session, exc: StaleCard,
           form: GradeForm | CardActionForm) -> tuple[str, int]:
    """The card changed since its page was shown (graded in another tab): nothing of this
    request is kept, and the page says so, with the way back to the same study session."""
    session.rollback()
    return render_template("review/stale.html", message=str(exc),
                           deck_id=form.deck.data, custom=form.custom.data), 409


@bp.post("/review/grade")
def grade() -> Response | tuple[str, int]:
    form = GradeForm()
    if not form.validate():
        abort(400, description=_form_problem(form))
    session = db()
    try:
        outcome = study.answer(session, form.card_id.data, form.version.data,
                               Rating(form.rating.data), now(),
                               shown_at_ms=form.shown_at.data, rng=rng())
    except StaleCard as exc:
        return _stale(session, exc, form)
    if not outcome.duplicate:
        flask_session[UNDO_KEY] = study.UndoAction(study.UndoKind.REVIEW, outcome.card_id,
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
    session = db()
    action = study.UndoAction.from_dict(flask_session.get(UNDO_KEY))
    try:
        card = study.undo(session, now(), action)
        session.commit()
    except (NothingToUndo, NotFound) as exc:
        session.rollback()
        flask_session.pop(UNDO_KEY, None)
        flash(str(exc), "error")
        return _back_to_study(form.deck.data, custom=bool(form.custom.data))
    flask_session.pop(UNDO_KEY, None)
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
    session = db()
    try:
        if kind == study.UndoKind.BURY:
            action = study.bury(session, now(), form.card_id.data, form.version.data)
            message = "Buried until tomorrow."
        else:
            action = study.suspend(session, form.card_id.data, form.version.data)
            message = "Suspended: it will not come up until you unsuspend it."
        session.commit()
    except StaleCard as exc:
        return _stale(session, exc, form)
    flask_session[UNDO_KEY] = action.to_dict()
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
    session = db()
    _paced_allowance(session)  # the day's target is fixed first: Learn more adds to it
    allowance, problem = attempt(lambda s: study.learn_more(s, now(),
                                                            int(form.count.data or 0)))
    if allowance is None:
        flash(str(problem), "error")
        return redirect(back)
    flash(f"Added {form.count.data} new cards to today: {allowance.new_left} new "
          f"card{'' if allowance.new_left == 1 else 's'} left today (if the decks have them). "
          "The plan spreads the rest over the following days.", "info")
    return redirect(back)


def _custom_form(session: Session) -> CustomStudyForm:
    form = CustomStudyForm()
    form.deck.choices = [("", "Choose a deck…")] + [
        (str(id_), name) for id_, name in deck_names(session)]
    return form


@bp.route("/review/custom", methods=["GET", "POST"])
def custom_start() -> Response | str | tuple[str, int]:
    """Custom study: review ahead a deck's or a tag's cards that are not due yet."""
    session = db()
    form = _custom_form(session)
    if request.method == "GET" or not form.validate():
        session.rollback()
        status = 400 if request.method == "POST" else 200
        return render_template("review/custom.html", form=form), status
    try:
        custom = custom_study.start(session, now(), deck_id=form.deck.data,
                                    tag=form.tag.data, limit=int(form.count.data or 0))
    except NotFound:
        raise  # the 404 page (web/errors.py)
    except ServiceError as exc:
        session.rollback()
        form.deck.errors = [*form.deck.errors, str(exc)]
        return render_template("review/custom.html", form=form), 400
    session.rollback()
    flask_session[CUSTOM_KEY] = custom.to_dict()
    return redirect(url_for("review.custom_study_page"))


@bp.get("/review/custom/study")
def custom_study_page() -> Response | str:
    card_id = query_id("card", may_be_gone=True)
    custom = custom_study.CustomStudy.from_dict(flask_session.get(CUSTOM_KEY))
    if custom is None:
        flash("Start a custom study session first.", "info")
        return redirect(url_for("review.custom_start"))
    session = db()
    allowance = study.day_allowance(session, now())
    page = custom_study.page(session, allowance, custom,
                             card_id=card_id,
                             show=request.args.get("show") == "1",
                             pick=request.args.get("pick"))
    can_undo = UNDO_KEY in flask_session
    if page.card is None:
        return render_template("review/custom_done.html", custom=custom,
                               reviewed=custom_study.reviewed(session, custom),
                               can_undo=can_undo)
    labels = {r: format_interval(i) for r, i in (page.intervals or {}).items()}
    return render_template(
        "review/study.html", deck=None, deck_id=None, allowance=allowance, counts=page.counts,
        card=page.card, queue=page.queue, revealed=page.revealed, options=page.options,
        picked=page.picked, suggested=page.suggested, labels=labels,
        shown_at=int(allowance.now.timestamp() * 1000), can_undo=can_undo, ratings=list(Rating),
        custom=custom)


def _form_problem(form: GradeForm | CardActionForm | UndoForm) -> str:
    problems = [f"{name}: {'; '.join(errors)}" for name, errors in form.errors.items()]
    return "The request was not valid: " + ", ".join(problems) + "."


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
