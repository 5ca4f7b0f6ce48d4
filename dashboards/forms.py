from datetime import date, timedelta
from decimal import Decimal

from django import forms

from core.forms import FIRST_DAY, DayField

from .selectors import DEFAULT_DAYS, DEFAULT_HOURS, Period, monday

MAX_DAYS = 731  # two years: the longest comparison a supervisor asked for
CHANNEL_CHOICES = [("", "Both (999 and 101)"), ("999", "999"), ("101", "101")]


class _HoursMixin(forms.Form):
    channel = forms.ChoiceField(choices=CHANNEL_CHOICES, required=False)
    hours = forms.DecimalField(
        label="Average deployment (hours)",
        required=False,
        min_value=Decimal("0.25"),
        max_value=Decimal("24"),
        decimal_places=2,
        help_text=f"Officer time one attended call takes; used for hours saved "
        f"(the default is {DEFAULT_HOURS.normalize():f} hours).",
    )

    @staticmethod
    def _with_default_hours(data):
        """The box shows the hours in use: the default when none was given."""
        if not data.get("hours"):
            data["hours"] = f"{DEFAULT_HOURS.normalize():f}"
        return data

    def _hours(self):
        return self.cleaned_data.get("hours") or DEFAULT_HOURS


class PeriodForm(_HoursMixin):
    """The dashboard filters, read from the query string so a view can be shared."""

    start = DayField(label="From", required=False)
    end = DayField(label="To", required=False)
    field_order = ["start", "end", "channel", "hours"]

    def __init__(self, data, *, today: date):
        self.today = today
        # Show the dates in force: missing ones are filled with the defaults.
        data = data.copy()
        if not data.get("end"):
            data["end"] = today.isoformat()
        if not data.get("start"):
            try:  # read as the field reads it: a date it accepts, in range
                end = self.base_fields["end"].to_python(data["end"]) or today
            except forms.ValidationError:
                end = today
            data["start"] = max(FIRST_DAY, end - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        super().__init__(self._with_default_hours(data))

    def clean(self):
        cleaned = super().clean()
        end = cleaned.get("end") or self.today
        start = cleaned.get("start") or max(FIRST_DAY, end - timedelta(days=DEFAULT_DAYS - 1))
        if start > end:
            raise forms.ValidationError("The start date must not be after the end date.")
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(f"Choose at most {MAX_DAYS} days.")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def period(self) -> Period:
        """The chosen period, or the default (last 28 days) when the filters are invalid."""
        if not self.is_valid():
            return Period.default(self.today)
        data = self.cleaned_data
        return Period(data["start"], data["end"], data.get("channel") or "", self._hours())


class PackForm(_HoursMixin):
    """The weekly pack: any date picks its Monday-to-Sunday week (default: last full week)."""

    week = DayField(label="Week containing", required=False)
    field_order = ["week", "channel", "hours"]

    def __init__(self, data, *, today: date):
        self.today = today
        data = data.copy()
        if not data.get("week"):
            data["week"] = (monday(today) - timedelta(days=7)).isoformat()
        super().__init__(self._with_default_hours(data))

    def period(self) -> Period:
        last_full = monday(self.today) - timedelta(days=7)
        if not self.is_valid():
            return Period(last_full, last_full + timedelta(days=6))
        first = monday(self.cleaned_data.get("week") or last_full)
        return Period(
            first, first + timedelta(days=6), self.cleaned_data.get("channel") or "", self._hours()
        )


class ExportForm(forms.Form):
    """Who the export is for. Blank recipient: the requesting user, for internal use."""

    recipient = forms.CharField(
        max_length=200,
        required=False,
        help_text="The person or organisation receiving the file, if not you.",
    )
    purpose = forms.CharField(max_length=300, required=False)
