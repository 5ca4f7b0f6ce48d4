"""The practice form (the New call screen's own questions) and the scenario form."""

import random
import re

from django import forms

from callers.addresses import parse_address
from triage import engine
from triage.engine.words import agency_label
from triage.forms import IntakeForm

SESSION_SIZES = (5, 10, 20)
DEFAULT_SESSION_SIZE = 10
CHOOSE_AGENCY = "Choose the agency that should help."
SAY_POLICE = "Say whether police attend."

# Fictional addresses that replace a real one when a call becomes a scenario (the
# "Exampleton" and "Sampleford" of no map), chosen by the call's number.
FICTIONAL_ADDRESSES = (
    "14 Practice Lane, Exampleton EX1 2AB",
    "Flat 3, 7 Training Row, Sampleford SF2 9ZZ",
    "22 Drill Street, Exampleton EX4 7QT",
    "5 Scenario Close, Sampleford SF1 1AA",
    "Flat 11, Rehearsal House, Mock Road, Exampleton EX9 3CD",
)


class PracticeForm(IntakeForm):
    """The intake form's RCRP questions (same fields, words and checks), and the trainee's
    decision instead of the handler's: an agency and whether police attend."""

    agency = forms.ChoiceField(
        label="Which agency should help?",
        choices=[("", "— agency —"), *[(a, agency_label(a)) for a in engine.AGENCIES]],
        error_messages={"required": CHOOSE_AGENCY, "invalid_choice": CHOOSE_AGENCY},
    )
    police_attend = forms.ChoiceField(
        label="Do police attend?",
        choices=[("yes", "Police attend"), ("no", "Police do not attend")],
        widget=forms.RadioSelect,
        error_messages={"required": SAY_POLICE, "invalid_choice": SAY_POLICE},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if not (name.startswith("fact_") or name in ("agency", "police_attend")):
                del self.fields[name]

    def facts(self) -> dict:
        """The trainee's answers as a scenario's facts (no repeat count)."""
        facts = super().facts()
        facts.pop("repeat_calls_30d", None)
        return facts

    def attend(self) -> bool:
        return self.cleaned_data["police_attend"] == "yes"


class SessionForm(forms.Form):
    size = forms.TypedChoiceField(
        label="How many scenarios?",
        coerce=int,
        choices=[(n, str(n)) for n in SESSION_SIZES],
        initial=DEFAULT_SESSION_SIZE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how many scenarios to practise.",
            "invalid_choice": "Choose how many scenarios to practise.",
        },
    )

    def pick(self, scenario_ids: list[int]) -> list[int]:
        """A random session of the chosen size (all of them if there are fewer)."""
        ids = list(scenario_ids)
        random.shuffle(ids)  # noqa: S311 - practice order, not security
        return ids[: self.cleaned_data["size"]]


class ScenarioForm(IntakeForm):
    """A supervisor's scenario: a title, what the caller says, and the answers."""

    title = forms.CharField(
        max_length=200,
        help_text="A few words that say what happens, for the scenario list.",
        error_messages={
            "required": "Enter a title.",
            "max_length": "Shorten the title to 200 characters or fewer.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if not (name.startswith("fact_") or name in ("title", "narrative")):
                del self.fields[name]
        self.fields["narrative"].required = True
        self.fields["narrative"].label = "What the caller says"
        self.fields["narrative"].widget.attrs["rows"] = 6
        self.fields["narrative"].error_messages["required"] = "Enter what the caller says."
        self.order_fields(["title", "narrative"])

    def facts(self) -> dict:
        facts = super().facts()
        facts.pop("repeat_calls_30d", None)
        return facts


def fictional_address(call_id: int) -> str:
    return FICTIONAL_ADDRESSES[call_id % len(FICTIONAL_ADDRESSES)]


UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", re.IGNORECASE)
_PLACEHOLDER = "\x00address\x00"


def narrative_without_address(narrative: str, addresses, replacement: str) -> str:
    """The narrative with the real address replaced by the fictional one (any case): each
    spelling typed, the house number with its street however the street is written ("10
    High St", "10, high street"), the building's name and any postcode; a flat's number
    ("Flat 2") is removed. Names and other details are for the supervisor to edit."""
    spellings = sorted({a.strip() for a in addresses if a and a.strip()}, key=len, reverse=True)
    for address in spellings:
        narrative = re.sub(re.escape(address), _PLACEHOLDER, narrative, flags=re.IGNORECASE)
    for pattern, by in _address_parts(spellings):
        narrative = pattern.sub(by, narrative)
    fictional_postcode = UK_POSTCODE.search(replacement)
    if fictional_postcode:
        narrative = UK_POSTCODE.sub(fictional_postcode.group(0), narrative)
    # Tidy what a removed flat number leaves behind: doubled spaces, ", ." and the like.
    narrative = re.sub(r"[ \t]{2,}", " ", narrative)
    narrative = re.sub(r",\s*([.,])", r"\1", narrative).strip()
    return narrative.replace(_PLACEHOLDER, replacement)


def _address_parts(spellings) -> list[tuple[re.Pattern, str]]:
    """Patterns for the parts of the real address that a caller may say on their own."""
    parts = []
    for address in spellings:
        parsed = parse_address(address)
        if parsed is None:
            continue
        if parsed.number and parsed.street:
            first = re.escape(parsed.street.split()[0])
            number = re.escape(parsed.number)
            parts.append((rf"\b{number}\b[\s,]*{first}\b(?:[\s,]+[a-z]+\b\.?)?", _PLACEHOLDER))
        if parsed.building_name:
            parts.append((rf"\b{re.escape(parsed.building_name)}\b", _PLACEHOLDER))
        flat = re.search(r"\d+[a-z]?", parsed.sub_building or "")
        if flat:
            unit = r"(?:flat|apartment|apt|unit|room)"
            parts.append((rf"\b{unit}\.?\s*{re.escape(flat.group(0))}\b,?", ""))
    return [(re.compile(pattern, re.IGNORECASE), by) for pattern, by in parts]


def initial_from_facts(facts: dict) -> dict:
    """A scenario form's initial answers from an engine facts object."""
    initial = {}
    for spec in engine.FACT_FIELDS:
        if spec.name == "repeat_calls_30d" or spec.name not in facts:
            continue
        value = facts[spec.name]
        if spec.kind == "bool" and spec.nullable:
            value = {True: "yes", False: "no"}.get(value, "")
        initial[f"fact_{spec.name}"] = value
    return initial
