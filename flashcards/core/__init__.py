"""Pure domain logic: no Flask, no SQLAlchemy, no I/O; the current time is passed in."""
