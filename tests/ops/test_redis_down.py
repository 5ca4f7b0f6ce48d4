"""Intake never depends on Redis: calls are saved while it is down (issue 6)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from kombu import Connection

from dashboards.tasks import warm_repeat_share
from referrals.models import Referral
from tests.factories import facts
from tests.ops.processes import free_port, private_redis
from triage.models import Call

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_calls_are_saved_while_redis_is_down_and_detection_afterwards_adds_nothing_twice(
    login, handler, settings, monkeypatch
):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    redis = private_redis(port)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    attempts = []
    real_send = warm_repeat_share.apply_async

    def spy(*args, **kwargs):
        # Publish to the private Redis, whatever broker connections the app has cached.
        try:
            with Connection(url, connect_timeout=1) as broker:
                return real_send(*args, producer=broker.Producer(), **kwargs)
        except Exception as exc:
            attempts.append(type(exc).__name__)
            raise

    monkeypatch.setattr(warm_repeat_share, "apply_async", spy)
    client = login(handler)
    # Taken down after the event (eight days back): a referral opened in a completed week
    # has the dashboard's cache refilled by a task, so the third call publishes one.
    at = timezone.now() - timedelta(days=8)
    body = {
        "channel": "999",
        "address": "Flat 2, 10 High St, Ely CB7 4AA",
        "facts": facts(),
        "received_at": at.isoformat(),
    }
    try:
        assert client.post("/api/calls/", body, content_type="application/json").status_code == 201
        redis.kill()
        redis.wait()
        for hours, spelling in enumerate(("10 high street flat 2 ely", "2/10 High St, Ely"), 1):
            later = (at + timedelta(hours=hours)).isoformat()
            response = client.post(
                "/api/calls/",
                {**body, "address": spelling, "received_at": later},
                content_type="application/json",
            )
            assert response.status_code == 201, response.content
        # The third call opened a referral and, after commit, tried to enqueue the dashboard
        # upkeep: the broker refused, the call stands.
        assert len(attempts) == 1  # the publish was refused; the call stands
        assert Call.objects.count() == 3
        assert Referral.objects.count() == 1  # opened at intake, in the call's transaction

        redis = private_redis(port)  # Redis is back: the nightly pass re-derives, never duplicates
        call_command("detect_repeat_callers", "--full-history")
        assert Referral.objects.count() == 1
    finally:
        redis.kill()
        redis.wait()
