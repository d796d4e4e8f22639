"""The plan page, task changes, and the calendar file."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from flashcards.core.planner import WEEKDAYS, budget_words
from flashcards.core.taskformat import TaskKind, TaskPriority
from flashcards.services import plans, progress
from flashcards.services.plan_ical import plan_calendar
from flashcards.services.pressure import pressure as pressure_of
from flashcards.services.study import day_allowance, queue_counts
from flashcards.web.charts import minutes_chart, recall_chart
from flashcards.web.context import attempt, db, now
from flashcards.web.forms import (
    PlanAnywayForm,
    PlanFixForm,
    TaskAddForm,
    TaskDoneForm,
    TaskEditForm,
    TaskMoveForm,
)
from flashcards.web.plan_calendar import calendar_weeks, past_days
from flashcards.web.redirects import safe_next

bp = Blueprint("plan", __name__)


@bp.get("/plan")
def show() -> str:
    session = db()
    view = plans.plan_and_commit(session, now(), plans.plan_rng(current_app.config))
    allowance = day_allowance(session, now())
    day_progress = progress.progress_of(session, allowance, queue_counts(session, allowance),
                                        view.tasks.get(view.today, []))
    # Ends the read (nothing is written here): a commit, unlike a rollback, keeps the
    # rows the page reads loaded, instead of reloading every task one query at a time.
    session.commit()
    return render_template(
        "plan/plan.html", view=view, weeks=calendar_weeks(view), past=past_days(view),
        minutes_chart=minutes_chart(view.plan, view.settings.daily_minutes),
        recall_chart=recall_chart(view.plan), progress=day_progress,
        pressure=pressure_of(view),
        budget_words=budget_words(view.settings.daily_minutes, view.settings.weekday_minutes))


@bp.get("/plan/tasks")
def tasks() -> str:
    """Every task with its More panel (move, edit, delete), and the form to add one.
    Writes nothing: the list is as the last plan stored it (plans.task_list)."""
    session = db()
    listed = plans.task_list(session, now())
    # Ends the read (nothing was written); a commit, unlike a rollback, keeps the rows
    # the template reads.
    session.commit()
    # Every task once, in list order: the choices of each task form's "Needs first".
    task_choices = sorted({tv.task.id: tv.task for _, views in listed.by_day
                           for tv in views}.values(), key=lambda t: (t.position, t.id))
    return render_template("plan/tasks.html", listed=listed, kinds=list(TaskKind),
                           add_form=TaskAddForm(day=listed.today), task_choices=task_choices)


@bp.post("/plan/fix")
def fix() -> BaseResponse:
    """Apply a fix from the pressure panel: the budget or the interview date it names."""
    form = PlanFixForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("plan.show"))
    rounds, problem = attempt(lambda s: plans.apply_fix(
        s, now=now(), daily_minutes=form.daily_minutes.data,
        interview_date=form.interview_date.data, new_per_day=form.new_per_day.data,
        weekday=form.weekday.data, weekday_minutes=form.weekday_minutes.data))
    if problem is not None:
        flash(problem, "error")
        return redirect(url_for("plan.show"))
    limit = (f", new-card limit {form.new_per_day.data} a day"
             if form.new_per_day.data is not None else "")
    if form.weekday.data is not None:
        flash(f"{WEEKDAYS[form.weekday.data]}s now have {form.weekday_minutes.data} min.",
              "info")
    elif form.daily_minutes.data is not None:
        flash(f"Budget raised to {form.daily_minutes.data} min a day{limit}.", "info")
    else:
        moved = (", its later rounds with it to "
                 + ", ".join(f"{day:%a %-d %b}" for day in rounds) if rounds else "")
        flash(f"Interview moved to {form.interview_date.data:%A %-d %B %Y}{moved}{limit}.",
              "info")
    return redirect(url_for("plan.show"))


def _plan_days(form: TaskAddForm | TaskMoveForm) -> None:
    """Give a task form the days it may choose from: today up to interview day."""
    form.today, form.interview = plans.allowed_task_days(db(), now())


def _flash_errors(form: TaskAddForm | TaskEditForm | TaskMoveForm) -> None:
    for field, errors in form.errors.items():
        for error in errors:
            flash(f"{getattr(form, field).label.text}: {error}", "error")


def _priority(form: TaskAddForm | TaskEditForm) -> TaskPriority | None:
    """The chosen priority; None when the form left it out."""
    return TaskPriority(form.priority.data) if form.priority.data else None


def _back() -> BaseResponse:
    """Back to the page the task form was on (its `next` field), else the plan."""
    return redirect(safe_next(request.form.get("next"), url_for("plan.show")))


@bp.post("/plan/tasks/<int:task_id>/done")
def done(task_id: int) -> BaseResponse:
    form = TaskDoneForm()
    if not form.validate():
        abort(400, description="The form was not valid.")
    session = db()
    task = plans.set_done(session, task_id, bool(form.done.data), now(),
                          whole=bool(form.whole.data))
    session.commit()
    if task.done_at is not None:
        message = f"“{task.title}” done."
    elif form.done.data and task.part_minutes:  # today's part of it
        message = (f"Today’s {task.part_minutes} min of “{task.title}” done; "
                   f"{task.minutes_left} min left in the plan.")
    else:
        message = f"“{task.title}” not done yet."
    flash(message, "info")
    return _back()


@bp.post("/plan/tasks/<int:task_id>/move")
def move(task_id: int) -> BaseResponse:
    form = TaskMoveForm()
    _plan_days(form)
    if not form.validate():
        _flash_errors(form)
        return _back()
    task, problem = attempt(lambda s: plans.move_task(s, task_id, form.day.data, now()))
    if task is None:
        flash(str(problem), "error")
        return _back()
    flash(f"Moved “{task.title}” to {form.day.data:%a %-d %b}.", "info")
    return _back()


@bp.post("/plan/tasks")
def add() -> BaseResponse | tuple[str, int]:
    form = TaskAddForm()
    _plan_days(form)
    if not form.validate():
        _flash_errors(form)
        return _back()
    _, problem = attempt(lambda s: plans.add_task(
        s, title=form.title.data or "", details=form.details.data or "",
        minutes=int(form.minutes.data or 0), day=form.day.data,
        kind=TaskKind(form.kind.data), now=now(), priority=_priority(form),
        after=list(form.after.data or []), sitting=True if form.sitting.data else None))
    if problem is not None:
        flash(problem, "error")
        return _back()
    flash(f"Added “{form.title.data}”.", "info")
    return _back()


@bp.post("/plan/tasks/<int:task_id>/edit")
def edit(task_id: int) -> BaseResponse:
    form = TaskEditForm()
    if not form.validate():
        _flash_errors(form)
        return _back()
    # Without its order fields (a form that does not show them), a task keeps both.
    with_order = bool(form.with_order.data)
    task, problem = attempt(lambda s: plans.edit_task(
        s, task_id, title=form.title.data or "", details=form.details.data or "",
        minutes=int(form.minutes.data or 0), now=now(), priority=_priority(form),
        after=list(form.after.data or []) if with_order else None,
        sitting=bool(form.sitting.data) if with_order else None))
    if task is None:
        flash(f"Needs first: {problem}", "error")
        return _back()
    flash(f"Saved “{task.title}”.", "info")
    return _back()


@bp.post("/plan/tasks/<int:task_id>/anyway")
def anyway(task_id: int) -> BaseResponse:
    """"Plan it anyway" on or off for a task the budget leaves out."""
    form = PlanAnywayForm()
    if not form.validate():
        abort(400, description="The form was not valid.")
    on = form.on.data == "on"
    task, _ = attempt(lambda s: plans.set_anyway(s, task_id, on))
    assert task is not None  # set_anyway raises nothing but NotFound (the 404 page)
    if on:
        flash(f"“{task.title}” will be planned even where its day runs over the budget.",
              "info")
    else:
        flash(f"“{task.title}” is planned only where the budget holds it again.", "info")
    return _back()


@bp.post("/plan/tasks/<int:task_id>/delete")
def delete(task_id: int) -> BaseResponse:
    form = TaskDoneForm()
    if not form.validate():
        abort(400, description="The form was not valid.")
    session = db()
    plans.delete_task(session, task_id)
    session.commit()
    flash("Task deleted.", "info")
    return _back()


@bp.get("/plan.ics")
def calendar() -> Response:
    session = db()
    view = plans.plan_and_commit(session, now(), plans.plan_rng(current_app.config))
    body = plan_calendar(view, host="flashcards.plan",
                         stamp=now())
    # content_type, not mimetype: Flask adds "; charset=utf-8" to a text/* mimetype.
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers.set("Content-Disposition", "attachment", filename="interview-plan.ics")
    return response
