"""`manage.py seed_demo` (issue 2): demo users for each role, realistic calls; running it
twice adds nothing, and the password it prints is the one that works."""

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"auth", "triage", "callers", "referrals", "dashboards"}
    }


def test_seeding_twice_adds_nothing():
    call_command("seed_demo", "--days", "10", "--per-day", "12", stdout=io.StringIO())
    first = _counts()
    assert first["triage.Call"] > 50 and first["auth.User"] >= 3
    call_command("seed_demo", "--days", "10", "--per-day", "12", stdout=io.StringIO())
    assert _counts() == first


def test_the_password_printed_is_the_one_that_works(monkeypatch):
    call_command("seed_demo", "--days", "1", "--per-day", "2", stdout=io.StringIO())
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-password-1")
    out = io.StringIO()
    call_command("seed_demo", "--days", "1", "--per-day", "2", stdout=out)
    assert "password: another-demo-password-1" in out.getvalue()
    assert User.objects.get(username="handler").check_password("another-demo-password-1")


def test_there_is_a_demo_user_for_every_role_and_each_lands_on_its_home(client):
    from django.urls import reverse

    from core.roles import Role
    from core.views import ROLE_HOMES

    call_command("seed_demo", "--days", "1", "--per-day", "2", stdout=io.StringIO())
    seen = set()
    for user in User.objects.all():
        role = user.groups.get().name
        seen.add(role)
        client.force_login(user)
        assert client.get(reverse("core:home")).url == reverse(ROLE_HOMES[role])
    assert seen == set(Role)


# --- the demo reads true (issue 22) ---------------------------------------------------------


def test_the_demo_calls_answer_every_question_every_way():
    from datetime import UTC, datetime

    from triage import engine
    from triage.demo import demo_calls

    seen: dict[str, set] = {spec.name: set() for spec in engine.FACT_FIELDS}
    times = []
    for _, received_at, _, _, narrative, facts in demo_calls(datetime(2026, 12, 7, tzinfo=UTC)):
        engine.parse_facts(facts)  # every demo call is one the intake takes
        assert narrative
        times.append(received_at)
        for name, value in facts.items():
            seen[name].update(value if isinstance(value, list) else [value])
    for spec in engine.FACT_FIELDS:
        assert set(spec.choices) <= seen[spec.name], spec.name
    assert seen["hours_since_last_seen"] - {None}
    assert times == sorted(times)  # the calls come in the order they were received


@pytest.fixture
def seeded():
    from django.utils import timezone

    before = timezone.now()
    call_command("seed_demo", "--days", "30", "--per-day", "10", stdout=io.StringIO())
    return before


def test_demo_referrals_are_opened_when_their_last_trigger_call_came(seeded):
    from datetime import timedelta

    from referrals.models import Referral

    automatic = Referral.objects.filter(source="automatic").prefetch_related("trigger_calls")
    assert automatic.count() >= 3
    for referral in automatic:
        last_call = max(call.received_at for call in referral.trigger_calls.all())
        assert referral.triggered_at == last_call
        assert referral.triggered_at <= referral.created_at <= last_call + timedelta(minutes=5)
    manual = Referral.objects.filter(source="manual")
    assert manual.exists()
    assert all(referral.created_at < seeded - timedelta(days=1) for referral in manual)


def test_demo_casework_is_dated_after_its_referral_opened_and_before_now(seeded):
    from django.utils import timezone

    from referrals.models import Referral

    referrals = Referral.objects.prefetch_related("notes", "actions", "reviews", "events")
    moments = 0
    for referral in referrals:
        opened = referral.created_at
        dated = [
            *(note.created_at for note in referral.notes.all()),
            *(action.created_at for action in referral.actions.all()),
            *(review.created_at for review in referral.reviews.all()),
            *(event.at for event in referral.events.all()),
        ]
        assert all(opened <= moment <= timezone.now() for moment in dated), referral.pk
        assert all(
            timezone.localdate(opened) <= review.held_on for review in referral.reviews.all()
        )
        assert referral.last_activity_at == max([opened, *dated])
        moments += len(dated)
    assert moments >= 10
    statuses = set(referrals.values_list("status", flat=True))
    assert len(statuses) >= 2, statuses  # the queue shows referrals at more than one stage


def test_seeding_without_a_broker_prints_no_broker_warning_or_task_logs(tmp_path):
    """`make run` without Redis: the demo seeds, a task runs in-process, and the output has
    nothing a newcomer would read as an error (kombu's "No hostname was supplied", a task's
    "succeeded in 0.003s")."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "from django.db import transaction\n"
        "from core.tasks import enqueue_on_commit\n"
        "from dashboards.tasks import warm_repeat_share\n"
        "call_command('migrate', verbosity=0)\n"
        "call_command('seed_demo', '--days', '3', '--per-day', '6')\n"
        "with transaction.atomic():\n"
        "    enqueue_on_commit(warm_repeat_share)  # a task, whatever the demo sent\n"
    )
    unset = {"REDIS_URL", "CELERY_BROKER_URL", "LOG_LEVEL", "DATABASE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL="sqlite:///:memory:")
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Demo data ready" in output
    assert "No hostname was supplied" not in output
    assert "WARNING" not in output and "ERROR" not in output
    assert "celery.app.trace" not in output


def test_the_demo_thrive_answers_are_choices_the_new_call_screen_offers():
    from triage.demo import THRIVE_NOTES
    from triage.forms import THRIVE_GUIDANCE

    for answers in THRIVE_NOTES.values():
        assert set(answers) == set(THRIVE_GUIDANCE)
        for element, answer in answers.items():
            assert answer in THRIVE_GUIDANCE[element][1], (element, answer)
