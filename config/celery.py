import os

from celery import Celery
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("triage_desk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Every periodic or queued task is idempotent; a dropped connection or a database failover
# is worth another try, with backoff (at most 600 s, well inside the visibility timeout),
# and anything else is a bug. ``@shared_task(**TRANSIENT_RETRY)``.
TRANSIENT_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}
