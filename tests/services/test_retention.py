"""Help me decide against real databases: the table from the user's own cards, limits
and parameters (no one else's), and setting the desired retention from a row."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from flashcards.core import retention as core
from flashcards.core.retention import RETENTIONS
from flashcards.core.scheduling import DEFAULT_PARAMETERS
from flashcards.models import Card
from flashcards.services import retention, users
from flashcards.services.errors import ServiceError
from flashcards.services.settings import get_settings
from tests.conftest import START, make_deck

TODAY = date(2026, 3, 2)  # START's study day
PASSWORD = "correct horse battery"


def test_the_table_for_the_bundled_decks(seeded_app, session) -> None:
    view = retention.build(session, START)
    session.rollback()
    cards = session.execute(select(func.count()).select_from(Card)).scalar_one()
    assert view.cards == cards > 100
    assert (view.today, view.interview) == (TODAY, TODAY + timedelta(days=30))
    assert view.current == 0.9 and view.interview_retention is None
    assert view.parameters_default
    assert [row.retention for row in view.rows] == list(RETENTIONS)
    assert [row.retention for row in view.rows if row.current] == [0.9]
    assert view.rows[-1].average_minutes > view.rows[0].average_minutes > 0
    assert view.rows[-1].recall > view.rows[0].recall
    assert 0.7 <= view.optimum.retention <= 0.99


def test_the_users_own_value_parameters_and_target_are_used(session, monkeypatch) -> None:
    make_deck(session, "Mine", cards=30)
    settings = get_settings(session)
    learnt = [round(w * 0.9, 4) for w in DEFAULT_PARAMETERS]
    settings.fsrs_parameters = json.dumps(learnt)
    settings.desired_retention = 0.88
    settings.interview_retention = 0.93
    session.commit()
    seen = {}
    real_table, real_optimum = retention.retention_table, retention.long_term_optimum

    def table(data, current, **options):
        seen["table"] = (data.model.w, data.cards.count, current, options["target"])
        return real_table(data, current, **options)

    def optimum(parameters, habits, current):
        seen["optimum"] = (parameters, habits.cards, current)
        return real_optimum(parameters, habits, current)

    monkeypatch.setattr(retention, "retention_table", table)
    monkeypatch.setattr(retention, "long_term_optimum", optimum)
    view = retention.build(session, START)
    assert seen["table"] == (tuple(learnt), 30, 0.88, 0.93)
    assert seen["optimum"] == (tuple(learnt), 30, 0.88)
    assert not view.parameters_default and view.interview_retention == 0.93
    assert [row.retention for row in view.rows if row.current] == [0.88]
    assert {row.target for row in view.rows} == {0.93}


def test_another_users_cards_and_settings_are_not_used(session) -> None:
    ada = users.create_user(session, "ada", PASSWORD, START).user.id
    bob = users.create_user(session, "bob", PASSWORD, START).user.id
    session.commit()
    make_deck(session, "Ada's", cards=12, user_id=ada)
    make_deck(session, "Bob's", cards=400, user_id=bob)
    users.for_user(session, bob)
    bobs = get_settings(session)
    bobs.desired_retention, bobs.interview_retention = 0.81, 0.95
    bobs.fsrs_parameters = json.dumps([w * 0.8 for w in DEFAULT_PARAMETERS])
    bobs.interview_date = TODAY + timedelta(days=90)
    session.commit()
    users.for_user(session, ada)
    view = retention.build(session, START)
    assert view.cards == 12 and view.current == 0.9
    assert view.interview_retention is None and view.parameters_default
    assert view.interview == TODAY + timedelta(days=30)
    # Setting ada's value leaves bob's alone.
    retention.set_desired_retention(session, 0.85)
    session.commit()
    assert get_settings(session).desired_retention == 0.85
    users.for_user(session, bob)
    session.expire_all()
    assert get_settings(session).desired_retention == 0.81


@pytest.mark.parametrize(("text", "value"), [("0.85", 0.85), (" 0.7 ", 0.7), ("0.99", 0.99),
                                            ("0.905", 0.905)])
def test_a_value_in_range_is_set(session, text, value) -> None:
    assert retention.set_desired_retention(session, retention.parse_retention(text)) == 0.9
    session.commit()
    session.expire_all()
    assert get_settings(session).desired_retention == value


@pytest.mark.parametrize(("text", "message"), [
    ("abc", "not a number"), ("", "not a number"), (None, "not a number"),
    ("0.69", "from 0.70 to 0.99"), ("1", "from 0.70 to 0.99"), ("90", "from 0.70 to 0.99"),
    ("nan", "from 0.70 to 0.99"), ("inf", "from 0.70 to 0.99"), ("-0.9", "from 0.70 to 0.99")])
def test_a_bad_value_is_refused_and_nothing_changes(session, text, message) -> None:
    with pytest.raises(ServiceError, match=message):
        retention.set_desired_retention(session, retention.parse_retention(text))
    with pytest.raises(ServiceError, match="from 0.70 to 0.99"):
        retention.set_desired_retention(session, 1.5)
    session.rollback()
    assert get_settings(session).desired_retention == 0.9


def test_coming_back_after_picking_a_row_forecasts_nothing_again(seeded_app, session,
                                                                 monkeypatch) -> None:
    calls = []
    real = core.plan
    monkeypatch.setattr(core, "plan", lambda data, rng: calls.append(1) or real(data, rng))
    core._TABLE_CACHE.clear()
    first = retention.build(session, START)
    session.rollback()
    assert len(calls) == len(RETENTIONS)
    retention.set_desired_retention(session, 0.85)
    session.commit()
    again = retention.build(session, START)
    session.rollback()
    assert len(calls) == len(RETENTIONS)  # the same cards, limits and parameters
    assert [r.retention for r in again.rows if r.current] == [0.85]
    assert [r.average_minutes for r in again.rows] == [r.average_minutes for r in first.rows]
    # A setting the forecast reads is a new table.
    get_settings(session).daily_minutes = 20
    session.commit()
    retention.build(session, START)
    assert len(calls) == 2 * len(RETENTIONS)
