"""The statistics service on both databases: answers summed by the user's study days
(time zone, rollover hour, a daylight saving change), true retention young and mature,
one deck or all, the readiness history the plan stores, and the closed days it keeps."""

import random
from datetime import UTC, date, datetime, timedelta
from itertools import count

import numpy as np
import pytest
from sqlalchemy import delete, select

from flashcards.core.scheduling import CardState, Rating
from flashcards.models import Card, ReadinessHistory, ReviewLog
from flashcards.services import cards as card_service
from flashcards.services import plans, stats, study
from flashcards.services.errors import NotFound
from flashcards.services.settings import get_settings
from flashcards.services.users import create_user, for_user
from tests.conftest import START, count_rows, make_deck

VERSIONS = count(100)


def answer(session, card_id: int, at: datetime, *, rating: int = 3,
           state: CardState = CardState.REVIEW, interval_days: float | None = None,
           duration_ms: int = 6000) -> None:
    """A log row as a grade writes it (the card itself is left as it is)."""
    last = due = None
    if interval_days is not None:
        last = at - timedelta(days=interval_days)
        due = last + timedelta(days=interval_days)
    session.add(ReviewLog(card_id=card_id, user_id=1, reviewed_at=at, rating=rating,
                          duration_ms=duration_ms, card_version=next(VERSIONS),
                          state_before=int(state), state_after=int(CardState.REVIEW),
                          due_before=due, last_review_before=last))


def card_ids(session, deck_id: int) -> list[int]:
    return list(session.execute(select(Card.id).where(Card.deck_id == deck_id)
                                .order_by(Card.id)).scalars())


def by_day(view: stats.Stats) -> dict[date, int]:
    return {d.day: d.reviews for d in view.year if d.reviews}


def test_a_fresh_user_has_empty_stats(session) -> None:
    make_deck(session, "Fresh", cards=3)
    view = stats.load_stats(session, START, None, 30)
    assert view.summary.reviews == 0 and view.year_summary.reviews == 0
    assert view.streak == 0
    assert len(view.days) == 30 and len(view.year) == stats.HEATMAP_DAYS
    assert view.retention.rate is None
    assert view.counts == {"new": 3, "learning": 0, "review": 0, "relearning": 0,
                           "suspended": 0}
    assert [b.count for b in view.stability] == [0] * len(view.stability)
    assert view.readiness.series == []


def test_answers_fall_on_study_days_across_the_rollover_and_daylight_saving(session) -> None:
    deck = make_deck(session, "Days", cards=1)
    card = card_ids(session, deck.id)[0]
    settings = get_settings(session)
    settings.timezone, settings.rollover_hour = "America/New_York", 4
    # New York's clocks go forward at 2 am on Sunday 8 March 2026 (EST -5 to EDT -4).
    answer(session, card, datetime(2026, 3, 6, 15, 0, tzinfo=UTC))   # Fri 10 am EST
    answer(session, card, datetime(2026, 3, 7, 8, 30, tzinfo=UTC))   # Sat 3:30 am: Friday
    answer(session, card, datetime(2026, 3, 7, 9, 0, tzinfo=UTC))    # Sat 4 am EST: Saturday
    answer(session, card, datetime(2026, 3, 8, 7, 30, tzinfo=UTC))   # Sun 3:30 am EDT: Saturday
    answer(session, card, datetime(2026, 3, 8, 8, 0, tzinfo=UTC))    # Sun 4 am EDT: Sunday
    answer(session, card, datetime(2026, 3, 10, 5, 0, tzinfo=UTC))   # Tue 1 am: Monday
    session.commit()
    now = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)  # Tuesday noon in New York
    view = stats.load_stats(session, now, None, 7)
    assert view.today == date(2026, 3, 10)
    assert by_day(view) == {date(2026, 3, 6): 2, date(2026, 3, 7): 2, date(2026, 3, 8): 1,
                            date(2026, 3, 9): 1}
    # Nothing yet today: the streak runs to yesterday (Monday) and back to Friday.
    assert view.streak == 4
    assert view.summary.reviews == 6 and view.summary.studied_days == 4
    assert view.summary.minutes == pytest.approx(6 * 6000 / 60000)


def test_true_retention_splits_young_and_mature_by_the_last_interval(session) -> None:
    deck = make_deck(session, "Retention", cards=1)
    card = card_ids(session, deck.id)[0]
    at = START - timedelta(hours=2)
    for rating in (3, 3, 1):  # young: 2 of 3 not Again
        answer(session, card, at, rating=rating, interval_days=20.5)
    for rating in (3, 4, 2, 1):  # mature: 3 of 4 (21 days is mature)
        answer(session, card, at, rating=rating, interval_days=21)
    # Not review-state answers: in the counts, not in true retention.
    answer(session, card, at, rating=1, state=CardState.LEARNING)
    answer(session, card, at, rating=1, state=CardState.RELEARNING, interval_days=40)
    answer(session, card, at, rating=3, state=CardState.NEW)
    session.commit()
    view = stats.load_stats(session, START, None, 7)
    week = view.weeks[-1]
    assert (week.young, week.young_passed, week.mature, week.mature_passed) == (3, 2, 4, 3)
    assert view.retention.rate == 5 / 7
    assert view.summary.reviews == 10
    assert len(view.weeks) == 1 and view.desired_retention == 0.9


def test_one_deck_counts_only_its_cards_and_another_users_deck_is_missing(session) -> None:
    mine = make_deck(session, "Mine", cards=2)
    other = make_deck(session, "Other", cards=1)
    for card in card_ids(session, mine.id):
        answer(session, card, START - timedelta(days=1))
    answer(session, card_ids(session, other.id)[0], START - timedelta(days=1))
    session.commit()
    assert stats.load_stats(session, START, mine.id, 7).summary.reviews == 2
    assert stats.load_stats(session, START, other.id, 7).summary.reviews == 1
    assert stats.load_stats(session, START, None, 7).summary.reviews == 3
    assert stats.load_stats(session, START, mine.id, 7).counts["new"] == 2
    # The first account takes over the local collection (user 1); the second is another.
    assert create_user(session, "ada", "correct horse battery", START).user.id == 1
    bob = create_user(session, "bob", "correct horse battery", START).user.id
    session.commit()
    bobs = make_deck(session, "Bob's", cards=1, user_id=bob)
    with pytest.raises(NotFound):
        stats.load_stats(session, START, bobs.id, 7)
    for_user(session, bob)
    assert stats.load_stats(session, START, None, 7).summary.reviews == 0


def test_deleting_a_card_takes_its_past_answers_out_even_once_kept(session) -> None:
    deck = make_deck(session, "Kept", cards=2)
    first, second = card_ids(session, deck.id)
    answer(session, first, START - timedelta(days=3))
    answer(session, second, START - timedelta(days=3))
    session.commit()
    assert stats.load_stats(session, START, None, 7).summary.reviews == 2  # now kept
    card_service.delete_card(session, second)
    session.commit()
    assert stats.load_stats(session, START, None, 7).summary.reviews == 1


def test_moving_a_card_moves_its_answers_to_the_other_deck(session) -> None:
    a = make_deck(session, "A", cards=1)
    b = make_deck(session, "B", cards=1)
    card = card_ids(session, a.id)[0]
    answer(session, card, START - timedelta(days=2))
    session.commit()
    assert stats.load_stats(session, START, a.id, 7).summary.reviews == 1
    session.get(Card, card).deck_id = b.id
    session.commit()
    assert stats.load_stats(session, START, a.id, 7).summary.reviews == 0
    assert stats.load_stats(session, START, b.id, 7).summary.reviews == 1


def test_the_plan_stores_one_readiness_row_per_deck_per_day(session) -> None:
    make_deck(session, "Terms", cards=5)
    make_deck(session, "Stories", cards=3)
    get_settings(session).interview_date = date(2026, 3, 20)
    session.commit()
    plans.plan_and_save(session, START, np.random.default_rng(1))
    session.commit()
    assert count_rows(session, ReadinessHistory) == 2
    plans.plan_and_save(session, START + timedelta(hours=3), np.random.default_rng(2))
    session.commit()
    rows = session.execute(select(ReadinessHistory)).scalars().all()
    assert len(rows) == 2  # rebuilt the same day: updated, not added
    assert {row.day for row in rows} == {date(2026, 3, 2)}
    assert all(0 <= row.recall <= 1 for row in rows)
    plans.plan_and_save(session, START + timedelta(days=1), np.random.default_rng(3))
    session.commit()
    assert count_rows(session, ReadinessHistory) == 4
    view = stats.load_stats(session, START + timedelta(days=1), None, 7)
    assert [s.deck for s in view.readiness.series] == ["Stories", "Terms"]
    assert [day for day, _ in view.readiness.series[0].points] == [date(2026, 3, 2),
                                                                    date(2026, 3, 3)]
    assert view.readiness.interview == date(2026, 3, 20)
    assert view.readiness.target == 0.9


def test_forecast_covers_thirty_days_from_the_plans_forecast(session) -> None:
    make_deck(session, "Forecast", cards=40)
    get_settings(session).interview_date = date(2026, 6, 1)
    session.commit()
    view = stats.load_stats(session, START, None, 30)
    assert [day for day, _ in view.forecast] == [date(2026, 3, 2) + timedelta(days=k)
                                                 for k in range(30)]
    assert sum(reviews for _, reviews in view.forecast) > 0  # new cards come in and return


def test_bad_range_values_are_refused() -> None:
    """(The deck argument is an id, read as every id is: web/numbers.py.)"""
    assert stats.parse_range(None) == 30 and stats.parse_range("365") == 365
    assert stats.parse_range("0030") == 30
    for value in ("14", "-7", "abc", "3e2", "7 ", "²", "٣٠", "3" * 5000, "7" * 100_000):
        with pytest.raises(stats.BadStatsRequest, match="7, 30, 90, 365"):
            stats.parse_range(value)


def test_an_answer_undone_just_after_the_rollover_leaves_yesterday(session) -> None:
    deck = make_deck(session, "Undo", cards=1)
    card = card_ids(session, deck.id)[0]
    answer(session, card, datetime(2026, 3, 3, 3, 59, tzinfo=UTC))  # 2 March's study day
    session.commit()
    after_rollover = datetime(2026, 3, 3, 4, 1, tzinfo=UTC)
    assert by_day(stats.load_stats(session, after_rollover, None, 7)) == {date(2026, 3, 2): 1}
    session.execute(delete(ReviewLog).where(ReviewLog.card_id == card))  # what undo does
    session.commit()
    assert by_day(stats.load_stats(session, after_rollover, None, 7)) == {}


def test_a_longer_range_after_a_shorter_one_reads_the_retention_it_lacks(session) -> None:
    """The days before a range are kept with their answers only (the heatmap's): a
    longer range shown next has the same retention as when it is shown first."""
    deck = make_deck(session, "Ranges", cards=1)
    card = card_ids(session, deck.id)[0]
    for days_ago, rating in ((3, 3), (40, 1), (40, 3), (200, 4), (200, 1)):
        answer(session, card, START - timedelta(days=days_ago), rating=rating,
               interval_days=30 if days_ago == 200 else 5, duration_ms=60000)
    session.commit()
    first_seen = {}
    for days in stats.RANGES:
        stats._CLOSED_DAYS.clear()
        first_seen[days] = stats.load_stats(session, START, None, days)
    for order in (stats.RANGES, stats.RANGES[::-1]):
        stats._CLOSED_DAYS.clear()
        for days in order:
            view = stats.load_stats(session, START, None, days)
            assert view.weeks == first_seen[days].weeks
            assert view.retention == first_seen[days].retention
            assert view.days == first_seen[days].days
            assert by_day(view) == by_day(first_seen[days])
            assert view.year_summary == first_seen[days].year_summary
    assert first_seen[365].retention.young == 3 and first_seen[365].retention.mature == 2
    assert first_seen[365].retention.rate == 3 / 5
    assert first_seen[7].retention.young == 1
    assert first_seen[7].year_summary.reviews == 5 and first_seen[7].year_summary.minutes == 5


def test_a_new_cards_first_answer_keeps_the_closed_days(session, monkeypatch) -> None:
    """The usual visit after studying reads only yesterday and today from the log, also
    when the answers were a new card's first (which makes it a studied card)."""
    deck = make_deck(session, "Fresh", cards=3)
    first, second, _ = card_ids(session, deck.id)
    answer(session, first, START - timedelta(days=5))
    session.commit()
    assert stats.load_stats(session, START, None, 7).summary.reviews == 1
    read_from: list[date] = []
    day_totals = stats._day_totals

    def spy(session, first_day, edges, deck_id, full=True):
        read_from.append(first_day)
        return day_totals(session, first_day, edges, deck_id, full)

    monkeypatch.setattr(stats, "_day_totals", spy)
    version = session.get(Card, second).version
    study.grade(session, second, version, Rating.GOOD, START, rng=random.Random(1))
    session.commit()
    assert session.get(Card, second).state != CardState.NEW
    view = stats.load_stats(session, START, None, 7)
    assert view.summary.reviews == 2
    assert read_from == [view.today - timedelta(days=1)]
