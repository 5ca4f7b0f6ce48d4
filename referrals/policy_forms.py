"""The supervisor's forms for the repeat-caller policy (referrals.farmington)."""

from django import forms

from core.forms import PeriodForm

from .models import RepeatPolicy

REPLAY_MAX_DAYS = 366


class PolicyDraftForm(forms.Form):
    """A new version of the repeat-caller policy, saved as a draft."""

    threshold = forms.IntegerField(
        label="Calls that trigger a referral",
        min_value=RepeatPolicy.THRESHOLD_RANGE[0],
        max_value=RepeatPolicy.THRESHOLD_RANGE[1],
        help_text="From 2 to 20 calls from one dwelling.",
        error_messages={
            "required": "Enter how many calls trigger a referral, from 2 to 20.",
            "invalid": "Enter how many calls trigger a referral as a whole number, from 2 to 20.",
            "min_value": "Enter at least 2 calls.",
            "max_value": "Enter at most 20 calls.",
        },
    )
    window_days = forms.IntegerField(
        label="Within how many days",
        min_value=RepeatPolicy.WINDOW_DAYS_RANGE[0],
        max_value=RepeatPolicy.WINDOW_DAYS_RANGE[1],
        help_text="From 1 to 365 days, counted in hours: 30 days is 720 hours, both ends included.",
        error_messages={
            "required": "Enter the number of days, from 1 to 365.",
            "invalid": "Enter the number of days as a whole number, from 1 to 365.",
            "min_value": "Enter at least 1 day.",
            "max_value": "Enter at most 365 days.",
        },
    )
    channels = forms.ChoiceField(
        label="Calls counted",
        choices=RepeatPolicy.Channels.choices,
        initial=RepeatPolicy.Channels.BOTH,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose which calls count.",
            "invalid_choice": "Choose which calls count.",
        },
    )
    note = forms.CharField(
        label="Why the policy changes",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Write the note in at most 2,000 characters."},
    )


class ReplayForm(PeriodForm):
    """The past period a draft is replayed over (Europe/London days, both included)."""

    max_days = REPLAY_MAX_DAYS
