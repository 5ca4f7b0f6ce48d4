"""Database sessions (SESSION_ENGINE "core.sessions"), read with one written-out query.

Every request reads its session; the ORM spent more building that query than PostgreSQL
spent running it. Everything else (writing, expiry, clearing) is Django's own."""

import re

from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

_LOAD_SQL = (
    f"SELECT session_data, expire_date FROM {Session._meta.db_table} "  # noqa: S608 - metadata
    "WHERE session_key = %s AND expire_date > %s"
)


# The keys Django makes: lowercase letters and digits. Anything else (a NUL in a forged
# cookie, which PostgreSQL refuses with an error) is no session, never a query.
_KEY = re.compile(r"[a-z0-9]{8,40}")


class SessionStore(DBStore):
    def _validate_session_key(self, key):
        return bool(key) and _KEY.fullmatch(key) is not None

    def _get_session_from_db(self):
        with connection.cursor() as cursor:
            now = connection.ops.adapt_datetimefield_value(timezone.now())  # as the ORM
            cursor.execute(_LOAD_SQL, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:  # unknown or expired: as Django's, a new key on the next save
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0], expire_date=row[1])
