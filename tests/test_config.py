"""DATABASE_URL: PostgreSQL URLs get the psycopg 3 driver, others stay as given."""

import pytest

from flashcards import create_app
from flashcards.config import default_database_url, with_driver


@pytest.mark.parametrize(("given", "used"), [
    ("postgres://u:p@db.example:5432/cards", "postgresql+psycopg://u:p@db.example:5432/cards"),
    ("postgresql://u@/cards?host=/run/pg", "postgresql+psycopg://u@/cards?host=/run/pg"),
    ("postgresql+psycopg://u@h/cards", "postgresql+psycopg://u@h/cards"),
    ("postgresql+psycopg2://u@h/cards", "postgresql+psycopg2://u@h/cards"),  # chosen: kept
    ("sqlite:////srv/postgresql://x.sqlite3", "sqlite:////srv/postgresql://x.sqlite3"),
    ("sqlite:///instance/flashcards.sqlite3", "sqlite:///instance/flashcards.sqlite3"),
])
def test_postgresql_urls_get_the_psycopg_driver(given: str, used: str) -> None:
    assert with_driver(given) == used


def test_database_url_from_the_environment_and_from_the_app_config(
        monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/cards")
    assert default_database_url(tmp_path) == "postgresql+psycopg://u@h/cards"
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["DATABASE_URL"] == "postgresql+psycopg://u@h/cards"
    assert app.extensions["flashcards.engine"].dialect.driver == "psycopg"
    monkeypatch.delenv("DATABASE_URL")
    assert default_database_url(tmp_path) == f"sqlite:///{tmp_path / 'flashcards.sqlite3'}"
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "postgresql://u@h/other"})
    assert app.config["DATABASE_URL"] == "postgresql+psycopg://u@h/other"
