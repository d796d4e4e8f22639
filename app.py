"""Run flashcards: `python app.py [--host H] [--port P]`.

Migrates the database, seeds the bundled decks on first run, then serves on
127.0.0.1:5000. `flask --app app <command>` gives the CLI (see README.md).
"""

from __future__ import annotations

import argparse
import ipaddress
import sys

import waitress

from flashcards import create_app
from flashcards.bootstrap import setup_database

app = create_app()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the flashcards app.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    parser.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")
    args = parser.parse_args(argv)
    report = setup_database(app)
    if report.decks_created:
        print(f"Seeded {len(report.decks_created)} bundled decks "
              f"({report.cards_added} cards): {', '.join(report.decks_created)}; "
              f"{report.tasks_added} preparation tasks")
    elif report.cards_added or report.cards_updated or report.tasks_added or report.tasks_updated:
        print(f"Updated bundled content: {report.cards_added} cards added, "
              f"{report.cards_updated} updated; {report.tasks_added} tasks added, "
              f"{report.tasks_updated} updated.")
    if not _is_loopback(args.host):
        print(f"Warning: listening on {args.host} makes the app reachable from other machines, "
              "and it has no login yet.", file=sys.stderr)
    print(f"Flashcards is running at http://{args.host}:{args.port}/ (Ctrl+C to stop)", flush=True)
    # waitress: a production WSGI server with a fixed thread pool (Flask's own is for
    # development only).
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads,
                   ident="flashcards")
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


if __name__ == "__main__":
    sys.exit(main())
