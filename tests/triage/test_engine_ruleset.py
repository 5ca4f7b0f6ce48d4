"""Rule sets are data: parse_ruleset validates a document whole, naming the rule and field."""

import copy
import random

import pytest

from tests.factories import facts
from tests.triage.test_engine_rules import SPEC_RULE_IDS
from triage import engine

DEFAULT_DOCUMENT = engine.load_default_document()
DEFAULT_RULESET = engine.parse_ruleset(copy.deepcopy(DEFAULT_DOCUMENT))


def document() -> dict:
    return copy.deepcopy(DEFAULT_DOCUMENT)


def rule(doc: dict, rule_id: str) -> dict:
    return next(r for r in doc["rules"] if r["id"] == rule_id)


def suggest(ruleset: engine.RuleSet, **changes) -> engine.Suggestion:
    return engine.evaluate(engine.parse_facts(facts(**changes)), ruleset)


# --- the default rule set -------------------------------------------------------------


def test_default_ruleset_has_the_28_rules_of_the_spec_in_order():
    ruleset = engine.load_default_ruleset()
    assert len(ruleset.rules) == 28
    assert [r.id for r in ruleset.rules] == SPEC_RULE_IDS
    assert [r.order for r in ruleset.rules] == list(range(1, 29))
    assert ruleset.version == "2026.1"
    assert ruleset.name.startswith("RCRP default")


def test_default_ruleset_has_caller_advice_for_every_agency():
    ruleset = engine.load_default_ruleset()
    assert set(ruleset.caller_advice) == set(engine.AGENCIES)
    assert all(text.strip() for text in ruleset.caller_advice.values())


def test_default_ruleset_police_attend_matches_the_spec():
    attending = {
        "S136-VIOLENCE",
        "S136-PENDING",
        "CONV-RAVE",
        "GEN-CRIME-VIOLENCE",
        "GEN-CHILD",
        "GEN-IMMEDIATE-RISK",
        "GEN-PAST-CRIME",
        "AWOL-RESTRICTED",
        "AWOL-MISSING",
        "AWOL-RAVE",
        "MED-ENTRY",
        "CFW-ENTRY",
    }
    ruleset = engine.load_default_ruleset()
    assert {r.id for r in ruleset.rules if r.police_attend} == attending


def test_default_document_path_is_the_shipped_yaml():
    assert engine.DEFAULT_RULESET_PATH.name == "default.yaml"
    assert engine.DEFAULT_RULESET_PATH.is_file()


def test_parse_ruleset_does_not_change_the_document():
    doc = document()
    before = copy.deepcopy(doc)
    engine.parse_ruleset(doc)
    assert doc == before


# --- malformed documents --------------------------------------------------------------


def _set(rule_id: str, path: tuple, value):
    def mutate(doc):
        target = rule(doc, rule_id)
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(rule_id: str, path: tuple):
    def mutate(doc):
        target = rule(doc, rule_id)
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def _top(key: str, value):
    def mutate(doc):
        doc[key] = value

    return mutate


def _del_advice(agency: str):
    def mutate(doc):
        del doc["caller_advice"][agency]

    return mutate


KNOWN = "CFW-KNOWN-SERVICE"
KNOWN_AGENCY = ("outcome", "agency")

MALFORMED = [
    # conditions
    pytest.param(
        _set("GEN-CHILD", ("when",), {"fact": "child_in_danger", "eq": True}),
        ["rule GEN-CHILD", "field when", "unknown fact", "child_in_danger"],
        id="unknown-fact",
    ),
    pytest.param(
        _set(
            "CONV-PARTNER",
            ("when", "all", 1),
            {"fact": "caller_type", "in": ["health_professional", "amhp"]},
        ),
        ["rule CONV-PARTNER", "field when", "'amhp'", "caller_type"],
        id="bad-enum-value-in-list",
    ),
    pytest.param(
        _set("GEN-PAST-CRIME", ("when",), {"fact": "crime", "eq": "ongoing"}),
        ["rule GEN-PAST-CRIME", "field when", "'ongoing'", "crime"],
        id="bad-enum-value",
    ),
    pytest.param(
        _set("CFW-MENTAL-HEALTH", ("when",), {"fact": "vulnerability_flags", "contains": "sad"}),
        ["rule CFW-MENTAL-HEALTH", "field when", "'sad'", "vulnerability_flags"],
        id="bad-flag-value",
    ),
    pytest.param(
        _set("GEN-PAST-CRIME", ("when",), {"fact": "crime", "gte": "past"}),
        ["rule GEN-PAST-CRIME", "field when", "gte", "not allowed for crime"],
        id="ordering-operator-on-enum",
    ),
    pytest.param(
        _set("GEN-CHILD", ("when",), {"fact": "child_at_risk", "in": [True]}),
        ["rule GEN-CHILD", "field when", "in", "not allowed for child_at_risk"],
        id="list-operator-on-bool",
    ),
    pytest.param(
        _set("CFW-MENTAL-HEALTH", ("when",), {"fact": "vulnerability_flags", "eq": "frailty"}),
        ["rule CFW-MENTAL-HEALTH", "field when", "eq", "not allowed for vulnerability_flags"],
        id="eq-on-flags",
    ),
    pytest.param(
        _set("GEN-CHILD", ("when",), {"fact": "child_at_risk", "eq": "yes"}),
        ["rule GEN-CHILD", "field when", "child_at_risk is true or false"],
        id="bool-compared-with-text",
    ),
    pytest.param(
        _set("CFW-ENTRY", ("when",), {"fact": "hours_since_last_seen", "gte": "3"}),
        ["rule CFW-ENTRY", "field when", "hours_since_last_seen compares with a number"],
        id="number-compared-with-text",
    ),
    # the repeat count never changes the suggestion, so no condition may test it
    pytest.param(
        _set("GEN-CHILD", ("when",), {"fact": "repeat_calls_30d", "gte": 3}),
        ["rule GEN-CHILD", "field when.fact", "repeat_calls_30d cannot be used in a condition"],
        id="repeat-count-in-a-rule",
    ),
    pytest.param(
        _set("GEN-CRIME-VIOLENCE", ("when", "any", 1), {"fact": "repeat_calls_30d", "lt": 3}),
        ["rule GEN-CRIME-VIOLENCE", "field when.any[1].fact", "repeat_calls_30d cannot"],
        id="repeat-count-inside-any",
    ),
    pytest.param(
        _set("GEN-CHILD", ("when",), {"not": {"fact": "repeat_calls_30d", "gte": 3}}),
        ["rule GEN-CHILD", "field when.not.fact", "repeat_calls_30d cannot"],
        id="repeat-count-under-not",
    ),
    pytest.param(
        _set(
            "GEN-CHILD",
            ("outcome", "agency", "cases", 0, "when"),
            {"fact": "repeat_calls_30d", "eq": 1},
        ),
        ["rule GEN-CHILD", "field outcome.agency.cases[0].when.fact", "repeat_calls_30d cannot"],
        id="repeat-count-choosing-the-agency",
    ),
    pytest.param(
        _set("CFW-ENTRY", ("when",), {"fact": "hours_since_last_seen", "gte": None}),
        ["rule CFW-ENTRY", "field when", "not null"],
        id="ordering-with-null",
    ),
    pytest.param(
        _set("GEN-CHILD", ("when",), {"fact": "crime", "eq": None}),
        ["rule GEN-CHILD", "field when", "crime is never null"],
        id="null-for-non-nullable",
    ),
    pytest.param(
        _set("GEN-CHILD", ("when",), {"fact": "crime", "in": []}),
        ["rule GEN-CHILD", "field when", "non-empty list"],
        id="empty-in-list",
    ),
    pytest.param(
        _set("GEN-CHILD", ("when",), {"fact": "child_at_risk", "eq": True, "ne": False}),
        ["rule GEN-CHILD", "field when", "exactly one operator"],
        id="two-operators",
    ),
    pytest.param(
        _set("GEN-CHILD", ("when",), {"fact": "child_at_risk"}),
        ["rule GEN-CHILD", "field when", "exactly one operator"],
        id="no-operator",
    ),
    pytest.param(
        _set("GEN-CHILD", ("when",), {"all": []}),
        ["rule GEN-CHILD", "field when.all", "non-empty list"],
        id="empty-all",
    ),
    pytest.param(
        _set("GEN-CHILD", ("when",), {"either": [{"always": True}]}),
        ["rule GEN-CHILD", "field when", "unknown condition 'either'"],
        id="unknown-combinator",
    ),
    pytest.param(
        _set("GEN-CHILD", ("when",), {"always": False}),
        ["rule GEN-CHILD", "field when.always", "must be true"],
        id="always-false",
    ),
    pytest.param(
        _set("GEN-CHILD", ("when",), "child_at_risk"),
        ["rule GEN-CHILD", "field when", "condition object"],
        id="condition-not-an-object",
    ),
    # outcomes
    pytest.param(
        _set("MED-URGENT", ("outcome", "agency"), "PARAMEDIC"),
        ["rule MED-URGENT", "field outcome.agency", "'PARAMEDIC' is not an agency"],
        id="unknown-agency",
    ),
    pytest.param(
        _set("GEN-CHILD", ("outcome", "agency", "cases", 0, "agency"), "SWAT"),
        ["rule GEN-CHILD", "field outcome.agency.cases[0].agency", "'SWAT'"],
        id="unknown-agency-in-case",
    ),
    pytest.param(
        _set("GEN-CHILD", ("outcome", "agency", "default"), "SWAT"),
        ["rule GEN-CHILD", "field outcome.agency.default", "'SWAT'"],
        id="unknown-default-agency",
    ),
    pytest.param(
        _delete("GEN-CHILD", ("outcome", "agency", "default")),
        ["rule GEN-CHILD", "field outcome.agency.default", "None is not an agency"],
        id="missing-default-agency",
    ),
    pytest.param(
        _set("GEN-CHILD", ("outcome", "agency", "cases", 0, "then"), "POLICE"),
        ["rule GEN-CHILD", "field outcome.agency.cases[0]", "exactly 'when' and 'agency'"],
        id="case-with-extra-key",
    ),
    pytest.param(
        _set("GEN-CHILD", ("outcome", "agency", "cases", 0, "when"), {"fact": "nope", "eq": 1}),
        ["rule GEN-CHILD", "field outcome.agency.cases[0].when.fact", "unknown fact 'nope'"],
        id="bad-condition-in-case",
    ),
    pytest.param(
        _delete("MED-URGENT", ("outcome", "police_attend")),
        ["rule MED-URGENT", "field outcome", "police_attend"],
        id="missing-police-attend",
    ),
    pytest.param(
        _set("MED-URGENT", ("outcome", "police_attend"), "no"),
        ["rule MED-URGENT", "field outcome.police_attend", "true or false"],
        id="police-attend-not-bool",
    ),
    pytest.param(
        _set("MED-URGENT", ("outcome", "note"), "x"),
        ["rule MED-URGENT", "field outcome", "agency and police_attend"],
        id="outcome-extra-key",
    ),
    pytest.param(
        _set("MED-URGENT", ("outcome", "agency"), ["AMBULANCE"]),
        ["rule MED-URGENT", "field outcome.agency", "agency choice"],
        id="agency-is-a-list",
    ),
    # from_fact maps
    pytest.param(
        _set(KNOWN, (*KNOWN_AGENCY, "from_fact"), "child_at_risk"),
        ["rule CFW-KNOWN-SERVICE", "from_fact", "'child_at_risk' is not a fact with named values"],
        id="from-fact-not-enum",
    ),
    pytest.param(
        _set(KNOWN, (*KNOWN_AGENCY, "from_fact"), "service"),
        ["rule CFW-KNOWN-SERVICE", "from_fact", "'service'"],
        id="from-fact-unknown",
    ),
    pytest.param(
        _set(KNOWN, (*KNOWN_AGENCY, "map", "psychiatry"), "MENTAL_HEALTH_CRISIS"),
        ["rule CFW-KNOWN-SERVICE", "field outcome.agency.map", "'psychiatry'", "known_to_service"],
        id="map-key-not-a-value",
    ),
    pytest.param(
        _set(KNOWN, (*KNOWN_AGENCY, "map", "social_care"), "COUNCIL"),
        ["rule CFW-KNOWN-SERVICE", "field outcome.agency.map.social_care", "'COUNCIL'"],
        id="map-value-unknown-agency",
    ),
    pytest.param(
        _delete(KNOWN, (*KNOWN_AGENCY, "default")),
        ["rule CFW-KNOWN-SERVICE", "field outcome.agency", "map misses none"],
        id="map-incomplete-without-default",
    ),
    pytest.param(
        _set(KNOWN, (*KNOWN_AGENCY, "map"), ["GP"]),
        ["rule CFW-KNOWN-SERVICE", "field outcome.agency.map", "must map values"],
        id="map-not-a-dict",
    ),
    pytest.param(
        _set(KNOWN, (*KNOWN_AGENCY, "map"), {}),
        ["rule CFW-KNOWN-SERVICE", "field outcome.agency.map", "must map values"],
        id="map-empty",
    ),
    pytest.param(
        _set(KNOWN, (*KNOWN_AGENCY, "default"), "NOBODY"),
        ["rule CFW-KNOWN-SERVICE", "field outcome.agency.default", "'NOBODY'"],
        id="map-bad-default",
    ),
    pytest.param(
        _set(KNOWN, (*KNOWN_AGENCY, "fallback"), "GP"),
        ["rule CFW-KNOWN-SERVICE", "field outcome.agency", "unknown key(s) fallback"],
        id="map-unknown-key",
    ),
    # rule fields
    pytest.param(
        _set("MED-URGENT", ("priority",), 1),
        ["rule MED-URGENT", "unknown field(s) priority"],
        id="unknown-rule-field",
    ),
    pytest.param(
        _delete("MED-URGENT", ("rationale",)),
        ["rule MED-URGENT", "missing field(s) rationale"],
        id="missing-rationale",
    ),
    pytest.param(
        _set("MED-URGENT", ("rationale",), "   "),
        ["rule MED-URGENT", "field rationale"],
        id="blank-rationale",
    ),
    pytest.param(
        _set("MED-URGENT", ("caller_advice",), ""),
        ["rule MED-URGENT", "field caller_advice", "must be text"],
        id="blank-rule-caller-advice",
    ),
    pytest.param(
        _set("MED-URGENT", ("order",), 0),
        ["rule MED-URGENT", "field order", "positive whole number"],
        id="order-zero",
    ),
    pytest.param(
        _set("MED-URGENT", ("order",), "20"),
        ["rule MED-URGENT", "field order", "positive whole number"],
        id="order-text",
    ),
    pytest.param(
        _set("MED-URGENT", ("order",), True),
        ["rule MED-URGENT", "field order", "positive whole number"],
        id="order-bool",
    ),
    pytest.param(
        _set("MED-URGENT", ("id",), "med urgent"),
        ["rules[19].id", "'med urgent'"],
        id="bad-id",
    ),
    pytest.param(
        _set("CONV-PARTNER", ("id",), "CONV-AMBULANCE"),
        ["rule CONV-AMBULANCE", "field id", "used twice"],
        id="duplicate-id",
    ),
    pytest.param(
        _set("CONV-PARTNER", ("order",), 5),
        ["rule CONV-PARTNER", "field order", "5 is also rule CONV-AMBULANCE"],
        id="duplicate-order",
    ),
    pytest.param(
        _set("CFW-ADVICE", ("when",), {"fact": "medical_need", "eq": "none"}),
        ["rule CFW-ADVICE", "field when", "last rule must be 'always: true'"],
        id="last-rule-not-always",
    ),
    pytest.param(
        _set("CFW-MENTAL-HEALTH", ("order",), 99),
        ["rule CFW-MENTAL-HEALTH", "field when", "last rule must be 'always: true'"],
        id="last-by-order-not-always",
    ),
    # caller advice
    pytest.param(
        _del_advice("GP"),
        ["rule WALK-GP", "field caller_advice", "no advice for GP"],
        id="missing-advice-for-agency",
    ),
    pytest.param(
        _del_advice("SOCIAL_CARE"),
        ["rule CFW-KNOWN-SERVICE", "field caller_advice", "no advice for SOCIAL_CARE"],
        id="missing-advice-for-mapped-agency",
    ),
    pytest.param(
        _del_advice("JOINT_POLICE_AMBULANCE"),
        ["rule CONV-RAVE", "field caller_advice", "JOINT_POLICE_AMBULANCE"],
        id="missing-advice-for-first-user",
    ),
    pytest.param(
        _del_advice("ADVISE_CALLER"),
        ["rule MED-ADVICE", "field caller_advice", "ADVISE_CALLER"],
        id="missing-advice-skips-rules-with-own-advice",
    ),
    pytest.param(
        _top("caller_advice", {**DEFAULT_DOCUMENT["caller_advice"], "FIRE": "x"}),
        ["caller_advice", "'FIRE' is not an agency"],
        id="advice-for-unknown-agency",
    ),
    pytest.param(
        _top("caller_advice", {**DEFAULT_DOCUMENT["caller_advice"], "GP": ""}),
        ["caller_advice.GP", "must be text"],
        id="blank-agency-advice",
    ),
    pytest.param(
        _top("caller_advice", ["POLICE"]),
        ["Field caller_advice"],
        id="advice-not-a-map",
    ),
    # top level
    pytest.param(
        _top("owner", "Cambridgeshire"),
        ["Unknown top-level field(s): owner"],
        id="unknown-top-level-key",
    ),
    pytest.param(
        _top("rules", {"S136-VIOLENCE": {}}),
        ["Field rules", "non-empty list"],
        id="rules-not-a-list",
    ),
    pytest.param(
        _top("rules", []),
        ["Field rules", "non-empty list"],
        id="rules-empty",
    ),
    pytest.param(
        _top("version", None),
        ["Field version"],
        id="version-missing",
    ),
    pytest.param(
        _top("version", True),
        ["Field version"],
        id="version-bool",
    ),
    pytest.param(
        _top("version", "x" * 41),
        ["Field version", "1 to 40"],
        id="version-too-long",
    ),
    pytest.param(
        _top("name", ""),
        ["Field name"],
        id="name-blank",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), MALFORMED)
def test_malformed_rulesets_are_rejected_naming_rule_and_field(mutate, expected):
    doc = document()
    engine.parse_ruleset(doc)  # the unbroken document is valid
    mutate(doc)
    with pytest.raises(engine.RuleSetError) as info:
        engine.parse_ruleset(doc)
    message = str(info.value)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_a_non_object_rule_is_rejected():
    doc = document()
    doc["rules"][3] = "CONV-RAVE"
    with pytest.raises(engine.RuleSetError, match=r"rules\[3\]: must be an object"):
        engine.parse_ruleset(doc)


@pytest.mark.parametrize("doc", [None, [], "version: 1", 3])
def test_a_non_object_document_is_rejected(doc):
    with pytest.raises(engine.RuleSetError, match="must be an object"):
        engine.parse_ruleset(doc)


def test_rule_set_error_is_a_value_error():
    assert issubclass(engine.RuleSetError, ValueError)


# --- order ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rules_given_out_of_order_are_evaluated_by_order(seed):
    doc = document()
    random.Random(seed).shuffle(doc["rules"])
    assert [r["id"] for r in doc["rules"]] != SPEC_RULE_IDS
    shuffled = engine.parse_ruleset(doc)
    assert [r.id for r in shuffled.rules] == SPEC_RULE_IDS
    for changes, rule_id in [
        ({"concern_type": "s136_handover", "patient_status": "detained_s136"}, "S136-PENDING"),
        ({"crime": "in_progress", "child_at_risk": True}, "GEN-CRIME-VIOLENCE"),
        (
            {"child_at_risk": True, "concern_type": "awol", "patient_status": "detained_mha"},
            "GEN-CHILD",
        ),
        ({}, "CFW-ADVICE"),
    ]:
        assert suggest(shuffled, **changes).rule_id == rule_id


def test_order_not_position_decides_which_rule_wins():
    doc = document()
    # Put GEN-CHILD ahead of GEN-CRIME-VIOLENCE by order alone, list position unchanged.
    rule(doc, "GEN-CHILD")["order"] = 7
    rule(doc, "CONV-ADVICE")["order"] = 9
    ruleset = engine.parse_ruleset(doc)
    default = DEFAULT_RULESET
    changes = {"crime": "in_progress", "child_at_risk": True}
    assert suggest(default, **changes).rule_id == "GEN-CRIME-VIOLENCE"
    assert suggest(ruleset, **changes).rule_id == "GEN-CHILD"


def test_orders_need_not_be_contiguous():
    doc = document()
    for i, raw in enumerate(doc["rules"]):
        raw["order"] = (i + 1) * 10
    ruleset = engine.parse_ruleset(doc)
    assert [r.id for r in ruleset.rules] == SPEC_RULE_IDS
    assert ruleset.rules[-1].order == 280


# --- valid changes change outcomes ----------------------------------------------------


def test_a_local_rule_set_changes_outcomes():
    doc = document()
    doc["version"] = "2026.2-cambs"
    rule(doc, "CFW-ADVICE")["order"] = 100
    doc["rules"].append(
        {
            "id": "LOCAL-FRAILTY",
            "order": 50,
            "when": {
                "all": [
                    {"fact": "vulnerability_flags", "contains": "frailty"},
                    {"fact": "hours_since_last_seen", "gte": 24},
                ]
            },
            "outcome": {"agency": "SOCIAL_CARE", "police_attend": False},
            "rationale": "Local agreement: adult social care checks on frail people.",
        }
    )
    rule(doc, KNOWN)["outcome"]["agency"]["map"]["primary_care"] = "NHS_111"
    local = engine.parse_ruleset(doc)
    default = DEFAULT_RULESET

    frail = {"vulnerability_flags": ["frailty"], "hours_since_last_seen": 30}
    assert suggest(default, **frail).rule_id == "CFW-ADVICE"
    result = suggest(local, **frail)
    assert (result.rule_id, result.agency, result.ruleset_version) == (
        "LOCAL-FRAILTY",
        "SOCIAL_CARE",
        "2026.2-cambs",
    )
    assert result.rationale.startswith("Local agreement")
    assert result.caller_advice == local.caller_advice["SOCIAL_CARE"]
    # gte with a null number does not match
    not_seen = {"vulnerability_flags": ["frailty"], "hours_since_last_seen": None}
    assert suggest(local, **not_seen).rule_id == "CFW-ADVICE"
    assert suggest(local, **{**frail, "hours_since_last_seen": 23.5}).rule_id == "CFW-ADVICE"

    assert suggest(default, known_to_service="primary_care").agency == "GP"
    assert suggest(local, known_to_service="primary_care").agency == "NHS_111"


def test_a_rule_can_change_police_attend_and_agency():
    doc = document()
    rule(doc, "AWOL-RETURN")["outcome"] = {"agency": "JOINT_POLICE_HEALTH", "police_attend": True}
    rule(doc, "AWOL-RETURN")["caller_advice"] = "Police will help return the patient."
    ruleset = engine.parse_ruleset(doc)
    result = suggest(ruleset, concern_type="awol", patient_status="detained_mha")
    assert (result.rule_id, result.agency, result.police_attend) == (
        "AWOL-RETURN",
        "JOINT_POLICE_HEALTH",
        True,
    )
    assert "FLAG-TELL-CALLER" not in result.flags
    assert result.caller_advice == "Police will help return the patient."


def test_every_condition_operator_compiles_and_evaluates():
    advice = {agency: f"Advice for {agency}." for agency in engine.AGENCIES}

    def test_rule(rule_id, order, when):
        return {
            "id": rule_id,
            "order": order,
            "when": when,
            "outcome": {"agency": "POLICE", "police_attend": True},
            "rationale": rule_id,
        }

    doc = {
        "version": 3,
        "name": "operators",
        "description": "every operator",
        "caller_advice": advice,
        "rules": [
            test_rule("NE", 1, {"fact": "crime", "ne": "none"}),
            test_rule("NOT-IN", 2, {"fact": "caller_type", "not_in": ["public", "self"]}),
            test_rule("LT", 3, {"fact": "hours_since_last_seen", "lt": 1}),
            test_rule("GT", 4, {"fact": "hours_since_last_seen", "gt": 8}),
            test_rule("LTE", 5, {"fact": "minutes_since_arrival", "lte": 10}),
            test_rule("NOT", 6, {"not": {"fact": "rave_risk", "eq": False}}),
            test_rule("NULL-EQ", 7, {"fact": "reasonable_steps_taken", "eq": False}),
            test_rule(
                "ANY",
                8,
                {
                    "any": [
                        {"fact": "vulnerability_flags", "contains_any": ["frailty"]},
                        {"fact": "entry_required", "ne": False},
                    ]
                },
            ),
            test_rule("ALWAYS", 9, {"always": True}),
        ],
    }
    ruleset = engine.parse_ruleset(doc)
    assert ruleset.version == "3"
    s136 = {"concern_type": "s136_handover", "patient_status": "detained_s136"}
    for changes, rule_id in [
        ({"crime": "past"}, "NE"),
        ({"caller_type": "ambulance"}, "NOT-IN"),
        ({"hours_since_last_seen": 0.5}, "LT"),
        ({"hours_since_last_seen": 1}, "ALWAYS"),
        ({"hours_since_last_seen": 9}, "GT"),
        ({"hours_since_last_seen": 8}, "ALWAYS"),
        ({**s136, "minutes_since_arrival": 10}, "LTE"),
        ({**s136, "minutes_since_arrival": 11}, "ALWAYS"),
        ({"rave_risk": True}, "NOT"),
        ({"reasonable_steps_taken": False}, "NULL-EQ"),
        ({"reasonable_steps_taken": None}, "ALWAYS"),
        ({"vulnerability_flags": ["frailty", "intoxication"]}, "ANY"),
        ({"entry_required": True}, "ANY"),
        ({}, "ALWAYS"),
    ]:
        assert suggest(ruleset, **changes).rule_id == rule_id, changes
