from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField

from .. import engine
from ..models import Call

AGENCY_CHOICES = [(a, a) for a in engine.AGENCIES]


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO-8601 time taken to UTC before it reaches the database: PostgreSQL refuses
    offsets beyond ±15:59, and a time that leaves the calendar is invalid input, not a 500."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is None or result.tzinfo is None:
            return result
        try:
            return result.astimezone(UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class CallFilter(django_filters.FilterSet):
    """Filters answer an unknown value with 400, never by silently ignoring it."""

    received_after = UtcIsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = UtcIsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    agency = django_filters.ChoiceFilter(field_name="suggested_agency", choices=AGENCY_CHOICES)
    final_agency = django_filters.ChoiceFilter(field_name="final_agency", choices=AGENCY_CHOICES)
    rule = django_filters.CharFilter(field_name="rule_id", max_length=40)
    overridden = django_filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")], coerce=lambda v: v == "true"
    )
    concern_type = django_filters.ChoiceFilter(
        choices=[(c, c) for c in engine.FACTS_BY_NAME["concern_type"].choices]
    )

    class Meta:
        model = Call
        fields = ["channel"]
