import django_filters

from callers.selectors import dwellings_with_key

from ..models import Referral


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Referral.Status.choices)
    dwelling = django_filters.CharFilter(
        method="filter_dwelling",
        help_text="The dwelling key: as returned in dwelling.key, or as dwelling_key() "
        "gives it for the address (also for a dwelling matched to a gazetteer UPRN).",
    )
    dwelling_key = django_filters.CharFilter(
        method="filter_dwelling", help_text="Alias of dwelling."
    )
    assignee = django_filters.CharFilter(
        field_name="assignee__username", help_text="The holder's username."
    )
    unassigned = django_filters.BooleanFilter(field_name="assignee", lookup_expr="isnull")
    review_due_before = django_filters.DateFilter(field_name="review_due", lookup_expr="lte")
    open = django_filters.BooleanFilter(method="filter_open", help_text="Only open referrals.")

    class Meta:
        model = Referral
        fields = ["status", "source", "dwelling", "assignee"]

    def filter_dwelling(self, queryset, name, value):
        return queryset.filter(dwelling__in=dwellings_with_key(value)) if value else queryset

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        closed = Referral.Status.CLOSED
        return queryset.exclude(status=closed) if value else queryset.filter(status=closed)
