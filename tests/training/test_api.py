"""The training API: scenarios without answers, attempts marked by the live engine, and
results scoped to the user (a supervisor sees everyone's)."""

import pytest

from tests.factories import UserFactory
from training.models import Attempt, Scenario

pytestmark = pytest.mark.django_db

SCENARIOS = "/api/training/scenarios/"
RESULTS = "/api/training/results/"


def _attempts_url(scenario):
    return f"/api/training/scenarios/{scenario.pk}/attempts/"


def _bench():
    return Scenario.objects.get(title="Man sitting on a bench all afternoon")  # CFW-ADVICE


def _knife():
    return Scenario.objects.get(title="Neighbour in the street with a knife")  # police


def test_scenarios_list_gives_narrative_and_facts_but_no_expected_answer(login, handler):
    body = login(handler).get(SCENARIOS).json()
    assert len(body) == Scenario.objects.count()
    assert set(body[0]) == {"id", "title", "narrative", "facts"}
    assert "repeat_calls_30d" not in body[0]["facts"]


@pytest.mark.parametrize("role", ["auditor", None])
def test_scenarios_are_refused_to_the_auditor_and_to_an_account_without_a_role(login, role):
    assert login(UserFactory(role=role)).get(SCENARIOS).status_code == 403


def test_triage_staff_and_supervisors_may_practise_through_the_api(login, triage_staff):
    response = login(triage_staff).post(
        _attempts_url(_bench()),
        {"agency": "ADVISE_CALLER", "police_attend": False},
        "application/json",
    )
    assert response.status_code == 201


def test_a_right_answer_is_marked_correct_with_the_expected_rule(login, handler):
    response = login(handler).post(
        _attempts_url(_bench()),
        {"agency": "ADVISE_CALLER", "police_attend": False},
        "application/json",
    )
    assert response.status_code == 201
    assert response.json() == {
        "correct": True,
        "expected": {
            "agency": "ADVISE_CALLER",
            "police_attend": False,
            "rule_id": "CFW-ADVICE",
            "rationale": "Threshold not met: explain, and ask them to call back if things change.",
        },
    }
    attempt = Attempt.objects.get()
    assert (attempt.user, attempt.expected_rule_id, attempt.ruleset_version) == (
        handler,
        "CFW-ADVICE",
        "2026.1",
    )


def test_the_right_agency_without_police_attendance_right_is_not_correct(login, handler):
    response = login(handler).post(
        _attempts_url(_knife()), {"agency": "POLICE", "police_attend": False}, "application/json"
    )
    assert response.json()["correct"] is False
    assert response.json()["expected"]["police_attend"] is True


@pytest.mark.parametrize(
    "body, field",
    [
        ({"agency": "FIRE", "police_attend": True}, "agency"),
        ({"agency": "police", "police_attend": True}, "agency"),
        ({"agency": 1, "police_attend": True}, "agency"),
        ({"agency": "POLICE", "police_attend": "yes"}, "police_attend"),
        ({"agency": "POLICE", "police_attend": 1}, "police_attend"),
        ({"agency": "POLICE"}, "police_attend"),
        ({"police_attend": True}, "agency"),
        ({"agency": "POLICE", "police_attend": True, "grade": 1}, "grade"),
    ],
)
def test_bad_input_is_refused_per_field_and_records_nothing(login, handler, body, field):
    response = login(handler).post(_attempts_url(_bench()), body, "application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Attempt.objects.exists()


def test_an_attempt_at_an_unknown_scenario_is_not_found(login, handler):
    response = login(handler).post(
        "/api/training/scenarios/999999/attempts/",
        {"agency": "POLICE", "police_attend": True},
        "application/json",
    )
    assert response.status_code == 404


def test_attempts_are_refused_to_the_auditor(login):
    response = login(UserFactory(role="auditor")).post(
        _attempts_url(_bench()), {"agency": "POLICE", "police_attend": True}, "application/json"
    )
    assert response.status_code == 403


def _answer(client, scenario, agency, attend):
    client.post(
        _attempts_url(scenario), {"agency": agency, "police_attend": attend}, "application/json"
    )


def test_results_give_a_handler_only_their_own(client, login, handler):
    other = UserFactory(role="call_handler")
    _answer(login(other), _bench(), "POLICE", True)
    _answer(login(handler), _bench(), "ADVISE_CALLER", False)
    _answer(client, _knife(), "POLICE", False)
    body = login(handler).get(RESULTS).json()
    assert body["users"] == [{"user": handler.username, "attempts": 2, "correct": 1}]
    rules = {row["rule_id"]: row for row in body["rules"]}
    assert rules == {
        "CFW-ADVICE": {"rule_id": "CFW-ADVICE", "attempts": 1, "correct": 1},
        "GEN-CRIME-VIOLENCE": {"rule_id": "GEN-CRIME-VIOLENCE", "attempts": 1, "correct": 0},
    }
    assert sum(week["attempts"] for week in body["weeks"]) == 2


def test_results_give_a_supervisor_everyone(login, handler, supervisor):
    _answer(login(handler), _bench(), "ADVISE_CALLER", False)
    _answer(login(supervisor), _bench(), "POLICE", True)
    body = login(supervisor).get(RESULTS).json()
    assert {row["user"]: row["correct"] for row in body["users"]} == {
        handler.username: 1,
        supervisor.username: 0,
    }
    assert body["rules"] == [{"rule_id": "CFW-ADVICE", "attempts": 2, "correct": 1}]


def test_results_are_refused_to_the_auditor(login):
    assert login(UserFactory(role="auditor")).get(RESULTS).status_code == 403


def test_a_scenario_written_before_a_fact_existed_still_takes_attempts(login, handler):
    scenario = _bench()
    facts = dict(scenario.facts)
    facts.pop("rave_risk")  # as if the engine had gained it since
    facts["retired_question"] = "no longer asked"  # and dropped this one
    Scenario.objects.filter(pk=scenario.pk).update(facts=facts)
    response = login(handler).post(
        _attempts_url(scenario), {"agency": "POLICE", "police_attend": True}, "application/json"
    )
    assert response.status_code == 201


def test_a_scenario_whose_answers_no_longer_fit_is_refused_not_a_server_error(login, handler):
    scenario = _bench()
    Scenario.objects.filter(pk=scenario.pk).update(facts={**scenario.facts, "crime": "not_a_value"})
    response = login(handler).post(
        _attempts_url(scenario), {"agency": "POLICE", "police_attend": True}, "application/json"
    )
    assert response.status_code == 400
    assert "a supervisor must update it" in str(response.json())
