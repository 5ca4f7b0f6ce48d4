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
