"""A lock that one nightly pass at a time takes, and that a second pass does not wait for."""

import logging

from django.db import connection

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
