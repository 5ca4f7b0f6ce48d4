"""Reads for the supervisor dashboards (see ``calls`` for the definitions of each figure)."""

from .calls import CallFigures
from .repeat import RepeatFigures
from .tables import (
    CHANNELS,
    DEFAULT_DAYS,
    DEFAULT_HOURS,
    PAGE_ROWS,
    Column,
    Period,
    Table,
    Week,
    Words,
    day_text,
    moment_text,
    monday,
    short_day_text,
)


class Dashboard(CallFigures, RepeatFigures):
    """The figures for one period. Each table is built on first use from a few GROUP BYs
    over the aggregates (shared between tables), so an export runs only what it needs."""


__all__ = [
    "CHANNELS",
    "DEFAULT_DAYS",
    "DEFAULT_HOURS",
    "PAGE_ROWS",
    "Column",
    "Dashboard",
    "Period",
    "Table",
    "Week",
    "Words",
    "day_text",
    "moment_text",
    "monday",
    "short_day_text",
]
