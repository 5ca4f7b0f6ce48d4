"""The saved call's page reads as sentences and small tables, in words, never a dump."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests.factories import THRIVE, UserFactory, take_call
from tests.triage.page_text import codes_in, visible_text
from triage.forms import GRADE_CHOICES, GRADE_MEANINGS
from triage.services import call_decide

pytestmark = pytest.mark.django_db

# 14:05 in London (BST) on 14 July 2026.
RECEIVED = datetime(2026, 7, 14, 13, 5, tzinfo=UTC)


def grade(number: int) -> str:
    """The grade as the New call form words it, with its meaning."""
    return f"{dict(GRADE_CHOICES)[number]} {GRADE_MEANINGS[number]}"


def _decide(call, user, **changes):
    decision = {
        "accept": True,
        "grade": 3,
        "thrive": THRIVE,
        "caller_told": True,
        "caller_told_text": "Told the crisis team will ring within the hour.",
        "now": call.received_at + timedelta(minutes=5),
    }
    decision.update(changes)
    return call_decide(call=call, user=user, **decision)


def _page(client, call):
    return client.get(reverse("triage:call-detail", kwargs={"pk": call.pk}))


def test_the_call_page_gives_the_questions_and_answers_in_words_and_no_codes(login, handler):
    call = take_call(
        handler=handler,
        received_at=RECEIVED,
        vulnerability_flags=["mental_distress", "intoxication"],
        known_to_service="mental_health",
    )
    _decide(call, handler)
    response = _page(login(handler), call)
    assert response.status_code == 200
    text = visible_text(response)
    assert "Violence, threats to others or a weapon No" in text
    assert "Vulnerability Intoxicated, In mental distress" in text
    assert "What is the call about? Concern for someone's welfare" in text
    assert "Known to a service Mental-health services" in text
    assert "Hours since last seen Not known" in text
    assert codes_in(text) == set()
    assert not any(raw in text for raw in ("['", "False", "True"))


def test_the_call_page_shows_the_thrive_answers_grade_and_what_the_caller_was_told(login, handler):
    call = take_call(handler=handler, received_at=RECEIVED, vulnerability_flags=["frailty"])
    _decide(call, handler)
    text = visible_text(_page(login(handler), call))
    for element, answer in THRIVE.items():
        assert f"{element.capitalize()} {answer}" in text
    assert f"Grade {grade(3)}" in text
    assert "What the caller was told Told the crisis team will ring within the hour." in text


def test_the_call_page_names_the_suggestion_by_its_rule_title_with_the_id_beside_it(login, handler):
    call = take_call(handler=handler, received_at=RECEIVED, immediate_risk="life")
    html = _page(login(handler), call).content.decode()
    text = visible_text(_page(login(handler), call))
    assert f"Rule: {call.rule_title} {call.rule_id}" in text
    assert call.rule_title != call.rule_id
    assert f'<span class="rule-id">{call.rule_id}</span>' in html
    assert "Police Police attend." in text
    assert call.suggestion["rationale"] in text


def test_the_call_page_gives_an_override_with_who_when_why_and_the_agency_in_words(login, handler):
    call = take_call(handler=handler, received_at=RECEIVED, vulnerability_flags=["frailty"])
    _decide(
        call,
        handler,
        accept=False,
        final_agency="JOINT_POLICE_AMBULANCE",
        final_police_attend=True,
        override_reason="risk_higher",
        override_note="Knife mentioned in the background.",
        grade=1,
        caller_told=False,
        caller_told_text="",
    )
    text = visible_text(_page(login(handler), call))
    assert f"Suggestion overridden by {handler.username} on 14 Jul 2026 14:10." in text
    assert "Agency Police and ambulance together" in text
    assert "Police attend Yes" in text
    assert "Reason for the override Risk judged higher than the answers show" in text
    assert "Note Knife mentioned in the background." in text
    assert f"Grade {grade(1)}" in text
    assert "Sent to the supervisors' review" in text
    assert codes_in(text) == set()


def test_the_call_page_keeps_earlier_decisions_as_history(login, handler):
    call = take_call(handler=handler, received_at=RECEIVED, vulnerability_flags=["frailty"])
    _decide(call, handler, grade=2)
    _decide(
        call,
        handler,
        grade=3,
        override_note="Neighbour now with her.",
        now=call.received_at + timedelta(minutes=40),
    )
    text = visible_text(_page(login(handler), call))
    current, earlier = text.split("Earlier decisions")
    assert "on 14 Jul 2026 14:45." in current and f"Grade {grade(3)}" in current
    assert "14 Jul 2026 14:10:" in earlier and f"Grade {grade(2)}" in earlier


def test_the_call_page_gives_the_received_time_and_the_handler_in_one_date_style(login, handler):
    call = take_call(handler=handler, received_at=RECEIVED, channel="101")
    text = visible_text(_page(login(handler), call))
    assert f"101 call received 14 Jul 2026 14:05, taken by {handler.username}." in text
    assert "No decision recorded yet." in text


def test_the_call_page_names_confirmed_checks_in_words(login, handler):
    call = take_call(
        handler=handler,
        received_at=RECEIVED,
        vulnerability_flags=["stated_suicidal_intent", "means_available"],
        immediate_risk="none",
    )
    assert call.suggestion["checks"] == ["CHECK-SUICIDE-MEANS"]
    _decide(
        call,
        handler,
        check_confirmations={"CHECK-SUICIDE-MEANS": "Partner removed the tablets."},
    )
    text = visible_text(_page(login(handler), call))
    assert "Suicidal intent and the means to act on it Partner removed the tablets." in text
    assert "CHECK-" not in text


def test_the_section_136_questions_show_only_for_a_handover(login, handler):
    welfare = take_call(handler=handler, received_at=RECEIVED)
    handover = take_call(
        handler=handler,
        received_at=RECEIVED,
        address="Place of safety, Fulbourn Hospital, Cambridge CB21 5EF",
        concern_type="s136_handover",
        patient_status="detained_s136",
        location_type="place_of_safety",
        minutes_since_arrival=45,
        handover_accepted=False,
    )
    client = login(handler)
    assert "Section 136" not in visible_text(_page(client, welfare))
    text = visible_text(_page(client, handover))
    assert "Minutes since arrival at the place of safety 45" in text
    assert "Place-of-safety staff have accepted responsibility No" in text


def test_the_dwelling_is_named_with_its_repeat_count_and_linked_for_a_supervisor(
    login, handler, supervisor
):
    take_call(handler=handler, received_at=RECEIVED - timedelta(days=40))
    take_call(handler=handler, received_at=RECEIVED - timedelta(days=2))
    call = take_call(handler=handler, received_at=RECEIVED)
    html = _page(login(supervisor), call).content.decode()
    link = reverse("callers:dwelling-detail", kwargs={"pk": call.dwelling_id})
    assert f'href="{link}"' in html
    text = visible_text(_page(login(supervisor), call))
    assert f"Address {call.dwelling.address}" in text
    assert "Calls from this dwelling in 30 days (this one included) 2" in text
    assert "Calls from this dwelling in all 3" in text


def test_a_handler_sees_the_dwelling_but_no_link_to_its_page(login, handler):
    call = take_call(handler=handler, received_at=RECEIVED)
    response = _page(login(handler), call)
    assert call.dwelling.address in visible_text(response)
    assert reverse("callers:dwelling-detail", kwargs={"pk": call.dwelling_id}) not in (
        response.content.decode()
    )


def test_an_address_naming_no_dwelling_says_so(login, handler):
    call = take_call(handler=handler, received_at=RECEIVED, address="CB7 4AF")
    assert call.dwelling is None
    text = visible_text(_page(login(handler), call))
    assert "Address CB7 4AF" in text
    assert "does not name one dwelling" in text


def test_the_next_call_button_is_only_for_handlers(login, handler, supervisor):
    call = take_call(handler=handler, received_at=RECEIVED)
    new_call = reverse("triage:call-new")
    assert new_call in _page(login(handler), call).content.decode()
    assert new_call not in _page(login(supervisor), call).content.decode()


def test_a_handler_cannot_open_another_handlers_call(login, handler):
    other = take_call(handler=UserFactory(role="call_handler"), received_at=RECEIVED)
    assert _page(login(handler), other).status_code == 404


def test_the_call_page_is_refused_to_triage_staff(login, triage_staff, handler):
    call = take_call(handler=handler, received_at=RECEIVED)
    assert _page(login(triage_staff), call).status_code == 403
