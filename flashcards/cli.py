"""Flask commands: `flask --app app setup`, `flask --app app check-decks`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from flashcards.bootstrap import setup_database
from flashcards.core.csvformat import ImportFileError, parse_import
from flashcards.core.deckformat import DeckFormatError
from flashcards.models import Deck
from flashcards.services import exporter, importer
from flashcards.services.bundled import BundleError, load_bundle
from flashcards.services.errors import ServiceError


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


def register_transfer(app: Flask) -> None:
    @app.cli.command("import-deck")
    @click.argument("file", type=click.Path(dir_okay=False, exists=True, allow_dash=True))
    @click.option("--deck", help="Deck for rows without a deck column.")
    @click.option("--on-duplicate", type=click.Choice([p.value for p in importer.DuplicatePolicy]),
                  default="update", show_default=True,
                  help="What to do with a row whose card already exists.")
    @click.option("--dry-run", is_flag=True, help="Show what would happen; change nothing.")
    def import_deck_command(file: str, deck: str | None, on_duplicate: str,
                            dry_run: bool) -> None:
        """Import cards from a CSV file or an Anki text export (all or nothing)."""
        with click.open_file(file, "rb") as handle:
            data = handle.read()
        maker = current_app.extensions["flashcards.sessionmaker"]
        options = {"deck": deck, "policy": importer.DuplicatePolicy(on_duplicate),
                   "default_deck": Path(file).stem if file != "-" else importer.DEFAULT_DECK}
        with maker() as session:
            try:
                if dry_run:
                    plan = importer.plan_import(session, parse_import(data), **options)
                else:
                    plan, _ = importer.import_file(session, data, **options,
                                                   now=current_app.config["CLOCK"]())
            except ImportFileError as exc:
                raise click.ClickException(f"{file}: {exc}") from exc
            for warning in plan.warnings:
                click.echo(f"note: {warning}", err=True)
            for problem in plan.rejected:
                click.echo(f"{file}: {problem}", err=True)
            counts = plan.counts
            summary = (f"{counts['new']} new, {counts['updated']} updated, "
                       f"{counts['unchanged']} unchanged, {counts['rejected']} rejected")
            if dry_run:
                click.echo(f"Dry run, nothing changed: {summary}.")
                return
            session.commit()
        click.echo(f"Imported {file}: {summary}.")

    @app.cli.command("export-deck")
    @click.argument("out", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
    @click.option("--deck", help="Export only this deck (by name); default: all decks.")
    @click.option("--format", "export_format", type=click.Choice(["csv", "anki"]),
                  default="csv", show_default=True)
    @click.option("--with-scheduling", is_flag=True,
                  help="Add each card's schedule (csv only): a full, restorable backup.")
    def export_deck_command(out: str, deck: str | None, export_format: str,
                            with_scheduling: bool) -> None:
        """Export cards as CSV or as Anki text."""
        maker = current_app.extensions["flashcards.sessionmaker"]
        with maker() as session:
            deck_id = None
            if deck is not None:
                deck_id = session.execute(select(Deck.id).where(Deck.name == deck)).scalar()
                if deck_id is None:
                    raise click.ClickException(f"there is no deck named {deck!r}")
            try:
                chunks = exporter.export_cards(
                    session, deck_id=deck_id, export_format=exporter.ExportFormat(export_format),
                    with_schedule=with_scheduling)
                with click.open_file(out, "w", encoding="utf-8", atomic=out != "-") as handle:
                    for chunk in chunks:
                        handle.write(chunk)
            except ServiceError as exc:
                raise click.ClickException(str(exc)) from exc
        if out != "-":
            click.echo(f"Exported to {out}.")


def register_plan(app: Flask) -> None:
    @app.cli.command("plan")
    @click.option("--json", "as_json", is_flag=True, help="One JSON object per day, as a list.")
    def plan_command(as_json: bool) -> None:
        """Print the plan from today to interview day."""
        import json

        import numpy as np

        from flashcards.services.plans import build_plan

        maker = current_app.extensions["flashcards.sessionmaker"]
        with maker() as session:
            view = build_plan(session, current_app.config["CLOCK"](),
                              np.random.default_rng(current_app.config.get("PLAN_SEED", 2026)))
            session.commit()
        recall = {name: round(value, 4) for name, value in view.plan.recall_by_deck.items()}
        days = [{
            "date": day.day.isoformat(), "reviews": round(day.reviews, 1), "new": day.new,
            "tasks": [{"title": v.task.title, "minutes": v.task.minutes,
                       "done": v.task.done_at is not None,
                       "rolled_from": v.rolled_from.isoformat() if v.rolled_from else None}
                      for v in view.tasks.get(day.day, [])],
            "minutes": round(day.minutes, 1), "budget": round(day.budget, 1),
            "over_budget": day.over_budget, "predicted_recall_on_interview_day": recall,
        } for day in view.plan.days]
        if as_json:
            click.echo(json.dumps(days, indent=2))
            return
        click.echo(f"Interview on {view.interview:%A %-d %B %Y}; target recall "
                   f"{view.plan.target:.0%}; predicted mean {view.plan.mean_recall:.1%}.")
        if view.plan.unplaced_new:
            click.echo(f"{view.plan.unplaced_new} new cards do not fit before the interview.")
        for day in view.plan.days:
            flag = "  over budget" if day.over_budget else ""
            tasks = "; ".join(v.task.title for v in view.tasks.get(day.day, []))
            click.echo(f"{day.day:%a %d %b}  {day.reviews:5.0f} reviews  {day.new:3d} new  "
                       f"{day.minutes:4.0f}/{day.budget:.0f} min{flag}  {tasks}")
