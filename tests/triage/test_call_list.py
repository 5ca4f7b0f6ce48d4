"""The web call list: who sees which calls, and every call shown is logged (DPA 2018 s62)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import ProcessingLog
from tests.factories import UserFactory, take_call

pytestmark = pytest.mark.django_db


def _consulted():
    entries = ProcessingLog.objects.filter(operation="consultation", object_type="call")
    return {(e.object_id, e.user, e.justification) for e in entries}


def test_the_call_list_logs_one_consultation_per_call_it_shows(login, supervisor, handler):
    other = UserFactory(role="call_handler")
    calls = [take_call(handler=handler), take_call(handler=other, address="3 Mill Lane, Ely")]
    response = login(supervisor).get(reverse("triage:call-list"))
    assert response.status_code == 200
    assert [c.pk for c in response.context["calls"]] == [c.pk for c in reversed(calls)]
    assert _consulted() == {(str(c.pk), supervisor, "call list") for c in calls}


def test_a_handlers_call_list_logs_only_the_handlers_own_calls(login, handler):
    own = take_call(handler=handler)
    take_call(handler=UserFactory(role="call_handler"), address="3 Mill Lane, Ely")
    login(handler).get(reverse("triage:call-list"))
    assert _consulted() == {(str(own.pk), handler, "call list")}


def test_an_empty_call_list_is_logged_once_without_an_id(login, handler):
    login(handler).get(reverse("triage:call-list"))
    assert _consulted() == {("", handler, "call list")}


def test_the_call_list_needs_a_handler_or_supervisor(login, triage_staff):
    response = login(triage_staff).get(reverse("triage:call-list"))
    assert response.status_code == 403
    assert not ProcessingLog.objects.filter(operation="consultation", object_type="call").exists()


def test_the_call_list_queries_do_not_grow_with_the_calls_shown(login, supervisor, handler):
    client = login(supervisor)
    client.get(reverse("triage:call-list"))  # the session's first save is not the list's
    take_call(handler=handler)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("triage:call-list"))
    for i in range(4):
        take_call(handler=handler, address=f"{i + 1} Mill Lane, Ely CB7 4AA")
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("triage:call-list"))
    assert len(five) == len(one)
