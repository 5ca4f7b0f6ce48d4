from celery import shared_task

from config.celery import TRANSIENT_RETRY

from . import farmington
from .models import DetectionRun
from .services import referrals_flag_inactive


@shared_task(name="referrals.tasks.flag_inactive_referrals", **TRANSIENT_RETRY)
def flag_inactive_referrals() -> int:
    """Nightly safeguard: referrals with no activity for 90 days go on the review agenda.
    Idempotent, so a retried or doubled run changes nothing."""
    return referrals_flag_inactive()


@shared_task(
    name="referrals.tasks.detect_repeat_callers",
    acks_late=True,
    reject_on_worker_lost=True,
    **TRANSIENT_RETRY,
)
def detect_repeat_callers(as_of: str | None = None, full_history: bool = False) -> dict:
    """The nightly Operation Farmington pass (beat: detect-repeat-callers-nightly).

    Idempotent, so a redelivery after a lost worker, or a second copy while one runs (it
    records itself as skipped), changes nothing.
    """
    run = farmington.detect_repeat_callers(
        as_of=farmington.parse_as_of(as_of) if as_of else None,
        full_history=full_history,
        trigger=DetectionRun.NIGHTLY,
    )
    return {"run": run.pk, "status": run.status, "referrals_opened": run.referrals_opened}
