"""The call handler's intake form: address, the RCRP questions and the decision.

The RCRP questions are generated from the engine's FACT_FIELDS so the screen, the API and
the rule set always agree on what a fact is. What the screen says (answers, messages) is in
words (SCREENS.md); the engine and the services keep their codes and messages, which the
API returns.
"""

import math
import re
import uuid
from dataclasses import dataclass

import yaml
from django import forms

from core.forms import PeriodForm

from . import engine
from .engine.words import agency_label, fact_value_label, flag_label
from .models import Call, Decision
from .services import THRIVE_ELEMENTS

YES_NO_UNKNOWN = [("", "Not known / not applicable"), ("yes", "Yes"), ("no", "No")]
# Answers the handler must choose; every other question starts on its neutral answer.
MUST_CHOOSE = {"concern_type", "caller_type"}
# The engine refuses a number above 10**9 (triage.engine.facts._parse_value): the form
# refuses it first, in words, so the live suggestion refuses what the save refuses.
FACT_NUMBER_MAX = 10**9
# Asked only for a section 136 handover: hidden otherwise, and not sent to the engine.
S136_HANDOVER = "s136_handover"
S136_FACTS = ("minutes_since_arrival", "handover_accepted")

# What to do about a question, where "Choose an answer to …" would say it less well.
FACT_TODO = {
    "concern_type": "Choose what the call is about.",
    "caller_type": "Choose who is calling.",
    "hours_since_last_seen": "Enter the hours since the person was last seen as a number "
    "of hours from 0 to 1,000,000,000, or leave it blank if not known.",
    "minutes_since_arrival": "Enter the minutes since the person arrived at the place of "
    "safety as a number from 0 to 1,000,000,000, or leave it blank if not known.",
}
# The screen's help where the engine's (shared with the API's schema) speaks in codes.
FACT_HELP = {
    "location_type": "As far as the caller knows.",
    "immediate_risk": "Present and ongoing risk to life or of serious harm. Not where the "
    "only risk is how ill the person is, somewhere help can reach them.",
    "patient_status": "A community treatment order or guardianship counts as detained; "
    "Part III and restricted patients are restricted.",
    "medical_need": "Whether the person needs a clinician, and how soon.",
    "hours_since_last_seen": "Leave blank if not known.",
    "minutes_since_arrival": "Leave blank if not known.",
    "handover_accepted": "",
}


def _answer(fact: str, value: str) -> str:
    return f"“{fact_value_label(fact, value)}”"


# The engine's cross-field messages (unchanged: the API returns them) in the screen's words.
FACT_CROSS_FIELD_WORDS = {
    "An s136 handover requires patient_status detained_s136.": (
        "A section 136 handover is for a person detained under section 136: choose "
        f"{_answer('patient_status', 'detained_s136')} as the Mental Health Act status, "
        "or change what the call is about."
    ),
    "AWOL requires patient_status detained_mha or detained_mha_restricted.": (
        "A patient absent without leave is detained: choose "
        f"{_answer('patient_status', 'detained_mha')} or "
        f"{_answer('patient_status', 'detained_mha_restricted')} as the Mental Health Act "
        "status, or change what the call is about."
    ),
    "A detained patient who leaves is AWOL: reclassify as AWOL.": (
        "A detained patient who leaves is absent without leave: choose "
        f"{_answer('concern_type', 'awol')} as what the call is about."
    ),
    "Must be null unless concern_type is s136_handover.": (
        "Only a section 136 handover has this answer: leave it blank."
    ),
}


def fact_todo(spec) -> str:
    """What to do about an answer the engine refuses, for one question."""
    if spec.name in FACT_TODO:
        return FACT_TODO[spec.name]
    if spec.kind in ("int", "number"):
        return f"Enter “{spec.label}” as a number from 0 to 1,000,000,000."
    return f"Choose an answer to “{spec.label}”."


def fact_message(name: str, message: str) -> str:
    """An engine message about a fact, as the screen says it: what to do, no field names."""
    if message in FACT_CROSS_FIELD_WORDS:
        return FACT_CROSS_FIELD_WORDS[message]
    spec = engine.FACTS_BY_NAME.get(name)
    if spec is None:
        return "Check the answers to the questions."
    return fact_todo(spec)


def _fact_form_field(spec) -> forms.Field:
    todo = fact_todo(spec)
    help_text = FACT_HELP.get(spec.name, spec.help)
    common = {"label": spec.label, "help_text": help_text}
    if spec.kind == "enum":
        choices = [(value, fact_value_label(spec.name, value)) for value in spec.choices]
        if spec.name in MUST_CHOOSE:
            choices = [("", "— choose —"), *choices]
        messages = {"required": todo, "invalid_choice": todo}
        return forms.ChoiceField(choices=choices, error_messages=messages, **common)
    if spec.kind == "flags":
        return forms.MultipleChoiceField(
            choices=[(v, fact_value_label(spec.name, v)) for v in spec.choices],
            widget=forms.CheckboxSelectMultiple,
            required=False,
            error_messages={"invalid_choice": todo, "invalid_list": todo},
            **common,
        )
    if spec.kind == "bool" and spec.nullable:
        return forms.ChoiceField(
            choices=YES_NO_UNKNOWN,
            required=False,
            error_messages={"invalid_choice": todo},
            **common,
        )
    if spec.kind == "bool":
        return forms.BooleanField(required=False, **common)
    field_class = forms.IntegerField if spec.kind == "int" else forms.FloatField
    return field_class(
        required=False,
        min_value=spec.minimum if spec.minimum is not None else 0,
        max_value=FACT_NUMBER_MAX,
        error_messages={"invalid": todo, "min_value": todo, "max_value": todo},
        **common,
    )


def fact_fields():
    """The RCRP questions, excluding the repeat count the app fills in itself."""
    return [spec for spec in engine.FACT_FIELDS if spec.name != "repeat_calls_30d"]


@dataclass(frozen=True)
class FactGroup:
    """One group of questions as the form shows it."""

    name: str
    fields: list
    s136_only: bool  # shown only for a section 136 handover


# THRIVE (threat, harm, risk, investigation, vulnerability, engagement), the national
# call-assessment model: each element is a choice with one line of guidance. The choice's
# words are what is stored, so the decision's API and pages read them as they are.
THRIVE_LEVELS = ("None identified", "Low", "Medium", "High")
THRIVE_GUIDANCE = {
    "threat": ("Who or what is threatened, and by what.", THRIVE_LEVELS),
    "harm": ("How serious the harm could be.", THRIVE_LEVELS),
    "risk": ("How likely the harm is, and how soon.", THRIVE_LEVELS),
    "investigation": (
        "Any offence or enquiries to make, and how soon.",
        ("None needed", "Can wait", "Needed now"),
    ),
    "vulnerability": ("How much the person needs others to keep safe.", THRIVE_LEVELS),
    "engagement": (
        "How much engagement it needs to be resolved.",
        ("None needed", "Low", "Medium", "High"),
    ),
}
assert set(THRIVE_GUIDANCE) == set(THRIVE_ELEMENTS)  # noqa: S101

GRADE_CHOICES = [
    (1, "1 Emergency"),
    (2, "2 Priority"),
    (3, "3 Scheduled"),
    (4, "4 Resolved without deployment"),
]
# One line each, beside the grade's choice.
GRADE_MEANINGS = {
    1: "risk to life or of serious harm now; attend at once.",
    2: "urgent, no one in immediate danger; attend soon.",
    3: "a visit or a call back at an agreed time.",
    4: "advice, a referral or another agency; no one sent.",
}

# Service messages that name a code (a check) or a list of codes, in words.
_CHECK_NOT_CONFIRMED = re.compile(r"^(?P<check>\S+) must be confirmed with a reason\.$")


def check_todo(check: str) -> str:
    """What to do about a check the suggestion raised and no reason confirms."""
    return f"{flag_label(check)}: give the reason there is no present risk."


class IntakeForm(forms.Form):
    """One form for the whole call, saved in one transaction (nothing half-written)."""

    client_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This page is out of date: open New call again.",
            "invalid": "This page is out of date: open New call again.",
        },
    )
    address = forms.CharField(
        max_length=500,
        help_text="Number, street, town; the postcode if known.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Enter the address, or as much of it as the caller knows.",
            "max_length": "Shorten the address to 500 characters or fewer.",
        },
    )
    channel = forms.ChoiceField(
        choices=Call.Channel.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how the call came in: 999 or 101.",
            "invalid_choice": "Choose how the call came in: 999 or 101.",
        },
    )
    narrative = forms.CharField(
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Shorten the narrative to 10,000 characters or fewer."},
    )

    decision = forms.ChoiceField(
        choices=[("accept", "Accept the suggestion"), ("override", "Override it")],
        widget=forms.RadioSelect,
        initial="accept",
        error_messages={
            "required": "Choose whether to accept the suggestion or override it.",
            "invalid_choice": "Choose whether to accept the suggestion or override it.",
        },
    )
    final_agency = forms.ChoiceField(
        label="Agency instead",
        choices=[("", "— agency —"), *[(a, agency_label(a)) for a in engine.AGENCIES]],
        required=False,
        error_messages={
            "required": "Choose the agency that will respond instead.",
            "invalid_choice": "Choose the agency that will respond instead.",
        },
    )
    final_police_attend = forms.ChoiceField(
        label="Police attend?",
        choices=[("", "— police attend? —"), ("yes", "Police attend"), ("no", "No police")],
        required=False,
        error_messages={"invalid_choice": "Say whether police will attend."},
    )
    override_reason = forms.ChoiceField(
        label="Reason for the override",
        choices=[("", "— reason —"), *Decision.OverrideReason.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a reason for the override."},
    )
    override_note = forms.CharField(
        label="Why (a note for the review)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Shorten the note to 2,000 characters or fewer."},
    )
    grade = forms.TypedChoiceField(
        coerce=int,
        choices=GRADE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the grade.", "invalid_choice": "Choose the grade."},
    )
    caller_told = forms.BooleanField(
        required=False,
        label="The caller was told police will not attend, who will help instead, "
        "and to call back if things change",
    )
    caller_told_text = forms.CharField(
        max_length=2000,
        required=False,
        label="What the caller was told",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Shorten what the caller was told to 2,000 characters."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_token", uuid.uuid4())
        for spec in fact_fields():
            field = _fact_form_field(spec)
            if spec.default is not None and spec.name not in MUST_CHOOSE:
                field.initial = spec.default
            self.fields[f"fact_{spec.name}"] = field
        for element in THRIVE_ELEMENTS:
            guidance, levels = THRIVE_GUIDANCE[element]
            todo = f"Choose the THRIVE assessment of {element}."
            self.fields[f"thrive_{element}"] = forms.ChoiceField(
                label=element.capitalize(),
                help_text=guidance,
                choices=[("", "— choose —"), *[(level, level) for level in levels]],
                error_messages={"required": todo, "invalid_choice": todo},
            )
        for check in engine.CHECK_IDS:
            self.fields[f"check_{check}"] = forms.CharField(
                max_length=2000, required=False, label="Reason (no present risk)"
            )
        # The page's order, which the error summary follows.
        self.order_fields(
            [
                "client_token",
                "address",
                "channel",
                "narrative",
                *(f"fact_{spec.name}" for spec in fact_fields()),
                *(f"check_{check}" for check in engine.CHECK_IDS),
                "decision",
                "final_agency",
                "final_police_attend",
                "override_reason",
                "override_note",
                *(f"thrive_{element}" for element in THRIVE_ELEMENTS),
                "grade",
                "caller_told",
                "caller_told_text",
            ]
        )

    def fact_groups(self) -> list[FactGroup]:
        """Bound fact fields grouped by the engine's question groups, in order."""
        groups: dict[str, list] = {}
        for spec in fact_fields():
            groups.setdefault(spec.group, []).append(spec.name)
        return [
            FactGroup(
                name=name,
                fields=[self[f"fact_{fact}"] for fact in facts],
                s136_only=all(fact in S136_FACTS for fact in facts),
            )
            for name, facts in groups.items()
        ]

    def thrive_fields(self):
        return [self[f"thrive_{e}"] for e in THRIVE_ELEMENTS]

    def grade_options(self):
        """The grade's radios, each with its one-line meaning."""
        return [(radio, GRADE_MEANINGS.get(radio.data["value"], "")) for radio in self["grade"]]

    def facts(self) -> dict:
        """The cleaned answers as an engine facts object (repeat count filled in later).

        The section 136 questions are hidden unless the call is a handover: answers left in
        them are not sent (as the screen, with JavaScript, disables them)."""
        facts = {}
        for spec in fact_fields():
            value = self.cleaned_data.get(f"fact_{spec.name}")
            if spec.kind == "bool" and spec.nullable:
                value = {"yes": True, "no": False}.get(value)
            elif spec.kind == "flags":
                value = list(value or [])
            elif spec.kind in ("int", "number") and value is None:
                value = None
            facts[spec.name] = value
        if facts.get("concern_type") != S136_HANDOVER:
            for name in S136_FACTS:
                facts[name] = None
        facts["repeat_calls_30d"] = 1
        return facts

    def _anchor(self, name: str) -> str:
        """The id of the control an error summary's link moves to."""
        field = self[name]
        return f"{field.auto_id}_0" if field.use_fieldset else field.id_for_label

    def fact_problems(self, engine_errors: dict[str, list[str]] | None = None):
        """What is still to answer or fix before there is a suggestion: (id of the question,
        what to do), in the questions' order. The form's own checks first (the save's
        bounds); then the engine's, in words."""
        problems = []
        engine_errors = engine_errors or {}
        for spec in fact_fields():
            name = f"fact_{spec.name}"
            messages = self.errors.get(name) or [
                fact_message(spec.name, m) for m in engine_errors.get(spec.name, [])
            ]
            problems.extend((self._anchor(name), message) for message in dict.fromkeys(messages))
        known = {spec.name for spec in fact_fields()}
        for name, messages in engine_errors.items():
            if name not in known:
                problems.extend(("", fact_message(name, m)) for m in messages)
        return problems

    def error_summary(self):
        """Every error as (id of the control to move to, or "", message), in page order."""
        summary = [("", message) for message in self.non_field_errors()]
        for name in self.fields:
            if name in self.errors and name != "client_token":
                summary.extend((self._anchor(name), message) for message in self.errors[name])
        if "client_token" in self.errors:
            summary.extend(("", message) for message in self.errors["client_token"])
        return summary

    def add_check_errors(self, raised) -> None:
        """After a refused save, the checks raised and not yet confirmed too: every problem
        is said at once, not one save at a time."""
        for check in raised:
            name = f"check_{check}"
            if name not in self.errors and not (self.data.get(name) or "").strip():
                self.add_error(name, check_todo(check))

    def add_fact_errors(self, errors: dict[str, list[str]]):
        """The engine's refusal of the answers, said on the questions in words."""
        for name, messages in errors.items():
            field = f"fact_{name}" if f"fact_{name}" in self.fields else None
            for message in dict.fromkeys(fact_message(name, m) for m in messages):
                self.add_error(field, message)

    def decision_kwargs(self) -> dict:
        data = self.cleaned_data
        attend = {"yes": True, "no": False}.get(data.get("final_police_attend"))
        override = data.get("decision") == "override"
        return {
            "accept": not override,
            "final_agency": data.get("final_agency") or None,
            "final_police_attend": attend,
            "override_reason": data.get("override_reason") or "",
            "override_note": data.get("override_note") or "",
            "grade": data.get("grade"),
            "thrive": {e: data.get(f"thrive_{e}", "") for e in THRIVE_ELEMENTS},
            "caller_told": bool(data.get("caller_told")),
            "caller_told_text": data.get("caller_told_text") or "",
        }

    def check_confirmations(self, raised) -> dict:
        """Reasons typed for checks; blank boxes of checks not raised are not sent."""
        typed = {c: (self.cleaned_data.get(f"check_{c}") or "").strip() for c in raised}
        return {c: reason for c, reason in typed.items() if reason}

    def _renew_client_token(self):
        data = self.data.copy()
        data["client_token"] = str(uuid.uuid4())
        self.data = data

    def _decision_message(self, field: str, message: str) -> str:
        """A service message about a field, in words: a required answer or a choice among
        codes becomes what to do ("Choose the agency…"), never the list of codes."""
        if message == "This field is required." or message.startswith("Must be one of"):
            words = self.fields[field].error_messages
            return words.get("invalid_choice") or words["required"]
        return message

    def add_decision_errors(self, errors: dict):
        """The services' refusal of the call or the decision, said on the form in words."""
        for name, messages in errors.items():
            messages = messages if isinstance(messages, list) else [messages]
            if name == "thrive":
                self.add_error(None, "Choose an assessment for each THRIVE element.")
                continue
            if name == "check_confirmations":
                for message in messages:
                    match = _CHECK_NOT_CONFIRMED.match(message)
                    field = f"check_{match['check']}" if match else None
                    if field in self.fields:
                        self.add_error(field, check_todo(match["check"]))
                    else:
                        self.add_error(
                            None,
                            "The checks changed with the answers: read the suggestion again, "
                            "then save.",
                        )
                continue
            if name == "client_token":
                # Another handler's call holds this token (the API refuses it the same way).
                # Nothing was saved: a fresh token lets this handler save the call as typed.
                self.add_error(
                    None,
                    "This call was not saved: the form had already been used for another call. "
                    "Check the answers and save again to record it.",
                )
                self._renew_client_token()
                continue
            for message in messages:
                if name in self.fields:
                    self.add_error(name, self._decision_message(name, message))
                else:
                    self.add_error(None, message)


class RuleSetForm(forms.Form):
    """A new draft rule set, pasted as YAML (or JSON, which is YAML too)."""

    document = forms.CharField(
        label="The new version, written as YAML",
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
        max_length=200_000,
        help_text="The whole rule set, not only the rules you change.",
    )

    def clean_document(self):
        text = self.cleaned_data["document"]
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
            problem = getattr(exc, "problem", exc)
            raise forms.ValidationError(f"Not valid YAML: {where}{problem}.") from None
        except RecursionError:
            raise forms.ValidationError(
                "Not valid YAML: lists or mappings are nested too deeply."
            ) from None
        except (ValueError, TypeError, AttributeError, OverflowError):
            # PyYAML's constructors raise these, not YAMLError, for values they cannot build:
            # a 13th month, an over-long integer, a bad !!timestamp or !!int, "\U00110000".
            raise forms.ValidationError(
                "Not valid YAML: a value cannot be read (an impossible date or time, a number "
                "too long, or a bad escape or tag)."
            ) from None
        if not isinstance(document, dict):
            raise forms.ValidationError("The rule set must be a mapping with version and rules.")
        problem = _not_json_data(document)
        if problem:
            raise forms.ValidationError(f"The rule set must hold plain data: {problem}")
        return document


# More values than a 200,000-character document can hold without aliases (&a / *a).
MAX_DOCUMENT_VALUES = 100_000


def _not_json_data(document) -> str | None:
    """Why a loaded document cannot be stored as JSON, or None.

    YAML also builds dates, sets, bytes, NaN and unpaired surrogates, which the JSON column
    refuses with a 500; and aliases can make a short text expand to billions of values.
    """
    stack = [("", document)]
    seen = 0
    while stack:
        path, value = stack.pop()
        seen += 1
        if seen > MAX_DOCUMENT_VALUES:
            return "it expands to too many values (check its aliases)."
        where = f" (at {path})" if path else ""
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    return f"the key {key!r} is not text{where}."
                stack.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return f"a text has an invalid escape{where}."
        elif isinstance(value, float) and not math.isfinite(value):
            return f"{value} (not a finite number) cannot be stored{where}."
        elif value is not None and not isinstance(value, bool | int | float):
            return f"a {type(value).__name__} is not allowed{where}; quote it as text."
    return None


WHAT_IF_MAX_DAYS = 92


class WhatIfForm(PeriodForm):
    """The period of past calls to replay through a draft (Europe/London dates)."""

    max_days = WHAT_IF_MAX_DAYS
