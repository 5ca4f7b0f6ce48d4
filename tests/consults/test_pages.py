import pytest
from django.urls import reverse

from consults.models import Consult
from consults.services import consult_answer, consult_claim
from core.models import ProcessingLog
from tests.consults.helpers import ask
from tests.factories import take_call
from tests.referrals.factories import ReferralFactory, ReferralNoteFactory, ResponsePlanFactory
from tests.triage.test_intake_screen import _form

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _answer(consult, user, **changes):
    kwargs = {
        "known_to_services": "yes",
        "service": "Crisis team",
        "advice": "Known to the crisis team; they will call back within the hour.",
        "recommended_agency": "MENTAL_HEALTH_CRISIS",
    } | changes
    return consult_answer(consult=consult, user=user, **kwargs)


# The handler's side ------------------------------------------------------------------


def test_the_call_page_loads_the_consult_panel(login, handler):
    call = take_call(handler=handler)
    html = login(handler).get(reverse("triage:call-detail", args=[call.pk])).content.decode()
    assert reverse("consults:call-panel", args=[call.pk]) in html


def test_the_panel_offers_a_short_question_with_its_shortcut(login, handler):
    call = take_call(handler=handler)
    html = login(handler).get(reverse("consults:call-panel", args=[call.pk])).content.decode()
    assert "Ask the mental-health team" in html
    assert 'accesskey="m"' in html and "<kbd>Alt</kbd>+<kbd>M</kbd>" in html
    assert "every 1s" not in html  # nothing to wait for


def test_asking_from_the_call_page_shows_the_question_waiting_and_polls(login, handler):
    call = take_call(handler=handler)
    url = reverse("consults:ask", args=[call.pk])
    response = login(handler).post(url, {"question": "Known to the crisis team?"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Known to the crisis team?" in html and "Waiting for a practitioner" in html
    assert 'hx-trigger="every 1s"' in html
    assert Consult.objects.get().call == call


def test_an_empty_question_is_refused_with_what_to_do(login, handler):
    call = take_call(handler=handler)
    response = login(handler).post(
        reverse("consults:ask", args=[call.pk]), {"question": " "}, **HTMX
    )
    assert response.status_code == 400
    assert "Write the question for the mental-health team." in response.content.decode()
    assert not Consult.objects.exists()


def test_the_answer_reaches_the_panel_in_words_with_a_cue_and_polling_stops(
    login, handler, practitioner
):
    call = take_call(handler=handler)
    _answer(ask(call=call), practitioner)
    html = login(handler).get(reverse("consults:call-panel", args=[call.pk])).content.decode()
    assert "Answered by" in html and 'role="status"' in html
    assert "Known to the crisis team; they will call back within the hour." in html
    assert "Mental-health crisis team" in html
    assert "MENTAL_HEALTH_CRISIS" not in html
    assert "every 1s" not in html


def test_save_and_ask_on_the_new_call_screen_saves_the_call_and_asks(login, handler):
    data = _form(consult_question="Is she known to services?")
    response = login(handler).post(reverse("consults:ask-new"), data)
    consult = Consult.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("triage:call-detail", args=[consult.call_id])
    assert consult.question == "Is she known to services?"
    assert not consult.call.decisions.exists()


def test_save_and_ask_needs_the_address_and_the_question(login, handler):
    data = _form(address="", consult_question="")
    response = login(handler).post(reverse("consults:ask-new"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Write the question for the mental-health team." in html
    assert "Enter the address" in html
    assert not Consult.objects.exists()


def test_the_new_call_screen_offers_save_and_ask(login, handler):
    html = login(handler).get(reverse("triage:call-new")).content.decode()
    assert f'formaction="{reverse("consults:ask-new")}"' in html
    assert "Ask the mental-health team" in html


def test_the_decision_after_a_consult_says_it_differs_from_the_recommendation(
    login, handler, practitioner
):
    call = take_call(handler=handler)
    _answer(ask(call=call), practitioner, recommended_agency="AMBULANCE")
    data = {k: v for k, v in _form().items() if not k.startswith(("fact_", "address"))}
    client = login(handler)
    url = reverse("consults:decide", args=[call.pk])
    response = client.post(url, data)
    assert response.status_code == 400
    assert "The mental-health team recommended" in response.content.decode()
    response = client.post(url, data | {"override_note": "Caller says he is calmer now."})
    assert response.status_code == 302
    note = call.decisions.get().override_note
    assert note.startswith("Differs from the mental-health team's recommendation (")
    assert "AMBULANCE" not in note


# The practitioner's side ---------------------------------------------------------------


def test_the_queue_lists_open_questions_oldest_first_with_the_wait(login, practitioner):
    ask(question="First question?")
    ask(question="Second question?")
    html = login(practitioner).get(reverse("consults:queue")).content.decode()
    assert html.index("First question?") < html.index("Second question?")
    assert 'hx-trigger="every 1s"' in html
    assert " s</strong>" in html  # the wait, in words


def test_the_queue_refreshes_as_a_partial(login, practitioner):
    ask(question="Anyone there?")
    html = login(practitioner).get(reverse("consults:queue"), **HTMX).content.decode()
    assert "Anyone there?" in html and "<html" not in html


def test_the_consult_page_shows_the_call_and_plan_not_referrals_and_is_logged(
    login, practitioner, handler
):
    call = take_call(handler=handler, address="Flat 2, 10 High St, Ely CB7 4AA")
    call.narrative = "Daughter says her mother is not eating."
    call.save(update_fields=["narrative"])
    ResponsePlanFactory(dwelling=call.dwelling, what_to_do="Ring the crisis team first.")
    referral = ReferralFactory(dwelling=call.dwelling, referral_reason="Casework reason text.")
    ReferralNoteFactory(referral=referral, text="Private casework note.")
    consult = ask(call=call)
    html = login(practitioner).get(reverse("consults:detail", args=[consult.pk])).content.decode()
    assert call.dwelling.address in html
    assert "Daughter says her mother is not eating." in html
    assert "Ring the crisis team first." in html
    assert "Casework reason text." not in html and "Private casework note." not in html
    assert "welfare_check" not in html  # answers in words
    logged = ProcessingLog.objects.filter(user=practitioner, object_type="call")
    assert list(logged.values_list("justification", flat=True)) == ["live consult"]


def test_claiming_on_the_page_and_a_second_practitioner_is_told_who_holds_it(
    login, practitioner, practitioner2, client
):
    consult = ask()
    login(practitioner).post(reverse("consults:claim", args=[consult.pk]))
    client.logout()
    other = login(practitioner2)
    response = other.post(reverse("consults:claim", args=[consult.pk]), follow=True)
    assert f"{practitioner.username} is answering" in response.content.decode()
    consult.refresh_from_db()
    assert consult.claimed_by == practitioner


def test_answering_on_the_page_needs_advice(login, practitioner):
    consult = ask()
    url = reverse("consults:answer", args=[consult.pk])
    response = login(practitioner).post(url, {"known_to_services": "yes", "advice": ""})
    assert response.status_code == 400
    assert "Write the advice to the handler." in response.content.decode()


def test_answering_on_the_page_sends_the_answer(login, practitioner):
    consult = ask()
    url = reverse("consults:answer", args=[consult.pk])
    data = {"known_to_services": "no", "advice": "Not known; suggest NHS 111.", "service": ""}
    response = login(practitioner).post(url, data | {"recommended_agency": "NHS_111"})
    assert response.status_code == 302
    consult.refresh_from_db()
    assert (consult.status, consult.recommended_agency) == ("answered", "NHS_111")


def test_the_answer_form_offers_agencies_in_words(login, practitioner):
    consult = ask()
    html = login(practitioner).get(reverse("consults:detail", args=[consult.pk])).content.decode()
    assert ">NHS_111<" not in html and 'value="NHS_111"' in html


def test_a_practitioner_lists_their_own_consults(login, practitioner, practitioner2):
    mine, theirs = ask(question="Mine?"), ask(question="Theirs?")
    consult_claim(consult=mine, user=practitioner)
    consult_claim(consult=theirs, user=practitioner2)
    html = login(practitioner).get(reverse("consults:mine")).content.decode()
    assert "Mine?" in html and "Theirs?" not in html


def test_supervisors_see_the_figures(login, supervisor, practitioner):
    _answer(ask(), practitioner)
    html = login(supervisor).get(reverse("consults:figures")).content.decode()
    assert "Median time to answer" in html and "90th percentile" in html
    assert "Not answered within 5 minutes" in html


def test_an_unchanged_queue_answers_204_and_logs_nothing_more(login, practitioner):
    import re

    consult = ask()
    client = login(practitioner)
    html = client.get(reverse("consults:queue")).content.decode()
    version = re.search(r"\?v=([0-9a-f]+)", html).group(1)
    shown = ProcessingLog.objects.filter(user=practitioner, object_type="consult").count()
    assert shown == 1
    same = client.get(reverse("consults:queue"), {"v": version}, **HTMX)
    assert same.status_code == 204
    consult_claim(consult=consult, user=practitioner)
    changed = client.get(reverse("consults:queue"), {"v": version}, **HTMX)
    assert changed.status_code == 200 and f"Being answered by {practitioner.username}" in (
        changed.content.decode()
    )
    assert ProcessingLog.objects.filter(user=practitioner, object_type="consult").count() == 2
