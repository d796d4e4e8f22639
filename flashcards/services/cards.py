"""Changing a card's content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from flashcards.core.cards import CardKind, format_tags, normalise_text, parse_tags
from flashcards.db import begin_write
from flashcards.models import Card
from flashcards.services.study import get_card


@dataclass(frozen=True, slots=True)
class CardContent:
    front: str
    back: str
    weak_answer: str | None
    strong_answer: str | None
    tags: str
    source: str


def update_card(session: Session, card_id: int, content: CardContent, now: datetime) -> Card:
    """Store the edited text; the card and its deck are marked as edited by the user,
    so updates of the bundled decks leave them alone."""
    begin_write(session)
    card = get_card(session, card_id)
    card.front = normalise_text(content.front)
    card.back = normalise_text(content.back)
    if card.kind == CardKind.ANSWER_PAIR.value:
        card.weak_answer = normalise_text(content.weak_answer or "")
        card.strong_answer = normalise_text(content.strong_answer or "")
    card.tags = format_tags(parse_tags(content.tags))
    card.source = normalise_text(content.source)
    card.edited_at = now
    card.deck.edited_at = now
    session.flush()
    return card
