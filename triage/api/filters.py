import django_filters

from ..models import Call


class CallFilter(django_filters.FilterSet):
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    agency = django_filters.CharFilter(field_name="suggested_agency")
    final_agency = django_filters.CharFilter(field_name="final_agency")
    rule = django_filters.CharFilter(field_name="rule_id")
    overridden = django_filters.BooleanFilter()

    class Meta:
        model = Call
        fields = ["channel", "concern_type"]
