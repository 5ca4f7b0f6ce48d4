"""Celery tasks for dwellings: thin wrappers around callers.detection."""

from celery import shared_task

from config.celery import TRANSIENT_RETRY

from . import detection
from .models import DetectionRun


@shared_task(
    name="callers.tasks.detect_repeat_callers",
    acks_late=True,
    reject_on_worker_lost=True,
    **TRANSIENT_RETRY,
)
def detect_repeat_callers(as_of: str | None = None, full_history: bool = False) -> dict:
    """The nightly Operation Farmington pass (beat: detect-repeat-callers-nightly).

    Idempotent, so a redelivery after a lost worker, or a second copy while one runs (it
    records itself as skipped), changes nothing.
    """
    run = detection.detect_repeat_callers(
        as_of=detection.parse_as_of(as_of) if as_of else None,
        full_history=full_history,
        trigger=DetectionRun.NIGHTLY,
    )
    return {"run": run.pk, "status": run.status, "referrals_opened": run.referrals_opened}
