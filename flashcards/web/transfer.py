"""Decks page, import (upload, preview, confirm, progress) and export downloads."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from flashcards.core.csvformat import (
    IGNORED_COLUMN,
    MAPPABLE_COLUMNS,
    ImportFileError,
    ImportLayout,
    ParsedFile,
    check_columns,
    parse_import,
    suggested_columns,
)
from flashcards.core.importplan import ImportPlan
from flashcards.maintenance.backup_hooks import backup_before_import
from flashcards.services import decks, exporter, importer, jobs
from flashcards.services.users import USER_KEY, owner
from flashcards.web import jobs as web_jobs
from flashcards.web.context import db, now, reads_only
from flashcards.web.forms import ConfirmForm, ImportForm, LayoutForm
from flashcards.web.numbers import query_id

bp = Blueprint("transfer", __name__)
PREVIEW_ROWS = 20
SHOWN_REJECTIONS = 200
MAX_MAPPED_COLUMNS = 30  # a wider file is read by its header or by position only
COLUMN_CHOICES = (*MAPPABLE_COLUMNS, IGNORED_COLUMN)


@bp.route("/import", methods=["GET", "POST"])
@reads_only  # the preview writes nothing but the upload; the import runs after confirmation
def upload() -> str | tuple[str, int]:
    form = ImportForm()
    names = [name for _, name in decks.deck_names(db())]
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("transfer/upload.html", form=form, deck_names=names), status
    data = form.file.data.read()
    file_name = Path(form.file.data.filename or "upload").name
    try:
        parsed = parse_import(data)
    except ImportFileError as exc:
        form.file.errors = [*form.file.errors, f"{file_name}: {exc}"]
        return render_template("transfer/upload.html", form=form, deck_names=names), 400
    options = {"file_name": file_name, "deck": (form.deck.data or "").strip(),
               "policy": form.on_duplicate.data,
               "default_deck": importer.deck_name_for_file(file_name),
               "header": None, "columns": None}
    session = db()
    session.commit()  # the read above ends: keeping the upload is a write of its own
    token = jobs.create(session, jobs.IMPORT, now(), data=data, options=options)
    session.commit()
    return _preview(parsed, options, token)


def _layout(options: dict[str, Any]) -> ImportLayout:
    return importer.ImportOptions.from_saved(options).layout


def _preview(parsed: ParsedFile, options: dict[str, Any], token: str,
             problem: str | None = None) -> str | tuple[str, int]:
    plan = _plan(parsed, options)
    layout_form = LayoutForm(formdata=None, header=parsed.header_row)
    page = render_template(
        "transfer/preview.html", plan=plan, parsed=parsed, options=options, token=token,
        form=ConfirmForm(), layout_form=layout_form, preview=plan.items[:PREVIEW_ROWS],
        rejected=plan.rejected[:SHOWN_REJECTIONS], problem=problem,
        columns=(options.get("columns") or suggested_columns(parsed)
                 if parsed.width <= MAX_MAPPED_COLUMNS else None),
        column_choices=COLUMN_CHOICES)
    return (page, 400) if problem else page


@bp.post("/import/<token>/layout")
@reads_only  # a new preview of the same upload: nothing is written
def layout(token: str) -> str | tuple[str, int]:
    """Read the uploaded file again with the user's header switch and column choices."""
    form = LayoutForm()
    if not form.validate():
        abort(400, description="The form was not valid.")
    data, options = _upload_or_404(token)
    try:
        previous = parse_import(data, layout=_layout(options))
    except ImportFileError as exc:  # cannot happen for a layout it accepted before
        abort(400, description=str(exc))
    chosen = request.form.getlist("column")
    changed: dict[str, Any] = {"header": bool(form.header.data)}
    try:
        if len(chosen) > MAX_MAPPED_COLUMNS:
            raise ImportFileError(f"at most {MAX_MAPPED_COLUMNS} columns can be chosen")
        if chosen and chosen != (options.get("columns") or suggested_columns(previous)):
            # Only a real change maps the columns: a file read by its own header keeps
            # what only a header can say (kind, source, schedules).
            changed["columns"] = list(check_columns(tuple(chosen)))
        parsed = parse_import(data, layout=_layout({**options, **changed}))
    except ImportFileError as exc:
        return _preview(previous, options, token, problem=str(exc))
    options = {**options, **changed}
    session = db()
    session.commit()
    jobs.save_options(session, token, options, now())
    session.commit()
    return _preview(parsed, options, token)


def _upload_or_404(token: str) -> tuple[bytes, dict[str, Any]]:
    """The user's upload waiting for confirmation, or 404."""
    return jobs.upload(db(), token)


def _plan(parsed: ParsedFile, options: dict[str, Any]) -> ImportPlan:
    chosen = importer.ImportOptions.from_saved(options)
    return importer.plan_import(db(), parsed, deck=chosen.deck, policy=chosen.policy,
                                default_deck=chosen.default_deck)


@bp.post("/import/<token>/confirm")
@reads_only  # queues the import, which runs in a job with a transaction of its own
def confirm(token: str) -> BaseResponse:
    form = ConfirmForm()
    if not form.validate():
        abort(400, description="The form was not valid.")
    session = db()
    session.commit()
    jobs.enqueue(session, token, now())
    session.commit()
    web_jobs.start(token)
    return redirect(url_for("transfer.job", token=token))


def import_job(app: Flask, session: Session, job: jobs.Claimed,
               progress: Callable[[int, int], None]) -> dict[str, Any]:
    """The import job: importer.run_import in the session's transaction, which the runner
    commits together with the job's "done" (services/jobs.py)."""
    options = job.options
    if job.data is None:
        raise ImportFileError("the uploaded file is gone")
    with app.app_context():
        _, result = importer.run_import(
            session, job.data, importer.ImportOptions.from_saved(options),
            now=datetime.fromisoformat(options["now"]), progress=progress,
            before_write=lambda plan: backup_before_import(app, plan))
    return {"counts": result.counts, "new_decks": result.new_decks,
            "file_name": options["file_name"]}


def _status_or_404(token: str) -> dict[str, Any]:
    return web_jobs.status_or_404(token, jobs.IMPORT, "There is no such import.")


@bp.get("/import/<token>")
def job(token: str) -> str:
    return render_template("transfer/job.html", status=_status_or_404(token), token=token)


@bp.get("/import/<token>.json")
def job_status(token: str) -> Response:
    return jsonify(_status_or_404(token))


@bp.get("/export")
def export() -> Response:
    session = db()
    deck_id = query_id("deck")
    try:
        export_format = exporter.ExportFormat(request.args.get("format", "csv"))
    except ValueError:
        abort(400, description="format must be csv, excel or anki.")
    with_schedule = request.args.get("scheduling") == "1"
    deck = decks.get_deck(session, deck_id) if deck_id is not None else None
    if with_schedule and export_format == exporter.ExportFormat.ANKI:
        abort(400, description="Anki's text format has no place for schedules: export them "
                               "as CSV.")
    name = exporter.export_file_name(deck.name if deck else None, export_format,
                                     now().date().isoformat())
    maker = current_app.extensions["flashcards.sessionmaker"]
    user_id = owner(session)

    def generate() -> Iterator[bytes]:
        # Its own session: the download goes on after this view has returned.
        with maker(info={USER_KEY: user_id}) as export_session:
            for chunk in exporter.export_cards(export_session, deck_id=deck_id,
                                               export_format=export_format,
                                               with_schedule=with_schedule):
                yield chunk.encode("utf-8")

    mimetype = "text/plain" if export_format == exporter.ExportFormat.ANKI else "text/csv"
    # content_type, not mimetype: Flask adds "; charset=utf-8" to a text/* mimetype.
    response = Response(generate(), content_type=f"{mimetype}; charset=utf-8")
    response.headers.set("Content-Disposition", "attachment", **_file_name_options(name))
    return response


def _file_name_options(name: str) -> dict[str, str]:
    """filename= for every browser, plus RFC 5987 filename*= when the name is not ASCII
    (as Flask's send_file does)."""
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        return {"filename": simple, "filename*": "UTF-8''" + quote(name, safe="!#$&+-.^_`|~")}
    return {"filename": name}
