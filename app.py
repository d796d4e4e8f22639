"""Run flashcards: `python app.py [--host H] [--port P]`.

Migrates the database, seeds the bundled decks on first run, then serves on
127.0.0.1:5000. `flask --app app <command>` gives the CLI (see README.md).
"""

from __future__ import annotations

import argparse
import ipaddress
import sys

import waitress
from flask import Flask

from flashcards import create_app
from flashcards.backup_hooks import daily_backup
from flashcards.bootstrap import setup_database
from flashcards.services.backup import BackupError
from flashcards.services.bundled import describe_update
from flashcards.services.users import accounts_enabled

app = create_app()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the flashcards app.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    parser.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")
    parser.add_argument("--allow-http", action="store_true",
                        help="on a non-loopback address, send the login cookie over plain "
                             "HTTP too (only on a network you trust; use HTTPS otherwise)")
    args = parser.parse_args(argv)
    try:
        report = setup_database(app)
    except BackupError as exc:  # the database needs migrating and could not be backed up
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    public = not _is_loopback(args.host)
    if public and not has_accounts(app):
        print(f"Refusing to listen on {args.host}: this app has no user with a password, so "
              "anyone who can reach it would see and change your cards. Create one first "
              "with `flask --app app create-user NAME`, or listen on 127.0.0.1 (the default).",
              file=sys.stderr)
        return 2
    # The session cookie carries the login: over HTTPS only, once others can connect.
    app.config["SESSION_COOKIE_SECURE"] = public and not args.allow_http
    if report.decks_created:
        print(f"Seeded {len(report.decks_created)} bundled decks "
              f"({report.cards_added} cards): {', '.join(report.decks_created)}; "
              f"{report.tasks_added} preparation tasks")
    elif (update := describe_update(report)) is not None:
        print(update)
    daily_backup(app)
    if public and args.allow_http:
        print("Warning: the login cookie also travels over plain HTTP (--allow-http).",
              file=sys.stderr)
    print(f"Flashcards is running at http://{args.host}:{args.port}/ (Ctrl+C to stop)", flush=True)
    # waitress: a production WSGI server with a fixed thread pool (Flask's own is for
    # development only).
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads,
                   ident="flashcards")
    return 0


def has_accounts(flask_app: Flask) -> bool:
    with flask_app.extensions["flashcards.sessionmaker"]() as session:
        return accounts_enabled(session)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


if __name__ == "__main__":
    sys.exit(main())
