"""Reads owned by core: searching the processing log."""

from datetime import date, timedelta

from .days import local_midnight
from .models import ApiToken, ProcessingLog


def processing_log_search(
    *,
    username: str = "",
    object_type: str = "",
    object_id: str = "",
    operation: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
):
    """Log entries matching every criterion given; dates are whole local days, inclusive."""
    entries = ProcessingLog.objects.all()
    if username:
        entries = entries.filter(username__iexact=username.strip())
    if object_type:
        entries = entries.filter(object_type__iexact=object_type.strip())
    if object_id:
        entries = entries.filter(object_id=str(object_id).strip())
    if operation:
        entries = entries.filter(operation=operation)
    if date_from:
        entries = entries.filter(at__gte=local_midnight(date_from))
    if date_to:
        entries = entries.filter(at__lt=local_midnight(date_to + timedelta(days=1)))
    return entries.order_by("-at", "-id")


def api_tokens_of(user):
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
