from celery import shared_task

from config.celery import TRANSIENT_RETRY

from .consolidate import consolidate


@shared_task(
    name="consolidation.tasks.consolidate_dwellings",
    acks_late=True,
    reject_on_worker_lost=True,
    **TRANSIENT_RETRY,
)
def consolidate_dwellings() -> dict:
    """The nightly consolidation of dwellings (beat: consolidate-dwellings-nightly).

    Idempotent: a second copy while one runs records itself as skipped; a redelivery
    after a lost worker starts from the last finished run's watermark, and pairs merged
    or queued already are not merged or queued again."""
    outcome = consolidate(trigger="nightly")
    return {
        "run": outcome.run.pk if outcome.run else None,
        "skipped": outcome.skipped,
        "merged": outcome.merged,
        "queued": outcome.queued,
    }
