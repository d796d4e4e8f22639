"""Exporting cards: our CSV (optionally with schedules, optionally for Excel) or Anki's
text format."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from flashcards.core.cards import CardKind
from flashcards.core.csvformat import ExportCard, write_anki_text, write_native_csv
from flashcards.core.scheduling import CardState, Schedule
from flashcards.models import Card, Deck
from flashcards.services.decks import get_deck
from flashcards.services.errors import ServiceError
from flashcards.services.users import owner


class ExportFormat(StrEnum):
    CSV = "csv"
    EXCEL = "excel"  # our CSV after a UTF-8 BOM: without it, Excel reads "—" as "â€”"
    ANKI = "anki"


UTF8_BOM = "\ufeff"


def export_cards(session: Session, *, deck_id: int | None, export_format: ExportFormat,
                 with_schedule: bool = False) -> Iterator[str]:
    """The file's text in chunks, for one deck or all, in deck and new-card order."""
    if with_schedule and export_format == ExportFormat.ANKI:
        raise ServiceError("Anki's text format has no place for schedules: export them as CSV.")
    user_id = owner(session)
    if deck_id is not None:
        get_deck(session, deck_id)  # the user's own, or NotFound
    query = (select(Card, Deck.name).join(Deck, Deck.id == Card.deck_id)
             .where(Card.user_id == user_id)
             .order_by(Deck.name, Card.position, Card.id)
             .execution_options(yield_per=1000))
    if deck_id is not None:
        query = query.where(Card.deck_id == deck_id)
    cards = (_export_card(card, deck) for card, deck in session.execute(query))
    if export_format == ExportFormat.ANKI:
        return write_anki_text(cards)
    chunks = write_native_csv(cards, with_schedule=with_schedule)
    if export_format == ExportFormat.EXCEL:
        return itertools.chain([UTF8_BOM], chunks)
    return chunks


def _export_card(card: Card, deck: str) -> ExportCard:
    return ExportCard(
        guid=card.guid, deck=deck, kind=CardKind(card.kind), front=card.front, back=card.back,
        weak_answer=card.weak_answer, strong_answer=card.strong_answer,
        tags=tuple(card.tags.split()), source=card.source, is_html=card.is_html,
        schedule=Schedule(CardState(card.state), card.step, card.stability, card.difficulty,
                          card.due, card.last_review, card.reps, card.lapses),
        suspended=card.suspended, position=card.position)


def export_file_name(deck_name: str | None, export_format: ExportFormat, day: str) -> str:
    """A safe download name such as tpm-terminology-2026-11-27.csv: letters and digits
    (any script) joined by hyphens, nothing that could be read as a path."""
    stem = re.sub(r"[\W_]+", "-", (deck_name or "all decks").lower()).strip("-")[:80] or "deck"
    extension = "txt" if export_format == ExportFormat.ANKI else "csv"
    return f"{stem}-{day}.{extension}"
