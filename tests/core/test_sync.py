"""The offline answers' checks and order (pure, issue 26)."""

from datetime import UTC, datetime, timedelta

from flashcards.core.sync import (
    CLOCK_SKEW,
    MAX_AGE,
    ItemResult,
    OfflineAnswer,
    Status,
    parse_answer,
    parse_answers,
)

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def item(at: str, answer_id: str = "a", rating: object = 3) -> dict[str, object]:
    return {"id": answer_id, "card_id": 5, "version": 2, "rating": rating, "reviewed_at": at}


def test_the_clock_skew_and_age_limits_are_inclusive() -> None:
    assert isinstance(parse_answer(0, item((NOW + CLOCK_SKEW).isoformat()), NOW), OfflineAnswer)
    ahead = parse_answer(0, item((NOW + CLOCK_SKEW + timedelta(seconds=1)).isoformat()), NOW)
    assert isinstance(ahead, ItemResult) and ahead.status == Status.REFUSED
    assert isinstance(parse_answer(0, item((NOW - MAX_AGE).isoformat()), NOW), OfflineAnswer)
    old = parse_answer(0, item((NOW - MAX_AGE - timedelta(seconds=1)).isoformat()), NOW)
    assert isinstance(old, ItemResult) and "30 days" in old.reason


def test_times_with_an_offset_become_utc_and_answers_come_in_time_order() -> None:
    answers, refused = parse_answers([
        item("2026-03-02T15:00:00+01:00", "second"),  # 14:00 UTC
        item("2026-03-02T13:30:00+00:00", "first"),
        item("2026-03-02T14:00:00Z", "third"),  # a tie: the request's order
        item("2026-03-02T14:00:00Z", "bad", rating=True),
    ], NOW)
    assert [(a.id, a.reviewed_at) for a in answers] == [
        ("first", datetime(2026, 3, 2, 13, 30, tzinfo=UTC)), ("second", NOW), ("third", NOW)]
    assert [(r.id, r.status) for r in refused] == [("bad", Status.REFUSED)]
