"""Dashboard upkeep that need not hold up the writer."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .services import repeat_share_days

# The repeat-caller share is cached per day of completed weeks; a new referral clears the
# weeks it touches. Refill the last nine weeks so the next dashboard view does not pay.
WARM_DAYS = 63


@shared_task(name="dashboards.tasks.warm_repeat_share", ignore_result=True)
def warm_repeat_share() -> int:
    """Refill the repeat-caller share cache after a referral opens. Idempotent."""
    today = timezone.localdate()
    return len(repeat_share_days(start=today - timedelta(days=WARM_DAYS), end=today, today=today))
