import pytest

from consults.models import Consult
from consults.services import (
    ConsultTaken,
    call_take_and_ask,
    consult_answer,
    consult_ask,
    consult_claim,
    consult_decide,
)
from core.errors import DomainError
from tests.consults.helpers import ask
from tests.factories import facts, take_call

pytestmark = pytest.mark.django_db

THRIVE = {
    e: "Low" for e in ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")
}


def _answer(consult, user, **changes):
    kwargs = {
        "known_to_services": "yes",
        "service": "Crisis team",
        "advice": "Known to the crisis team; they will call the person back within the hour.",
        "recommended_agency": None,
        "risk_notes": "",
    } | changes
    return consult_answer(consult=consult, user=user, **kwargs)


def test_a_question_waits_for_a_practitioner(handler):
    consult = ask(call=take_call(handler=handler), question="  Known to services?  ")
    assert consult.status == "waiting"
    assert consult.question == "Known to services?"
    assert consult.asked_by == handler


@pytest.mark.parametrize("question", ["", "   ", "x" * 1001])
def test_a_question_must_be_written_and_short(handler, question):
    with pytest.raises(DomainError) as exc:
        consult_ask(call=take_call(handler=handler), user=handler, question=question)
    assert "question" in exc.value.as_dict()


def test_a_call_has_one_open_question_at_a_time(handler):
    call = take_call(handler=handler)
    ask(call=call)
    with pytest.raises(DomainError):
        ask(call=call)
    assert Consult.objects.filter(call=call).count() == 1


def test_claiming_holds_the_consult_for_one_practitioner(practitioner, practitioner2):
    consult = ask()
    consult_claim(consult=consult, user=practitioner)
    with pytest.raises(ConsultTaken):
        consult_claim(consult=consult, user=practitioner2)
    with pytest.raises(ConsultTaken):
        _answer(consult, practitioner2)
    consult.refresh_from_db()
    assert (consult.status, consult.claimed_by) == ("claimed", practitioner)


def test_claiming_again_is_harmless(practitioner):
    consult = ask()
    first = consult_claim(consult=consult, user=practitioner)
    again = consult_claim(consult=consult, user=practitioner)
    assert again.claimed_at == first.claimed_at


def test_answering_claims_an_unclaimed_consult(practitioner):
    consult = _answer(ask(), practitioner, recommended_agency="MENTAL_HEALTH_CRISIS")
    assert consult.status == "answered"
    assert consult.claimed_by == practitioner
    assert consult.answered_at is not None
    assert consult.recommended_agency == "MENTAL_HEALTH_CRISIS"


def test_an_answered_consult_is_not_answered_twice(practitioner):
    consult = _answer(ask(), practitioner)
    with pytest.raises(ConsultTaken):
        _answer(consult, practitioner)


def test_an_answer_needs_advice_known_to_services_and_a_real_agency(practitioner):
    with pytest.raises(DomainError) as exc:
        _answer(ask(), practitioner, advice=" ", known_to_services="maybe", recommended_agency="X")
    assert set(exc.value.as_dict()) == {"advice", "known_to_services", "recommended_agency"}
    assert Consult.objects.get().status == "waiting"


def _decision(**changes):
    return {
        "accept": True,
        "grade": 3,
        "thrive": THRIVE,
        "caller_told": True,
        "caller_told_text": "Told who will help, and to call back if things change.",
    } | changes


def test_a_decision_against_the_recommendation_needs_a_note_that_says_so(handler, practitioner):
    call = take_call(handler=handler)
    _answer(ask(call=call), practitioner, recommended_agency="AMBULANCE")
    assert call.suggested_agency != "AMBULANCE"
    with pytest.raises(DomainError) as exc:
        consult_decide(call=call, user=handler, check_confirmations={}, **_decision())
    assert "mental-health team recommended" in exc.value.as_dict()["override_note"][0]
    decision = consult_decide(
        call=call,
        user=handler,
        check_confirmations={},
        **_decision(override_note="The caller says the person has calmed down."),
    )
    assert decision.override_note.startswith("Differs from the mental-health team's recommendation")
    assert "calmed down" in decision.override_note


def test_a_decision_that_follows_the_recommendation_needs_no_note(handler, practitioner):
    call = take_call(handler=handler)
    _answer(ask(call=call), practitioner, recommended_agency=call.suggested_agency)
    decision = consult_decide(call=call, user=handler, check_confirmations={}, **_decision())
    assert decision.override_note == ""


def test_saving_and_asking_saves_the_call_without_a_decision(handler):
    import uuid

    call, consult = call_take_and_ask(
        question="Known to services?",
        handler=handler,
        channel="999",
        address="Flat 2, 10 High St, Ely CB7 4AA",
        narrative="",
        facts=facts(),
        client_token=uuid.uuid4(),
    )
    assert consult.call == call
    assert not call.decisions.exists()
