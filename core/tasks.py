import logging

from celery import shared_task

from . import retention

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def apply_retention():
    """Nightly: erase or anonymise what is past its retention period (see core.retention)."""
    result = retention.apply_retention()
    retention.clear_expired_sessions()
    # Counts only: nothing erased is named in the application log.
    log.info("retention applied: %s", "; ".join(line.strip() for line in result.lines()))
