"""Decks: the list with counts and exports, create, rename and describe, delete."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from flashcards.services import decks as deck_service
from flashcards.services.study import current_day
from flashcards.web.context import attempt, db, now
from flashcards.web.forms import ConfirmForm, DeckForm

bp = Blueprint("decks", __name__)


@bp.get("/decks")
def index() -> str:
    session = db()
    day = current_day(session, now())
    summaries = deck_service.deck_summaries(session, day.end)
    totals = deck_service.DeckCounts(*(sum(getattr(s.counts, f) for s in summaries)
                                       for f in ("new", "learning", "due", "suspended",
                                                 "total")))
    return render_template("decks/index.html", decks=summaries, totals=totals)


@bp.route("/decks/new", methods=["GET", "POST"])
def create() -> Response | tuple[str, int] | str:
    form = DeckForm()
    if form.validate_on_submit():
        deck, problem = attempt(lambda s: deck_service.create_deck(
            s, form.name.data or "", form.description.data or "", now(),
            lower_priority=bool(form.lower_priority.data)))
        if deck is None:
            form.name.errors = [*form.name.errors, str(problem)]
        else:
            flash(f"Deck “{deck.name}” created. Add its first card.", "info")
            return redirect(url_for("cards.add", deck=deck.id))
    status = 400 if request.method == "POST" else 200
    return render_template("decks/edit.html", form=form, deck=None), status


@bp.route("/decks/<int:deck_id>/edit", methods=["GET", "POST"])
def edit(deck_id: int) -> Response | tuple[str, int] | str:
    session = db()
    deck = deck_service.get_deck(session, deck_id)
    form = DeckForm(obj=deck if request.method == "GET" else None)
    if form.validate_on_submit():
        _, problem = attempt(lambda s: deck_service.update_deck(
            s, deck_id, form.name.data or "", form.description.data or "", now(),
            lower_priority=bool(form.lower_priority.data)))
        if problem:
            form.name.errors = [*form.name.errors, problem]
        else:
            flash("Deck saved.", "info")
            return redirect(url_for("decks.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("decks/edit.html", form=form, deck=deck), status


@bp.route("/decks/<int:deck_id>/delete", methods=["GET", "POST"])
def delete(deck_id: int) -> Response | str:
    session = db()
    deck = deck_service.get_deck(session, deck_id)
    impact = deck_service.deletion_impact(session, deck_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name, impact = deck_service.delete_deck(session, deck_id)
        session.commit()
        flash(f"Deleted the deck “{name}” with its {impact.cards:,} cards and "
              f"{impact.reviews:,} reviews.", "info")
        return redirect(url_for("decks.index"))
    return render_template("decks/delete.html", form=form, deck=deck, impact=impact)
