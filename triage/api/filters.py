import django_filters

from .. import engine
from ..models import Call

AGENCY_CHOICES = [(a, a) for a in engine.AGENCIES]


class CallFilter(django_filters.FilterSet):
    """Filters answer an unknown value with 400, never by silently ignoring it."""

    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
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
