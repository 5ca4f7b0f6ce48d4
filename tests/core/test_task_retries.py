"""Every task the app queues or schedules retries transient database errors with backoff
(issue 6), and only those."""

import pytest
from django.db import OperationalError

from config.celery import app

pytestmark = pytest.mark.django_db

APPS = ("callers.", "core.", "dashboards.", "referrals.", "triage.")


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
