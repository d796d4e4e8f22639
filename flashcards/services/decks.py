"""Decks: the list with per-deck counts, create, rename and describe, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flashcards.core.cards import MAX_DECK_NAME, deck_name_key, normalise_text
from flashcards.core.scheduling import CardState
from flashcards.db import begin_write
from flashcards.models import Card, Deck, ReviewLog
from flashcards.services.errors import ServiceError
from flashcards.services.users import owned, owner


@dataclass(frozen=True, slots=True)
class DeckCounts:
    new: int = 0
    learning: int = 0
    due: int = 0
    suspended: int = 0
    total: int = 0


@dataclass(frozen=True, slots=True)
class DeckSummary:
    id: int
    name: str
    description: str
    counts: DeckCounts
    lower_priority: bool = False


def deck_summaries(session: Session, day_end: datetime) -> list[DeckSummary]:
    """Every deck by name, with its cards counted by state in one pass over the cards:
    new, learning, due before the study day ends (learning included), suspended, total."""
    user_id = owner(session)
    active = Card.suspended == False  # noqa: E712
    counts = {row[0]: DeckCounts(*row[1:]) for row in session.execute(
        select(Card.deck_id,
               func.count().filter(active, Card.state == int(CardState.NEW)),
               func.count().filter(active, Card.state.in_(
                   [int(CardState.LEARNING), int(CardState.RELEARNING)])),
               func.count().filter(active, Card.state != int(CardState.NEW),
                                   Card.due < day_end),
               func.count().filter(Card.suspended == True),  # noqa: E712
               func.count())
        .where(Card.user_id == user_id).group_by(Card.deck_id))}
    decks = session.execute(select(Deck.id, Deck.name, Deck.description, Deck.lower_priority)
                            .where(Deck.user_id == user_id)
                            .order_by(Deck.name_key, Deck.id)).all()
    return [DeckSummary(id_, name, description, counts.get(id_, DeckCounts()), lower)
            for id_, name, description, lower in decks]


def deck_names(session: Session) -> list[tuple[int, str]]:
    """The user's decks as (id, name), by name."""
    return [(id_, name) for id_, name in session.execute(
        select(Deck.id, Deck.name).where(Deck.user_id == owner(session))
        .order_by(Deck.name_key, Deck.id))]


def get_deck(session: Session, deck_id: int) -> Deck:
    """The user's deck `deck_id`; another user's deck is as missing as no deck."""
    return owned(session, Deck, deck_id, "deck")


def deck_named(session: Session, name: str) -> Deck | None:
    """The user's deck called `name`, compared as deck names are (deck_name_key: any
    case, NFC, trimmed), or None."""
    return session.execute(select(Deck).where(
        Deck.user_id == owner(session), Deck.name_key == deck_name_key(name))
    ).scalar_one_or_none()


def _checked_name(session: Session, name: str, deck_id: int | None = None) -> str:
    """A deck name as stored: NFC, trimmed, unique by its key (as in Anki)."""
    clean = normalise_text(name)
    if not clean:
        raise ServiceError("A deck needs a name.")
    if len(clean) > MAX_DECK_NAME:
        raise ServiceError(f"A deck name can be at most {MAX_DECK_NAME} characters.")
    other = deck_named(session, clean)
    if other is not None and other.id != deck_id:
        raise ServiceError(f"There is already a deck called “{other.name}”.")
    return clean


def create_deck(session: Session, name: str, description: str, now: datetime, *,
                lower_priority: bool = False) -> Deck:
    begin_write(session)
    deck = Deck(user_id=owner(session), name=_checked_name(session, name),
                description=normalise_text(description), created_at=now, edited_at=now,
                lower_priority=lower_priority)
    session.add(deck)
    session.flush()
    return deck


def update_deck(session: Session, deck_id: int, name: str, description: str,
                now: datetime, *, lower_priority: bool | None = None) -> Deck:
    """Rename and describe a deck, and mark it lower priority or not (None leaves the
    mark as it is). A new name or description is the user's: the bundled decks' updates
    then leave it alone (the mark alone does not stop them)."""
    begin_write(session)
    deck = get_deck(session, deck_id)
    name, description = _checked_name(session, name, deck_id), normalise_text(description)
    if (name, description) != (deck.name, deck.description):
        deck.name, deck.description = name, description
        deck.edited_at = now
    if lower_priority is not None:
        deck.lower_priority = lower_priority
    session.flush()
    return deck


@dataclass(frozen=True, slots=True)
class DeletionImpact:
    cards: int
    reviews: int


def deletion_impact(session: Session, deck_id: int) -> DeletionImpact:
    """What deleting the deck takes with it."""
    get_deck(session, deck_id)
    cards = session.execute(select(func.count()).select_from(Card)
                            .where(Card.deck_id == deck_id)).scalar_one()
    reviews = session.execute(select(func.count()).select_from(ReviewLog).join(Card)
                              .where(Card.deck_id == deck_id)).scalar_one()
    return DeletionImpact(cards, reviews)


def delete_deck(session: Session, deck_id: int) -> tuple[str, DeletionImpact]:
    """Delete a deck with its cards and their review history (foreign keys cascade). A
    bundled deck the user deleted is not seeded again."""
    begin_write(session)
    deck = get_deck(session, deck_id)
    impact = deletion_impact(session, deck_id)
    name = deck.name
    session.delete(deck)
    session.flush()
    return name, impact
