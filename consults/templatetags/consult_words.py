"""Durations in words for the consult pages: "45 s", "3 min 5 s", "1 h 2 min"."""

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def duration(seconds) -> str:
    if seconds is None:
        return "none yet"
    seconds = max(int(round(seconds)), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


@register.filter
def waited(asked_at, now=None) -> str:
    """How long since ``asked_at``, in words."""
    return duration(((now or timezone.now()) - asked_at).total_seconds())


@register.filter
def seconds_since(asked_at, now=None) -> int:
    return max(int(((now or timezone.now()) - asked_at).total_seconds()), 0)
