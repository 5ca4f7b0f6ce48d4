import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from callers.models import ResponsePlan
from core.models import ProcessingLog
from tests.factories import THRIVE, facts, take_call
from triage import engine
from triage.models import Call

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
    for element, text in THRIVE.items():
        data[f"thrive_{element}"] = text
    data.update(changes)
    return data


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
