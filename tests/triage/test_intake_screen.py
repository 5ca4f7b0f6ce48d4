import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from callers.models import ResponsePlan
from core.models import ProcessingLog
from tests.factories import facts, take_call
from tests.referrals.factories import DwellingFactory, ReferralFactory
from triage import engine
from triage.models import Call
from triage.services import LIVE_INTAKE

pytestmark = pytest.mark.django_db


def _form(**changes):
    data = {
        "client_token": str(uuid.uuid4()),
        "address": "14 Station Road, March PE15 8NH",
        "channel": "999",
        "narrative": "Neighbour worried.",
        "decision": "accept",
        "grade": "3",
        "caller_told": "on",
        "caller_told_text": "Told the caller the crisis line will call.",
    }
    for name, value in facts().items():
        if name == "repeat_calls_30d":
            continue
        if isinstance(value, bool):
            if value:
                data[f"fact_{name}"] = "on"
        elif value is None:
            data[f"fact_{name}"] = ""
        elif isinstance(value, list):
            data[f"fact_{name}"] = value
        else:
            data[f"fact_{name}"] = value
    for element, level in SCREEN_THRIVE.items():
        data[f"thrive_{element}"] = level
    data.update(changes)
    return data


# THRIVE as the screen asks it: one choice per element.
SCREEN_THRIVE = {
    "threat": "Low",
    "harm": "Medium",
    "risk": "Low",
    "investigation": "None needed",
    "vulnerability": "High",
    "engagement": "Medium",
}


# The screen's override to police, less its note.
POLICE_OVERRIDE_FORM = {
    "decision": "override",
    "final_agency": "POLICE",
    "final_police_attend": "yes",
    "override_reason": "risk_higher",
    "grade": "1",
}


def test_the_new_call_page_starts_in_the_address_and_lists_shortcuts(login, handler):
    html = login(handler).get(reverse("triage:call-new")).content.decode()
    address = html.split('name="address"')[1].split(">")[0]
    assert "autofocus" in address
    assert "Ctrl</kbd>+<kbd>Enter" in html
    assert "Why we ask" in html


def test_the_new_call_page_carries_the_advice_for_each_agency_an_override_may_choose(
    login, handler
):
    html = login(handler).get(reverse("triage:call-new")).content.decode()
    advice = re.search(r'<div id="agency-advice" hidden([^>]*)>', html).group(1)
    assert 'data-advice-gp="Police will not attend. The person&#x27;s GP practice' in advice
    assert 'data-advice-police="Police are coming.' in advice
    assert advice.count("data-advice-") == len(engine.AGENCIES)


def test_the_dwelling_panel_shows_repeat_calls_and_the_response_plan(login, handler, triage_staff):
    call = take_call(address="Flat 2, 10 High St, Ely CB7 4AA")
    take_call(address="2/10 High Street, Ely")
    ResponsePlan.objects.create(
        dwelling=call.dwelling,
        version=1,
        what_to_do="Call the CMHT duty worker first.",
        author=triage_staff,
        review_by="2099-01-01",
    )
    response = login(handler).get(
        reverse("triage:dwelling-panel"), {"address": "10 high street flat 2 ely cb74aa"}
    )
    html = response.content.decode()
    assert 'id="calls-30d">2<' in html
    assert "Repeat caller" in html
    assert "Call the CMHT duty worker first." in html
    assert ProcessingLog.objects.filter(
        operation="consultation", object_type="dwelling", object_id=str(call.dwelling_id)
    ).exists()


def test_an_expired_response_plan_is_shown_as_expired(login, handler, triage_staff):
    call = take_call(address="7 Orchard Close, St Neots PE19 1QX")
    ResponsePlan.objects.create(
        dwelling=call.dwelling,
        version=1,
        what_to_do="Old plan.",
        author=triage_staff,
        review_by="2020-01-01",
    )
    html = (
        login(handler)
        .get(reverse("triage:dwelling-panel"), {"address": "7 orchard close st neots pe19 1qx"})
        .content.decode()
    )
    assert "EXPIRED" in html
    assert "Old plan." in html


def _panel(client, address):
    return client.get(reverse("triage:dwelling-panel"), {"address": address}).content.decode()


def test_the_dwelling_panel_names_the_dwelling_by_its_standard_address(login, handler):
    take_call(address="10 high street flat 2 ely cb74aa")
    html = _panel(login(handler), "2/10 High St, Ely")
    assert "<strong>Flat 2, 10 High Street, Ely CB7 4AA</strong>" in html
    assert "cb74aa" not in html


def test_the_dwelling_panel_shows_a_new_dwellings_standard_address_and_no_earlier_calls(
    login, handler
):
    html = _panel(login(handler), "the address is 5 new rd, ely cb7 4af")
    assert "<strong>5 New Road, Ely CB7 4AF</strong>" in html
    assert "No earlier calls from this dwelling" in html
    assert "does not name one dwelling" not in html


def test_the_dwelling_panel_shows_the_open_referral_in_words_and_dates(login, handler):
    call = take_call(address="7 Orchard Close, St Neots PE19 1QX")
    ReferralFactory(dwelling=call.dwelling, status="in_review")
    html = _panel(login(handler), "7 orchard close st neots")
    banner = html.split('id="referral-banner">')[1].split("</p>")[0]
    assert "(in review)" in banner and "in_review" not in banner
    assert re.search(r"opened \d{1,2} [A-Z][a-z]{2} \d{4}\.", banner)


def test_a_postcode_alone_says_what_to_add_and_offers_the_postcodes_dwellings_most_called_first(
    login, handler
):
    quiet = take_call(address="3 Mill Lane, Ely CB7 4AF").dwelling
    for _ in range(3):
        busy = take_call(address="the address is 12 mill ln ely cb74af").dwelling
    take_call(address="12 Mill Lane, March PE15 8NH")  # another postcode
    html = _panel(login(handler), "CB7 4AF")
    assert "No earlier calls from this dwelling" not in html
    assert "does not name one dwelling yet" in html
    assert "Add the house number (or name) and street." in html
    picks = re.findall(r'<button type="button" data-pick-address="([^"]*)">', html)
    assert (
        picks
        == [busy.address, quiet.address]
        == ["12 Mill Lane, Ely CB7 4AF", "3 Mill Lane, Ely CB7 4AF"]
    )


def test_the_postcodes_dwellings_with_the_number_typed_come_first(login, handler):
    for _ in range(2):
        take_call(address="3 Mill Lane, Ely CB7 4AF")
    take_call(address="12 Mill Lane, Ely CB7 4AF")
    html = _panel(login(handler), "12 CB7 4AF")
    assert "Add the street." in html
    picks = re.findall(r'data-pick-address="([^"]*)"', html)
    assert picks == ["12 Mill Lane, Ely CB7 4AF", "3 Mill Lane, Ely CB7 4AF"]


def test_at_most_ten_of_a_postcodes_dwellings_are_offered(login, handler):
    for number in range(1, 13):
        DwellingFactory(
            key=f"{number}|milllane||ely",
            address=f"{number} Mill Lane, Ely CB7 4AF",
            postcode="CB7 4AF",
            number=str(number),
            street="mill lane",
        )
    html = _panel(login(handler), "CB7 4AF")
    assert html.count("data-pick-address=") == 10


def test_each_dwelling_offered_at_a_postcode_is_logged_as_consulted_in_a_live_call(login, handler):
    shown = {take_call(address=f"{n} Mill Lane, Ely CB7 4AF").dwelling_id for n in (3, 12)}
    _panel(login(handler), "cb7 4af")
    logged = ProcessingLog.objects.filter(
        operation="consultation", object_type="dwelling", user=handler
    )
    assert {int(row.object_id) for row in logged} == shown
    assert {row.justification for row in logged} == {LIVE_INTAKE}


def test_a_postcode_nobody_has_called_from_offers_nothing_and_logs_nothing(login, handler):
    html = _panel(login(handler), "CB7 4AF")
    assert "Add the house number (or name) and street." in html
    assert "No dwelling at CB7 4AF has called before." in html
    assert "data-pick-address" not in html
    assert not ProcessingLog.objects.filter(operation="consultation").exists()


@pytest.mark.parametrize(
    ("typed", "to_add"),
    [
        ("High Street, Ely", "Add the house number (or name)."),
        ("10 High Street", "Add the town or postcode."),
        ("near the Co-op, Ely", "Add the house number (or name), street and town or postcode."),
    ],
)
def test_an_address_that_names_no_dwelling_says_so_and_what_to_add(login, handler, typed, to_add):
    html = _panel(login(handler), typed)
    assert "does not name one dwelling yet" in html
    assert to_add in html
    assert "No earlier calls from this dwelling" not in html


def test_the_dwelling_panel_heading_names_the_dwelling_region(login, handler):
    assert '<h2 id="h-dwelling">Dwelling</h2>' in _panel(login(handler), "CB7 4AF")


def test_the_suggestion_panel_follows_the_answers(login, handler):
    client = login(handler)
    html = client.post(reverse("triage:call-suggest"), _form()).content.decode()
    assert "CFW-ADVICE" in html
    html = client.post(
        reverse("triage:call-suggest"), _form(fact_immediate_risk="life")
    ).content.decode()
    assert "GEN-IMMEDIATE-RISK" in html
    assert "Police attend" in html


def test_saving_the_form_stores_the_call_and_the_decision_then_redirects(login, handler):
    response = login(handler).post(reverse("triage:call-new"), _form())
    call = Call.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("triage:call-detail", kwargs={"pk": call.pk})
    assert call.handler == handler
    assert call.decisions.get().caller_told is True


def test_a_double_submit_saves_one_call(login, handler):
    client = login(handler)
    data = _form()
    client.post(reverse("triage:call-new"), data)
    response = client.post(reverse("triage:call-new"), data)
    assert response.status_code == 302
    assert Call.objects.count() == 1


def test_a_rejected_decision_saves_nothing_and_keeps_the_answers(login, handler):
    data = _form(caller_told="", fact_narrative="")
    del data["caller_told"]
    response = login(handler).post(reverse("triage:call-new"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "confirm the caller was told" in html
    assert "14 Station Road, March PE15 8NH" in html
    assert Call.objects.count() == 0


def test_an_override_needs_a_reason(login, handler):
    response = login(handler).post(
        reverse("triage:call-new"),
        _form(decision="override", final_agency="POLICE", final_police_attend="yes"),
    )
    assert response.status_code == 400
    assert "Choose a reason" in response.content.decode()
    assert Call.objects.count() == 0


def test_a_raised_check_blocks_saving_until_confirmed(login, handler):
    data = _form(fact_vulnerability_flags=["stated_suicidal_intent", "means_available"])
    client = login(handler)
    response = client.post(reverse("triage:call-new"), data)
    assert response.status_code == 400
    assert "CHECK-SUICIDE-MEANS must be confirmed" in response.content.decode()
    data["check_CHECK-SUICIDE-MEANS"] = "Partner has removed the tablets; caller calm."
    assert client.post(reverse("triage:call-new"), data).status_code == 302
    assert Call.objects.get().decisions.get().check_confirmations == {
        "CHECK-SUICIDE-MEANS": "Partner has removed the tablets; caller calm."
    }


def test_the_review_queue_lists_overrides_with_who_and_why(login, handler, supervisor):
    login(handler).post(
        reverse("triage:call-new"),
        _form(**POLICE_OVERRIDE_FORM, override_note="Knife mentioned."),
    )
    html = login(supervisor).get(reverse("triage:review-queue")).content.decode()
    assert "Knife mentioned." in html
    assert handler.username in html
    assert "<th>Grade</th>" in html
    decision = Call.objects.get().decisions.get()
    read = ProcessingLog.objects.get(operation="consultation", object_type="decision")
    assert (read.object_id, read.user, read.justification) == (
        str(decision.pk),
        supervisor,
        "review queue",
    )


def test_a_cross_field_fact_error_is_shown_on_the_form_not_a_500(login, handler):
    response = login(handler).post(
        reverse("triage:call-new"), _form(fact_concern_type="awol", fact_patient_status="none")
    )
    assert response.status_code == 400
    assert "AWOL requires patient_status" in response.content.decode()
    assert Call.objects.count() == 0


def test_a_client_token_of_another_handlers_call_is_refused_and_the_call_can_still_be_saved(
    login, handler
):
    from tests.factories import UserFactory

    data = _form()
    login(handler).post(reverse("triage:call-new"), data)
    first = Call.objects.get()
    other = UserFactory(role="call_handler")
    client = Client()  # another handler's own browser
    client.force_login(other)
    response = client.post(
        reverse("triage:call-new"), data | {"address": "3 Mill Lane, Ely CB7 4AA"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This call was not saved" in html
    assert f"Call {first.pk}" not in html
    assert "3 Mill Lane, Ely CB7 4AA" in html  # the answers are kept
    assert Call.objects.count() == 1
    token = re.search(r'name="client_token" value="([^"]+)"', html).group(1)
    assert token != data["client_token"]
    resent = client.post(
        reverse("triage:call-new"),
        data | {"address": "3 Mill Lane, Ely CB7 4AA", "client_token": token},
    )
    assert resent.status_code == 302
    assert Call.objects.get(handler=other).address == "3 Mill Lane, Ely CB7 4AA"


def test_police_not_attending_needs_what_the_caller_was_told(login, handler):
    response = login(handler).post(reverse("triage:call-new"), _form(caller_told_text="  "))
    assert response.status_code == 400
    assert "say what the caller was told" in response.content.decode()
    assert Call.objects.count() == 0


def test_an_override_needs_a_note_whatever_the_reason(login, handler):
    response = login(handler).post(
        reverse("triage:call-new"),
        _form(**POLICE_OVERRIDE_FORM),
    )
    assert response.status_code == 400
    assert "Explain the override." in response.content.decode()
    assert Call.objects.count() == 0
