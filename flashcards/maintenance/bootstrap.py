"""First-run work shared by `python app.py` and `flask --app app setup`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from flashcards.db import begin_write, refresh_statistics
from flashcards.db.migrate import upgrade
from flashcards.maintenance.backup_hooks import backup_before_migration
from flashcards.models import LOCAL_USER_ID, User
from flashcards.services.bundled import (
    Bundle,
    SeedReport,
    adopt_local_time_zone,
    load_bundle,
    seed_bundle,
)
from flashcards.services.plans import start_plan
from flashcards.services.study import current_day
from flashcards.services.users import USER_KEY


def local_zone_name() -> str | None:
    try:
        import tzlocal

        return str(tzlocal.get_localzone_name())
    except Exception:  # noqa: BLE001 - an unknown zone just keeps the default
        return None


def setup_database(app: Flask) -> SeedReport:
    """Migrate to the newest schema (backing up an SQLite database that needs it first),
    then seed the bundled decks (idempotent)."""
    engine = app.extensions["flashcards.engine"]
    backup_before_migration(app)
    upgrade(engine)
    with engine.begin() as connection:
        refresh_statistics(connection)
    bundle = load_bundle(Path(app.config["DECKS_DIR"]))
    maker = app.extensions["flashcards.sessionmaker"]
    now = app.config["CLOCK"]()
    with maker() as session:
        user_ids = list(session.execute(select(User.id).order_by(User.id)).scalars())
    report = SeedReport()
    for user_id in user_ids:
        # Every user gets the bundled decks, and later their updates.
        with maker(info={USER_KEY: user_id}) as session:
            begin_write(session)
            if user_id == LOCAL_USER_ID:
                adopt_local_time_zone(session, local_zone_name())
            seeded = seed_user(session, bundle, now)
            session.commit()
        if user_id == user_ids[0]:
            report = seeded
    app.extensions["flashcards.schema_ok"] = True
    return report


def seed_user(session: Session, bundle: Bundle, now: datetime) -> SeedReport:
    """The bundled decks and tasks for the session's user, and their plan's start."""
    report = seed_bundle(session, bundle, now)
    start_plan(session, current_day(session, now).date)
    return report
