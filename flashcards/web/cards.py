"""One card: add, show (history and memory state), edit, delete."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from flashcards.core.cards import CardKind
from flashcards.core.search import deck_term
from flashcards.services import cards as card_service
from flashcards.services.decks import deck_names
from flashcards.services.study import get_card
from flashcards.web.context import attempt, db, now
from flashcards.web.forms import CardAddForm, CardEditForm, ConfirmForm
from flashcards.web.numbers import query_id
from flashcards.web.redirects import safe_next

bp = Blueprint("cards", __name__)


def _content(form: CardEditForm) -> card_service.CardContent:
    return card_service.CardContent(
        front=form.front.data or "", back=form.back.data or "",
        weak_answer=form.weak_answer.data, strong_answer=form.strong_answer.data,
        tags=form.tags.data or "", source=form.source.data or "", deck_id=form.deck.data)


def _label_pair_fields(form: CardEditForm) -> None:
    form.front.label.text = "Question or situation"
    form.back.label.text = "Why the strong answer passes"


@bp.route("/cards/new", methods=["GET", "POST"])
def add() -> Response | tuple[str, int] | str:
    # The deck to preselect (a missing one: the first) and the card just added.
    deck_id, added = query_id("deck", may_be_gone=True), query_id("added", may_be_gone=True)
    form = CardAddForm()
    form.deck.choices = deck_names(db())
    if not form.deck.choices:
        flash("Make a deck first: cards live in decks.", "info")
        return redirect(url_for("decks.create"))
    if request.method == "GET":
        form.deck.data = deck_id or form.deck.choices[0][0]
        form.kind.data = request.args.get("kind", "basic")
    is_pair = form.kind.data == CardKind.ANSWER_PAIR.value
    if is_pair:
        _label_pair_fields(form)
    if form.validate_on_submit() and (not is_pair or form.require_answers()):
        card, problem = attempt(lambda s: card_service.add_card(
            s, int(form.deck.data), CardKind(form.kind.data), _content(form), now()))
        if card is None:
            flash(str(problem), "error")
        else:
            flash("Card added. Add another, or go back to the deck list.", "info")
            return redirect(url_for("cards.add", deck=card.deck_id, kind=card.kind,
                                    added=card.id))
    status = 400 if request.method == "POST" else 200
    return render_template("cards/add.html", form=form, is_pair=is_pair, added=added), status


@bp.get("/cards/<int:card_id>")
def show(card_id: int) -> str:
    info = card_service.card_info(db(), card_id, now())
    return render_template("cards/show.html", info=info, card=info.card)


@bp.route("/cards/<int:card_id>/edit", methods=["GET", "POST"])
def edit(card_id: int) -> Response | tuple[str, int] | str:
    session = db()
    card = get_card(session, card_id)
    is_pair = card.kind == CardKind.ANSWER_PAIR.value
    form = CardEditForm(obj=card if request.method == "GET" else None)
    form.deck.choices = deck_names(db())
    if is_pair:
        _label_pair_fields(form)
    if request.method == "GET":
        form.deck.data = card.deck_id
        form.next.data = request.args.get("next", "")
    back_to = safe_next(form.next.data, url_for("cards.show", card_id=card_id))
    if form.validate_on_submit() and (not is_pair or form.require_answers()):
        _, problem = attempt(lambda s: card_service.update_card(s, card_id, _content(form),
                                                                now()))
        if problem:
            flash(problem, "error")
        else:
            flash("Card saved.", "info")
            return redirect(back_to)
    status = 400 if request.method == "POST" else 200
    return render_template("cards/edit.html", form=form, card=card, is_pair=is_pair,
                           back_to=back_to), status


@bp.route("/cards/<int:card_id>/delete", methods=["GET", "POST"])
def delete(card_id: int) -> Response | str:
    session = db()
    info = card_service.card_info(session, card_id, now())
    form = ConfirmForm()
    if form.validate_on_submit():
        deck_name = info.card.deck.name
        _, reviews = card_service.delete_card(session, card_id)
        session.commit()
        flash(f"Card deleted, with its {reviews} review{'' if reviews == 1 else 's'}.", "info")
        return redirect(url_for("browse.index", q=deck_term(deck_name)))
    return render_template("cards/delete.html", form=form, card=info.card, info=info)
