"""Upkeep of the app's database that the Flask app runs itself, read from its config:
setting the database up at start (`bootstrap`: migrate, seed the bundled decks) and
backing it up (`backup_hooks`: before a migration, before an import, once a day).

It sits between the interfaces (`web/`, `cli.py`, `app.py`) and `services/`: it takes
the Flask app, which services never see, and does its work through services and db."""
