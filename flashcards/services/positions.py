"""Queue positions: new cards and plan tasks go after the user's last one."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flashcards.models import Card, PlanTask


def last_position(session: Session, model: type[Card] | type[PlanTask], user_id: int) -> int:
    """The highest position among the user's cards (or plan tasks), 0 when there are none."""
    position: int = session.execute(select(func.coalesce(func.max(model.position), 0))
                                    .where(model.user_id == user_id)).scalar_one()
    return position
