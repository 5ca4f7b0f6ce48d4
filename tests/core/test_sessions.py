"""core.sessions: Django's database sessions, read by one plain query."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_it_is_the_session_engine():
    assert settings.SESSION_ENGINE == "core.sessions"


def test_a_live_session_loads_what_was_saved():
    store = SessionStore()
    store["answer"] = 42
    store.create()
    loaded = SessionStore(session_key=store.session_key)
    assert loaded["answer"] == 42
    assert loaded.session_key == store.session_key


def test_an_expired_session_is_empty_and_its_key_is_not_reused():
    store = SessionStore()
    store["answer"] = 42
    store.create()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(session_key=store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None  # the next save gets a new key (no fixation)


def test_an_unknown_key_is_empty():
    store = SessionStore(session_key="x" * 32)
    assert dict(store.items()) == {}
    assert store.session_key is None


def test_an_expired_login_is_refused_by_the_api(login, handler):
    client = login(handler)
    assert client.get("/api/calls/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/calls/").status_code in (401, 403)
