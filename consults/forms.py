import copy

from django import forms

from triage import engine
from triage.engine.words import agency_label
from triage.forms import THRIVE_ELEMENTS, THRIVE_GUIDANCE, IntakeForm

from .models import ADVICE_MAX, NOTE_MAX, QUESTION_MAX, SERVICE_MAX, Consult


class AskForm(forms.Form):
    question = forms.CharField(
        label="Question for the mental-health team",
        max_length=QUESTION_MAX,
        help_text="Short: who the person is and what you need to know.",
        widget=forms.Textarea(attrs={"rows": 2, "accesskey": "m"}),
        error_messages={
            "required": "Write the question for the mental-health team.",
            "max_length": f"Shorten the question to {QUESTION_MAX:,} characters or fewer.",
        },
    )


class AnswerForm(forms.Form):
    known_to_services = forms.ChoiceField(
        label="Is the person known to mental-health services?",
        choices=Consult.Known.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether the person is known to services.",
            "invalid_choice": "Say whether the person is known to services.",
        },
    )
    service = forms.CharField(
        label="Which service",
        required=False,
        max_length=SERVICE_MAX,
        help_text="For example the crisis team, or the community mental-health team.",
        error_messages={"max_length": f"Shorten the service to {SERVICE_MAX} characters."},
    )
    advice = forms.CharField(
        label="Advice to the handler",
        max_length=ADVICE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Write the advice to the handler.",
            "max_length": f"Shorten the advice to {ADVICE_MAX:,} characters or fewer.",
        },
    )
    recommended_agency = forms.ChoiceField(
        label="Recommended agency (optional)",
        required=False,
        choices=[],
        error_messages={"invalid_choice": "Choose an agency from the list, or none."},
    )
    risk_notes = forms.CharField(
        label="Risk notes",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": f"Shorten the risk notes to {NOTE_MAX:,} characters."},
    )

    def __init__(self, *args, agencies=engine.AGENCIES, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommended_agency"].choices = [
            ("", "— no recommendation —"),
            *[(a, agency_label(a)) for a in agencies],
        ]

    def answer_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "known_to_services": data["known_to_services"],
            "service": data["service"],
            "advice": data["advice"],
            "recommended_agency": data["recommended_agency"] or None,
            "risk_notes": data["risk_notes"],
        }


_DECISION_FIELDS = (
    "decision",
    "final_agency",
    "final_police_attend",
    "override_reason",
    "override_note",
    "grade",
    "caller_told",
    "caller_told_text",
)


class DecisionForm(forms.Form):
    """The New call screen's decision, on its own: for a call saved to ask the
    mental-health team first. Its fields, words and errors are the New call form's."""

    def __init__(self, *args, checks=(), **kwargs):
        super().__init__(*args, **kwargs)
        base = IntakeForm.base_fields
        for name in _DECISION_FIELDS:
            self.fields[name] = copy.deepcopy(base[name])
        for element in THRIVE_ELEMENTS:
            guidance, levels = THRIVE_GUIDANCE[element]
            todo = f"Choose the THRIVE assessment of {element}."
            self.fields[f"thrive_{element}"] = forms.ChoiceField(
                label=element.capitalize(),
                help_text=guidance,
                choices=[("", "— choose —"), *[(level, level) for level in levels]],
                error_messages={"required": todo, "invalid_choice": todo},
            )
        for check in checks:
            self.fields[f"check_{check}"] = forms.CharField(
                max_length=2000, required=False, label="Reason (no present risk)"
            )

    decision_kwargs = IntakeForm.decision_kwargs
    check_confirmations = IntakeForm.check_confirmations
    add_decision_errors = IntakeForm.add_decision_errors
    _decision_message = IntakeForm._decision_message

    def thrive_fields(self):
        return [self[f"thrive_{e}"] for e in THRIVE_ELEMENTS]

    def check_fields(self):
        return [self[name] for name in self.fields if name.startswith("check_")]
