"""Strict validation of RCRP facts: field-level messages, never guesses."""

import math

import pytest

from tests.factories import facts
from triage import engine


def errors_for(data) -> dict[str, list[str]]:
    with pytest.raises(engine.FactsError) as info:
        engine.parse_facts(data)
    errors = info.value.errors
    assert errors, "a FactsError must name at least one field"
    for messages in errors.values():
        assert messages
        assert all(isinstance(m, str) and m for m in messages)
    return errors


def without(name: str) -> dict:
    data = facts()
    del data[name]
    return data


def test_the_neutral_facts_are_valid():
    parsed = engine.parse_facts(facts())
    assert parsed.concern_type == "welfare_check"
    assert parsed.vulnerability_flags == ()
    assert parsed.repeat_calls_30d == 1


def test_facts_error_is_a_value_error_with_readable_message():
    with pytest.raises(ValueError, match="repeat_calls_30d: Must be at least 1"):
        engine.parse_facts(facts(repeat_calls_30d=0))


# --- shape ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(None, id="none"),
        pytest.param([], id="list"),
        pytest.param("welfare_check", id="string"),
        pytest.param(42, id="int"),
        pytest.param(list(facts().items()), id="pairs"),
    ],
)
def test_non_dict_input_is_rejected(data):
    errors = errors_for(data)
    assert list(errors) == ["facts"]
    assert "object" in errors["facts"][0]


def test_unknown_field_is_an_error():
    errors = errors_for(facts(mood="grumpy"))
    assert errors == {"mood": ["Unknown field."]}


def test_unknown_non_string_key_is_reported_as_text():
    data = facts()
    data[7] = True
    assert errors_for(data) == {"7": ["Unknown field."]}


@pytest.mark.parametrize("name", [spec.name for spec in engine.FACT_FIELDS])
def test_every_field_is_required(name):
    errors = errors_for(without(name))
    assert errors == {name: ["This field is required."]}


def test_an_empty_dict_lists_every_field():
    errors = errors_for({})
    assert set(errors) == {spec.name for spec in engine.FACT_FIELDS}


# --- values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("concern_type", "burglary", id="concern-unknown"),
        pytest.param("concern_type", "WELFARE_CHECK", id="concern-wrong-case"),
        pytest.param("caller_type", "amhp", id="caller-amhp-is-social-care"),
        pytest.param("location_type", "", id="location-empty"),
        pytest.param("patient_status", "cto", id="status-cto"),
        pytest.param("crime", "future", id="crime-future"),
        pytest.param("immediate_risk", "high", id="risk-high"),
        pytest.param("medical_need", "emergency", id="need-emergency"),
        pytest.param("capacity", "yes", id="capacity-yes"),
        pytest.param("known_to_service", "police", id="service-police"),
    ],
)
def test_bad_enum_value(name, value):
    errors = errors_for(facts(**{name: value}))
    assert list(errors) == [name]
    assert "is not one of" in errors[name][0]
    assert repr(value) in errors[name][0]


@pytest.mark.parametrize("value", [1, None, ["welfare_check"], True])
def test_enum_needs_a_string(value):
    errors = errors_for(facts(concern_type=value))
    assert list(errors) == ["concern_type"]


@pytest.mark.parametrize(
    "name", ["violence_or_weapon", "child_at_risk", "rave_risk", "entry_required"]
)
@pytest.mark.parametrize("value", [0, 1, "yes", "true", "false", None, [True]])
def test_bool_must_be_true_or_false(name, value):
    errors = errors_for(facts(**{name: value}))
    assert list(errors) == [name]
    expected = "May not be null." if value is None else "Must be true or false."
    assert errors[name] == [expected]


@pytest.mark.parametrize("value", [0, "yes", "no"])
def test_nullable_bool_says_null_is_allowed(value):
    errors = errors_for(facts(reasonable_steps_taken=value))
    assert errors == {"reasonable_steps_taken": ["Must be true or false or null."]}


@pytest.mark.parametrize("value", [True, False, None])
def test_nullable_bool_accepts_true_false_null(value):
    assert engine.parse_facts(facts(reasonable_steps_taken=value)).reasonable_steps_taken is value


@pytest.mark.parametrize(
    ("changes", "name", "message"),
    [
        pytest.param(
            {"hours_since_last_seen": -1},
            "hours_since_last_seen",
            "Must be at least 0.",
            id="hours-negative",
        ),
        pytest.param(
            {"hours_since_last_seen": -0.5},
            "hours_since_last_seen",
            "Must be at least 0.",
            id="hours-negative-fraction",
        ),
        pytest.param(
            {"hours_since_last_seen": math.nan},
            "hours_since_last_seen",
            "Must be a number.",
            id="hours-nan",
        ),
        pytest.param(
            {"hours_since_last_seen": math.inf},
            "hours_since_last_seen",
            "Must be a number.",
            id="hours-inf",
        ),
        pytest.param(
            {"hours_since_last_seen": "3"},
            "hours_since_last_seen",
            "Must be a number.",
            id="hours-string",
        ),
        pytest.param(
            {"hours_since_last_seen": True},
            "hours_since_last_seen",
            "Must be a number.",
            id="hours-bool",
        ),
        pytest.param(
            {"hours_since_last_seen": 10**400},
            "hours_since_last_seen",
            "Too large.",
            id="hours-huge-int",
        ),
        pytest.param(
            {"concern_type": "s136_handover", "patient_status": "detained_s136"}
            | {"minutes_since_arrival": -5},
            "minutes_since_arrival",
            "Must be at least 0.",
            id="minutes-negative",
        ),
        pytest.param(
            {"concern_type": "s136_handover", "patient_status": "detained_s136"}
            | {"minutes_since_arrival": math.nan},
            "minutes_since_arrival",
            "Must be a number.",
            id="minutes-nan",
        ),
        pytest.param(
            {"repeat_calls_30d": 0},
            "repeat_calls_30d",
            "Must be at least 1.",
            id="repeat-zero",
        ),
        pytest.param(
            {"repeat_calls_30d": -3},
            "repeat_calls_30d",
            "Must be at least 1.",
            id="repeat-negative",
        ),
        pytest.param(
            {"repeat_calls_30d": True},
            "repeat_calls_30d",
            "Must be a whole number.",
            id="repeat-bool",
        ),
        pytest.param(
            {"repeat_calls_30d": 2.0},
            "repeat_calls_30d",
            "Must be a whole number.",
            id="repeat-float",
        ),
        pytest.param(
            {"repeat_calls_30d": math.nan},
            "repeat_calls_30d",
            "Must be a whole number.",
            id="repeat-nan",
        ),
        pytest.param(
            {"repeat_calls_30d": None},
            "repeat_calls_30d",
            "May not be null.",
            id="repeat-null",
        ),
        pytest.param(
            {"repeat_calls_30d": "3"},
            "repeat_calls_30d",
            "Must be a whole number.",
            id="repeat-string",
        ),
    ],
)
def test_bad_numbers(changes, name, message):
    assert errors_for(facts(**changes)) == {name: [message]}


@pytest.mark.parametrize("value", [0, 0.0, 2.5, 72])
def test_numbers_accept_zero_and_fractions(value):
    assert engine.parse_facts(facts(hours_since_last_seen=value)).hours_since_last_seen == value


# --- vulnerability flags --------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("mental_distress", id="string"),
        pytest.param({"mental_distress": True}, id="dict"),
        pytest.param(None, id="null"),
        pytest.param(1, id="int"),
    ],
)
def test_flags_must_be_a_list(value):
    errors = errors_for(facts(vulnerability_flags=value))
    assert list(errors) == ["vulnerability_flags"]
    expected = "May not be null." if value is None else "Must be a list."
    assert errors["vulnerability_flags"] == [expected]


def test_unknown_flag_is_named():
    errors = errors_for(facts(vulnerability_flags=["frailty", "homeless", 3]))
    message = errors["vulnerability_flags"][0]
    assert list(errors) == ["vulnerability_flags"]
    assert "'homeless'" in message
    assert "3" in message
    assert "'frailty'" not in message.split("allowed")[0]


def test_duplicate_flag_is_an_error():
    errors = errors_for(facts(vulnerability_flags=["frailty", "frailty"]))
    assert errors == {"vulnerability_flags": ["Values must not repeat."]}


def test_flags_are_stored_sorted():
    parsed = engine.parse_facts(facts(vulnerability_flags=["intoxication", "frailty"]))
    assert parsed.vulnerability_flags == ("frailty", "intoxication")


# --- cross-field rules ----------------------------------------------------------------


@pytest.mark.parametrize("status", ["none", "informal_patient", "detained_mha"])
def test_s136_handover_requires_detained_s136(status):
    errors = errors_for(facts(concern_type="s136_handover", patient_status=status))
    assert list(errors) == ["patient_status"]
    assert "detained_s136" in errors["patient_status"][0]


def test_s136_handover_with_detained_s136_is_valid():
    parsed = engine.parse_facts(
        facts(
            concern_type="s136_handover",
            patient_status="detained_s136",
            minutes_since_arrival=50,
            handover_accepted=False,
        )
    )
    assert parsed.minutes_since_arrival == 50
    assert parsed.handover_accepted is False


@pytest.mark.parametrize("status", ["none", "informal_patient", "detained_s136"])
def test_awol_requires_detained_mha_or_restricted(status):
    errors = errors_for(facts(concern_type="awol", patient_status=status))
    assert list(errors) == ["patient_status"]
    assert "detained_mha" in errors["patient_status"][0]
    assert "detained_mha_restricted" in errors["patient_status"][0]


@pytest.mark.parametrize("status", ["detained_mha", "detained_mha_restricted"])
def test_awol_with_detained_status_is_valid(status):
    assert engine.parse_facts(facts(concern_type="awol", patient_status=status)).concern_type == (
        "awol"
    )


@pytest.mark.parametrize("status", ["detained_mha", "detained_mha_restricted", "detained_s136"])
def test_walkout_by_a_detained_patient_must_be_reclassified_as_awol(status):
    errors = errors_for(facts(concern_type="walkout", patient_status=status))
    assert list(errors) == ["concern_type"]
    assert "reclassify as AWOL" in errors["concern_type"][0]


@pytest.mark.parametrize("status", ["none", "informal_patient"])
def test_walkout_by_a_voluntary_patient_is_valid(status):
    assert engine.parse_facts(facts(concern_type="walkout", patient_status=status))


@pytest.mark.parametrize("concern", ["welfare_check", "walkout", "medical", "conveyance", "awol"])
@pytest.mark.parametrize(
    ("name", "value"),
    [("minutes_since_arrival", 10), ("minutes_since_arrival", 0), ("handover_accepted", False)],
)
def test_s136_fields_must_be_null_outside_s136(concern, name, value):
    status = "detained_mha" if concern == "awol" else "none"
    errors = errors_for(facts(concern_type=concern, patient_status=status, **{name: value}))
    assert errors == {name: ["Must be null unless concern_type is s136_handover."]}


# --- several errors at once -----------------------------------------------------------


def test_field_errors_are_reported_together():
    data = facts(
        concern_type="bogus",
        child_at_risk="yes",
        repeat_calls_30d=0,
        vulnerability_flags=["frailty", "frailty"],
        extra=1,
    )
    del data["capacity"]
    errors = errors_for(data)
    assert set(errors) == {
        "concern_type",
        "child_at_risk",
        "repeat_calls_30d",
        "vulnerability_flags",
        "extra",
        "capacity",
    }
    assert errors["capacity"] == ["This field is required."]
    assert errors["extra"] == ["Unknown field."]


def test_cross_field_errors_are_reported_together():
    errors = errors_for(
        facts(
            concern_type="walkout",
            patient_status="detained_mha",
            minutes_since_arrival=20,
            handover_accepted=True,
        )
    )
    assert set(errors) == {"concern_type", "minutes_since_arrival", "handover_accepted"}
    assert "reclassify as AWOL" in errors["concern_type"][0]


def test_error_string_names_every_field():
    with pytest.raises(engine.FactsError) as info:
        engine.parse_facts(facts(crime="maybe", rave_risk=1))
    assert "crime:" in str(info.value)
    assert "rave_risk:" in str(info.value)


# --- round trip -----------------------------------------------------------------------


def test_facts_to_dict_round_trips():
    data = facts(
        concern_type="s136_handover",
        patient_status="detained_s136",
        minutes_since_arrival=12.5,
        handover_accepted=True,
        vulnerability_flags=["frailty", "intoxication"],
        reasonable_steps_taken=False,
        repeat_calls_30d=4,
    )
    out = engine.facts_to_dict(engine.parse_facts(data))
    assert out == data
    assert isinstance(out["vulnerability_flags"], list)
