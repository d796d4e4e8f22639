"""First-run work shared by `python app.py` and `flask --app app setup`."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from flashcards.db import begin_write
from flashcards.migrate import upgrade
from flashcards.services.bundled import (
    SeedReport,
    adopt_local_time_zone,
    load_bundle,
    seed_bundle,
)
from flashcards.services.plans import start_plan
from flashcards.services.study import today as study_today


def local_zone_name() -> str | None:
    try:
        import tzlocal

        return str(tzlocal.get_localzone_name())
    except Exception:  # noqa: BLE001 - an unknown zone just keeps the default
        return None


def setup_database(app: Flask) -> SeedReport:
    """Migrate to the newest schema, then seed the bundled decks (idempotent)."""
    engine = app.extensions["flashcards.engine"]
    upgrade(engine)
    bundle = load_bundle(Path(app.config["DECKS_DIR"]))
    maker = app.extensions["flashcards.sessionmaker"]
    now = app.config["CLOCK"]()
    with maker() as session:
        begin_write(session)
        adopt_local_time_zone(session, local_zone_name())
        report = seed_bundle(session, bundle, now)
        start_plan(session, study_today(session, now).day.date)
        session.commit()
    app.extensions["flashcards.schema_ok"] = True
    return report
