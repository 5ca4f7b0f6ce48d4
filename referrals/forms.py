"""Forms for the Farmington team's pages. They validate input; services do the writing."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from .consultation import COMMON_PURPOSES, MAX_LENGTH
from .models import Referral, ReferralAction
from .selectors import team_members

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _says(required: str, **others: str) -> dict[str, str]:
    """Error messages that say what to do (SCREENS.md), never a field name: ``required``
    for an empty answer; ``invalid`` (a date that is not one), ``invalid_choice`` and
    ``max_length`` when given."""
    return {"required": required, **others}


def _date_messages(what: str) -> dict[str, str]:
    return _says(f"Enter {what}.", invalid=f"Enter {what} as a date, for example 7/12/2026.")


def _member_field(**kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=team_members(),
        required=False,
        empty_label="Nobody",
        to_field_name="username",
        error_messages={"invalid_choice": "Choose a member of the referral team, or nobody."},
        **kwargs,
    )


class JustificationForm(forms.Form):
    justification = forms.CharField(
        label="Why are you opening this?",
        max_length=MAX_LENGTH,
        error_messages=_says(
            "Say why you are opening this record.",
            max_length=f"Keep the reason to {MAX_LENGTH} characters or fewer.",
        ),
        help_text="A few words, recorded in the processing log with your name and the time.",
        widget=forms.TextInput(
            attrs={"list": "purposes", "autofocus": True, "autocomplete": "off"}
        ),
    )
    purposes = COMMON_PURPOSES


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Open (any status)"), *Referral.Status.choices], required=False
    )
    assignee = forms.CharField(required=False, help_text='A username, "me" or "none".')
    review = forms.ChoiceField(
        label="Review",
        choices=[
            ("", "Any"),
            ("due", "Due now"),
            ("week", "Due this week"),
            ("flagged", "No activity for 90 days"),
        ],
        required=False,
    )
    source = forms.ChoiceField(choices=[("", "Any"), *Referral.Source.choices], required=False)
    sort = forms.ChoiceField(
        choices=[
            ("oldest", "Oldest first"),
            ("newest", "Newest first"),
            ("review_due", "Review date"),
            ("activity", "Least recent activity"),
        ],
        required=False,
    )


class ManualReferralForm(forms.Form):
    address = forms.CharField(
        max_length=500,
        help_text="House number or name, street, town and postcode if known.",
        error_messages=_says(
            "Enter the address of the household: house number or name, street and town.",
            max_length="Shorten the address to 500 characters or fewer.",
        ),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    referred_by = forms.CharField(
        max_length=200,
        label="Referred by",
        help_text="The officer (name and collar number) or partner agency and contact.",
        error_messages=_says(
            "Enter who referred the household: the officer or the partner agency.",
            max_length="Shorten who referred the household to 200 characters or fewer.",
        ),
    )
    referral_reason = forms.CharField(
        label="Reason for the referral",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What support the household may need. Describe needs, not blame.",
        error_messages=_says("Describe what support the household may need."),
    )


class AssignForm(forms.Form):
    assignee = _member_field(label="Held by", widget=forms.Select(attrs={"accesskey": "h"}))


class TransitionForm(forms.Form):
    status = forms.ChoiceField(
        label="Move to",
        choices=Referral.Status.choices,
        widget=forms.Select(attrs={"accesskey": "s"}),
        error_messages=_says(
            "Choose the status to move the referral to.",
            invalid_choice="Choose one of the statuses listed: this referral cannot move there.",
        ),
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("", "Choose when closing"), *Referral.Outcome.choices],
        required=False,
        error_messages={"invalid_choice": "Choose one of the outcomes listed."},
    )
    outcome_note = forms.CharField(
        label="Outcome note", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, referral: Referral | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if referral is not None:
            self.fields["status"].choices = referral.next_statuses


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "accesskey": "n"}),
        error_messages=_says(
            "Write the note before adding it.",
            max_length="Keep a note to 5,000 characters or fewer: split it in two.",
        ),
    )


class ActionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Action",
        choices=ReferralAction.Kind.choices,
        widget=forms.Select(attrs={"accesskey": "c"}),
        error_messages=_says(
            "Choose the action taken.", invalid_choice="Choose one of the actions listed."
        ),
    )
    taken_on = forms.DateField(
        label="Date taken", widget=DATE, error_messages=_date_messages("the day it was taken")
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    care_plan = forms.CharField(
        label="Joint care plan",
        required=False,
        help_text="Multi-agency meetings only: the plan the agencies agreed.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"taken_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReviewForm(forms.Form):
    decision = forms.CharField(
        label="Decision",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=_says(
            "Write what the meeting decided.",
            max_length="Keep the decision to 5,000 characters or fewer.",
        ),
    )
    status = forms.ChoiceField(
        label="Status after the meeting",
        required=False,
        error_messages={
            "invalid_choice": "Choose one of the statuses listed: this referral cannot move there."
        },
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("", "Choose when closing"), *Referral.Outcome.choices],
        required=False,
        error_messages={"invalid_choice": "Choose one of the outcomes listed."},
    )
    next_review = forms.DateField(
        label="Next review",
        required=False,
        widget=DATE,
        help_text="Not needed when closing.",
        error_messages=_date_messages("the date of the next review"),
    )
    assignee = _member_field(label="Held by")

    def __init__(self, *args, referral: Referral | None = None, **kwargs):
        if referral is not None:
            kwargs.setdefault(
                "initial",
                {
                    "next_review": timezone.localdate() + timedelta(days=7),
                    "assignee": referral.assignee.get_username() if referral.assignee else "",
                },
            )
        super().__init__(*args, **kwargs)
        choices = [("", "Keep as it is")]
        if referral is None:
            choices += Referral.Status.choices
        else:
            choices += referral.next_statuses
        self.fields["status"].choices = choices


class PlanForm(forms.Form):
    what_to_do = forms.CharField(
        label="What to do",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=_says("Say what handlers should do when this household calls."),
    )
    what_not_to_do = forms.CharField(
        label="What not to do", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    whom_to_call = forms.CharField(
        label="Whom to call", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    review_by = forms.DateField(
        label="Review by",
        widget=DATE,
        error_messages=_date_messages("the date by which the team reviews the plan"),
    )

    def __init__(self, *args, plan=None, **kwargs):
        if plan is not None:
            kwargs.setdefault(
                "initial",
                {
                    "what_to_do": plan.what_to_do,
                    "what_not_to_do": plan.what_not_to_do,
                    "whom_to_call": plan.whom_to_call,
                },
            )
        super().__init__(*args, **kwargs)
