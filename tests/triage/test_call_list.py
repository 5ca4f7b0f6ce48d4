"""The web call list: who sees which calls, every call shown is logged (DPA 2018 s62),
what each row says, its filters and pages; and the supervisors' review queue."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import ProcessingLog
from tests.factories import POLICE_OVERRIDE, UserFactory, take_call
from tests.triage.page_text import codes_in, visible_text
from triage import views
from triage.engine import words
from triage.services import call_decide

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


# What the list shows, its filters and pages --------------------------------------------------

# 14:05 in London (BST) on 14 July 2026.
RECEIVED = datetime(2026, 7, 14, 13, 5, tzinfo=UTC)


def _list(client, **params):
    return client.get(reverse("triage:call-list"), params)


def _shown(response) -> list[int]:
    return [call.pk for call in response.context["calls"]]


def test_each_row_links_to_its_call_from_its_received_time(login, handler):
    call = take_call(handler=handler, received_at=RECEIVED)
    html = _list(login(handler)).content.decode()
    link = reverse("triage:call-detail", kwargs={"pk": call.pk})
    assert f'<a href="{link}">14 Jul 2026 14:05</a>' in html


def test_the_list_gives_channel_address_subject_and_agencies_in_words_without_codes(login, handler):
    call = take_call(handler=handler, received_at=RECEIVED, channel="101")
    call_decide(call=call, user=handler, **POLICE_OVERRIDE, override_note="Knife seen.")
    text = visible_text(_list(login(handler)))
    assert "101" in text
    assert call.dwelling.address in text
    assert "Concern for someone's welfare" in text
    assert words.agency_label(call.suggested_agency) in text
    assert "Police Police attend Overridden" in text
    assert codes_in(text) == set()


def test_a_call_naming_no_dwelling_shows_the_address_as_typed(login, handler):
    take_call(handler=handler, received_at=RECEIVED, address="CB7 4AF")
    assert "CB7 4AF" in visible_text(_list(login(handler)))


def test_an_undecided_call_says_so(login, handler):
    take_call(handler=handler, received_at=RECEIVED)
    assert "Not yet decided" in visible_text(_list(login(handler)))


def test_the_day_filters_take_london_days_inclusive(login, handler):
    # 00:30 on 15 July in London is 23:30 on 14 July in UTC.
    late = take_call(handler=handler, received_at=datetime(2026, 7, 14, 23, 30, tzinfo=UTC))
    early = take_call(handler=handler, received_at=RECEIVED)
    client = login(handler)
    assert _shown(_list(client, received_from="2026-07-15")) == [late.pk]
    assert _shown(_list(client, received_to="2026-07-14")) == [early.pk]
    both = _list(client, received_from="2026-07-14", received_to="2026-07-15")
    assert _shown(both) == [late.pk, early.pk]


def test_the_channel_filter_keeps_only_that_channel(login, handler):
    emergency = take_call(handler=handler, received_at=RECEIVED, channel="999")
    other = take_call(handler=handler, received_at=RECEIVED, channel="101", address="3 Mill Lane")
    client = login(handler)
    assert _shown(_list(client, channel="999")) == [emergency.pk]
    assert _shown(_list(client, channel="101")) == [other.pk]


def test_the_subject_filter_keeps_only_that_kind_of_call(login, handler):
    welfare = take_call(handler=handler, received_at=RECEIVED)
    medical = take_call(
        handler=handler, received_at=RECEIVED, concern_type="medical", medical_need="urgent"
    )
    client = login(handler)
    assert _shown(_list(client, concern_type="welfare_check")) == [welfare.pk]
    assert _shown(_list(client, concern_type="medical")) == [medical.pk]


def test_the_agency_filters_match_the_suggested_and_the_final_agency(login, handler):
    overridden = take_call(handler=handler, received_at=RECEIVED)
    call_decide(call=overridden, user=handler, **POLICE_OVERRIDE, override_note="Knife seen.")
    police = take_call(handler=handler, received_at=RECEIVED, immediate_risk="life")
    advice = overridden.suggested_agency
    assert advice != "POLICE" and police.suggested_agency == "POLICE"
    client = login(handler)
    assert set(_shown(_list(client, suggested_agency="POLICE"))) == {police.pk}
    assert set(_shown(_list(client, suggested_agency=advice))) == {overridden.pk}
    assert set(_shown(_list(client, final_agency="POLICE"))) == {overridden.pk}
    assert _shown(_list(client, final_agency=advice)) == []


def test_the_overridden_filter_keeps_overrides_or_the_rest(login, handler):
    overridden = take_call(handler=handler, received_at=RECEIVED)
    call_decide(call=overridden, user=handler, **POLICE_OVERRIDE, override_note="Knife seen.")
    plain = take_call(handler=handler, received_at=RECEIVED)
    client = login(handler)
    assert _shown(_list(client, overridden="yes")) == [overridden.pk]
    assert _shown(_list(client, overridden="no")) == [plain.pk]


def test_a_handlers_filtered_list_still_holds_only_their_own_calls(login, handler):
    own = take_call(handler=handler, received_at=RECEIVED)
    take_call(handler=UserFactory(role="call_handler"), received_at=RECEIVED, address="3 Mill Lane")
    assert _shown(_list(login(handler), channel="999")) == [own.pk]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"received_from": "yesterday"}, "Enter a real date"),
        ({"received_from": "2026-07-15", "received_to": "2026-07-14"}, "before the start date"),
        ({"channel": "555"}, "Choose a channel from the list, or Any."),
        ({"suggested_agency": "NOBODY"}, "Choose a suggested agency from the list"),
        ({"overridden": "maybe"}, "Choose overridden or not from the list"),
    ],
)
def test_an_invalid_filter_is_a_form_error_over_an_empty_list(login, handler, params, message):
    take_call(handler=handler, received_at=RECEIVED)
    response = _list(login(handler), **params)
    assert response.status_code == 400
    text = visible_text(response)
    assert message in text
    assert "Correct the filters" in text
    assert response.context["calls"] == []


def test_the_list_is_in_pages_that_keep_the_filters(login, handler, monkeypatch):
    monkeypatch.setattr(views, "CALLS_PER_PAGE", 2)
    calls = [
        take_call(handler=handler, received_at=RECEIVED + timedelta(minutes=i)) for i in range(3)
    ]
    take_call(handler=handler, received_at=RECEIVED, channel="101", address="3 Mill Lane")
    client = login(handler)
    first = _list(client, channel="999")
    assert _shown(first) == [calls[2].pk, calls[1].pk]
    text = visible_text(first)
    assert "Page 1 of 2" in text and "Next page" in text and "Previous page" not in text
    assert 'href="?channel=999&amp;page=2"' in first.content.decode()
    second = _list(client, channel="999", page=2)
    assert _shown(second) == [calls[0].pk]
    assert "Previous page" in visible_text(second)
    assert 'href="?channel=999&amp;page=1"' in second.content.decode()


def test_only_the_calls_on_the_page_shown_are_logged(login, handler, monkeypatch):
    monkeypatch.setattr(views, "CALLS_PER_PAGE", 2)
    calls = [
        take_call(handler=handler, received_at=RECEIVED + timedelta(minutes=i)) for i in range(3)
    ]
    _list(login(handler), page=2)
    assert _consulted() == {(str(calls[0].pk), handler, "call list")}


def test_the_filtered_list_queries_do_not_grow_with_the_calls_shown(login, supervisor, handler):
    client = login(supervisor)
    params = {"channel": "999", "received_from": "2026-07-01", "overridden": "no"}
    _list(client, **params)
    take_call(handler=handler, received_at=RECEIVED)
    with CaptureQueriesContext(connection) as one:
        _list(client, **params)
    for i in range(4):
        take_call(handler=handler, received_at=RECEIVED, address=f"{i + 1} Mill Lane, Ely")
    with CaptureQueriesContext(connection) as five:
        response = _list(client, **params)
    assert len(response.context["calls"]) == 5
    assert len(five) == len(one)


# The supervisors' review queue ---------------------------------------------------------------


def test_review_queue_rows_link_to_their_calls_and_speak_in_words(login, handler, supervisor):
    call = take_call(handler=handler, received_at=RECEIVED)
    call_decide(
        call=call,
        user=handler,
        **POLICE_OVERRIDE,
        override_note="Knife seen.",
        now=RECEIVED + timedelta(minutes=5),
    )
    response = login(supervisor).get(reverse("triage:review-queue"))
    link = reverse("triage:call-detail", kwargs={"pk": call.pk})
    assert f'<a href="{link}">14 Jul 2026 14:10</a>' in response.content.decode()
    text = visible_text(response)
    assert words.agency_label(call.suggested_agency) in text
    assert "Concern for someone's welfare" in text
    assert "Risk judged higher than the answers show" in text
    assert call.rule_title in text
    assert codes_in(text) == set()


def test_the_review_queue_queries_do_not_grow_with_the_decisions_shown(login, handler, supervisor):
    client = login(supervisor)
    client.get(reverse("triage:review-queue"))

    def overridden(address):
        call = take_call(handler=handler, received_at=RECEIVED, address=address)
        call_decide(call=call, user=handler, **POLICE_OVERRIDE, override_note="Knife seen.")

    overridden("1 Mill Lane, Ely")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("triage:review-queue"))
    for i in range(4):
        overridden(f"{i + 2} Mill Lane, Ely")
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("triage:review-queue"))
    assert len(five) == len(one)


def test_the_review_queue_is_refused_to_handlers(login, handler):
    assert login(handler).get(reverse("triage:review-queue")).status_code == 403
