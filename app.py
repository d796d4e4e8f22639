"""Run flashcards: `python app.py [--host H] [--port P]`.

Migrates the database, seeds the bundled decks on first run, then serves on
127.0.0.1:5000. `flask --app app <command>` gives the CLI (see README.md).
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import logging
import socket
import sys

import waitress
from flask import Flask

from flashcards import create_app
from flashcards.maintenance.backup_hooks import daily_backup
from flashcards.maintenance.bootstrap import setup_database
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
                        help="send the login cookie over plain HTTP too, on a non-loopback "
                             "address or despite FLASHCARDS_SECURE_COOKIES=1 (only on a "
                             "network you trust; use HTTPS otherwise)")
    args = parser.parse_args(argv)
    try:
        report = setup_database(app)
    except BackupError as exc:  # the database needs migrating and could not be backed up
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    public = not _is_loopback(args.host)
    configured_secure = bool(app.config["SESSION_COOKIE_SECURE"])  # FLASHCARDS_SECURE_COOKIES
    if public and not has_accounts(app):
        print(f"Refusing to listen on {args.host}: this app has no user with a password, so "
              "anyone who can reach it would see and change your cards. Create one first "
              "with `flask --app app create-user NAME`, or listen on 127.0.0.1 (the default).",
              file=sys.stderr)
        return 2
    app.config["SESSION_COOKIE_SECURE"] = cookie_secure(public, args.allow_http,
                                                        configured_secure)
    if report.decks_created:
        print(f"Seeded {len(report.decks_created)} bundled decks "
              f"({report.cards_added} cards): {', '.join(report.decks_created)}; "
              f"{report.tasks_added} preparation tasks")
    elif (update := describe_update(report)) is not None:
        print(update)
    daily_backup(app)
    if args.allow_http and (public or configured_secure):
        print("Warning: the login cookie also travels over plain HTTP (--allow-http).",
              file=sys.stderr)
    # waitress: a production WSGI server with a fixed thread pool (Flask's own is for
    # development only). It binds the port here, before anything says it is running (and
    # not earlier: a port that accepts connections is expected to answer them).
    logging.basicConfig()  # waitress's warnings (e.g. a full request queue) reach stderr
    try:
        server = waitress.create_server(app, host=args.host, port=args.port,
                                        threads=args.threads, ident="flashcards")
    except OSError as exc:
        print(cannot_listen_message(args.host, args.port, exc), file=sys.stderr)
        return 1
    print(f"Flashcards is running at http://{args.host}:{args.port}/ (Ctrl+C to stop)", flush=True)
    server.run()
    return 0


def cookie_secure(public: bool, allow_http: bool, configured: bool) -> bool:
    """Whether the session cookie, which carries the login, goes over HTTPS only: never
    with --allow-http; always once other machines can connect; else as configured
    (FLASHCARDS_SECURE_COOKIES=1 behind an HTTPS proxy on this machine)."""
    if allow_http:
        return False
    return public or configured


def cannot_listen_message(host: str, port: int, exc: OSError) -> str:
    """What to tell someone whose server could not bind host:port."""
    if exc.errno == errno.EADDRINUSE:
        message = f"Port {port} is in use (another program, or flashcards already running?)"
        free = next_free_port(host, port)
        return message + (f"; try --port {free}" if free is not None else "; try another --port")
    return f"Cannot listen on {host}:{port}: {exc.strerror or exc}"


def next_free_port(host: str, port: int, tries: int = 20) -> int | None:
    """The first of the next `tries` ports above `port` that host can listen on, if any."""
    for candidate in range(port + 1, min(port + tries, 65535) + 1):
        try:
            addresses = socket.getaddrinfo(host, candidate, type=socket.SOCK_STREAM)
            for family, _, _, _, address in addresses:
                # create_server sets SO_REUSEADDR, as waitress does: the same test it will face
                with socket.create_server(address[:2], family=family):
                    pass
        except OSError:
            continue
        return candidate
    return None


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
