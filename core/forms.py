from django import forms

from .models import ProcessingLog


class LogSearchForm(forms.Form):
    username = forms.CharField(required=False, max_length=150, label="User")
    object_type = forms.CharField(
        required=False, max_length=40, label="Record type", help_text="call, dwelling, referral…"
    )
    object_id = forms.CharField(required=False, max_length=64, label="Record id")
    operation = forms.ChoiceField(
        required=False, choices=[("", "Any")] + list(ProcessingLog.Operation.choices)
    )
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput({"type": "date"})
    )
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))

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
