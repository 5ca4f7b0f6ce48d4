import pytest

from consults.models import Consult
from core.models import ProcessingLog
from tests.consults.helpers import ask
from tests.factories import take_call

pytestmark = pytest.mark.django_db

ANSWER = {
    "known_to_services": "yes",
    "service": "Crisis team",
    "advice": "Known to the crisis team; they will ring her within the hour.",
    "recommended_agency": "MENTAL_HEALTH_CRISIS",
}


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_the_handler_who_took_the_call_asks(login, handler):
    call = take_call(handler=handler)
    response = _post(login(handler), f"/api/calls/{call.pk}/consults/", {"question": "Known?"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "waiting" and body["question"] == "Known?"
    assert {"id", "asked_at"} <= set(body)


def test_another_handler_cannot_ask_about_a_call(login, handler):
    from tests.factories import UserFactory

    call = take_call(handler=UserFactory(role="call_handler"))
    response = _post(login(handler), f"/api/calls/{call.pk}/consults/", {"question": "Known?"})
    assert response.status_code == 404


@pytest.mark.parametrize("question", ["", "x" * 1001, 5])
def test_a_bad_question_is_refused_per_field(login, handler, question):
    call = take_call(handler=handler)
    response = _post(login(handler), f"/api/calls/{call.pk}/consults/", {"question": question})
    assert response.status_code == 400
    assert "question" in response.json()


def test_the_queue_is_oldest_first_and_filters_by_status(login, practitioner):
    first, second = ask(), ask()
    client = login(practitioner)
    body = client.get("/api/consults/?status=waiting").json()
    assert [c["id"] for c in body["results"]] == [first.pk, second.pk]
    _post(client, f"/api/consults/{first.pk}/claim/")
    body = client.get("/api/consults/?status=claimed").json()
    assert [c["id"] for c in body["results"]] == [first.pk]
    assert client.get("/api/consults/?status=lost").status_code == 400


def test_a_practitioner_claims_and_another_gets_409(login, practitioner, practitioner2, client):
    consult = ask()
    response = _post(login(practitioner), f"/api/consults/{consult.pk}/claim/")
    assert response.status_code == 200 and response.json()["status"] == "claimed"
    client.logout()
    response = _post(login(practitioner2), f"/api/consults/{consult.pk}/claim/")
    assert response.status_code == 409
    response = _post(login(practitioner2), f"/api/consults/{consult.pk}/answer/", ANSWER)
    assert response.status_code == 409


def test_a_practitioner_answers_without_claiming_first(login, practitioner):
    consult = ask()
    response = _post(login(practitioner), f"/api/consults/{consult.pk}/answer/", ANSWER)
    assert response.status_code == 200
    assert response.json()["status"] == "answered"
    consult.refresh_from_db()
    assert consult.claimed_by == practitioner


def test_a_bad_answer_is_refused_per_field(login, practitioner):
    consult = ask()
    bad = {"known_to_services": "maybe", "advice": "", "recommended_agency": "WIZARD"}
    response = _post(login(practitioner), f"/api/consults/{consult.pk}/answer/", bad)
    assert response.status_code == 400
    assert {"known_to_services", "advice", "recommended_agency"} <= set(response.json())
    assert Consult.objects.get().status == "waiting"


def test_handlers_may_not_claim_or_answer(login, handler):
    consult = ask(call=take_call(handler=handler))
    client = login(handler)
    assert _post(client, f"/api/consults/{consult.pk}/claim/").status_code == 403
    assert _post(client, f"/api/consults/{consult.pk}/answer/", ANSWER).status_code == 403


def test_the_call_json_carries_its_consults(login, handler, practitioner):
    call = take_call(handler=handler)
    consult = ask(call=call)
    _post(login(practitioner), f"/api/consults/{consult.pk}/answer/", ANSWER)
    body = login(handler).get(f"/api/calls/{call.pk}/").json()
    assert body["consults"] == [
        {
            "id": consult.pk,
            "status": "answered",
            "question": consult.question,
            "advice": ANSWER["advice"],
            "known_to_services": "yes",
            "service": "Crisis team",
            "recommended_agency": "MENTAL_HEALTH_CRISIS",
            "asked_at": body["consults"][0]["asked_at"],
            "answered_at": body["consults"][0]["answered_at"],
        }
    ]
    assert body["consults"][0]["answered_at"] is not None


def test_a_call_list_shows_consults_without_a_query_per_call(
    login, handler, django_assert_max_num_queries
):
    for _ in range(3):
        ask(call=take_call(handler=handler))
    client = login(handler)
    client.get("/api/calls/")  # warm caches (the policy, the rule set)
    with django_assert_max_num_queries(14):
        body = client.get("/api/calls/").json()
    assert all(len(c["consults"]) == 1 for c in body["results"])


def test_a_practitioner_reads_a_call_under_consult_logged_as_a_live_consult(login, practitioner):
    consult = ask()
    response = login(practitioner).get(f"/api/calls/{consult.call_id}/")
    assert response.status_code == 200
    logged = ProcessingLog.objects.filter(user=practitioner, object_type="call")
    assert list(logged.values_list("justification", flat=True)) == ["live consult"]


def test_a_practitioner_may_not_read_other_calls_lists_referrals_or_the_dashboard(
    login, practitioner
):
    call = take_call()
    client = login(practitioner)
    assert client.get(f"/api/calls/{call.pk}/").status_code == 403
    assert client.get("/api/calls/").status_code == 403
    assert client.get("/api/referrals/").status_code == 403
    assert client.get("/dashboard/").status_code == 403
    assert client.get(f"/calls/{call.pk}/").status_code == 403


def test_an_api_decision_against_the_recommendation_must_say_why(login, handler, practitioner):
    from tests.factories import THRIVE

    call = take_call(handler=handler)
    consult = ask(call=call)
    _post(login(practitioner), f"/api/consults/{consult.pk}/answer/", ANSWER)
    client = login(handler)
    body = {"accept": True, "grade": 3, "thrive": THRIVE, "caller_told": True}
    url = f"/api/calls/{call.pk}/decision/"
    refused = _post(client, url, body)
    assert refused.status_code == 400 and "override_note" in refused.json()
    saved = _post(client, url, body | {"override_note": "Caller says he is calmer."})
    assert saved.status_code == 201
    assert saved.json()["override_note"].startswith(
        "Differs from the mental-health team's recommendation"
    )


def test_a_practitioner_may_not_read_a_call_another_practitioner_answered(
    login, practitioner, practitioner2
):
    from consults.services import consult_answer

    consult = ask()
    consult_answer(
        consult=consult, user=practitioner, known_to_services="no", advice="Send the crisis team."
    )
    other = login(practitioner2)
    assert other.get(f"/api/calls/{consult.call_id}/").status_code == 403
    assert other.get(f"/consults/{consult.pk}/").status_code == 404
    own = login(practitioner)
    assert own.get(f"/api/calls/{consult.call_id}/").status_code == 200
    assert own.get(f"/consults/{consult.pk}/").status_code == 200
