import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

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
    text = _visible(response.content.decode())
    assert (
        "Suicidal intent and the means to act on it: give the reason there is no present risk."
        in text
    )
    assert "CHECK-" not in text
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
    text = _visible(response.content.decode())
    assert "A patient absent without leave is detained: choose" in text
    assert "patient_status" not in text
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


# --- The New call form and its suggestion panel, in words (issue 22) ---------------------


def _visible(html: str) -> str:
    """The text a person reads: no tags, attributes, scripts or comments."""
    html = re.sub(r"<!--.*?-->|<script.*?</script>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _suggest(client, **changes) -> str:
    return client.post(reverse("triage:call-suggest"), _form(**changes)).content.decode()


HOURS_TODO = "Enter the hours since the person was last seen as a number of hours from 0 to"


def test_the_live_suggestion_refuses_negative_hours_as_the_save_does_in_words(login, handler):
    client = login(handler)
    html = _suggest(client, fact_hours_since_last_seen="-3")
    assert 'id="suggestion-body"' not in html
    assert HOURS_TODO in html
    assert 'href="#id_fact_hours_since_last_seen"' in html
    response = client.post(reverse("triage:call-new"), _form(fact_hours_since_last_seen="-3"))
    assert response.status_code == 400
    assert HOURS_TODO in response.content.decode()
    assert Call.objects.count() == 0


def test_the_live_suggestion_lists_what_to_answer_without_field_names(login, handler):
    html = _suggest(login(handler), fact_caller_type="", fact_hours_since_last_seen="2000000000")
    text = _visible(html)
    assert "To see a suggestion:" in text
    assert "Choose who is calling." in text
    assert HOURS_TODO in text
    for code in ("caller_type", "hours_since_last_seen", "May not be null", "Too large"):
        assert code not in text


def test_the_live_suggestion_says_the_engines_cross_field_refusal_in_words(login, handler):
    text = _visible(
        _suggest(login(handler), fact_concern_type="s136_handover", fact_patient_status="none")
    )
    assert "A section 136 handover is for a person detained under section 136" in text
    assert "“Detained under section 136”" in text
    assert "patient_status" not in text
    assert "s136" not in text


@pytest.mark.parametrize(
    ("hours", "refused"),
    [("-0.5", True), ("0", False), ("1000000000", False), ("1000000001", True), ("nan", True)],
)
def test_the_form_refuses_the_hours_the_engine_refuses(hours, refused):
    from triage.forms import IntakeForm

    form = IntakeForm(_form(fact_hours_since_last_seen=hours))
    form.is_valid()
    assert ("fact_hours_since_last_seen" in form.errors) is refused
    if hours != "nan":
        engine_facts = {**facts(), "hours_since_last_seen": float(hours)}
        try:
            engine.parse_facts(engine_facts)
        except engine.FactsError:
            assert refused
        else:
            assert not refused


def test_the_suggestion_names_agency_flags_and_rule_in_words(login, handler):
    html = _suggest(login(handler), fact_known_to_service="mental_health")
    text = _visible(html)
    assert "Mental-health crisis team" in text
    assert "Tell the caller the outcome" in text
    assert "CFW-KNOWN-SERVICE" in text  # the rule's id, as a small label beside its title
    title = engine.rule_titles(engine.load_default_document())["CFW-KNOWN-SERVICE"]
    assert f'{escape(title)} <span class="rule-id">CFW-KNOWN-SERVICE</span>' in html
    assert "MENTAL_HEALTH_CRISIS" not in text
    assert "FLAG-" not in text


def test_a_raised_check_is_named_in_words_in_the_suggestion(login, handler):
    html = _suggest(
        login(handler), fact_vulnerability_flags=["stated_suicidal_intent", "means_available"]
    )
    text = _visible(html)
    assert "Suicidal intent and the means to act on it: confirm there is no present risk" in text
    assert "CHECK-" not in text
    assert 'name="check_CHECK-SUICIDE-MEANS"' in html


def test_the_form_offers_answers_and_agencies_in_words(login, handler):
    html = login(handler).get(reverse("triage:call-new")).content.decode()
    assert '<option value="awol">Detained patient absent without leave (AWOL)</option>' in html
    assert '<option value="MENTAL_HEALTH_CRISIS">Mental-health crisis team</option>' in html
    assert "Has said they intend to end their life" in html
    text = _visible(html)
    for code in ("mh inpatient unit", "detained mha", "MENTAL_HEALTH_CRISIS", "welfare_check"):
        assert code not in text


def test_the_suggestion_and_dwelling_panels_are_named_regions(login, handler):
    html = login(handler).get(reverse("triage:call-new")).content.decode()
    suggestion = re.search(r'<section [^>]*id="suggestion"[^>]*>', html).group(0)
    dwelling = re.search(r'<section [^>]*id="dwelling-panel"[^>]*>', html).group(0)
    assert 'aria-labelledby="h-suggestion"' in suggestion
    assert 'aria-labelledby="h-dwelling"' in dwelling
    assert '<h2 id="h-suggestion">Suggestion</h2>' in html
    assert '<h2 id="h-dwelling">Dwelling</h2>' in html


def test_a_failed_save_shows_an_error_summary_linking_each_error(login, handler):
    data = _form()
    del data["channel"], data["grade"]
    response = login(handler).post(reverse("triage:call-new"), data)
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert 'role="alert"' in summary.group(0)
    assert 'tabindex="-1"' in summary.group(0)
    assert "There is a problem" in summary.group(1)
    links = re.findall(r'<a href="#([^"]+)"[^>]*>([^<]+)</a>', summary.group(1))
    assert links == [
        ("id_channel_0", "Choose how the call came in: 999 or 101."),
        ("id_grade_0", "Choose the grade."),
    ]
    assert 'id="id_channel_0"' in html and 'id="id_grade_0"' in html
    address = html.split('name="address"')[1].split(">")[0]
    assert "autofocus" not in address  # the focus goes to the summary (call-intake.js)


def test_a_failed_save_keeps_the_dwelling_in_the_panel(login, handler):
    take_call(address="Flat 2, 10 High St, Ely CB7 4AA")
    take_call(address="2/10 High Street, Ely")
    data = _form(address="10 high street flat 2 ely cb74aa")
    del data["grade"]
    html = login(handler).post(reverse("triage:call-new"), data).content.decode()
    panel = html.split('id="dwelling-panel"')[1].split("</section>")[0]
    assert 'id="calls-30d">2<' in panel
    assert 'id="repeat-banner"' in panel
    assert "Type the address" not in panel


def test_an_override_without_an_agency_says_what_to_do_in_words(login, handler):
    response = login(handler).post(
        reverse("triage:call-new"),
        _form(**{**POLICE_OVERRIDE_FORM, "final_agency": ""}, override_note="Knife seen."),
    )
    assert response.status_code == 400
    text = _visible(response.content.decode())
    assert "Choose the agency that will respond instead." in text
    assert "Must be one of" not in text
    assert "JOINT_POLICE_AMBULANCE" not in text


def test_thrive_is_a_choice_per_element_with_guidance_and_the_grade_is_explained(login, handler):
    html = login(handler).get(reverse("triage:call-new")).content.decode()
    threat = re.search(r'<select name="thrive_threat".*?</select>', html, re.S).group(0)
    assert re.findall(r"<option value=\"([^\"]*)\"", threat) == [
        "",
        "None identified",
        "Low",
        "Medium",
        "High",
    ]
    assert "Who or what is threatened, and by what." in html
    for label in ("1 Emergency", "2 Priority", "3 Scheduled", "4 Resolved without deployment"):
        assert f"<strong>{label}</strong>" in html
    assert "attend at once" in html


def test_thrive_choices_are_saved_and_shown_on_the_call(login, handler):
    client = login(handler)
    response = client.post(reverse("triage:call-new"), _form())
    decision = Call.objects.get().decisions.get()
    assert decision.thrive == SCREEN_THRIVE
    text = _visible(client.get(response.url).content.decode())
    assert "Vulnerability" in text and "High" in text and "None needed" in text


def test_a_thrive_answer_that_is_not_a_choice_is_refused_in_words(login, handler):
    response = login(handler).post(reverse("triage:call-new"), _form(thrive_risk="Fine"))
    assert response.status_code == 400
    assert "Choose the THRIVE assessment of risk." in response.content.decode()
    assert Call.objects.count() == 0


def test_the_section_136_questions_are_a_group_asked_only_for_a_handover(login, handler):
    client = login(handler)
    html = client.get(reverse("triage:call-new")).content.decode()
    group = re.search(r'<fieldset class="card fact s136-only"[^>]*>(.*?)</fieldset>', html, re.S)
    assert 'name="fact_minutes_since_arrival"' in group.group(1)
    assert 'name="fact_handover_accepted"' in group.group(1)
    # Answers left in the hidden questions of another strand are not sent to the engine.
    response = client.post(
        reverse("triage:call-new"),
        _form(fact_minutes_since_arrival="12", fact_handover_accepted="no"),
    )
    assert response.status_code == 302
    call = Call.objects.get()
    assert (call.facts["minutes_since_arrival"], call.facts["handover_accepted"]) == (None, None)


def test_help_that_is_not_a_reason_is_shown_as_plain_help():
    from django import forms
    from django.template.loader import render_to_string

    class DayForm(forms.Form):
        end = forms.DateField(help_text="Inclusive.")

    html = render_to_string("triage/_field.html", {"field": DayForm()["end"]})
    assert "Why we ask" not in html
    assert '<p class="hint" id="id_end_helptext">Inclusive.</p>' in html
    assert 'aria-describedby="id_end_helptext"' in html


def test_a_failed_save_says_at_once_that_a_raised_check_needs_a_reason(login, handler):
    data = _form(fact_vulnerability_flags=["stated_suicidal_intent", "means_available"])
    del data["grade"]
    html = login(handler).post(reverse("triage:call-new"), data).content.decode()
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    assert (
        '<a href="#id_check_CHECK-SUICIDE-MEANS" data-focus-link>Suicidal intent and the means '
        "to act on it: give the reason there is no present risk.</a>"
    ) in summary
    assert 'href="#id_grade_0"' in summary
    assert 'aria-describedby="id_check_CHECK-SUICIDE-MEANS_error"' in html
