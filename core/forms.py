from datetime import date

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm

from .models import ProcessingLog

# Dates a form accepts: far wider than any call, narrow enough that a range's arithmetic
# (its weeks, the day after its end, a default start before it) stays inside the calendar.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


class DayField(forms.DateField):
    """A London day from FIRST_DAY to LAST_DAY, picked with the browser's date input."""

    default_error_messages = {
        "required": "Enter a date.",
        "invalid": "Enter a real date, for example 7 12 2026.",
        "out_of_range": (
            f"Enter a date from {FIRST_DAY.day} {FIRST_DAY:%b %Y} "
            f"to {LAST_DAY.day} {LAST_DAY:%b %Y}."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                attrs={"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return day


class PeriodForm(forms.Form):
    """A period of London days, both included, of at most ``max_days``: the replays of a
    draft (rule set or repeat-caller policy) over past calls."""

    max_days = 92
    start = DayField(label="From")
    end = DayField(label="To (included)")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError("Choose an end date on or after the start date.")
            if (end - start).days + 1 > self.max_days:
                raise forms.ValidationError(f"Choose at most {self.max_days} days at a time.")
        return data


class LogSearchForm(forms.Form):
    username = forms.CharField(required=False, max_length=150, label="User")
    object_type = forms.CharField(
        required=False, max_length=40, label="Record type", help_text="call, dwelling, referral…"
    )
    object_id = forms.CharField(required=False, max_length=64, label="Record id")
    operation = forms.ChoiceField(
        required=False, choices=[("", "Any")] + list(ProcessingLog.Operation.choices)
    )
    date_from = DayField(required=False, label="From")
    date_to = DayField(required=False, label="To")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def criteria(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class LogExportForm(LogSearchForm):
    recipient = forms.CharField(
        max_length=200,
        initial="Information Commissioner",
        help_text="Who the export is for.",
    )
    justification = forms.CharField(
        max_length=300,
        widget=forms.Textarea({"rows": 2}),
        help_text="Why, e.g. the ICO request reference or the investigation.",
    )

    def criteria(self) -> dict:
        data = super().criteria()
        data.pop("recipient", None)
        data.pop("justification", None)
        return data


class TokenForm(forms.Form):
    token = forms.CharField(
        max_length=10,
        label="Code from your authenticator app",
        widget=forms.TextInput(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordChangeForm(DjangoPasswordChangeForm):
    """A user's own password: the current one, then the new one twice, checked by
    AUTH_PASSWORD_VALIDATORS (as an administrator's reset is). Saving is the service's."""

    error_messages = {
        **DjangoPasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Enter it again.",
        "password_mismatch": "The two new passwords are not the same. Type them again.",
    }

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.fields["old_password"].label = "Current password"
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = (
            "At least 12 characters. Not a common password, not all numbers, and not like "
            "your name or the force's."
        )
        self.fields["new_password2"].label = "New password again"
        self.fields["new_password2"].help_text = ""

    def clean_old_password(self):
        """The current password is checked as a login is: a wrong one counts towards the
        user's and the address's lockouts, so a stolen session cannot guess it freely."""
        old = self.cleaned_data["old_password"]
        checked = authenticate(self.request, username=self.user.get_username(), password=old)
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old

    def save(self, commit=True):  # the view calls core.services.password_change instead
        raise NotImplementedError("use core.services.password_change")
