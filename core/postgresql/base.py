"""Django's PostgreSQL backend (DATABASES ENGINE "core.postgresql") with a health check
that costs no round trip while the connection is sound.

With CONN_HEALTH_CHECKS, Django asks ``is_usable()`` at the first query of every request,
and the stock answer is a ``SELECT 1``: on the intake that was a statement of its own
(about 0.18 ms of CPU between the app and the server). An idle connection has nothing to
read; one whose server has gone (the backend terminated, the server restarted or stopped)
has the server's farewell or the end of the stream waiting on its socket. So: nothing to
read, sound; anything to read, Django's own ``SELECT 1`` decides.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        conn = self.connection
        if conn is None or conn.closed or conn.broken:
            return False
        try:
            poller = select.poll()
            poller.register(conn.fileno(), select.POLLIN | select.POLLPRI)
            waiting = poller.poll(0)
        except (OSError, ValueError):
            return False
        if not waiting:
            return True
        return super().is_usable()
