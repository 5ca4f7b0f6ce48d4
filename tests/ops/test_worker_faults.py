"""A real Celery worker against Redis and PostgreSQL, killed mid-detection (issue 6)."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from kombu import Connection

from callers.models import Dwelling
from config.celery import app as celery_app
from referrals.models import DetectionRun, Referral
from tests.factories import facts
from tests.ops.processes import app_database_url, free_port, private_redis
from triage import services
from triage.models import Call

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
DWELLINGS = 4000  # eight of detection's batches: the kill lands after the first
TASK = "referrals.tasks.detect_repeat_callers"


def _seed_repeat_callers(n):
    """n dwellings with three calls each in the last ten days, loaded in bulk so that no
    referral is opened at intake: the nightly run has all of them to find."""
    ruleset = services.ruleset_ensure_default()
    dwellings = Dwelling.objects.bulk_create(
        Dwelling(key=f"{i}|teststreet||ely", address=f"{i} Test Street, Ely") for i in range(n)
    )
    start = timezone.now() - timedelta(days=10)
    calls = [
        Call(
            channel="999",
            received_at=start + timedelta(days=3 * k, minutes=i),
            address=d.address,
            dwelling=d,
            facts=facts(repeat_calls_30d=k + 1),
            concern_type="welfare_check",
            repeat_calls_30d=k + 1,
            ruleset=ruleset,
            rule_id="CFW-ADVICE",
            suggested_agency="ADVISE_CALLER",
            suggested_police_attend=False,
            suggestion={},
        )
        for i, d in enumerate(dwellings)
        for k in range(3)
    ]
    Call.objects.bulk_create(calls, batch_size=2000)


# The worker's time limit, and so its visibility timeout (twice that): a message taken by
# a worker that dies unacknowledged goes back to the queue after that long.
TIME_LIMIT = 12


def _worker(broker_url):
    env = {
        **os.environ,
        "DATABASE_URL": app_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_TIME_LIMIT": str(TIME_LIMIT),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(TIME_LIMIT - 2),
    }
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            # prefork: the worker's own process acknowledges (or, with acks_late, does
            # not yet) while the child runs the task; a solo worker's blocked loop would
            # hold back even an early acknowledgement, proving nothing.
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(predicate, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _expected():
    """What one clean run opens: each dwelling's three calls, triggered at the third."""
    expected = {}
    for call in Call.objects.order_by("dwelling_id", "received_at", "id"):
        expected.setdefault(call.dwelling_id, []).append(call)
    return {d: (calls[2].received_at, {c.pk for c in calls[:3]}) for d, calls in expected.items()}


def _actual():
    referrals = Referral.objects.filter(closed_at__isnull=True).prefetch_related("trigger_calls")
    return {
        r.dwelling_id: (r.triggered_at, {c.pk for c in r.trigger_calls.all()}) for r in referrals
    }


def test_a_worker_killed_mid_detection_then_rerun_gives_the_referrals_of_one_clean_run():
    """The task is sent once. Its worker is SIGKILLed mid-run; the restarted worker takes
    the unacknowledged message back (acks_late) once the visibility timeout has passed and
    runs it to the end: no work lost, nothing twice. A private Redis, so that nothing left
    by another run can stand in for the redelivery."""
    _seed_repeat_callers(DWELLINGS)
    port = free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    redis = private_redis(port)
    worker = _worker(broker_url)
    try:
        with Connection(broker_url) as broker:
            celery_app.send_task(TASK, connection=broker)
        _wait(lambda: Referral.objects.count() >= 50, 120, "the first referrals")
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        opened_before_kill = Referral.objects.count()
        assert opened_before_kill < DWELLINGS, "the run finished before the kill; raise DWELLINGS"
        assert DetectionRun.objects.get().status == DetectionRun.Status.RUNNING

        worker = _worker(broker_url)  # nothing is sent again
        # kombu sweeps for messages past their visibility timeout about every 100 s
        # (unacked_restore_interval x unacked_restore_throttle): about 100 s here.
        _wait(
            lambda: DetectionRun.objects.filter(status=DetectionRun.Status.FINISHED).exists(),
            2 * TIME_LIMIT + 200,
            "the redelivered run to finish",
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        redis.kill()
        redis.wait()

    assert _actual() == _expected()
    assert Referral.objects.count() == DWELLINGS  # none lost, none twice
    runs = {run.status for run in DetectionRun.objects.all()}
    assert DetectionRun.Status.FAILED in runs  # the killed run is not left "running"
