"""The call handler's intake form: address, the RCRP questions and the decision.

The RCRP questions are generated from the engine's FACT_FIELDS so the screen, the API and
the rule set always agree on what a fact is.
"""

import math
import uuid

import yaml
from django import forms

from core.forms import DayField

from . import engine
from .models import Call, Decision
from .services import THRIVE_ELEMENTS

YES_NO_UNKNOWN = [("", "Not known / not applicable"), ("yes", "Yes"), ("no", "No")]
# Answers the handler must choose; every other question starts on its neutral answer.
MUST_CHOOSE = {"concern_type", "caller_type"}


def _fact_form_field(spec) -> forms.Field:
    common = {"label": spec.label, "help_text": spec.help}
    if spec.kind == "enum":
        choices = [(value, value.replace("_", " ")) for value in spec.choices]
        if spec.name in MUST_CHOOSE:
            choices = [("", "— choose —"), *choices]
        return forms.ChoiceField(choices=choices, **common)
    if spec.kind == "flags":
        return forms.MultipleChoiceField(
            choices=[(v, v.replace("_", " ")) for v in spec.choices],
            widget=forms.CheckboxSelectMultiple,
            required=False,
            **common,
        )
    if spec.kind == "bool" and spec.nullable:
        return forms.ChoiceField(choices=YES_NO_UNKNOWN, required=False, **common)
    if spec.kind == "bool":
        return forms.BooleanField(required=False, **common)
    field_class = forms.IntegerField if spec.kind == "int" else forms.FloatField
    return field_class(required=False, min_value=0, **common)


def fact_fields():
    """The RCRP questions, excluding the repeat count the app fills in itself."""
    return [spec for spec in engine.FACT_FIELDS if spec.name != "repeat_calls_30d"]


class IntakeForm(forms.Form):
    """One form for the whole call, saved in one transaction (nothing half-written)."""

    client_token = forms.UUIDField(widget=forms.HiddenInput)
    address = forms.CharField(
        max_length=500,
        help_text="House number, street, town and postcode if the caller knows it.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    channel = forms.ChoiceField(choices=Call.Channel.choices, widget=forms.RadioSelect)
    narrative = forms.CharField(
        max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    decision = forms.ChoiceField(
        choices=[("accept", "Accept the suggestion"), ("override", "Override it")],
        widget=forms.RadioSelect,
        initial="accept",
    )
    final_agency = forms.ChoiceField(
        choices=[("", "— agency —"), *[(a, a.replace("_", " ")) for a in engine.AGENCIES]],
        required=False,
    )
    final_police_attend = forms.ChoiceField(
        choices=[("", "— police attend? —"), ("yes", "Police attend"), ("no", "No police")],
        required=False,
    )
    override_reason = forms.ChoiceField(
        choices=[("", "— reason —"), *Decision.OverrideReason.choices], required=False
    )
    override_note = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    grade = forms.TypedChoiceField(
        coerce=int,
        choices=[
            ("", "— grade —"),
            (1, "1 Immediate / emergency"),
            (2, "2 Priority"),
            (3, "3 Scheduled"),
            (4, "4 Resolved without deployment"),
        ],
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
            self.fields[f"thrive_{element}"] = forms.CharField(
                max_length=2000, label=element.capitalize()
            )
        for check in engine.CHECK_IDS:
            self.fields[f"check_{check}"] = forms.CharField(
                max_length=2000, required=False, label="Reason (no present risk)"
            )

    def fact_groups(self):
        """Bound fact fields grouped by the engine's question groups, in order."""
        groups: dict[str, list] = {}
        for spec in fact_fields():
            groups.setdefault(spec.group, []).append(self[f"fact_{spec.name}"])
        return groups.items()

    def thrive_fields(self):
        return [self[f"thrive_{e}"] for e in THRIVE_ELEMENTS]

    def facts(self) -> dict:
        """The cleaned answers as an engine facts object (repeat count filled in later)."""
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
        facts["repeat_calls_30d"] = 1
        return facts

    def add_fact_errors(self, errors: dict[str, list[str]]):
        for name, messages in errors.items():
            field = f"fact_{name}" if f"fact_{name}" in self.fields else None
            for message in messages:
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

    def add_decision_errors(self, errors: dict):
        mapping = {"final_police_attend": "final_police_attend", "caller_told": "caller_told"}
        for name, messages in errors.items():
            if name == "thrive":
                for message in messages:
                    self.add_error(None, f"THRIVE: {message}")
                continue
            if name == "check_confirmations":
                for message in messages:
                    self.add_error(None, message)
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
            field = mapping.get(name, name)
            for message in messages if isinstance(messages, list) else [messages]:
                self.add_error(field if field in self.fields else None, message)


class RuleSetForm(forms.Form):
    """A new draft rule set, pasted as YAML (or JSON, which is YAML too)."""

    document = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
        max_length=200_000,
        help_text="The whole rule set: version, name, caller_advice and rules.",
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


class WhatIfForm(forms.Form):
    """The period of past calls to replay through a draft (Europe/London dates)."""

    start = DayField()
    end = DayField(help_text="Inclusive.")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError("The end date is before the start date.")
            if (end - start).days + 1 > WHAT_IF_MAX_DAYS:
                raise forms.ValidationError(f"Choose at most {WHAT_IF_MAX_DAYS} days at a time.")
        return data
