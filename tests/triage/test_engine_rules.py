"""The default RCRP rule set against the specification (shared/rcrp-rules.md).

One table-driven case per rule of the spec, and per branch of each agency choice.
"""

import copy

import pytest

from tests.factories import facts
from triage import engine

RULESET = engine.load_default_ruleset()

S136 = {"concern_type": "s136_handover", "patient_status": "detained_s136"}
AWOL = {"concern_type": "awol", "patient_status": "detained_mha"}
WALKOUT = {"concern_type": "walkout", "patient_status": "informal_patient"}
CONVEY = {"concern_type": "conveyance"}
MEDICAL = {"concern_type": "medical"}
URGENT = {"medical_need": "urgent"}


# The first Operation Farmington policy's threshold: the engine is told whether a call
# completes the window (referrals.farmington counts); here, as that policy would say.
FIRST_THRESHOLD = 3


def suggest(ruleset=RULESET, **changes) -> engine.Suggestion:
    parsed = engine.parse_facts(facts(**changes))
    return engine.evaluate(parsed, ruleset, repeat_due=parsed.repeat_calls_30d >= FIRST_THRESHOLD)


def test_the_farmington_flag_is_raised_only_when_the_call_completes_the_window():
    parsed = engine.parse_facts(facts(repeat_calls_30d=7))
    assert "FLAG-FARMINGTON" not in engine.evaluate(parsed, RULESET).flags
    parsed = engine.parse_facts(facts(repeat_calls_30d=1))
    assert "FLAG-FARMINGTON" in engine.evaluate(parsed, RULESET, repeat_due=True).flags


# (changes, rule_id, agency, police_attend)
RULE_CASES = [
    pytest.param(
        S136 | {"violence_or_weapon": True},
        "S136-VIOLENCE",
        "JOINT_POLICE_HEALTH",
        True,
        id="01-S136-VIOLENCE-violence",
    ),
    pytest.param(
        S136 | {"crime": "in_progress", "handover_accepted": True},
        "S136-VIOLENCE",
        "JOINT_POLICE_HEALTH",
        True,
        id="01-S136-VIOLENCE-crime-in-progress",
    ),
    pytest.param(
        S136 | {"handover_accepted": True, "minutes_since_arrival": 30},
        "S136-HANDED-OVER",
        "HEALTH_SETTING",
        False,
        id="02-S136-HANDED-OVER",
    ),
    pytest.param(
        S136 | {"handover_accepted": False, "minutes_since_arrival": 55},
        "S136-PENDING",
        "JOINT_POLICE_HEALTH",
        True,
        id="03-S136-PENDING",
    ),
    pytest.param(
        S136,
        "S136-PENDING",
        "JOINT_POLICE_HEALTH",
        True,
        id="03-S136-PENDING-handover-unknown",
    ),
    pytest.param(
        CONVEY | {"rave_risk": True},
        "CONV-RAVE",
        "JOINT_POLICE_AMBULANCE",
        True,
        id="04-CONV-RAVE-rave",
    ),
    pytest.param(
        CONVEY | {"violence_or_weapon": True, "patient_status": "detained_mha"},
        "CONV-RAVE",
        "JOINT_POLICE_AMBULANCE",
        True,
        id="04-CONV-RAVE-violence",
    ),
    pytest.param(
        CONVEY | {"patient_status": "detained_mha_restricted"},
        "CONV-AMBULANCE",
        "AMBULANCE",
        False,
        id="05-CONV-AMBULANCE-detained",
    ),
    pytest.param(
        CONVEY | URGENT,
        "CONV-AMBULANCE",
        "AMBULANCE",
        False,
        id="05-CONV-AMBULANCE-urgent",
    ),
    pytest.param(
        CONVEY | {"caller_type": "health_professional"},
        "CONV-PARTNER",
        "HEALTH_SETTING",
        False,
        id="06-CONV-PARTNER",
    ),
    pytest.param(
        CONVEY | {"patient_status": "informal_patient"},
        "CONV-ADVICE",
        "ADVISE_CALLER",
        False,
        id="07-CONV-ADVICE",
    ),
    pytest.param(
        {"crime": "in_progress"},
        "GEN-CRIME-VIOLENCE",
        "POLICE",
        True,
        id="08-GEN-CRIME-VIOLENCE-police",
    ),
    pytest.param(
        {"violence_or_weapon": True} | URGENT,
        "GEN-CRIME-VIOLENCE",
        "JOINT_POLICE_AMBULANCE",
        True,
        id="08-GEN-CRIME-VIOLENCE-joint-via-urgent",
    ),
    pytest.param(
        MEDICAL | {"violence_or_weapon": True},
        "GEN-CRIME-VIOLENCE",
        "JOINT_POLICE_AMBULANCE",
        True,
        id="08-GEN-CRIME-VIOLENCE-joint-via-concern-medical",
    ),
    pytest.param(
        {"child_at_risk": True},
        "GEN-CHILD",
        "POLICE",
        True,
        id="09-GEN-CHILD-police",
    ),
    pytest.param(
        {"child_at_risk": True} | URGENT,
        "GEN-CHILD",
        "JOINT_POLICE_AMBULANCE",
        True,
        id="09-GEN-CHILD-joint-via-urgent",
    ),
    pytest.param(
        {"immediate_risk": "serious_harm"},
        "GEN-IMMEDIATE-RISK",
        "POLICE",
        True,
        id="10-GEN-IMMEDIATE-RISK-police",
    ),
    pytest.param(
        {"immediate_risk": "life"} | URGENT,
        "GEN-IMMEDIATE-RISK",
        "JOINT_POLICE_AMBULANCE",
        True,
        id="10-GEN-IMMEDIATE-RISK-joint-via-urgent",
    ),
    pytest.param(
        {"crime": "past"},
        "GEN-PAST-CRIME",
        "POLICE",
        True,
        id="11-GEN-PAST-CRIME",
    ),
    pytest.param(
        AWOL | {"patient_status": "detained_mha_restricted", "location_type": "home"},
        "AWOL-RESTRICTED",
        "POLICE",
        True,
        id="12-AWOL-RESTRICTED",
    ),
    pytest.param(
        AWOL | {"location_type": "unknown", "reasonable_steps_taken": True},
        "AWOL-MISSING",
        "POLICE",
        True,
        id="13-AWOL-MISSING",
    ),
    pytest.param(
        AWOL | {"location_type": "unknown", "reasonable_steps_taken": False},
        "AWOL-ENQUIRIES",
        "HEALTH_SETTING",
        False,
        id="14-AWOL-ENQUIRIES",
    ),
    pytest.param(
        AWOL | {"location_type": "unknown", "reasonable_steps_taken": None},
        "AWOL-ENQUIRIES",
        "HEALTH_SETTING",
        False,
        id="14-AWOL-ENQUIRIES-steps-unknown",
    ),
    pytest.param(
        AWOL | {"location_type": "public_place", "rave_risk": True},
        "AWOL-RAVE",
        "JOINT_POLICE_HEALTH",
        True,
        id="15-AWOL-RAVE",
    ),
    pytest.param(
        AWOL | {"location_type": "home"},
        "AWOL-RETURN",
        "HEALTH_SETTING",
        False,
        id="16-AWOL-RETURN",
    ),
    pytest.param(
        WALKOUT | {"known_to_service": "primary_care"},
        "WALK-GP",
        "GP",
        False,
        id="17-WALK-GP",
    ),
    pytest.param(
        WALKOUT | {"known_to_service": "mental_health"},
        "WALK-SETTING",
        "HEALTH_SETTING",
        False,
        id="18-WALK-SETTING",
    ),
    pytest.param(
        MEDICAL | URGENT | {"entry_required": True},
        "MED-ENTRY",
        "JOINT_POLICE_AMBULANCE",
        True,
        id="19-MED-ENTRY",
    ),
    pytest.param(
        MEDICAL | URGENT,
        "MED-URGENT",
        "AMBULANCE",
        False,
        id="20-MED-URGENT",
    ),
    pytest.param(
        MEDICAL | {"medical_need": "non_urgent"},
        "MED-NONURGENT",
        "NHS_111",
        False,
        id="21-MED-NONURGENT",
    ),
    pytest.param(
        MEDICAL,
        "MED-ADVICE",
        "ADVISE_CALLER",
        False,
        id="22-MED-ADVICE",
    ),
    pytest.param(
        URGENT | {"entry_required": True},
        "CFW-ENTRY",
        "JOINT_POLICE_AMBULANCE",
        True,
        id="23-CFW-ENTRY",
    ),
    pytest.param(
        URGENT,
        "CFW-URGENT-MEDICAL",
        "AMBULANCE",
        False,
        id="24-CFW-URGENT-MEDICAL",
    ),
    pytest.param(
        {"known_to_service": "mental_health"},
        "CFW-KNOWN-SERVICE",
        "MENTAL_HEALTH_CRISIS",
        False,
        id="25-CFW-KNOWN-SERVICE-mental-health",
    ),
    pytest.param(
        {"known_to_service": "social_care"},
        "CFW-KNOWN-SERVICE",
        "SOCIAL_CARE",
        False,
        id="25-CFW-KNOWN-SERVICE-social-care",
    ),
    pytest.param(
        {"known_to_service": "primary_care"},
        "CFW-KNOWN-SERVICE",
        "GP",
        False,
        id="25-CFW-KNOWN-SERVICE-primary-care",
    ),
    pytest.param(
        {"medical_need": "non_urgent"},
        "CFW-NONURGENT-MEDICAL",
        "NHS_111",
        False,
        id="26-CFW-NONURGENT-MEDICAL",
    ),
    pytest.param(
        {"vulnerability_flags": ["mental_distress"]},
        "CFW-MENTAL-HEALTH",
        "MENTAL_HEALTH_CRISIS",
        False,
        id="27-CFW-MENTAL-HEALTH-distress",
    ),
    pytest.param(
        {"vulnerability_flags": ["stated_suicidal_intent", "frailty"]},
        "CFW-MENTAL-HEALTH",
        "MENTAL_HEALTH_CRISIS",
        False,
        id="27-CFW-MENTAL-HEALTH-suicidal-intent",
    ),
    pytest.param(
        {},
        "CFW-ADVICE",
        "ADVISE_CALLER",
        False,
        id="28-CFW-ADVICE",
    ),
    pytest.param(
        {"vulnerability_flags": ["frailty", "intoxication"], "caller_type": "self"},
        "CFW-ADVICE",
        "ADVISE_CALLER",
        False,
        id="28-CFW-ADVICE-other-flags",
    ),
]

SPEC_RULE_IDS = [
    "S136-VIOLENCE",
    "S136-HANDED-OVER",
    "S136-PENDING",
    "CONV-RAVE",
    "CONV-AMBULANCE",
    "CONV-PARTNER",
    "CONV-ADVICE",
    "GEN-CRIME-VIOLENCE",
    "GEN-CHILD",
    "GEN-IMMEDIATE-RISK",
    "GEN-PAST-CRIME",
    "AWOL-RESTRICTED",
    "AWOL-MISSING",
    "AWOL-ENQUIRIES",
    "AWOL-RAVE",
    "AWOL-RETURN",
    "WALK-GP",
    "WALK-SETTING",
    "MED-ENTRY",
    "MED-URGENT",
    "MED-NONURGENT",
    "MED-ADVICE",
    "CFW-ENTRY",
    "CFW-URGENT-MEDICAL",
    "CFW-KNOWN-SERVICE",
    "CFW-NONURGENT-MEDICAL",
    "CFW-MENTAL-HEALTH",
    "CFW-ADVICE",
]


@pytest.mark.parametrize(("changes", "rule_id", "agency", "police_attend"), RULE_CASES)
def test_each_rule_gives_the_spec_outcome(changes, rule_id, agency, police_attend):
    result = suggest(**changes)
    assert result.rule_id == rule_id
    assert result.agency == agency
    assert result.police_attend is police_attend
    assert result.rationale.strip()
    assert result.rationale == next(r.rationale for r in RULESET.rules if r.id == rule_id)


def test_the_table_covers_every_rule_of_the_spec():
    covered = {case.values[1] for case in RULE_CASES}
    assert covered == set(SPEC_RULE_IDS)
    assert [r.id for r in RULESET.rules] == SPEC_RULE_IDS


@pytest.mark.parametrize(("changes", "rule_id", "agency", "police_attend"), RULE_CASES)
def test_tell_caller_flag_iff_police_do_not_attend(changes, rule_id, agency, police_attend):
    result = suggest(**changes)
    assert ("FLAG-TELL-CALLER" in result.flags) is (not police_attend)
    expected = () if police_attend else ("FLAG-TELL-CALLER",)
    assert result.flags == expected  # repeat_calls_30d is 1 in these cases


@pytest.mark.parametrize(("changes", "rule_id", "agency", "police_attend"), RULE_CASES)
def test_every_suggestion_carries_caller_advice_and_version(
    changes, rule_id, agency, police_attend
):
    result = suggest(**changes)
    rule = next(r for r in RULESET.rules if r.id == rule_id)
    assert result.caller_advice == (rule.caller_advice or RULESET.caller_advice[agency])
    assert result.caller_advice.strip()
    assert result.ruleset_version == "2026.1"


# --- order: the first matching rule wins ------------------------------------------------

ORDER_CASES = [
    pytest.param(
        S136 | {"violence_or_weapon": True},
        "S136-VIOLENCE",
        id="s136-with-violence-is-not-GEN-CRIME-VIOLENCE",
    ),
    pytest.param(
        S136 | {"handover_accepted": True, "child_at_risk": True, "immediate_risk": "life"},
        "S136-HANDED-OVER",
        id="s136-handed-over-beats-child-and-risk",
    ),
    pytest.param(
        S136 | {"handover_accepted": False, "crime": "past"},
        "S136-PENDING",
        id="s136-pending-beats-past-crime",
    ),
    pytest.param(
        CONVEY | {"violence_or_weapon": True},
        "CONV-RAVE",
        id="conveyance-with-violence-is-CONV-RAVE",
    ),
    pytest.param(
        CONVEY | {"patient_status": "detained_mha", "caller_type": "health_professional"},
        "CONV-AMBULANCE",
        id="conveyance-detained-beats-partner",
    ),
    pytest.param(
        CONVEY | {"child_at_risk": True},
        "CONV-ADVICE",
        id="conveyance-rules-stand-before-GEN-CHILD",
    ),
    pytest.param(
        AWOL | {"child_at_risk": True},
        "GEN-CHILD",
        id="awol-with-child-at-risk-is-GEN-CHILD",
    ),
    pytest.param(
        AWOL | {"patient_status": "detained_mha_restricted", "crime": "past"},
        "GEN-PAST-CRIME",
        id="awol-restricted-with-past-crime-is-GEN-PAST-CRIME",
    ),
    pytest.param(
        AWOL | {"location_type": "unknown", "immediate_risk": "life"},
        "GEN-IMMEDIATE-RISK",
        id="awol-missing-at-risk-is-GEN-IMMEDIATE-RISK",
    ),
    pytest.param(
        AWOL
        | {
            "patient_status": "detained_mha_restricted",
            "location_type": "unknown",
            "reasonable_steps_taken": False,
        },
        "AWOL-RESTRICTED",
        id="awol-restricted-beats-enquiries",
    ),
    pytest.param(
        AWOL | {"location_type": "unknown", "rave_risk": True},
        "AWOL-ENQUIRIES",
        id="awol-enquiries-beats-rave",
    ),
    pytest.param(
        WALKOUT | {"violence_or_weapon": True},
        "GEN-CRIME-VIOLENCE",
        id="walkout-with-violence-is-GEN-CRIME-VIOLENCE",
    ),
    pytest.param(
        MEDICAL | {"immediate_risk": "serious_harm"},
        "GEN-IMMEDIATE-RISK",
        id="medical-with-immediate-risk-is-GEN-IMMEDIATE-RISK",
    ),
    pytest.param(
        MEDICAL | URGENT | {"entry_required": True, "known_to_service": "mental_health"},
        "MED-ENTRY",
        id="medical-strand-beats-welfare-rules",
    ),
    pytest.param(
        {"crime": "in_progress", "child_at_risk": True, "immediate_risk": "life"},
        "GEN-CRIME-VIOLENCE",
        id="crime-beats-child",
    ),
    pytest.param(
        {"child_at_risk": True, "immediate_risk": "life", "crime": "past"},
        "GEN-CHILD",
        id="child-beats-immediate-risk",
    ),
    pytest.param(
        {"immediate_risk": "serious_harm", "crime": "past"},
        "GEN-IMMEDIATE-RISK",
        id="immediate-risk-beats-past-crime",
    ),
    pytest.param(
        URGENT | {"known_to_service": "mental_health"},
        "CFW-URGENT-MEDICAL",
        id="urgent-beats-known-service",
    ),
    pytest.param(
        {"known_to_service": "social_care", "medical_need": "non_urgent"},
        "CFW-KNOWN-SERVICE",
        id="known-service-beats-non-urgent",
    ),
    pytest.param(
        {"medical_need": "non_urgent", "vulnerability_flags": ["mental_distress"]},
        "CFW-NONURGENT-MEDICAL",
        id="non-urgent-beats-mental-health",
    ),
]


@pytest.mark.parametrize(("changes", "rule_id"), ORDER_CASES)
def test_the_first_matching_rule_wins(changes, rule_id):
    assert suggest(**changes).rule_id == rule_id


# --- flags ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("repeat", "farmington"),
    [
        pytest.param(1, False, id="1-call"),
        pytest.param(2, False, id="2-calls"),
        pytest.param(3, True, id="3-calls"),
        pytest.param(4, True, id="4-calls"),
        pytest.param(40, True, id="40-calls"),
    ],
)
def test_farmington_flag_from_three_calls_in_30_days(repeat, farmington):
    result = suggest(repeat_calls_30d=repeat)
    assert ("FLAG-FARMINGTON" in result.flags) is farmington
    assert "FLAG-TELL-CALLER" in result.flags


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({}, id="advice"),
        pytest.param({"crime": "in_progress"}, id="police"),
        pytest.param(URGENT, id="ambulance"),
        pytest.param({"immediate_risk": "life"}, id="immediate-risk"),
        pytest.param({"vulnerability_flags": ["mental_distress"]}, id="mental-health"),
    ],
)
def test_farmington_never_changes_the_suggestion(changes):
    once = suggest(**changes, repeat_calls_30d=1)
    repeat = suggest(**changes, repeat_calls_30d=5)
    assert "FLAG-FARMINGTON" not in once.flags
    assert "FLAG-FARMINGTON" in repeat.flags
    assert (repeat.rule_id, repeat.agency, repeat.police_attend, repeat.caller_advice) == (
        once.rule_id,
        once.agency,
        once.police_attend,
        once.caller_advice,
    )
    assert [f for f in repeat.flags if f != "FLAG-FARMINGTON"] == list(once.flags)


def test_police_attending_with_repeat_calls_has_only_the_farmington_flag():
    result = suggest(crime="in_progress", repeat_calls_30d=3)
    assert result.police_attend is True
    assert result.flags == ("FLAG-FARMINGTON",)


def test_flags_and_checks_are_ids_from_the_spec():
    result = suggest(
        repeat_calls_30d=9,
        capacity="lacks_capacity",
        location_type="unknown",
        vulnerability_flags=["stated_suicidal_intent", "means_available"],
    )
    assert set(result.flags) == set(engine.FLAG_IDS)
    assert set(result.checks) == set(engine.CHECK_IDS)


# --- checks ---------------------------------------------------------------------------

SUICIDE_MEANS = ["stated_suicidal_intent", "means_available"]


@pytest.mark.parametrize(
    ("changes", "checks"),
    [
        pytest.param(
            {"vulnerability_flags": SUICIDE_MEANS},
            ("CHECK-SUICIDE-MEANS",),
            id="suicide-means",
        ),
        pytest.param(
            {"vulnerability_flags": [*SUICIDE_MEANS, "intoxication"], "known_to_service": "none"},
            ("CHECK-SUICIDE-MEANS",),
            id="suicide-means-with-other-flags",
        ),
        pytest.param(
            {"vulnerability_flags": ["stated_suicidal_intent"]},
            (),
            id="suicide-intent-without-means",
        ),
        pytest.param(
            {"vulnerability_flags": ["means_available"]},
            (),
            id="means-without-intent",
        ),
        pytest.param(
            {"vulnerability_flags": SUICIDE_MEANS, "immediate_risk": "serious_harm"},
            (),
            id="suicide-means-with-serious-harm-risk",
        ),
        pytest.param(
            {"vulnerability_flags": SUICIDE_MEANS, "immediate_risk": "life"},
            (),
            id="suicide-means-with-life-risk",
        ),
        pytest.param(
            {"capacity": "lacks_capacity", "location_type": "unknown"},
            ("CHECK-CAPACITY-MISSING",),
            id="capacity-missing",
        ),
        pytest.param(
            {"capacity": "has_capacity", "location_type": "unknown"},
            (),
            id="has-capacity-missing",
        ),
        pytest.param(
            {"capacity": "unknown", "location_type": "unknown"},
            (),
            id="capacity-unknown-missing",
        ),
        pytest.param(
            {"capacity": "lacks_capacity", "location_type": "home"},
            (),
            id="lacks-capacity-at-home",
        ),
        pytest.param(
            {"capacity": "lacks_capacity", "location_type": "unknown", "immediate_risk": "life"},
            (),
            id="capacity-missing-with-life-risk",
        ),
        pytest.param(
            {
                "capacity": "lacks_capacity",
                "location_type": "unknown",
                "vulnerability_flags": SUICIDE_MEANS,
            },
            ("CHECK-SUICIDE-MEANS", "CHECK-CAPACITY-MISSING"),
            id="both-checks",
        ),
        pytest.param({}, (), id="no-checks"),
    ],
)
def test_checks(changes, checks):
    assert suggest(**changes).checks == checks


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"vulnerability_flags": SUICIDE_MEANS}, id="suicide-means"),
        pytest.param({"capacity": "lacks_capacity", "location_type": "unknown"}, id="capacity"),
    ],
)
def test_checks_never_change_the_suggestion(changes):
    with_check = suggest(**changes)
    assert with_check.checks
    # The same facts with the check's trigger removed only lose the check.
    without = dict(changes)
    if "capacity" in without:
        without["capacity"] = "has_capacity"
    else:
        without["vulnerability_flags"] = ["stated_suicidal_intent"]
    plain = suggest(**without)
    assert plain.checks == ()
    assert (with_check.agency, with_check.police_attend, with_check.flags) == (
        plain.agency,
        plain.police_attend,
        plain.flags,
    )


# --- caller advice, version, output ---------------------------------------------------


def test_rule_level_caller_advice_overrides_the_agency_default():
    result = suggest(crime="past")
    assert result.agency == "POLICE"
    assert result.caller_advice.startswith("Police will deal with the crime")
    assert result.caller_advice != RULESET.caller_advice["POLICE"]


def test_agency_default_caller_advice_applies_without_a_rule_override():
    result = suggest(crime="in_progress")
    assert result.agency == "POLICE"
    assert result.caller_advice == RULESET.caller_advice["POLICE"]


def test_same_agency_differs_by_rule_level_advice():
    handed_over = suggest(**S136, handover_accepted=True)
    returned = suggest(**AWOL, location_type="home")
    assert handed_over.agency == returned.agency == "HEALTH_SETTING"
    assert returned.caller_advice == RULESET.caller_advice["HEALTH_SETTING"]
    assert handed_over.caller_advice != returned.caller_advice
    assert "Handover accepted" in handed_over.caller_advice


def test_from_fact_agency_uses_the_mapped_agency_default_advice():
    result = suggest(known_to_service="social_care")
    assert result.caller_advice == RULESET.caller_advice["SOCIAL_CARE"]


def test_suggestion_records_the_ruleset_version():
    assert RULESET.version == "2026.1"
    assert suggest().ruleset_version == "2026.1"
    document = copy.deepcopy(engine.load_default_document())
    document["version"] = "2026.7-local"
    local = engine.parse_ruleset(document)
    assert suggest(ruleset=local).ruleset_version == "2026.7-local"


def test_to_dict_has_exactly_the_eight_keys_of_the_spec():
    result = suggest(
        repeat_calls_30d=3,
        capacity="lacks_capacity",
        location_type="unknown",
    )
    data = result.to_dict()
    assert set(data) == {
        "rule_id",
        "agency",
        "police_attend",
        "rationale",
        "flags",
        "checks",
        "caller_advice",
        "ruleset_version",
    }
    assert len(data) == 8
    assert data["rule_id"] == "CFW-ADVICE"
    assert data["agency"] == "ADVISE_CALLER"
    assert data["police_attend"] is False
    assert data["flags"] == ["FLAG-FARMINGTON", "FLAG-TELL-CALLER"]
    assert data["checks"] == ["CHECK-CAPACITY-MISSING"]
    assert isinstance(data["flags"], list)
    assert isinstance(data["checks"], list)
    assert data["ruleset_version"] == "2026.1"
    assert data["caller_advice"] == RULESET.caller_advice["ADVISE_CALLER"]
    assert data["rationale"] == result.rationale


def test_evaluate_is_deterministic_and_does_not_mutate_facts():
    parsed = engine.parse_facts(facts(child_at_risk=True, repeat_calls_30d=4))
    first = engine.evaluate(parsed, RULESET)
    second = engine.evaluate(parsed, RULESET)
    assert first == second
    assert parsed == engine.parse_facts(facts(child_at_risk=True, repeat_calls_30d=4))
