"""Intake under concurrency and faults, against the real PostgreSQL (issue 6)."""

import threading
import uuid

import psycopg
import pytest
from django.db import connection, connections

from referrals.models import Referral
from tests.factories import facts
from triage import services
from triage.models import Call

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SPELLINGS = [
    "Flat 2, 10 High St, Ely CB7 4AA",
    "10 high street flat 2 ely cb74aa",
    "2/10 High Street, Ely",
    "flat 2 10 High Street Ely CB7 4AA",
]


def test_fifty_concurrent_intakes_at_one_dwelling_save_every_call_and_open_one_referral():
    services.ruleset_ensure_default()
    barrier = threading.Barrier(50)
    errors = []

    def intake(i):
        try:
            barrier.wait(timeout=30)
            services.call_create(channel="999", address=SPELLINGS[i % 4], facts=facts())
        except Exception as exc:  # noqa: BLE001 - every failure is a lost call
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=intake, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    calls = Call.objects.all()
    assert calls.count() == 50
    assert calls.values("dwelling").distinct().count() == 1
    # Each call saw the calls before it: the counts are 1..50 with no gaps or repeats.
    assert sorted(calls.values_list("repeat_calls_30d", flat=True)) == list(range(1, 51))
    assert Referral.objects.filter(closed_at__isnull=True).count() == 1


def _terminate_own_backend():
    """Kill this connection's PostgreSQL backend from another connection."""
    pid = connection.connection.info.backend_pid
    settings = connection.get_connection_params()
    with psycopg.connect(**settings, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.parametrize(
    "step",
    # Before the call's insert (the new dwelling row is written), and after the call and
    # its processing-log rows are written, at the dashboard counters.
    ["intake_reads", "stats_call_received"],
)
def test_a_connection_dropped_mid_intake_saves_nothing_and_the_retry_saves_once(
    login, handler, monkeypatch, step
):
    from callers.models import Dwelling
    from core.models import ProcessingLog
    from dashboards.models import DailyCallStat, HourlyCallStat

    services.ruleset_ensure_default()
    client = login(handler)
    real_step = getattr(services, step)

    def drop_then_go_on(*args, **kwargs):
        monkeypatch.setattr(services, step, real_step)
        _terminate_own_backend()
        return real_step(*args, **kwargs)

    monkeypatch.setattr(services, step, drop_then_go_on)
    body = {
        "channel": "999",
        "address": "Flat 9, 4 Mill Lane, Ely CB7 4AA",
        "facts": facts(),
        "client_token": str(uuid.uuid4()),
    }
    failed = client.post("/api/calls/", body, content_type="application/json")
    assert failed.status_code == 503
    assert "nothing was saved" in failed.json()["detail"]
    assert failed["Retry-After"] == "1"
    # Nothing of the failed request is left: no call, dwelling, log row or counter.
    assert not Call.objects.exists() and not Dwelling.objects.exists()
    assert not ProcessingLog.objects.filter(operation__in=["collection", "combination"]).exists()
    assert not DailyCallStat.objects.exists() and not HourlyCallStat.objects.exists()

    retried = client.post("/api/calls/", body, content_type="application/json")
    again = client.post("/api/calls/", body, content_type="application/json")
    assert (retried.status_code, again.status_code) == (201, 200)
    assert Call.objects.count() == 1
    assert Dwelling.objects.count() == 1
