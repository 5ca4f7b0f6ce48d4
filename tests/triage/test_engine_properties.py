"""Property tests for the RCRP engine over random valid (and invalid) facts."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from triage import engine

RULESET = engine.load_default_ruleset()
RULE_IDS = {rule.id for rule in RULESET.rules}
SPECS = engine.FACTS_BY_NAME
S136_ONLY = ("minutes_since_arrival", "handover_accepted")
CONCERNS = SPECS["concern_type"].choices
PROPS = settings(max_examples=250, deadline=None)
FUZZ = settings(max_examples=200, deadline=None)


def subset(choices: tuple[str, ...], mask: int, reverse: bool) -> list[str]:
    """The choices picked by the bits of mask, in spec order or reversed (a cheap shuffle)."""
    picked = [choice for i, choice in enumerate(choices) if mask >> i & 1]
    return picked[::-1] if reverse else picked


def value_of(spec: engine.FactSpec) -> st.SearchStrategy:
    """Any valid value of one fact, built from its spec."""
    if spec.kind == "enum":
        strategy = st.sampled_from(spec.choices)
    elif spec.kind == "bool":
        strategy = st.booleans()
    elif spec.kind == "int":
        strategy = st.integers(min_value=int(spec.minimum or 0), max_value=60)
    elif spec.kind == "number":
        strategy = st.floats(min_value=0, max_value=1e6, allow_nan=False) | st.integers(0, 500)
    elif spec.kind == "flags":
        strategy = st.tuples(st.integers(0, 2 ** len(spec.choices) - 1), st.booleans()).map(
            lambda drawn, choices=spec.choices: subset(choices, *drawn)
        )
    else:  # pragma: no cover - a new kind needs a strategy here
        raise AssertionError(spec.kind)
    return st.none() | strategy if spec.nullable else strategy


@st.composite
def valid_facts(draw, concerns=CONCERNS) -> dict:
    """A facts dict that satisfies every cross-field rule of the spec."""
    concern = draw(st.sampled_from(concerns))
    data = {"concern_type": concern} | dict.fromkeys(S136_ONLY)
    for spec in engine.FACT_FIELDS:
        if spec.name not in data:
            data[spec.name] = draw(value_of(spec))
    if concern == "s136_handover":
        data["patient_status"] = "detained_s136"
        for name in S136_ONLY:
            data[name] = draw(value_of(SPECS[name]))
    elif concern == "awol":
        data["patient_status"] = draw(st.sampled_from(["detained_mha", "detained_mha_restricted"]))
    elif concern == "walkout":
        data["patient_status"] = draw(st.sampled_from(["none", "informal_patient"]))
    # Every field, in the spec's order.
    return {spec.name: data[spec.name] for spec in engine.FACT_FIELDS}


def first_match(facts: engine.Facts) -> engine.Rule:
    return next(rule for rule in RULESET.rules if rule.when(facts))


# (a) crime, violence, children and immediate risk always bring police ----------------

THRESHOLD = [
    {"crime": "in_progress"},
    {"violence_or_weapon": True},
    {"child_at_risk": True},
    {"immediate_risk": "serious_harm"},
    {"immediate_risk": "life"},
]
STRANDS = tuple(c for c in CONCERNS if c not in ("s136_handover", "conveyance"))


@PROPS
@given(valid_facts(concerns=STRANDS), st.sampled_from(THRESHOLD))
def test_threshold_facts_always_bring_police(data, trigger):
    result = engine.evaluate(engine.parse_facts(data | trigger), RULESET)
    assert result.police_attend is True
    assert result.rule_id in {"GEN-CRIME-VIOLENCE", "GEN-CHILD", "GEN-IMMEDIATE-RISK"}
    assert result.agency in {"POLICE", "JOINT_POLICE_AMBULANCE"}


@PROPS
@given(valid_facts(concerns=STRANDS))
def test_police_attend_whenever_the_threshold_is_met(data):
    facts = engine.parse_facts(data)
    met = (
        facts.crime == "in_progress"
        or facts.violence_or_weapon
        or facts.child_at_risk
        or facts.immediate_risk in ("serious_harm", "life")
    )
    result = engine.evaluate(facts, RULESET)
    if met:
        assert result.police_attend is True
    else:
        assert not result.rule_id.startswith(("GEN-CRIME", "GEN-CHILD", "GEN-IMMEDIATE"))


# (b) exactly one suggestion, from the rule set, deterministic ------------------------


@PROPS
@given(valid_facts())
def test_every_valid_fact_set_gets_one_suggestion_from_the_ruleset(data):
    facts = engine.parse_facts(data)
    result = engine.evaluate(facts, RULESET)
    assert isinstance(result, engine.Suggestion)
    assert result.rule_id in RULE_IDS
    assert result.agency in engine.AGENCIES
    rule = first_match(facts)
    assert result.rule_id == rule.id
    assert result.agency in rule.agencies
    assert result.police_attend is rule.police_attend
    assert result.rationale == rule.rationale
    assert result.caller_advice.strip()
    assert result.ruleset_version == RULESET.version
    assert set(result.flags) <= set(engine.FLAG_IDS)
    assert set(result.checks) <= set(engine.CHECK_IDS)
    # Deterministic: the same facts, parsed again, give the same suggestion.
    assert engine.evaluate(engine.parse_facts(data), RULESET) == result
    assert engine.evaluate(facts, RULESET).to_dict() == result.to_dict()


# (c) Farmington never changes the suggestion ----------------------------------------


@PROPS
@given(valid_facts(), st.integers(min_value=3, max_value=10**6))
def test_farmington_never_changes_the_suggestion(data, repeat):
    once = engine.evaluate(engine.parse_facts(data | {"repeat_calls_30d": 1}), RULESET)
    # Intake tells the engine the call completes the window (referrals.farmington counts).
    many = engine.evaluate(
        engine.parse_facts(data | {"repeat_calls_30d": repeat}), RULESET, repeat_due=True
    )
    assert "FLAG-FARMINGTON" not in once.flags
    assert "FLAG-FARMINGTON" in many.flags
    assert (many.rule_id, many.agency, many.police_attend) == (
        once.rule_id,
        once.agency,
        once.police_attend,
    )
    assert (many.rationale, many.caller_advice, many.checks) == (
        once.rationale,
        once.caller_advice,
        once.checks,
    )


# (d) the caller is told iff police do not attend ------------------------------------


@PROPS
@given(valid_facts())
def test_tell_caller_flag_iff_police_do_not_attend(data):
    due = data["repeat_calls_30d"] >= 3
    result = engine.evaluate(engine.parse_facts(data), RULESET, repeat_due=due)
    assert ("FLAG-TELL-CALLER" in result.flags) is (not result.police_attend)
    assert ("FLAG-FARMINGTON" in result.flags) is due


@PROPS
@given(valid_facts())
def test_checks_follow_the_spec(data):
    result = engine.evaluate(engine.parse_facts(data), RULESET)
    flags = set(data["vulnerability_flags"])
    no_risk = data["immediate_risk"] == "none"
    suicide = {"stated_suicidal_intent", "means_available"} <= flags and no_risk
    missing = (
        data["capacity"] == "lacks_capacity" and data["location_type"] == "unknown" and no_risk
    )
    assert ("CHECK-SUICIDE-MEANS" in result.checks) is suicide
    assert ("CHECK-CAPACITY-MISSING" in result.checks) is missing


# (e) round trip ---------------------------------------------------------------------


@PROPS
@given(valid_facts())
def test_facts_round_trip(data):
    parsed = engine.parse_facts(data)
    out = engine.facts_to_dict(parsed)
    assert out == data | {"vulnerability_flags": sorted(data["vulnerability_flags"])}
    assert engine.parse_facts(out) == parsed
    assert isinstance(out["vulnerability_flags"], list)


# parse_facts raises only FactsError on anything JSON-like -----------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([10**400, -(10**400), 2**63, -1, 0, 10**9 + 1])
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(
        [c for spec in engine.FACT_FIELDS for c in spec.choices] + ["", "true", "null"]
    )
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
NAMES = st.sampled_from([spec.name for spec in engine.FACT_FIELDS]) | st.text(max_size=10)


def parse_or_facts_error(data):
    try:
        parsed = engine.parse_facts(data)
    except engine.FactsError as exc:
        assert exc.errors
        assert all(isinstance(k, str) for k in exc.errors)
        assert all(msgs and all(isinstance(m, str) for m in msgs) for msgs in exc.errors.values())
        return None
    assert isinstance(parsed, engine.Facts)
    result = engine.evaluate(parsed, RULESET)
    assert result.rule_id in RULE_IDS
    return parsed


@FUZZ
@given(JSON)
def test_parse_facts_only_raises_facts_error_on_any_json(data):
    assert parse_or_facts_error(data) is None


@FUZZ
@given(st.dictionaries(NAMES, JSON, max_size=8))
def test_parse_facts_only_raises_facts_error_on_json_objects(data):
    parse_or_facts_error(data)


@FUZZ
@given(valid_facts(), st.dictionaries(NAMES, JSON, max_size=3))
def test_parse_facts_only_raises_facts_error_on_damaged_valid_facts(data, damage):
    damaged = data | damage
    parsed = parse_or_facts_error(damaged)
    if parsed is not None:
        # Whatever was accepted is clean: numbers finite and in range, flags unique.
        for spec in engine.FACT_FIELDS:
            value = getattr(parsed, spec.name)
            if spec.kind in ("int", "number") and value is not None:
                assert not isinstance(value, bool)
                assert math.isfinite(value)
                assert value >= spec.minimum
        assert len(set(parsed.vulnerability_flags)) == len(parsed.vulnerability_flags)


NUMERIC = [spec.name for spec in engine.FACT_FIELDS if spec.kind in ("int", "number")]
EDGE_NUMBERS = st.sampled_from(
    [
        10**400,
        -(10**400),
        2**63,
        10**9,
        10**9 + 1,
        1e308,
        math.inf,
        -math.inf,
        math.nan,
        -0.0,
        -1e-9,
        True,
        False,
        "1",
    ]
)


@FUZZ
@given(valid_facts(), st.sampled_from(NUMERIC), EDGE_NUMBERS | st.integers() | st.floats())
def test_numeric_facts_reject_edge_values_with_facts_error(data, name, value):
    parse_or_facts_error(data | {name: value})
