"""Flask commands: `flask --app app setup`, `flask --app app check-decks`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from flashcards.bootstrap import setup_database
from flashcards.core.deckformat import DeckFormatError
from flashcards.services.bundled import BundleError, load_bundle


def register(app: Flask) -> None:
    @app.cli.command("setup")
    def setup_command() -> None:
        """Migrate the database to the newest schema and seed the bundled decks."""
        try:
            report = setup_database(current_app)
        except (BundleError, DeckFormatError) as exc:
            raise click.ClickException(str(exc)) from exc
        created = ", ".join(report.decks_created) or "none"
        click.echo(f"Database is up to date. Decks created: {created}; cards added: "
                   f"{report.cards_added}; cards updated: {report.cards_updated}; plan tasks "
                   f"added: {report.tasks_added}; updated: {report.tasks_updated}.")

    @app.cli.command("check-decks")
    @click.argument("directory", required=False, type=click.Path(file_okay=False, exists=True))
    def check_decks_command(directory: str | None) -> None:
        """Check the bundled deck files (or those in DIRECTORY) without touching the database."""
        path = Path(directory or current_app.config["DECKS_DIR"])
        try:
            bundle = load_bundle(path)
        except (BundleError, DeckFormatError) as exc:
            raise click.ClickException(str(exc)) from exc
        for deck in bundle.decks:
            click.echo(f"{deck.key}: {len(deck.rows)} cards ({deck.name})")
        if bundle.tasks is not None:
            minutes = sum(task.minutes for task in bundle.tasks.rows)
            click.echo(f"plan tasks: {len(bundle.tasks.rows)} tasks, {minutes} minutes in all")
