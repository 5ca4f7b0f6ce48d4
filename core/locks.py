"""One nightly pass at a time: the lock a second pass does not wait for, and the run
records both passes keep (detection, consolidation)."""

import logging
from datetime import datetime, timedelta

from django.db import connection, transaction

logger = logging.getLogger(__name__)


class SessionTryLock:
    """A PostgreSQL session advisory lock tried, never waited for: ``acquire()`` is False
    when another session holds it. It is the session's, so a killed worker's connection
    takes it away with it. SQLite (one process, development) always acquires it."""

    def __init__(self, lock_id: int):
        self.lock_id = lock_id
        self.held = False

    def acquire(self) -> bool:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.lock_id])
                self.held = cursor.fetchone()[0]
        else:
            self.held = True
        return self.held

    def release(self) -> None:
        if self.held and connection.vendor == "postgresql":
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [self.lock_id])
            except Exception:  # the connection is gone, and the session's lock with it
                logger.warning("could not release advisory lock %s", self.lock_id, exc_info=True)
        self.held = False


def run_started(runs, *, now: datetime, stale_after: timedelta, **fields):
    """A nightly pass's run record (``runs``: a model with ``Status`` RUNNING, FAILED and
    SKIPPED, ``started_at``, ``finished_at`` and ``error``), recorded as running, once the
    pass holds its ``SessionTryLock``. Runs left running are marked failed: on PostgreSQL
    every one (the lock proves none is alive), elsewhere those older than ``stale_after``.
    None when, without the lock's proof, another run may still be going."""
    locked = connection.vendor == "postgresql"
    with transaction.atomic():
        running = runs.objects.select_for_update().filter(status=runs.Status.RUNNING)
        stale = running if locked else running.filter(started_at__lt=now - stale_after)
        stale.update(
            status=runs.Status.FAILED,
            finished_at=now,
            error="Interrupted: the run stopped without finishing (worker lost).",
        )
        if not locked and running.exists():
            return None
        return runs.objects.create(started_at=now, **fields)


def run_skipped(runs, *, now: datetime, **fields):
    """The record of a run that did not start because another held the lock."""
    return runs.objects.create(
        started_at=now, finished_at=now, status=runs.Status.SKIPPED, **fields
    )
