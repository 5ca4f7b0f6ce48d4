"""Dashboard upkeep that need not hold up the writer."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from config.celery import TRANSIENT_RETRY
from core.tasks import enqueue_on_commit

from .services import monday, repeat_share_cached, repeat_share_days

# The repeat-caller share is cached per day of completed weeks; a new referral clears the
# weeks it touches. Refill the last nine weeks so the next dashboard view does not pay.
WARM_WEEKS = 9


@shared_task(name="dashboards.tasks.warm_repeat_share", ignore_result=True, **TRANSIENT_RETRY)
def warm_repeat_share() -> int:
    """Refill the repeat-caller share cache after a referral opens in a completed week.
    Idempotent. Stops at last Sunday: the current week is never cached, and counting it
    here would be work no view reuses."""
    today = timezone.localdate()
    this_monday = monday(today)
    start, last_sunday = this_monday - timedelta(weeks=WARM_WEEKS), this_monday - timedelta(days=1)
    return len(repeat_share_days(start=start, end=last_sunday, today=today))


def refill_after_referral(triggered_at) -> None:
    """After commit, refill the cached weeks that a referral triggered at ``triggered_at``
    changed: none for one in the current week (a live call's), which no view caches."""
    if repeat_share_cached(triggered_at):
        enqueue_on_commit(warm_repeat_share)


def warm_repeat_share_after_detection() -> None:
    """Registered with ``referrals.farmington.detection`` (DashboardsConfig.ready)."""
    enqueue_on_commit(warm_repeat_share)
