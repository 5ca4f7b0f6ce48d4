"""Practice sessions on the pages: the New call questions in training mode, feedback in
words, and nothing written outside training."""

import pytest
from django.urls import reverse

from callers.models import Dwelling
from core.models import ProcessingLog
from dashboards import models as stats
from referrals.models import Referral
from tests.factories import take_call
from training.models import Attempt, Scenario
from triage import engine
from triage.models import Call

pytestmark = pytest.mark.django_db

NEUTRAL = engine.FACTS_BY_NAME


def _post_data(facts: dict, agency: str, attend: bool) -> dict:
    """The practice form's POST for answers given as facts."""
    data = {"agency": agency, "police_attend": "yes" if attend else "no"}
    for name, value in facts.items():
        spec = NEUTRAL[name]
        if spec.kind == "bool" and spec.nullable:
            data[f"fact_{name}"] = {True: "yes", False: "no"}.get(value, "")
        elif spec.kind == "bool":
            if value:
                data[f"fact_{name}"] = "on"
        elif spec.kind == "flags":
            data[f"fact_{name}"] = list(value)
        else:
            data[f"fact_{name}"] = "" if value is None else str(value)
    return data


def _start(client, size=5):
    return client.post(reverse("training:practice-start"), {"size": size})


def _current_scenario(client) -> Scenario:
    return client.get(reverse("training:practice")).context["scenario"]


def _counts():
    tables = (
        Call,
        Dwelling,
        Referral,
        ProcessingLog,
        stats.DailyCallStat,
        stats.HourlyCallStat,
        stats.HandlerDailyStat,
        stats.DwellingDailyStat,
        stats.RepeatDayStat,
        stats.RepeatStatMark,
    )
    return {table.__name__: table.objects.count() for table in tables}


def test_a_whole_session_and_api_attempts_write_nothing_but_attempts(login, handler):
    take_call(handler=handler)  # the tables are not empty to begin with
    before = _counts()
    client = login(handler)
    assert _start(client).status_code == 302
    for _ in range(5):
        scenario = _current_scenario(client)
        response = client.post(
            reverse("training:practice"), _post_data(scenario.facts, "POLICE", True)
        )
        assert response.status_code == 302, response.context["form"].errors
        client.get(response.url)  # the feedback page
    done = client.get(reverse("training:practice"))
    assert done.templates[0].name == "training/practice_done.html"
    for scenario in Scenario.objects.all()[:3]:
        client.post(
            f"/api/training/scenarios/{scenario.pk}/attempts/",
            {"agency": "NHS_111", "police_attend": False},
            "application/json",
        )
    client.get(reverse("training:results"))
    client.get("/api/training/results/")
    assert Attempt.objects.filter(user=handler).count() == 8
    assert _counts() == before


def test_the_practice_screen_is_marked_as_training_and_asks_the_new_call_questions(login, handler):
    client = login(handler)
    _start(client)
    page = client.get(reverse("training:practice")).content.decode()
    assert "training-banner" in page and "Training mode" in page
    assert "training.css" in page
    for spec in engine.FACT_FIELDS:
        if spec.name != "repeat_calls_30d":
            assert f'name="fact_{spec.name}"' in page
    assert 'name="address"' not in page and 'name="grade"' not in page


def test_the_session_has_the_chosen_number_of_scenarios(login, handler):
    client = login(handler)
    _start(client, size=20)
    assert client.get(reverse("training:practice")).context["total"] == 20


def test_an_unknown_session_size_is_refused_in_words(login, handler):
    response = _start(login(handler), size=7)
    assert response.status_code == 400
    assert "Choose how many scenarios to practise." in response.content.decode()


def _practise_on(client, scenario):
    session = client.session
    session["training_practice"] = {"ids": [scenario.pk], "position": 0, "attempts": []}
    session.save()


def test_feedback_names_the_rule_and_the_answers_that_led_elsewhere(login, handler):
    client = login(handler)
    scenario = Scenario.objects.get(title="Man sitting on a bench all afternoon")
    _practise_on(client, scenario)
    answers = dict(scenario.facts, crime="in_progress", capacity="lacks_capacity")
    response = client.post(reverse("training:practice"), _post_data(answers, "GP", False))
    feedback = client.get(response.url)
    attempt = feedback.context["attempt"]
    assert attempt.answers["crime"] == "in_progress"
    page = feedback.content.decode()
    rule = feedback.context["rule"]
    assert rule.id == attempt.expected_rule_id and rule.title in page and rule.rationale in page
    led = {row.question: row.led_elsewhere for row in feedback.context["differences"]}
    assert led == {"Crime": True, "Capacity": False}
    assert "Has capacity" in page and "Lacks capacity" in page
    assert "A crime happening now or just happened" in page  # the answer in words
    assert "in_progress" not in page
    # What the engine says on the trainee's own answers: a crime now means police.
    assert feedback.context["yours"].rule_id == "GEN-CRIME-VIOLENCE"


def test_answers_the_engine_refuses_are_said_on_the_question_and_record_nothing(login, handler):
    client = login(handler)
    _start(client)
    scenario = _current_scenario(client)
    answers = dict(scenario.facts, concern_type="awol", patient_status="none")
    answers.update(minutes_since_arrival=None, handover_accepted=None)
    response = client.post(reverse("training:practice"), _post_data(answers, "POLICE", True))
    assert response.status_code == 400
    assert "absent without leave is detained" in response.content.decode()
    assert not Attempt.objects.exists()


def test_a_missing_decision_is_asked_for_in_words(login, handler):
    client = login(handler)
    _start(client)
    scenario = _current_scenario(client)
    data = _post_data(scenario.facts, "POLICE", True)
    del data["agency"], data["police_attend"]
    response = client.post(reverse("training:practice"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose the agency that should help." in page
    assert "Say whether police attend." in page


def test_a_trainee_cannot_read_someone_elses_feedback(login, handler):
    other = login(handler)
    _start(other)
    scenario = _current_scenario(other)
    response = other.post(reverse("training:practice"), _post_data(scenario.facts, "GP", False))
    from tests.factories import UserFactory

    stranger = UserFactory(role="call_handler")
    assert login(stranger).get(response.url).status_code == 404


def test_results_page_shows_a_supervisor_everyone_per_rule_in_words(login, handler, supervisor):
    scenario = Scenario.objects.get(title="Neighbour in the street with a knife")
    login(handler).post(
        f"/api/training/scenarios/{scenario.pk}/attempts/",
        {"agency": "MENTAL_HEALTH_CRISIS", "police_attend": False},
        "application/json",
    )
    page = login(supervisor).get(reverse("training:results")).content.decode()
    assert handler.username in page
    assert "A crime happening now, or violence" in page
    assert "Mental-health crisis team" in page


def test_a_handler_sees_only_their_own_results(login, handler):
    other_user = handler.__class__.objects.create(username="someone-else")
    scenario = Scenario.objects.first()
    Attempt.objects.create(
        user=other_user,
        scenario=scenario,
        agency="GP",
        police_attend=False,
        correct=False,
        expected_rule_id="CFW-ADVICE",
        expected_agency="ADVISE_CALLER",
        expected_police_attend=False,
        ruleset_version="2026.1",
    )
    response = login(handler).get(reverse("training:results"))
    assert response.context["by_user"] is None
    assert "someone-else" not in response.content.decode()
    assert list(response.context["recent"]) == []


def test_the_scenario_list_and_results_read_in_a_few_queries(
    login, supervisor, django_assert_max_num_queries
):
    client = login(supervisor)
    for scenario in Scenario.objects.all()[:10]:
        client.post(
            f"/api/training/scenarios/{scenario.pk}/attempts/",
            {"agency": "POLICE", "police_attend": True},
            "application/json",
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("training:scenario-list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("training:results")).status_code == 200


def test_an_answer_that_changes_nothing_is_not_said_to_have_led_elsewhere():
    from training.selectors import answer_differences
    from triage.selectors import ruleset_current

    scenario = Scenario.objects.get(title="Neighbour in the street with a knife")
    answers = dict(scenario.facts, capacity="has_capacity", crime="none")
    rows = {
        r.question: r for r in answer_differences(scenario.facts, answers, ruleset_current()[1])
    }
    # The weapon alone still sends police: putting the crime right changes nothing.
    assert rows["Crime"].led_elsewhere is False
    assert rows["Capacity"].led_elsewhere is False
    answers = dict(answers, violence_or_weapon=False)
    rows = {
        r.question: r for r in answer_differences(scenario.facts, answers, ruleset_current()[1])
    }
    assert rows["Violence, threats to others or a weapon"].led_elsewhere is True
