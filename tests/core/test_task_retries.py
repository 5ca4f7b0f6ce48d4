"""Every task the app queues or schedules retries transient database errors with backoff
(issue 6), and only those."""

import pytest
from django.db import OperationalError

from config.celery import app

pytestmark = pytest.mark.django_db

APPS = ("callers.", "consolidation.", "core.", "dashboards.", "referrals.", "triage.")


def _our_tasks():
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if name.startswith(APPS))


def test_the_app_has_the_tasks_the_beat_schedule_names():
    from django.conf import settings

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(_our_tasks())


@pytest.mark.parametrize("name", _our_tasks())
def test_each_task_retries_a_dropped_database_connection_with_backoff(name):
    task = app.tasks[name]
    assert OperationalError in task.autoretry_for
    assert task.retry_backoff and task.retry_backoff_max <= 600 and task.max_retries


def test_a_failover_mid_run_asks_for_a_retry_and_a_bug_does_not(monkeypatch):
    from celery.exceptions import Retry

    from referrals import tasks

    def failing(error):
        def run():
            raise error

        return run

    monkeypatch.setattr(tasks, "referrals_flag_inactive", failing(OperationalError("closed")))
    with pytest.raises(Retry):
        tasks.flag_inactive_referrals.apply(throw=False)
    monkeypatch.setattr(tasks, "referrals_flag_inactive", failing(ValueError("a bug")))
    assert tasks.flag_inactive_referrals.apply(throw=False).state == "FAILURE"


def test_a_send_with_the_broker_down_fails_at_once_not_after_retrying(tmp_path):
    """enqueue_on_commit's send after a handler's commit: with Redis unreachable it must
    give up at once (kombu retried the connection for about 6 s, holding the request)."""
    import os
    import subprocess
    import sys

    from tests.ops.processes import free_port

    probe = (
        "import time, django; django.setup()\n"
        "from dashboards.tasks import warm_repeat_share\n"
        "start = time.perf_counter()\n"
        "try:\n"
        "    warm_repeat_share.apply_async(retry=False)\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, round(time.perf_counter() - start, 2))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0",
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    name, seconds = result.stdout.split()
    assert name == "OperationalError", result.stderr
    assert float(seconds) < 3.0  # about 0.1 s; 6 s before
