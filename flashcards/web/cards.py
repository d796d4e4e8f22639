"""Editing a card (reached from the review screen)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from flashcards.core.cards import CardKind
from flashcards.services import cards as card_service
from flashcards.services.errors import NotFound
from flashcards.services.study import get_card
from flashcards.web.context import db, now
from flashcards.web.forms import CardEditForm

bp = Blueprint("cards", __name__)


def safe_next(target: str | None, fallback: str) -> str:
    """Only local paths: never redirect to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


@bp.route("/cards/<int:card_id>/edit", methods=["GET", "POST"])
def edit(card_id: int) -> Response | str:
    session_ = db()
    try:
        card = get_card(session_, card_id)
    except NotFound as exc:
        abort(404, description=str(exc))
    is_pair = card.kind == CardKind.ANSWER_PAIR.value
    form = CardEditForm(obj=card if request.method == "GET" else None)
    if is_pair:
        form.front.label.text = "Question or situation"
        form.back.label.text = "Why the strong answer passes"
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    back_to = safe_next(form.next.data, url_for("review.overview"))
    if form.validate_on_submit() and (not is_pair or form.require_answers()):
        card_service.update_card(session_, card_id, card_service.CardContent(
            front=form.front.data or "", back=form.back.data or "",
            weak_answer=form.weak_answer.data, strong_answer=form.strong_answer.data,
            tags=form.tags.data or "", source=form.source.data or ""), now())
        session_.commit()
        flash("Card saved.", "info")
        return redirect(back_to)
    return render_template("cards/edit.html", form=form, card=card, is_pair=is_pair,
                           back_to=back_to)
