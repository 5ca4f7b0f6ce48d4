"""The Calls page's filters: London days, channel, agencies in words, overridden or not.

The API's filters (``triage.api.filters``) take codes and ISO times, as machines do; these
take what a person picks on the page. An invalid value is a form error, never a 500.
"""

from datetime import timedelta

import django_filters
from django import forms

from core.days import local_midnight
from core.forms import DayField

from . import engine
from .engine import words
from .models import Call

AGENCY_CHOICES = [(code, words.agency_label(code)) for code in engine.AGENCIES]
CONCERN_CHOICES = [
    (code, words.fact_value_label("concern_type", code))
    for code in engine.FACTS_BY_NAME["concern_type"].choices
]
ANY = "Any"


def _choose(what: str) -> dict:
    return {"invalid_choice": f"Choose {what} from the list, or Any."}


class DayFilter(django_filters.Filter):
    """A London day: calls received from its midnight (``start``) or before the next one."""

    field_class = DayField

    def __init__(self, *, start: bool, **kwargs):
        self.start = start
        super().__init__(field_name="received_at", **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if self.start:
            return qs.filter(received_at__gte=local_midnight(value))
        return qs.filter(received_at__lt=local_midnight(value + timedelta(days=1)))


class CallListForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and end < start:
            self.add_error("received_to", "The end date is before the start date.")
        return data


class CallListFilter(django_filters.FilterSet):
    received_from = DayFilter(start=True, label="From")
    received_to = DayFilter(start=False, label="To")
    channel = django_filters.ChoiceFilter(
        choices=Call.Channel.choices, empty_label=ANY, error_messages=_choose("a channel")
    )
    concern_type = django_filters.ChoiceFilter(
        label="About",
        choices=CONCERN_CHOICES,
        empty_label=ANY,
        error_messages=_choose("what the calls are about"),
    )
    suggested_agency = django_filters.ChoiceFilter(
        label="Suggested agency",
        choices=AGENCY_CHOICES,
        empty_label=ANY,
        error_messages=_choose("a suggested agency"),
    )
    final_agency = django_filters.ChoiceFilter(
        label="Final agency",
        choices=AGENCY_CHOICES,
        empty_label=ANY,
        error_messages=_choose("a final agency"),
    )
    overridden = django_filters.ChoiceFilter(
        label="Decision",
        choices=[("yes", "Overridden"), ("no", "Not overridden")],
        empty_label=ANY,
        method="filter_overridden",
        error_messages=_choose("overridden or not"),
    )

    class Meta:
        model = Call
        fields = []
        form = CallListForm

    def filter_overridden(self, queryset, name, value):
        return queryset.filter(overridden=value == "yes")
