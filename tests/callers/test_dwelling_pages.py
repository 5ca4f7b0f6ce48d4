"""The dwelling pages: a dwelling's full history, for the Farmington team only."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from core.models import ProcessingLog
from tests.factories import take_call
from tests.referrals.factories import (
    DwellingFactory,
    ReferralFactory,
    ResponsePlanFactory,
    justify,
)
from triage.engine import words

pytestmark = pytest.mark.django_db

ADDRESS = "Flat 2, 10 High St, Ely CB7 4AA"


def _url(dwelling):
    return reverse("callers:dwelling-detail", args=[dwelling.pk])


def _dwelling_with_history(handler):
    calls = [
        take_call(handler=handler, address=ADDRESS, received_at=timezone.now() - timedelta(days=d))
        for d in (40, 3, 2, 1)
    ]
    dwelling = calls[0].dwelling
    dwelling.calls.filter(pk=calls[0].pk).update(narrative="Caller distressed, alone at home.")
    return dwelling, calls


@pytest.mark.parametrize("name", ["callers:dwelling-search", "callers:dwelling-detail"])
def test_call_handlers_cannot_open_dwelling_pages(login, handler, name):
    dwelling = DwellingFactory()
    justify(handler, dwelling=dwelling)
    url = reverse(name, args=[dwelling.pk] if name.endswith("detail") else [])
    client = login(handler)
    assert client.get(url, {"q": "Orchard", "justification": "curious"}).status_code == 403
    assert client.post(url, {"justification": "curious"}).status_code in (403, 405)


def test_opening_a_dwelling_asks_why_and_shows_nothing_yet(login, triage_staff, handler):
    dwelling, _ = _dwelling_with_history(handler)
    body = login(triage_staff).get(_url(dwelling)).content.decode()
    assert "Why are you opening this?" in body
    assert "Caller distressed" not in body
    assert not ProcessingLog.objects.filter(
        object_type="dwelling", operation="consultation"
    ).exists()


def test_the_question_names_the_dwelling_by_number_without_its_address(login, triage_staff):
    dwelling = DwellingFactory(address=ADDRESS)
    client = login(triage_staff)
    asked = client.get(_url(dwelling)).content.decode()
    refused = client.post(_url(dwelling), {"justification": " x "}).content.decode()
    for body in (asked, refused):
        assert "High St" not in body and "CB7 4AA" not in body
        assert f"dwelling #{dwelling.pk}" in body
    assert not ProcessingLog.objects.filter(object_type="dwelling").exists()


@pytest.mark.parametrize("role", ["triage_staff", "supervisor"])
def test_the_team_sees_the_dwellings_calls_referrals_and_plans(login, request, role, handler):
    user = request.getfixturevalue(role)
    dwelling, calls = _dwelling_with_history(handler)
    referral = dwelling.referrals.get()
    ResponsePlanFactory(dwelling=dwelling, version=1, what_to_do="First plan.")
    ResponsePlanFactory(dwelling=dwelling, version=2, what_to_do="Second plan.")
    client = login(user)
    response = client.post(_url(dwelling), {"justification": "Weekly review meeting"})
    assert response.status_code == 302
    body = client.get(_url(dwelling)).content.decode()
    assert "Calls (4)" in body
    assert "Caller distressed, alone at home." in body
    assert reverse("referrals:detail", args=[referral.pk]) in body
    assert "First plan." in body
    assert "Second plan." in body
    assert body.index("Second plan.") < body.index("First plan.")
    log = ProcessingLog.objects.get(
        object_type="dwelling", object_id=str(dwelling.pk), operation="consultation"
    )
    assert (log.user, log.justification) == (user, "Weekly review meeting")


def test_the_page_says_how_the_address_was_matched_without_the_internal_key(login, triage_staff):
    by_key = DwellingFactory()
    by_uprn = DwellingFactory(match_method="uprn", uprn="100090123456")
    client = login(triage_staff)
    justify(triage_staff, dwelling=by_key)
    justify(triage_staff, dwelling=by_uprn)
    body = client.get(_url(by_key)).content.decode()
    assert "Every spelling of this address is counted here" in body
    assert by_key.key not in body
    body = client.get(_url(by_uprn)).content.decode()
    assert "council gazetteer (UPRN 100090123456)" in body
    assert by_uprn.key not in body


def test_the_dwelling_is_named_by_its_standard_address_with_the_spellings_typed(
    login, triage_staff, handler
):
    for address in ("10 high street flat 2 ely cb74aa", ADDRESS, ADDRESS, "2/10 High St, Ely"):
        dwelling = take_call(handler=handler, address=address).dwelling
    client = login(triage_staff)
    justify(triage_staff, dwelling=dwelling)
    body = client.get(_url(dwelling)).content.decode()
    assert "<h1>Flat 2, 10 High Street, Ely CB7 4AA</h1>" in body
    spellings = body.split('class="spellings"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(\d+)</td></tr>", spellings)
    assert rows == [
        (ADDRESS, "2"),
        ("10 high street flat 2 ely cb74aa", "1"),
        ("2/10 High St, Ely", "1"),
    ]


def test_the_calls_are_shown_in_words_with_one_date_style(login, supervisor, handler):
    dwelling, calls = _dwelling_with_history(handler)
    client = login(supervisor)
    justify(supervisor, dwelling=dwelling)
    body = client.get(_url(dwelling)).content.decode()
    table = body.split('class="dwelling-calls"')[1].split("</table>")[0]
    call = calls[-1]
    assert f"<td>{words.agency_label(call.suggested_agency)}</td>" in table
    assert escape(words.fact_value_label("concern_type", call.concern_type)) in table
    assert f'{call.rule_title} <span class="rule-id">{call.rule_id}</span>' in table
    assert f">{call.suggested_agency}<" not in table
    assert f">{call.concern_type}<" not in table
    shown = date_format(timezone.localtime(call.received_at), "DATETIME_FORMAT")
    assert f'<a href="{reverse("triage:call-detail", args=[call.pk])}">{shown}</a>' in table


def test_triage_staff_see_the_calls_without_links_to_call_pages_they_cannot_open(
    login, triage_staff, handler
):
    dwelling, calls = _dwelling_with_history(handler)
    client = login(triage_staff)
    justify(triage_staff, dwelling=dwelling)
    body = client.get(_url(dwelling)).content.decode()
    assert reverse("triage:call-detail", args=[calls[0].pk]) not in body


def test_the_calls_table_runs_below_the_cards_not_under_them(login, triage_staff, handler):
    """At 1366 px the table ran under the right-hand cards: it now has the page's width."""
    dwelling, _ = _dwelling_with_history(handler)
    client = login(triage_staff)
    justify(triage_staff, dwelling=dwelling)
    body = client.get(_url(dwelling)).content.decode()
    cards = body.split('class="grid grid-2 dwelling-cards"')[1]
    assert 'id="h-plans"' in cards.split('id="h-calls"')[0]
    assert body.index('id="h-calls"') > body.index('id="h-plans"')


def test_an_expired_plan_shows_as_expired(login, triage_staff):
    plan = ResponsePlanFactory(review_by=timezone.localdate() - timedelta(days=1))
    client = login(triage_staff)
    justify(triage_staff, dwelling=plan.dwelling)
    assert "EXPIRED" in client.get(_url(plan.dwelling)).content.decode()


def test_a_justification_for_a_referral_covers_its_dwelling(login, triage_staff):
    referral = ReferralFactory()
    client = login(triage_staff)
    client.post(reverse("referrals:detail", args=[referral.pk]), {"justification": "Following up"})
    body = client.get(_url(referral.dwelling)).content.decode()
    assert 'id="h-address"' in body and 'id="h-calls"' in body
    assert (
        ProcessingLog.objects.get(object_type="dwelling", operation="consultation").justification
        == "Following up"
    )


def test_every_read_of_the_dwelling_is_logged(login, triage_staff):
    dwelling = DwellingFactory()
    client = login(triage_staff)
    justify(triage_staff, dwelling=dwelling)
    for _ in range(2):
        client.get(_url(dwelling))
    assert (
        ProcessingLog.objects.filter(object_type="dwelling", object_id=str(dwelling.pk)).count()
        == 2
    )


@pytest.mark.parametrize(
    "query", ["10 high street flat 2 ely cb74aa", "cb7 4aa", "High St", "high st ely", "2/10 High"]
)
def test_search_finds_the_dwelling_however_it_is_typed(login, triage_staff, handler, query):
    dwelling = take_call(handler=handler, address=ADDRESS).dwelling
    body = (
        login(triage_staff).get(reverse("callers:dwelling-search"), {"q": query}).content.decode()
    )
    assert _url(dwelling) in body


def test_search_does_not_find_a_neighbour(login, triage_staff, handler):
    take_call(handler=handler, address=ADDRESS)
    response = login(triage_staff).get(
        reverse("callers:dwelling-search"), {"q": "Flat 1, 10 High St, Ely"}
    )
    assert "No dwelling matches" in response.content.decode()


def test_a_search_logs_each_dwelling_it_shows_by_id(login, triage_staff, handler):
    shown = take_call(handler=handler, address=ADDRESS).dwelling
    take_call(handler=handler, address="14 Station Road, March PE15 8NH")
    login(triage_staff).get(reverse("callers:dwelling-search"), {"q": "CB7 4AA"})
    (log,) = ProcessingLog.objects.filter(operation="consultation")
    assert (log.user, log.object_type, log.object_id) == (triage_staff, "dwelling", str(shown.pk))
    assert log.justification == "dwelling search"


def test_a_search_that_shows_nothing_is_logged_without_what_was_typed(login, triage_staff):
    login(triage_staff).get(reverse("callers:dwelling-search"), {"q": "Flat 9, 3 Orchard Way"})
    log = ProcessingLog.objects.get(object_type="dwelling", operation="consultation")
    assert (log.object_id, log.justification) == ("", "dwelling search")


@pytest.mark.parametrize("query", [ADDRESS, "10 high street flat 2 ely cb74aa", "CB7 4AA"])
def test_what_a_search_typed_never_reaches_the_processing_log(login, triage_staff, handler, query):
    take_call(handler=handler, address=ADDRESS)
    login(triage_staff).get(reverse("callers:dwelling-search"), {"q": query})
    logged = " ".join(
        " ".join(row)
        for row in ProcessingLog.objects.values_list("justification", "object_id", "recipient")
    ).lower()
    assert query.lower() not in logged
    assert "high st" not in logged and "cb7" not in logged


def test_handlers_still_get_the_intake_summary_without_history(login, handler):
    """The handler's screen: call count, open referral status and plan; no notes, no actions."""
    dwelling, _ = _dwelling_with_history(handler)
    ResponsePlanFactory(dwelling=dwelling, what_to_do="Offer the crisis line.")
    response = login(handler).get(reverse("triage:dwelling-panel"), {"address": ADDRESS})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Open Operation Farmington referral" in body
    assert "Offer the crisis line." in body
    assert "Caller distressed" not in body


def test_a_merged_dwelling_points_to_the_household_it_was_merged_into_and_back(login, triage_staff):
    survivor = DwellingFactory(address="Flat 2, 10 High Street, Ely CB7 4AA")
    merged = DwellingFactory(address="Flat 2, 10 High Street, CB7 4AA", merged_into=survivor)
    client = login(triage_staff)
    justify(triage_staff, dwelling=merged)
    justify(triage_staff, dwelling=survivor)
    body = client.get(_url(merged)).content.decode()
    assert "found to be the same household as" in body
    assert f'href="{_url(survivor)}"' in body
    body = client.get(_url(survivor)).content.decode()
    assert "found to be the same household as" not in body
    assert (
        "Found to be the same household, and counted here: Flat 2, 10 High Street, CB7 4AA." in body
    )
