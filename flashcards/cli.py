"""The Flask commands, `flask --app app COMMAND` (README.md: Command line):

- setup, check-decks: migrate and seed the database; check the bundled deck files
- import-deck, export-deck: cards from and to CSV or Anki text
- plan, optimize: print the study plan; fit FSRS parameters to the review log
- backup, restore, check-db: the SQLite database's backups and health
- create-user, set-password: accounts

Each is a module-level command of `commands`; `register` adds them all to the app."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import URL, select
from sqlalchemy.orm import Session

from flashcards.core.csvformat import ImportFileError, ImportLayout
from flashcards.core.deckformat import (
    DeckFormatError,
    check_deck_content,
    check_sources,
    guide_headings,
)
from flashcards.core.importplan import DuplicatePolicy
from flashcards.maintenance.backup_hooks import (
    backup_before_import,
    backups_folder,
    backups_kept,
    format_size,
)
from flashcards.maintenance.bootstrap import seed_user, setup_database
from flashcards.models import User
from flashcards.services import backup, exporter, importer, users
from flashcards.services.bundled import RETIRED_TAG, BundleError, load_bundle
from flashcards.services.decks import deck_named
from flashcards.services.errors import ServiceError

# The guide the bundled decks come from (see decks/README.md): in the team's shared/
# folder, which sits beside a checkout of this repository (not inside it).
DEFAULT_GUIDE = (Path(__file__).resolve().parent.parent.parent / "shared" / "source"
                 / "tpm-career-guide-2026.txt")

USER_OPTION = click.option("--user", "user_name", metavar="NAME",
                           help="Whose collection (default: the only user).")

# Holds the commands until `register` adds them to the app's own `flask` group; its
# `command` runs each inside the app context, as `app.cli.command` does.
commands = AppGroup("flashcards")


def register(app: Flask) -> None:
    """Add every command to `flask --app app`."""
    for command in commands.commands.values():
        app.cli.add_command(command)


def user_session(user_name: str | None) -> Session:
    """A session working on one user's collection: NAME's, or the only user's."""
    maker = current_app.extensions["flashcards.sessionmaker"]
    session: Session = maker()
    if user_name is not None:
        user = users.user_named(session, user_name)
        if user is None:
            session.close()
            raise click.ClickException(f"there is no user named {user_name!r}")
        return users.for_user(session, user.id)
    names = session.execute(select(User.id, User.name).order_by(User.id)).all()
    if len(names) != 1:
        session.close()
        raise click.ClickException(
            f"there are {len(names)} users ({', '.join(n for _, n in names)}): "
            "say whose collection with --user NAME")
    return users.for_user(session, names[0][0])


@commands.command("setup")
def setup_command() -> None:
    """Migrate the database to the newest schema and seed the bundled decks."""
    try:
        report = setup_database(current_app)
    except (BundleError, DeckFormatError, ServiceError) as exc:
        raise click.ClickException(str(exc)) from exc
    created = ", ".join(report.decks_created) or "none"
    click.echo(f"Database is up to date. Decks created: {created}; cards added: "
               f"{report.cards_added}; cards updated: {report.cards_updated}; cards retired "
               f"(suspended, tagged {RETIRED_TAG}): {report.cards_retired}; plan tasks "
               f"added: {report.tasks_added}; updated: {report.tasks_updated}.")


@commands.command("check-decks")
@click.argument("directory", required=False, type=click.Path(file_okay=False, exists=True))
@click.option("--guide", type=click.Path(dir_okay=False), envvar="FLASHCARDS_GUIDE",
              default=str(DEFAULT_GUIDE), show_default=True,
              help="The guide the cards come from; each card's source heading must be one "
                   "of its headings (skipped if the file is missing).")
def check_decks_command(directory: str | None, guide: str) -> None:
    """Check the bundled deck files (or those in DIRECTORY) without touching the database:
    their format, then their content (answer-pair style and length parity, repeated
    fronts, source headings)."""
    path = Path(directory or current_app.config["DECKS_DIR"])
    try:
        bundle = load_bundle(path)
    except (BundleError, DeckFormatError) as exc:
        raise click.ClickException(str(exc)) from exc
    guide_path = Path(guide)
    guide_text = guide_path.read_text(encoding="utf-8") if guide_path.is_file() else None
    problems = check_deck_content([(deck.key, deck.rows) for deck in bundle.decks],
                                  guide_text)
    if bundle.tasks is not None and guide_text is not None:
        problems.extend(check_sources("tasks", [(t.line, t.source) for t in bundle.tasks.rows],
                                      guide_headings(guide_text)))
    for deck in bundle.decks:
        click.echo(f"{deck.key}: {len(deck.rows)} cards ({deck.name})")
    if bundle.tasks is not None:
        minutes = sum(task.minutes for task in bundle.tasks.rows)
        click.echo(f"plan tasks: {len(bundle.tasks.rows)} tasks, {minutes} minutes in all")
    if guide_text is None:
        click.echo(f"source headings not checked: no guide at {guide_path}")
    if problems:
        raise click.ClickException("\n".join(problems))


@commands.command("import-deck")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, allow_dash=True))
@click.option("--deck", help="Deck for rows without a deck column.")
@click.option("--on-duplicate", type=click.Choice([p.value for p in DuplicatePolicy]),
              default="update", show_default=True,
              help="What to do with a row whose card already exists.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; change nothing.")
@click.option("--header/--no-header", default=None,
              help="The first row names the columns (or is a card); default: detected.")
@click.option("--columns", metavar="FIELDS",
              help="What each column holds, in order, e.g. front,back,tags "
                   "(front, back, tags, deck, guid; ignore or nothing skips one).")
@USER_OPTION
def import_deck_command(file: str, deck: str | None, on_duplicate: str,
                        dry_run: bool, header: bool | None, columns: str | None,
                        user_name: str | None) -> None:
    """Import cards from a CSV file or an Anki text export (all or nothing)."""
    try:
        layout = ImportLayout.from_text(header, columns)
    except ImportFileError as exc:
        raise click.BadParameter(str(exc), param_hint="'--columns'") from exc
    with click.open_file(file, "rb") as handle:
        data = handle.read()
    options = importer.ImportOptions(
        deck, DuplicatePolicy(on_duplicate),
        importer.deck_name_for_file(file) if file != "-" else importer.DEFAULT_DECK,
        layout)
    with user_session(user_name) as session:
        try:
            if dry_run:
                plan = importer.plan_file(session, data, options)
            else:
                plan, _ = importer.run_import(
                    session, data, options, now=current_app.config["CLOCK"](),
                    before_write=lambda plan: backup_before_import(current_app, plan))
        except (ImportFileError, ServiceError) as exc:
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


@commands.command("export-deck")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@click.option("--deck", help="Export only this deck (by name); default: all decks.")
@click.option("--format", "export_format",
              type=click.Choice([f.value for f in exporter.ExportFormat]),
              default="csv", show_default=True,
              help="csv; excel (the same CSV with a UTF-8 BOM, for Excel); anki.")
@click.option("--with-scheduling", is_flag=True,
              help="Add each card's schedule (csv only): a full, restorable backup.")
@USER_OPTION
def export_deck_command(out: str, deck: str | None, export_format: str,
                        with_scheduling: bool, user_name: str | None) -> None:
    """Export cards as CSV, CSV for Excel, or Anki text."""
    with user_session(user_name) as session:
        deck_id = None
        if deck is not None:
            found = deck_named(session, deck)
            if found is None:
                raise click.ClickException(f"there is no deck named {deck!r}")
            deck_id = found.id
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


@commands.command("plan")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per day, as a list.")
@USER_OPTION
def plan_command(as_json: bool, user_name: str | None) -> None:
    """Print the plan from today to interview day."""
    import json

    from flashcards.services.plans import plan_and_save, plan_rng

    with user_session(user_name) as session:
        view = plan_and_save(session, current_app.config["CLOCK"](),
                             plan_rng(current_app.config))
        session.commit()
    recall = {name: round(value, 4) for name, value in view.plan.recall_by_deck.items()}
    days = [{
        "date": day.day.isoformat(), "reviews": round(day.reviews, 1), "new": day.new,
        "tasks": [{"title": v.task.title, "minutes": v.task.minutes,
                   "done": v.task.done_at is not None,
                   # What the budget did to it (moved, split, shortened, dropped).
                   "change": v.change, "planned_minutes": v.planned_minutes,
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
        tasks = "; ".join(v.task.title + (f" ({v.change})" if v.change else "")
                          for v in view.tasks.get(day.day, []))
        click.echo(f"{day.day:%a %d %b}  {day.reviews:5.0f} reviews  {day.new:3d} new  "
                   f"{day.minutes:4.0f}/{day.budget:.0f} min{flag}  {tasks}")


@commands.command("optimize")
@USER_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--dry-run", is_flag=True, help="Fit and score; store and adopt nothing.")
def optimize_command(user_name: str | None, as_json: bool, dry_run: bool) -> None:
    """Learn FSRS parameters from the review log; adopt them if they predict better."""
    import json

    from flashcards.services import optimizer

    with user_session(user_name) as session:
        outcome = optimizer.optimise(session, current_app.config["CLOCK"](),
                                     dry_run=dry_run)
        record = outcome.record
        adopted = record is not None and record.adopted
        reason = outcome.fit.reason if record is None else record.reason
        session.commit()
    fit = outcome.fit
    if as_json:
        click.echo(json.dumps({
            "reviews_used": fit.reviews_used, "log_loss_before": fit.log_loss_before,
            "log_loss_after": fit.log_loss_after, "rmse_bins_before": fit.rmse_bins_before,
            "rmse_bins_after": fit.rmse_bins_after, "adopted": adopted,
            "would_adopt": fit.adopted,
            "parameters": list(fit.parameters) if fit.parameters else None,
            "reason": reason,
            "cards_updated": outcome.cards_updated, "dry_run": dry_run}, indent=2))
        return
    click.echo(reason)
    if fit.log_loss_before is not None and fit.log_loss_after is not None:
        click.echo(f"Reviews used: {fit.reviews_used}. Log loss {fit.log_loss_before:.4f} now, "
                   f"{fit.log_loss_after:.4f} with new parameters; RMSE (bins) "
                   f"{fit.rmse_bins_before:.2%} now, {fit.rmse_bins_after:.2%} new.")
    if dry_run:
        click.echo("Dry run: nothing stored or adopted.")
    elif adopted:
        click.echo(f"Memory states of {outcome.cards_updated} cards re-computed with them; "
                   "due dates are unchanged.")


def database_url() -> URL:
    url: URL = current_app.extensions["flashcards.engine"].url
    return url


@commands.command("backup")
def backup_command() -> None:
    """Back up the SQLite database now (checked; the oldest backups beyond
    BACKUP_KEEP are deleted)."""
    try:
        made = backup.make_backup(database_url(), backups_folder(current_app), "manual",
                                  current_app.config["CLOCK"](),
                                  keep=backups_kept(current_app))
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up to {made} ({format_size(made.stat().st_size)}).")


@commands.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database with the backup FILE (the current one is backed up
    first). Refuses a file that is damaged, not a flashcards database, or without
    the tables and columns of its schema revision."""
    try:
        target = backup.sqlite_path(database_url())
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    problems = backup.restore_problems(file)
    if problems:
        raise click.ClickException("refusing to restore: " + "; ".join(problems))
    if not yes:
        click.confirm(f"Replace the database {target} with {file}? The current one is "
                      "backed up first.", abort=True)
    try:
        report = backup.restore(target, file, backups_folder(current_app),
                                current_app.config["CLOCK"](),
                                keep=backups_kept(current_app))
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    if report.before_restore is not None:
        click.echo(f"Backed up the current database to {report.before_restore}.")
    if report.moved_aside is not None:
        click.echo(f"The current database could not be backed up "
                   f"({report.not_backed_up_because}); it was moved aside to "
                   f"{report.moved_aside}.")
    click.echo(f"Restored {file} (schema revision {report.revision}) into {target}.")
    if report.needs_migration:
        click.echo("Its schema is older than this version's: it is migrated when the app "
                   "next starts (python app.py, or flask --app app setup).")
    click.echo("If the app is running, restart it.")


@commands.command("check-db")
def check_db_command() -> None:
    """Check the database (integrity, foreign keys, and the tables and columns of its
    schema revision). Read-only: it never changes the file, nor tries to repair it;
    it points at the newest good backup instead."""
    import shlex

    try:
        target = backup.sqlite_path(database_url())
        problems = backup.check_database(target)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    if not problems:
        click.echo("ok")
        return
    click.echo(f"{target} has problems:")
    for problem in problems:
        click.echo(f"  {problem}")
    folder = backups_folder(current_app)
    good = backup.newest_good_backup(folder)
    if good is None:
        click.echo(f"There is no good backup in {folder}. The file was not changed; "
                   "copy it somewhere safe before trying anything on it.")
    else:
        click.echo(f"Newest good backup: {good}")
        click.echo("To restore it (the current database is backed up, or moved aside "
                   "if it cannot be, first):")
        click.echo(f"  flask --app app restore {shlex.quote(str(good))}")
    raise SystemExit(1)


@commands.command("create-user")
@click.argument("name")
@click.password_option(help="Asked for when not given (at least 10 characters).")
def create_user_command(name: str, password: str) -> None:
    """Make a user with a password; from then on every page needs a login. The first
    user keeps the collection studied so far without one."""
    now = current_app.config["CLOCK"]()
    maker = current_app.extensions["flashcards.sessionmaker"]
    with maker() as session:
        try:
            created = users.create_user(session, name, password, now)
            user_id = created.user.id
            session.commit()
        except ServiceError as exc:
            raise click.ClickException(str(exc)) from exc
    if created.took_over_local:
        click.echo(f"User {name!r} created; it keeps the collection used so far. "
                   "Every page now needs a login.")
        return
    bundle = load_bundle(Path(current_app.config["DECKS_DIR"]))
    with maker(info={users.USER_KEY: user_id}) as session:
        seed_user(session, bundle, now)
        session.commit()
    click.echo(f"User {name!r} created, with the bundled decks. Every page needs a login.")


@commands.command("set-password")
@click.argument("name")
@click.password_option(help="Asked for when not given (at least 10 characters).")
def set_password_command(name: str, password: str) -> None:
    """Give a user a new password."""
    maker = current_app.extensions["flashcards.sessionmaker"]
    with maker() as session:
        try:
            users.set_password(session, name, password)
            session.commit()
        except ServiceError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Password of {name!r} changed.")
