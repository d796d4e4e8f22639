"""POST /review/sync: the answers a client queued offline, applied once back online.

JSON in (`{"answers": [...]}`), JSON out (`{"results": [...], "counts": {...}}`); the
CSRF token travels in the X-CSRFToken header. The README's "Sync API" section says
what each item holds and what each status means.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from werkzeug.wrappers import Response

from flashcards.core.sync import MAX_ANSWERS
from flashcards.services import sync as sync_service
from flashcards.web.context import db, now, rng

bp = Blueprint("sync", __name__)


def _problem(message: str, status: int) -> tuple[Response, int]:
    return jsonify(error=message), status


@bp.post("/review/sync")
def sync() -> Response | tuple[Response, int]:
    body = request.get_json(silent=True)
    answers = body.get("answers") if isinstance(body, dict) else None
    if not isinstance(answers, list):
        return _problem('The body must be JSON: {"answers": [...]}.', 400)
    if len(answers) > MAX_ANSWERS:
        return _problem(f"{len(answers)} answers in one request: at most {MAX_ANSWERS}; "
                        "send the rest in another request.", 413)
    report = sync_service.sync(db(), now(), answers, rng=rng())
    return jsonify(report.to_json())
