"""Days as the control room counts them: Europe/London days, whatever the UTC offset."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def local_midnight(day: date) -> datetime:
    """The instant a London day starts (00:00 local, whatever the UTC offset that day)."""
    return datetime.combine(day, time.min, tzinfo=LONDON)


def day_text(day: date) -> str:
    """A day in the one date style people read: "7 Dec 2026" (SCREENS.md)."""
    return f"{day.day} {day:%b %Y}"
