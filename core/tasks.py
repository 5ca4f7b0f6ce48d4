import logging

from celery import shared_task
from django.db import transaction

from config.celery import TRANSIENT_RETRY

from . import retention, services

log = logging.getLogger(__name__)


@shared_task(ignore_result=True, **TRANSIENT_RETRY)
def apply_retention():
    """Nightly: erase or anonymise what is past its retention period (see core.retention)."""
    result = retention.apply_retention()
    retention.clear_expired_sessions()
    # Counts only: nothing erased is named in the application log.
    log.info("retention applied: %s", "; ".join(line.strip() for line in result.lines()))


@shared_task(ignore_result=True, **TRANSIENT_RETRY)
def seal_processing_log():
    """Nightly: seal the head of the processing log's chain (core.services)."""
    services.processing_log_seal()


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send ``task`` once the current transaction commits, never before (a rolled-back
    write sends nothing) and never at the writer's expense: if the broker is down the write
    stands, the send is logged and skipped, and the nightly run re-derives what it would
    have done. Publishing does not retry, so a broker outage cannot stall a live intake.
    """

    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception as exc:  # noqa: BLE001 - any broker failure; the write is committed
            log.warning(
                "task %s not enqueued (%s); left to the nightly run", task.name, type(exc).__name__
            )

    transaction.on_commit(send)
