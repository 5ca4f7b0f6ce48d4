"""The RCRP facts of one call: their schema, strict parsing and cross-field rules.

Pure Python: no Django, no database. Every field is always present; unknown fields,
missing fields and unknown values are errors, never guesses.
"""

import math
from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class FactSpec:
    name: str
    kind: str  # enum | bool | int | number | flags
    label: str
    help: str
    group: str
    choices: tuple[str, ...] = ()
    nullable: bool = False
    default: object = None
    minimum: float | None = None


DETAINED = ("detained_mha", "detained_mha_restricted", "detained_s136")

FACT_FIELDS: tuple[FactSpec, ...] = (
    FactSpec(
        "concern_type",
        "enum",
        "What is the call about?",
        "The strand: why the caller contacted police.",
        "The call",
        ("welfare_check", "walkout", "awol", "medical", "conveyance", "s136_handover"),
    ),
    FactSpec(
        "caller_type",
        "enum",
        "Who is calling?",
        "AMHPs count as social care.",
        "The call",
        (
            "public",
            "self",
            "health_professional",
            "social_care",
            "ambulance",
            "police_officer",
            "other_agency",
        ),
    ),
    FactSpec(
        "location_type",
        "enum",
        "Where is the person now?",
        "'unknown' means whereabouts unknown.",
        "The call",
        (
            "home",
            "health_setting",
            "mh_inpatient_unit",
            "place_of_safety",
            "care_home",
            "public_place",
            "other_premises",
            "unknown",
        ),
        default="home",
    ),
    FactSpec(
        "patient_status",
        "enum",
        "Mental Health Act status",
        "CTO/guardianship = detained MHA; Part III or restricted = restricted.",
        "The call",
        ("none", "informal_patient", "detained_mha", "detained_mha_restricted", "detained_s136"),
        default="none",
    ),
    FactSpec(
        "crime",
        "enum",
        "Crime",
        "Has a crime occurred, or is one occurring or just occurred?",
        "Threshold",
        ("none", "past", "in_progress"),
        default="none",
    ),
    FactSpec(
        "violence_or_weapon",
        "bool",
        "Violence, threats to others or a weapon",
        "Violence or threats to others now, or a weapon present.",
        "Threshold",
        default=False,
    ),
    FactSpec(
        "immediate_risk",
        "enum",
        "Real and immediate risk",
        "Present and ongoing risk to life or of serious harm. 'none' where the risk is only "
        "the clinical severity of an illness at a reachable place.",
        "Threshold",
        ("none", "serious_harm", "life"),
        default="none",
    ),
    FactSpec(
        "child_at_risk",
        "bool",
        "Child at risk",
        "Safeguarding concern about someone under 18 (not ordinary childhood illness).",
        "Threshold",
        default=False,
    ),
    FactSpec(
        "medical_need",
        "enum",
        "Clinical need",
        "",
        "Health",
        ("none", "non_urgent", "urgent"),
        default="none",
    ),
    FactSpec(
        "capacity",
        "enum",
        "Capacity",
        "As reported, for the relevant decision.",
        "Health",
        ("has_capacity", "lacks_capacity", "unknown"),
        default="unknown",
    ),
    FactSpec(
        "known_to_service",
        "enum",
        "Known to a service",
        "The service already responsible for the person.",
        "Health",
        ("none", "mental_health", "social_care", "primary_care"),
        default="none",
    ),
    FactSpec(
        "vulnerability_flags",
        "flags",
        "Vulnerability",
        "Indicators that support judgement.",
        "Health",
        (
            "stated_suicidal_intent",
            "means_available",
            "self_harm_injury",
            "mental_distress",
            "cognitive_impairment",
            "intoxication",
            "frailty",
            "critical_medication",
        ),
        default=(),
    ),
    FactSpec(
        "reasonable_steps_taken",
        "bool",
        "Referring agency has finished its enquiries",
        "Site search, phone, next of kin, home visit. Not known / not applicable if no agency.",
        "Circumstances",
        nullable=True,
    ),
    FactSpec(
        "rave_risk",
        "bool",
        "RAVE risk",
        "Risk of resistance, aggression, violence or escape.",
        "Circumstances",
        default=False,
    ),
    FactSpec(
        "entry_required",
        "bool",
        "Entry required",
        "Someone inside needs urgent help and there is no other way in.",
        "Circumstances",
        default=False,
    ),
    FactSpec(
        "hours_since_last_seen",
        "number",
        "Hours since last seen",
        "",
        "Circumstances",
        nullable=True,
        minimum=0,
    ),
    FactSpec(
        "minutes_since_arrival",
        "number",
        "Minutes since arrival at the place of safety",
        "s136 handovers only.",
        "Section 136",
        nullable=True,
        minimum=0,
    ),
    FactSpec(
        "handover_accepted",
        "bool",
        "Place-of-safety staff have accepted responsibility",
        "s136 handovers only.",
        "Section 136",
        nullable=True,
    ),
    FactSpec(
        "repeat_calls_30d",
        "int",
        "Calls from this dwelling in 30 days",
        "This call included; the app fills it in.",
        "Repeat calls",
        default=1,
        minimum=1,
    ),
)
FACTS_BY_NAME = {spec.name: spec for spec in FACT_FIELDS}


@dataclass(frozen=True)
class Facts:
    concern_type: str
    caller_type: str
    location_type: str
    patient_status: str
    crime: str
    violence_or_weapon: bool
    immediate_risk: str
    child_at_risk: bool
    medical_need: str
    capacity: str
    known_to_service: str
    vulnerability_flags: tuple[str, ...]
    reasonable_steps_taken: bool | None
    rave_risk: bool
    entry_required: bool
    hours_since_last_seen: float | None
    minutes_since_arrival: float | None
    handover_accepted: bool | None
    repeat_calls_30d: int


assert [f.name for f in fields(Facts)] == [s.name for s in FACT_FIELDS]  # noqa: S101


class FactsError(ValueError):
    """Invalid facts: ``errors`` maps each offending field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _parse_value(spec: FactSpec, value):
    """The clean value, or raise ValueError with the message for the field."""
    if value is None:
        if spec.nullable:
            return None
        raise ValueError("May not be null.")
    if spec.kind == "enum":
        if not isinstance(value, str) or value not in spec.choices:
            raise ValueError(f"{value!r} is not one of: {', '.join(spec.choices)}.")
        return value
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise ValueError("Must be true or false" + (" or null." if spec.nullable else "."))
        return value
    if spec.kind == "flags":
        if not isinstance(value, list | tuple):
            raise ValueError("Must be a list.")
        unknown = [v for v in value if not isinstance(v, str) or v not in spec.choices]
        if unknown:
            raise ValueError(
                f"Unknown value(s) {', '.join(map(repr, unknown))}; "
                f"allowed: {', '.join(spec.choices)}."
            )
        if len(set(value)) != len(value):
            raise ValueError("Values must not repeat.")
        return tuple(sorted(value))
    if spec.kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError("Must be a whole number.")
    elif not _is_number(value) or (isinstance(value, float) and not math.isfinite(value)):
        raise ValueError("Must be a number.")
    if spec.minimum is not None and value < spec.minimum:
        raise ValueError(f"Must be at least {spec.minimum:g}.")
    if value > 10**9:
        raise ValueError("Too large.")
    return value


def _cross_field_errors(f: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    concern, status = f["concern_type"], f["patient_status"]
    if concern == "s136_handover" and status != "detained_s136":
        errors["patient_status"] = ["An s136 handover requires patient_status detained_s136."]
    if concern == "awol" and status not in ("detained_mha", "detained_mha_restricted"):
        errors["patient_status"] = [
            "AWOL requires patient_status detained_mha or detained_mha_restricted."
        ]
    if concern == "walkout" and status in DETAINED:
        errors["concern_type"] = ["A detained patient who leaves is AWOL: reclassify as AWOL."]
    if concern != "s136_handover":
        for name in ("minutes_since_arrival", "handover_accepted"):
            if f[name] is not None:
                errors[name] = ["Must be null unless concern_type is s136_handover."]
    return errors


def parse_facts(data) -> Facts:
    """Validate a facts object (every field, strictly) and return it as ``Facts``."""
    if not isinstance(data, dict):
        raise FactsError({"facts": ["Must be an object with every RCRP fact."]})
    errors: dict[str, list[str]] = {}
    for name in data:
        if name not in FACTS_BY_NAME:
            errors[str(name)] = ["Unknown field."]
    clean: dict = {}
    for spec in FACT_FIELDS:
        if spec.name not in data:
            errors[spec.name] = ["This field is required."]
            continue
        try:
            clean[spec.name] = _parse_value(spec, data[spec.name])
        except ValueError as exc:
            errors[spec.name] = [str(exc)]
    if not errors:
        errors = _cross_field_errors(clean)
    if errors:
        raise FactsError(errors)
    return Facts(**clean)


# The two questions a handler must answer, answered as for the commonest call: a member of
# the public worried about someone's welfare. Every other fact takes its neutral answer.
NEUTRAL_CALL = {"concern_type": "welfare_check", "caller_type": "public"}


def neutral_facts() -> dict:
    """A facts object of a plain welfare call: each fact's neutral (default) answer, the
    repeat count at 1. Scenarios, demo data and tests state only the answers that differ."""
    facts = {spec.name: spec.default for spec in FACT_FIELDS}
    facts.update(NEUTRAL_CALL)
    facts["vulnerability_flags"] = list(facts["vulnerability_flags"])
    return facts


def facts_to_dict(facts: Facts) -> dict:
    """The JSON form of parsed facts (lists, not tuples)."""
    data = asdict(facts)
    data["vulnerability_flags"] = list(facts.vulnerability_flags)
    return data
