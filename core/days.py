"""Days as the control room counts them: Europe/London days, whatever the UTC offset."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def local_midnight(day: date) -> datetime:
    """The instant a London day starts (00:00 local, whatever the UTC offset that day)."""
    return datetime.combine(day, time.min, tzinfo=LONDON)
