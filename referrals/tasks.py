from celery import shared_task

from config.celery import TRANSIENT_RETRY

from .services import referrals_flag_inactive


@shared_task(name="referrals.tasks.flag_inactive_referrals", **TRANSIENT_RETRY)
def flag_inactive_referrals() -> int:
    """Nightly safeguard: referrals with no activity for 90 days go on the review agenda.
    Idempotent, so a retried or doubled run changes nothing."""
    return referrals_flag_inactive()
