"""Dashboard upkeep that need not hold up the writer."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .services import monday, repeat_share_days

# The repeat-caller share is cached per day of completed weeks; a new referral clears the
# weeks it touches. Refill the last nine weeks so the next dashboard view does not pay.
WARM_WEEKS = 9


@shared_task(name="dashboards.tasks.warm_repeat_share", ignore_result=True)
def warm_repeat_share() -> int:
    """Refill the repeat-caller share cache after a referral opens in a completed week.
    Idempotent. Stops at last Sunday: the current week is never cached, and counting it
    here would be work no view reuses."""
    today = timezone.localdate()
    this_monday = monday(today)
    start, last_sunday = this_monday - timedelta(weeks=WARM_WEEKS), this_monday - timedelta(days=1)
    return len(repeat_share_days(start=start, end=last_sunday, today=today))
