"""The PostgreSQL backend's health check: no round trip while the connection is busy and
sound, Django's own SELECT 1 after a quiet spell or inside a transaction, and a connection
whose server has gone is replaced before a request uses it."""

import time

import psycopg
import pytest
from django.db import connection, transaction
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper

from core.postgresql.base import IDLE_SECONDS

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def selects(monkeypatch):
    """Each time Django's own check (a SELECT 1) runs."""
    ran = []
    real = DjangoWrapper.is_usable

    def counted(self):
        ran.append(1)
        return real(self)

    monkeypatch.setattr(DjangoWrapper, "is_usable", counted)
    return ran


def _terminate_backend():
    pid = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):  # the backend exits a moment after the signal
            gone = admin.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s)", [pid]
            ).fetchone()[0]
            if gone:
                return
            time.sleep(0.05)
    raise AssertionError("the backend did not exit")


def test_a_sound_connection_checked_a_moment_ago_passes_without_a_query(selects):
    connection.ensure_connection()
    assert connection.settings_dict["ENGINE"] == "core.postgresql"
    assert connection.is_usable() is True  # the first check asks the server
    selects.clear()
    assert connection.is_usable() is True
    assert selects == []


def test_after_a_quiet_spell_or_inside_a_transaction_the_server_is_asked(selects):
    connection.ensure_connection()
    connection.is_usable()
    selects.clear()
    # A peer gone without a word (a failover, a dropped NAT entry) shows only to a query.
    connection._checked_at -= IDLE_SECONDS + 1
    assert connection.is_usable() is True
    assert selects == [1]
    with transaction.atomic():
        connection.cursor().execute("SELECT 1")
        assert connection.is_usable() is True
    assert selects == [1, 1]


def test_a_terminated_backend_fails_the_check_and_the_next_request_reconnects(selects):
    connection.ensure_connection()
    connection.is_usable()
    selects.clear()
    old_pid = connection.connection.info.backend_pid
    _terminate_backend()

    assert connection.is_usable() is False
    assert selects == [1]  # something waited on the socket: Django's own check decided

    # What Django does between requests, then at a request's first query.
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != old_pid
