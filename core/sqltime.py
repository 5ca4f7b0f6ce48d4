"""SQL for a timestamp moved by an exact number of seconds (days of 24 hours, whatever the
clocks do), on PostgreSQL and SQLite: the window arithmetic of set-based queries."""

from datetime import datetime, timedelta

from django.db import connection


def shifted(expression: str, seconds: int) -> str:
    """SQL for ``expression`` plus ``seconds`` (an int: formatted in, never user input)."""
    seconds = int(seconds)
    if connection.vendor == "postgresql":
        return f"({expression} + INTERVAL '{seconds} seconds')"
    if connection.vendor == "sqlite":
        _register_sqlite_function()
        return f"td_shift_seconds({expression}, {seconds})"
    raise NotImplementedError(f"time arithmetic is not written for {connection.vendor}")


def _sqlite_shift(value, seconds):
    # Django stores SQLite datetimes as str(naive UTC datetime); the result compares
    # correctly as text with values in that format.
    if value is None:
        return None
    return str(datetime.fromisoformat(value) + timedelta(seconds=seconds))


def _register_sqlite_function():
    connection.ensure_connection()
    connection.connection.create_function("td_shift_seconds", 2, _sqlite_shift, deterministic=True)
