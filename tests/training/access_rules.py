"""Access rules for the training pages and API (merged by tests/core/test_access.py)."""


def _a_scenario():
    """A scenario: the first shipped one, made again if a flush emptied the table."""
    from training.models import Scenario
    from training.shipped import shipped_scenarios

    scenario = Scenario.objects.first()
    if scenario is None:
        scenario = Scenario.objects.create(**shipped_scenarios()[0])
    return scenario


def _own_attempt(user):
    from tests.factories import UserFactory
    from training.models import Attempt

    user = user or UserFactory(role=None)  # anonymous: someone else's attempt
    scenario = _a_scenario()
    return {
        "pk": Attempt.objects.create(
            user=user,
            scenario=scenario,
            agency="POLICE",
            police_attend=True,
            correct=False,
            expected_rule_id="CFW-ADVICE",
            expected_agency="ADVISE_CALLER",
            expected_police_attend=False,
            ruleset_version="2026.1",
        ).pk
    }


def _scenario(user):
    return {"pk": _a_scenario().pk}


H, T, S = "call_handler", "triage_staff", "supervisor"
TRAINEES = {H, T, S}
ACCESS = {
    "training:home": TRAINEES,
    "training:practice": TRAINEES,
    "training:practice-start": TRAINEES,
    "training:practice-stop": TRAINEES,
    "training:attempt": TRAINEES,
    "training:results": TRAINEES,
    "training:scenario-list": {S},
    "training:scenario-new": {S},
    "training-scenario-list": TRAINEES,
    "training-attempt-create": TRAINEES,
    "training-results": TRAINEES,
}
SAMPLE_KWARGS = {
    "training:attempt": _own_attempt,
    "training-attempt-create": _scenario,
}
