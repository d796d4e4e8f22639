"""Adding, changing and deleting one card, and what a card's page shows about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flashcards.core.cards import (
    MAX_FIELD_LENGTH,
    CardKind,
    field_too_long,
    format_tags,
    new_guids,
    normalise_text,
    parse_tags,
)
from flashcards.core.scheduling import CardState, Scheduler
from flashcards.db import begin_write
from flashcards.models import Card, ReviewLog
from flashcards.services.decks import get_deck
from flashcards.services.errors import ServiceError
from flashcards.services.positions import last_position
from flashcards.services.settings import get_settings, scheduler_config
from flashcards.services.study import get_card


@dataclass(frozen=True, slots=True)
class CardContent:
    front: str
    back: str
    weak_answer: str | None
    strong_answer: str | None
    tags: str
    source: str
    deck_id: int | None = None


def _check(kind: CardKind, content: CardContent) -> None:
    for name, value in (("Front", content.front), ("Back", content.back),
                        ("Weak answer", content.weak_answer),
                        ("Strong answer", content.strong_answer), ("Tags", content.tags),
                        ("Source", content.source)):
        if len(value or "") > MAX_FIELD_LENGTH:
            raise ServiceError(field_too_long(name, len(value or "")) + ".")
    if not normalise_text(content.front):
        raise ServiceError("The front cannot be empty.")
    if not normalise_text(content.back):
        raise ServiceError("The back cannot be empty.")
    if kind == CardKind.ANSWER_PAIR and not (normalise_text(content.weak_answer or "")
                                             and normalise_text(content.strong_answer or "")):
        raise ServiceError("An answer pair needs both a weak and a strong answer.")


def add_card(session: Session, deck_id: int, kind: CardKind, content: CardContent,
             now: datetime) -> Card:
    """A new card at the end of the new-card queue."""
    begin_write(session)
    _check(kind, content)
    deck = get_deck(session, deck_id)
    position = last_position(session, Card, deck.user_id)
    pair = kind == CardKind.ANSWER_PAIR
    card = Card(
        user_id=deck.user_id, deck_id=deck.id, guid=new_guids(1)[0], kind=kind.value,
        front=normalise_text(content.front), back=normalise_text(content.back),
        weak_answer=normalise_text(content.weak_answer or "") if pair else None,
        strong_answer=normalise_text(content.strong_answer or "") if pair else None,
        tags=format_tags(parse_tags(content.tags)), source=normalise_text(content.source),
        position=position + 1, created_at=now)
    deck.edited_at = now
    session.add(card)
    session.flush()
    return card


def update_card(session: Session, card_id: int, content: CardContent, now: datetime) -> Card:
    """Store the edited text; the card and its deck are marked as edited by the user,
    so updates of the bundled decks leave them alone."""
    begin_write(session)
    card = get_card(session, card_id)
    _check(CardKind(card.kind), content)
    if content.deck_id is not None and content.deck_id != card.deck_id:
        get_deck(session, content.deck_id).edited_at = now
        card.deck_id = content.deck_id
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


def delete_card(session: Session, card_id: int) -> tuple[Card, int]:
    """Delete a card and its review history; returns it and how many reviews went."""
    begin_write(session)
    card = get_card(session, card_id)
    reviews = session.execute(select(func.count()).select_from(ReviewLog)
                              .where(ReviewLog.card_id == card_id)).scalar_one()
    session.delete(card)
    session.flush()
    return card, reviews


@dataclass(frozen=True, slots=True)
class CardInfo:
    """A card's FSRS state as numbers the card page puts into words."""

    card: Card
    state: CardState
    recall_now: float | None  # None for a card never reviewed
    stability: float | None  # days until recall falls to 90%
    difficulty: float | None  # 1 (easy) to 10 (hard)
    due: datetime | None
    history: list[ReviewLog]
    total_ms: int


def card_info(session: Session, card_id: int, now: datetime) -> CardInfo:
    card = get_card(session, card_id)
    scheduler = Scheduler(scheduler_config(get_settings(session)))
    state = CardState(card.state)
    history = list(session.execute(select(ReviewLog).where(ReviewLog.card_id == card_id)
                                   .order_by(ReviewLog.reviewed_at, ReviewLog.id)).scalars())
    recall = None if state == CardState.NEW else scheduler.retrievability(
        card.id, card.schedule, now)
    return CardInfo(card, state, recall, card.stability, card.difficulty, card.due, history,
                    sum(log.duration_ms or 0 for log in history))
