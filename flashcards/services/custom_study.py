"""Custom study, "review ahead": for the last days before the interview, go through a
deck's or a tag's cards that are not due yet, as Anki's filtered decks do.

The cards are graded by study.grade like any review: the log records the answer, and
FSRS schedules from the real time elapsed since the card's last review (a card seen
early gains less stability than one seen when due). New cards are left out: Learn more
today is the way to take on new cards ahead of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from flashcards.core.scheduling import CardState
from flashcards.core.search import SearchError
from flashcards.models import Card
from flashcards.services import availability, browse, study
from flashcards.services.decks import get_deck
from flashcards.services.errors import ServiceError
from flashcards.services.users import owner

MAX_CUSTOM_CARDS = 100
MAX_TAG_LENGTH = 100


@dataclass(frozen=True, slots=True)
class CustomStudy:
    """A custom study session: its cards in the order they are shown, when it started
    (a card graded since then is done), and what it studies (for the page)."""

    card_ids: tuple[int, ...]
    started: datetime
    label: str

    def to_dict(self) -> dict[str, object]:
        return {"ids": list(self.card_ids), "started": self.started.isoformat(),
                "label": self.label}

    @classmethod
    def from_dict(cls, data: object) -> CustomStudy | None:
        if not isinstance(data, dict):
            return None
        try:
            ids = tuple(int(i) for i in data["ids"])[:MAX_CUSTOM_CARDS]
            started = datetime.fromisoformat(str(data["started"]))
            return cls(ids, started, str(data["label"]))
        except (KeyError, TypeError, ValueError):
            return None


def _escaped_tag(tag: str) -> str:
    # The search syntax takes a backslash before any character to mean it literally.
    return "".join(ch if ch.isalnum() else "\\" + ch for ch in tag)


def start(session: Session, now: datetime, *, deck_id: int | None, tag: str | None,
          limit: int) -> CustomStudy:
    """Up to `limit` cards of the user's deck `deck_id` or with `tag` (or a tag under it,
    a::b), studied before and not due today, soonest due first. Raises NotFound for a
    deck that is not the user's, ServiceError for anything else wrong."""
    if not 1 <= limit <= MAX_CUSTOM_CARDS:
        raise ServiceError(f"Custom study takes 1 to {MAX_CUSTOM_CARDS} cards, not {limit}.")
    tag = (tag or "").strip()
    if (deck_id is None) == (not tag):
        raise ServiceError("Choose a deck or type a tag (one of the two).")
    allowance = study.day_allowance(session, now)
    if deck_id is not None:
        deck = get_deck(session, deck_id)
        which = Card.deck_id == deck.id
        label = f"deck “{deck.name}”"
    else:
        if len(tag) > MAX_TAG_LENGTH or any(ch.isspace() for ch in tag):
            raise ServiceError("A tag is one word of at most "
                               f"{MAX_TAG_LENGTH} characters.")
        try:
            which = browse.condition(session, f"tag:{_escaped_tag(tag)}", now,
                                     allowance.day.end)
        except SearchError as exc:  # pragma: no cover - every character is escaped
            raise ServiceError(str(exc)) from exc
        label = f"tag “{tag}”"
    ahead = or_(
        and_(Card.state == int(CardState.REVIEW), Card.due >= allowance.day.end),
        and_(Card.state.in_(study.LEARNING_STATES), Card.due > availability.ahead_of(now)))
    ids = session.execute(
        select(Card.id).where(
            Card.user_id == owner(session), which, ahead,
            availability.not_hidden_sql(now))
        .order_by(Card.due, Card.id).limit(limit)).scalars().all()
    if not ids:
        raise ServiceError(f"No card of the {label} is waiting ahead of its due date: "
                           "new cards are not part of custom study, and due ones are "
                           "in today’s reviews.")
    return CustomStudy(tuple(ids), now, label)


def remaining(session: Session, custom: CustomStudy, now: datetime) -> list[Card]:
    """The session's cards still to study, in its order: the user's, not suspended or
    buried, and not graded since the session started."""
    if not custom.card_ids:
        return []
    cards = session.execute(select(Card).where(
        Card.user_id == owner(session), Card.id.in_(custom.card_ids),
        availability.not_hidden_sql(now),
        or_(Card.last_review.is_(None), Card.last_review < custom.started))).scalars().all()
    order = {card_id: k for k, card_id in enumerate(custom.card_ids)}
    return sorted(cards, key=lambda card: order[card.id])


def page(session: Session, allowance: study.DayAllowance, custom: CustomStudy, *,
         card_id: int | None, show: bool, pick: str | None) -> study.StudyPage:
    """The custom study page: the card the page showed while it is still to study, else
    the session's next card; no card when the session is done."""
    left = remaining(session, custom, allowance.now)
    counts = study.QueueCounts(new=0, learning=0, review=len(left))
    if not left:
        return study.StudyPage(allowance, None, counts, None)
    card = next((c for c in left if c.id == card_id), left[0])
    return study.card_page(allowance, None, counts, card, card_id=card_id, show=show, pick=pick)


def reviewed(session: Session, custom: CustomStudy) -> int:
    """How many of the session's cards have been graded since it started."""
    if not custom.card_ids:
        return 0
    return int(session.execute(select(func.count()).select_from(Card).where(
        Card.user_id == owner(session), Card.id.in_(custom.card_ids),
        Card.last_review >= custom.started)).scalar_one())
