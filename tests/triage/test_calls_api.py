import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import POLICE_OVERRIDE, THRIVE, facts
from triage.models import Call

pytestmark = pytest.mark.django_db

SUGGESTION_KEYS = {
    "rule_id",
    "agency",
    "police_attend",
    "rationale",
    "flags",
    "checks",
    "caller_advice",
    "ruleset_version",
}


def _post_call(client, **changes):
    body = {
        "channel": "999",
        "address": "14 Station Road, March PE15 8NH",
        "narrative": "",
        "facts": facts(),
    } | changes
    return client.post("/api/calls/", body, content_type="application/json")


def test_evaluate_returns_the_suggestion_and_stores_nothing(login, handler):
    response = login(handler).post(
        "/api/triage/evaluate/",
        {"facts": facts(crime="in_progress")},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == SUGGESTION_KEYS
    assert (body["rule_id"], body["agency"], body["police_attend"]) == (
        "GEN-CRIME-VIOLENCE",
        "POLICE",
        True,
    )
    assert Call.objects.count() == 0


@pytest.mark.parametrize("role", ["handler", "triage_staff", "supervisor"])
def test_every_role_may_evaluate(login, request, role):
    client = login(request.getfixturevalue(role))
    response = client.post(
        "/api/triage/evaluate/", {"facts": facts()}, content_type="application/json"
    )
    assert response.status_code == 200


def test_anonymous_users_cannot_evaluate(client):
    response = client.post(
        "/api/triage/evaluate/", {"facts": facts()}, content_type="application/json"
    )
    assert response.status_code in (401, 403)


def test_a_user_without_a_role_cannot_evaluate(login, no_role_user):
    response = login(no_role_user).post(
        "/api/triage/evaluate/", {"facts": facts()}, content_type="application/json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("bad_facts", "field"),
    [
        ({**facts(), "colour": "red"}, "colour"),
        ({k: v for k, v in facts().items() if k != "crime"}, "crime"),
        (facts(concern_type="burglary"), "concern_type"),
        (facts(violence_or_weapon="yes"), "violence_or_weapon"),
        (facts(concern_type="s136_handover"), "patient_status"),
    ],
)
def test_evaluate_rejects_bad_facts_with_a_message_per_field(login, handler, bad_facts, field):
    response = login(handler).post(
        "/api/triage/evaluate/", {"facts": bad_facts}, content_type="application/json"
    )
    assert response.status_code == 400
    errors = response.json()["facts"]
    assert field in errors
    assert errors[field]


def test_evaluate_rejects_a_body_without_facts(login, handler):
    response = login(handler).post(
        "/api/triage/evaluate/", {"fact": {}}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "facts" in response.json()


def test_post_call_returns_the_contract_shape(login, handler):
    response = _post_call(login(handler))
    assert response.status_code == 201
    body = response.json()
    assert {"id", "received_at", "dwelling", "suggestion"} <= set(body)
    assert {"key", "calls_30d", "open_referral", "response_plan"} <= set(body["dwelling"])
    assert body["dwelling"]["calls_30d"] == 1
    assert set(body["suggestion"]) == SUGGESTION_KEYS


def test_the_third_call_reports_the_open_referral(login, handler):
    client = login(handler)
    _post_call(client)
    _post_call(client, address="14 station rd march pe158nh")
    body = _post_call(client, address="the address is 14 Station Road, March").json()
    assert body["dwelling"]["calls_30d"] == 3
    assert body["dwelling"]["open_referral"]["status"] == "new"
    assert "FLAG-FARMINGTON" in body["suggestion"]["flags"]


def test_post_call_with_the_same_client_token_saves_one_call(login, handler):
    client = login(handler)
    token = str(uuid.uuid4())
    first = _post_call(client, client_token=token)
    second = _post_call(client, client_token=token)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Call.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": 999}, "channel"),
        ({"address": "x" * 600}, "address"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"received_at": (timezone.now() + timedelta(hours=1)).isoformat()}, "received_at"),
        ({"received_at": "2026-01-01T10:00:00"}, "received_at"),
        ({"facts": facts(concern_type="awol")}, "facts"),
        ({"surprise": True}, "surprise"),
        ({"address": 12}, "address"),
        ({"narrative": ["a", "list"]}, "narrative"),
    ],
)
def test_post_call_rejects_bad_input_with_400_and_saves_nothing(login, handler, changes, field):
    response = _post_call(login(handler), **changes)
    assert response.status_code == 400
    assert field in response.json()
    assert Call.objects.count() == 0


def test_the_dwelling_summary_in_the_answer_is_logged_as_consulted(login, handler):
    from core.models import ProcessingLog

    client = login(handler)
    token = "8a0f2d1e-8f36-4ad4-9d35-4a0f8d3c2b11"
    assert _post_call(client, client_token=token).status_code == 201
    dwelling_id = str(Call.objects.get().dwelling_id)
    reads = ProcessingLog.objects.filter(operation="consultation", object_type="dwelling")
    assert list(reads.values_list("user", "object_id", "justification")) == [
        (handler.pk, dwelling_id, "live call intake")
    ]
    assert _post_call(client, client_token=token).status_code == 200  # answered again
    assert reads.count() == 2


@pytest.mark.parametrize("role", ["triage_staff", "supervisor"])
def test_only_handlers_take_calls(login, request, role):
    response = _post_call(login(request.getfixturevalue(role)))
    assert response.status_code == 403


def test_the_decision_endpoint_records_an_override(login, handler):
    client = login(handler)
    call_id = _post_call(client, facts=facts(vulnerability_flags=["mental_distress"])).json()["id"]
    response = client.post(
        f"/api/calls/{call_id}/decision/",
        {**POLICE_OVERRIDE, "override_note": "Weapon mentioned."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    detail = client.get(f"/api/calls/{call_id}/").json()
    assert detail["overridden"] is True
    assert detail["decision"]["override_reason"] == "risk_higher"


def test_the_decision_endpoint_requires_caller_told_when_police_do_not_attend(login, handler):
    client = login(handler)
    call_id = _post_call(client, facts=facts(vulnerability_flags=["mental_distress"])).json()["id"]
    response = client.post(
        f"/api/calls/{call_id}/decision/",
        {"accept": True, "grade": 4, "thrive": THRIVE},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "caller_told" in response.json()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"accept": "yes"}, "accept"),
        ({"accept": 1}, "accept"),
        ({"caller_told": "true"}, "caller_told"),
        ({"grade": "2"}, "grade"),
        ({"grade": 2.0}, "grade"),
        ({"thrive": {**THRIVE, "threat": 5}}, "thrive"),
        ({"check_confirmations": {"CHECK-SUICIDE-MEANS": 1}}, "check_confirmations"),
    ],
)
def test_a_decision_of_the_wrong_json_type_is_refused_not_coerced(login, handler, changes, field):
    client = login(handler)
    # A call that raises CHECK-SUICIDE-MEANS, so that a confirmation of it is otherwise good.
    raised = facts(vulnerability_flags=["stated_suicidal_intent", "means_available"])
    call_id = _post_call(client, facts=raised).json()["id"]
    assert "CHECK-SUICIDE-MEANS" in Call.objects.get().suggestion["checks"]
    body = {"accept": True, "grade": 2, "thrive": THRIVE, "caller_told": True, **changes}
    response = client.post(f"/api/calls/{call_id}/decision/", body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Call.objects.get().decisions.exists()


def test_supervisors_cannot_record_decisions(login, handler, supervisor):
    call_id = _post_call(login(handler)).json()["id"]
    response = login(supervisor).post(
        f"/api/calls/{call_id}/decision/",
        {"accept": True, "grade": 4, "thrive": THRIVE},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_call_list_filters_by_channel_rule_and_overridden(login, handler, supervisor):
    client = login(handler)
    _post_call(client, channel="101")
    _post_call(client, facts=facts(crime="in_progress"))
    client = login(supervisor)
    assert client.get("/api/calls/?channel=101").json()["count"] == 1
    assert client.get("/api/calls/?rule=GEN-CRIME-VIOLENCE").json()["count"] == 1
    assert client.get("/api/calls/?overridden=true").json()["count"] == 0
    assert client.get("/api/calls/?agency=POLICE").json()["count"] == 1


def test_triage_staff_cannot_list_calls(login, triage_staff):
    assert login(triage_staff).get("/api/calls/").status_code == 403


def test_a_handler_lists_only_their_own_calls(login, handler):
    from tests.factories import UserFactory

    other = UserFactory(role="call_handler")
    _post_call(login(other))
    assert login(handler).get("/api/calls/").json()["count"] == 0


def test_the_openapi_schema_is_served_and_valid(login, handler):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    response = login(handler).get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert "/api/triage/evaluate/" in schema["paths"]
    assert "/api/calls/{id}/decision/" in schema["paths"]


def test_post_call_reports_each_fact_error_with_its_message(login, handler):
    response = _post_call(login(handler), facts=facts(concern_type="awol"))
    assert response.status_code == 400
    assert response.json()["facts"] == {
        "patient_status": ["AWOL requires patient_status detained_mha or detained_mha_restricted."]
    }


def test_a_client_token_of_another_handlers_call_is_refused_not_replayed(login, handler):
    from tests.factories import UserFactory

    token = str(uuid.uuid4())
    assert _post_call(login(handler), client_token=token).status_code == 201
    other = login(UserFactory(role="call_handler"))
    response = _post_call(other, client_token=token, address="3 Mill Lane, Ely")
    assert response.status_code == 400
    assert "client_token" in response.json()
    assert "14 Station" not in response.content.decode()
    assert Call.objects.count() == 1


@pytest.mark.parametrize(
    "received_at",
    [
        "2026-11-20T10:00:00+99:00",
        "2026-11-20T10:00:00+24:00",
        "2026-11-20T10:00:00-24:00",
        "2026-11-20T25:00:00Z",
        "2026-02-30T10:00:00Z",
    ],
)
def test_a_call_time_that_is_well_formed_but_out_of_range_is_refused_with_400(
    login, handler, received_at
):
    response = _post_call(login(handler), received_at=received_at)
    assert response.status_code == 400
    assert response.json()["received_at"] == [
        "Datetime has wrong format. Use one of these formats instead: "
        "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
    ]
    assert Call.objects.count() == 0


def test_a_call_from_before_2000_is_refused(login, handler):
    response = _post_call(login(handler), received_at="1800-01-01T00:00:00Z")
    assert response.status_code == 400
    assert response.json()["received_at"] == ["Must be on or after 2000-01-01."]


@pytest.mark.parametrize(
    "query", ["overridden=bogus", "agency=FIRE_SERVICE", "final_agency=x", "concern_type=x"]
)
def test_call_list_filters_refuse_unknown_values(login, supervisor, query):
    response = login(supervisor).get(f"/api/calls/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


@pytest.mark.parametrize(
    "when", ["2026-11-20T10:00:00+99:00", "2026-11-20T25:00:00Z", "9999-12-31T23:00:00-05:00"]
)
def test_call_list_time_filters_refuse_an_out_of_range_time_with_400(login, supervisor, when):
    response = login(supervisor).get("/api/calls/", {"received_after": when})
    assert response.status_code == 400
    assert "received_after" in response.json()


def test_call_list_filters_by_overridden(login, supervisor):
    from tests.factories import take_call

    take_call()
    client = login(supervisor)
    assert client.get("/api/calls/?overridden=false").json()["count"] == 1
    assert client.get("/api/calls/?overridden=true").json()["count"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "received_after=0001-01-01T00%3A00%3A00%2B23%3A46",
        "received_after=0008-04-21T20%3A15%3A00%2B23%3A46",
        "received_before=9999-12-31T23%3A59%3A59-23%3A59",
    ],
)
def test_extreme_date_filters_are_answered_never_a_500(login, supervisor, query):
    response = login(supervisor).get(f"/api/calls/?{query}")
    assert response.status_code in (200, 400)


def test_the_call_list_reads_dwelling_summaries_without_a_query_per_call(
    login, supervisor, django_assert_max_num_queries
):
    from tests.factories import take_call

    for n in range(8):
        for _ in range(3):  # a referral at every dwelling
            take_call(address=f"{n + 1} Mill Lane, Ely CB7 4AA")
    client = login(supervisor)
    with django_assert_max_num_queries(13):  # 12, and one for the page's consults
        body = client.get("/api/calls/").json()
    assert body["count"] == 24
    assert all(row["dwelling"]["open_referral"] for row in body["results"])


def test_the_decision_endpoint_asks_only_that_the_caller_was_told_as_its_contract_says(
    login, handler
):
    """Issue 3's API: ``caller_told`` is required when police will not attend; what they
    were told is the handler's screen's requirement, not the integrations'."""
    client = login(handler)
    call_id = _post_call(client, facts=facts(vulnerability_flags=["mental_distress"])).json()["id"]
    body = {"accept": True, "grade": 4, "thrive": THRIVE}
    url = f"/api/calls/{call_id}/decision/"
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 400 and set(refused.json()) == {"caller_told"}
    taken = client.post(url, {**body, "caller_told": True}, content_type="application/json")
    assert taken.status_code == 201


def test_the_decision_endpoint_requires_a_note_for_every_override(login, handler):
    client = login(handler)
    call_id = _post_call(client, facts=facts(vulnerability_flags=["mental_distress"])).json()["id"]
    response = client.post(
        f"/api/calls/{call_id}/decision/",
        POLICE_OVERRIDE,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["override_note"] == ["Explain the override."]
