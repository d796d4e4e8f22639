"""Answers given offline, as the client queues them: checked one by one, put in time order.

Pure: items come in as the JSON values the client sent, answers go out as plain values
with the reason any item is refused. What the database knows (the card, its history)
is the service's part (services/sync.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

# The most answers one request may carry: a day's queue is at most 500 cards, each
# answered a few times; past this the client sends several requests.
MAX_ANSWERS = 2000
MAX_ANSWER_ID = 64
# How far ahead of the server's clock an answer may be dated (a phone's clock drifts).
CLOCK_SKEW = timedelta(minutes=5)
# How old an answer may be: older than this it is no longer today's queue.
MAX_AGE = timedelta(days=30)
RATINGS = range(1, 5)


class Status(StrEnum):
    APPLIED = "applied"  # graded as it would have been online at its time
    MERGED = "merged"  # kept beside answers given elsewhere meanwhile
    DUPLICATE = "duplicate"  # already recorded by an earlier sync: nothing done
    REFUSED = "refused"  # not recorded, for the reason given


@dataclass(frozen=True, slots=True)
class OfflineAnswer:
    """One well-formed answer; `index` is its place in the request."""

    index: int
    id: str
    card_id: int
    version: int
    rating: int
    reviewed_at: datetime  # UTC
    duration_ms: int | None


@dataclass(frozen=True, slots=True)
class ItemResult:
    index: int
    id: str | None
    status: Status
    reason: str = ""

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "status": str(self.status), "reason": self.reason}


def _whole(value: object) -> int | None:
    # JSON true is a Python int: a bool is no number here.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    return moment.astimezone(UTC)


def parse_answer(index: int, item: object, now: datetime) -> OfflineAnswer | ItemResult:
    """The item as an answer, or its refusal with the reason."""
    raw_id = item.get("id") if isinstance(item, dict) else None
    answer_id = raw_id if isinstance(raw_id, str) and 0 < len(raw_id) <= MAX_ANSWER_ID else None

    def refuse(reason: str) -> ItemResult:
        return ItemResult(index, answer_id, Status.REFUSED, reason)

    if not isinstance(item, dict):
        return refuse("Each answer must be a JSON object.")
    if answer_id is None:
        return refuse(f"The answer's id must be a string of 1 to {MAX_ANSWER_ID} characters.")
    card_id, version = _whole(item.get("card_id")), _whole(item.get("version"))
    if card_id is None or card_id < 1:
        return refuse("card_id must be a positive whole number.")
    if version is None or version < 1:
        return refuse("version must be a positive whole number (the card version shown).")
    rating = _whole(item.get("rating"))
    if rating is None or rating not in RATINGS:
        return refuse(f"The grade must be 1 (Again) to 4 (Easy), not {item.get('rating')!r}.")
    duration = item.get("duration_ms")
    if duration is not None and (_whole(duration) is None or duration < 0):
        return refuse("duration_ms must be a whole number of milliseconds, or null.")
    reviewed_at = _moment(item.get("reviewed_at"))
    if reviewed_at is None:
        return refuse("reviewed_at must be an ISO-8601 time with its offset, "
                      "e.g. 2026-03-02T14:00:00+01:00.")
    if reviewed_at > now + CLOCK_SKEW:
        return refuse(f"Dated in the future ({reviewed_at.isoformat()}, the server's time is "
                      f"{now.astimezone(UTC).isoformat()}): check the device's clock.")
    if reviewed_at < now - MAX_AGE:
        return refuse(f"Given more than {MAX_AGE.days} days ago: too old to apply.")
    return OfflineAnswer(index, answer_id, card_id, version, rating, reviewed_at,
                         _whole(duration))


def parse_answers(items: list[object],
                  now: datetime) -> tuple[list[OfflineAnswer], list[ItemResult]]:
    """The well-formed answers in time order (ties in the request's order), and the
    refusals; an id seen earlier in the same request is refused as a duplicate."""
    answers: list[OfflineAnswer] = []
    refused: list[ItemResult] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        parsed = parse_answer(index, item, now)
        if isinstance(parsed, ItemResult):
            refused.append(parsed)
        elif parsed.id in seen:
            refused.append(ItemResult(index, parsed.id, Status.REFUSED,
                                      "The same answer id came twice in this request: "
                                      "only its first copy is applied."))
        else:
            seen.add(parsed.id)
            answers.append(parsed)
    answers.sort(key=lambda answer: (answer.reviewed_at, answer.index))
    return answers, refused


def counts_of(results: list[ItemResult]) -> dict[str, int]:
    counts = {str(status): 0 for status in Status}
    for result in results:
        counts[str(result.status)] += 1
    return counts
