"""The plan page, task changes, and the calendar file."""

from __future__ import annotations

from datetime import timedelta

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

from flashcards.core.taskformat import TaskKind, TaskPriority
from flashcards.services import plans, progress
from flashcards.services.plan_ical import plan_calendar
from flashcards.services.study import day_allowance, queue_counts
from flashcards.web.charts import minutes_chart, recall_chart
from flashcards.web.context import attempt, db, now
from flashcards.web.forms import (
    PlanFixForm,
    TaskAddForm,
    TaskDoneForm,
    TaskEditForm,
    TaskMoveForm,
)
from flashcards.web.redirects import safe_next

bp = Blueprint("plan", __name__)


@bp.get("/plan")
def show() -> str:
    session = db()
    view = plans.plan_and_commit(session, now(), plans.plan_rng(current_app.config))
    first_monday = view.plan_start - timedelta(days=view.plan_start.weekday())
    last_day = max(view.interview, view.today)
    weeks = []
    day = first_monday
    while day <= last_day:
        weeks.append([day + timedelta(days=k) for k in range(7)])
        day += timedelta(days=7)
    planned = {d.day: d for d in view.plan.days}
    allowance = day_allowance(session, now())
    day_progress = progress.progress_of(session, allowance, queue_counts(session, allowance),
                                        view.tasks.get(view.today, []))
    # Ends the read (nothing is written here): a commit, unlike a rollback, keeps the
    # rows the page reads loaded, instead of reloading every task one query at a time.
    session.commit()
    return render_template(
        "plan/plan.html", view=view, weeks=weeks, planned=planned,
        minutes_chart=minutes_chart(view.plan, view.settings.daily_minutes),
        recall_chart=recall_chart(view.plan),
        kinds=list(TaskKind), add_form=TaskAddForm(day=view.today), done_form=TaskDoneForm(),
        move_form=TaskMoveForm(), progress=day_progress, pressure=plans.pressure(view))


@bp.post("/plan/fix")
def fix() -> BaseResponse:
    """Apply a fix from the pressure panel: the budget or the interview date it names."""
    form = PlanFixForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("plan.show"))
    _, problem = attempt(lambda s: plans.apply_fix(
        s, now=now(), daily_minutes=form.daily_minutes.data,
        interview_date=form.interview_date.data, new_per_day=form.new_per_day.data))
    if problem is not None:
        flash(problem, "error")
        return redirect(url_for("plan.show"))
    limit = (f", new-card limit {form.new_per_day.data} a day"
             if form.new_per_day.data is not None else "")
    if form.daily_minutes.data is not None:
        flash(f"Budget raised to {form.daily_minutes.data} min a day{limit}.", "info")
    else:
        flash(f"Interview moved to {form.interview_date.data:%A %-d %B %Y}{limit}.", "info")
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
        kind=TaskKind(form.kind.data), now=now(), priority=_priority(form)))
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
    session = db()
    task = plans.edit_task(session, task_id, title=form.title.data or "",
                           details=form.details.data or "",
                           minutes=int(form.minutes.data or 0), now=now(),
                           priority=_priority(form))
    session.commit()
    flash(f"Saved “{task.title}”.", "info")
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
