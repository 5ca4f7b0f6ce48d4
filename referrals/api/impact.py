"""The Farmington impact report as JSON: did the referral help? (issue 24)

``GET /api/reports/farmington-impact/?start=&end=&window_days=`` for triage staff and
supervisors. Every referral the answer lists (one page of ``limit`` from ``offset``) is a
consultation of that referral in the processing log; the totals, medians, groups and the
comparison group cover every referral of the period and name no one.
"""

from decimal import ROUND_HALF_UP

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.forms import FIRST_DAY, LAST_DAY
from core.roles import CASEWORK_ROLES, HasRole
from core.services import log_shown

from .. import impact
from ..models import Referral, ReferralAction

# Referrals listed per answer: every one is logged as read (as core.api.Pagination).
DEFAULT_LIMIT, MAX_LIMIT = 100, 500
DATE_MESSAGE = "Enter a real date as YYYY-MM-DD, for example 2026-12-07."


def _number(message: str, **kwargs) -> dict:
    """The same plain message for a value that is not a number and one out of range."""
    return {
        "error_messages": {
            key: message
            for key in ("invalid", "min_value", "max_value", "max_string_length", "max_digits")
        }
        | {"max_decimal_places": message, "max_whole_digits": message},
        **kwargs,
    }


class DayParam(serializers.DateField):
    """A day as YYYY-MM-DD. A day before FIRST_DAY or after LAST_DAY is taken as that day:
    no referral is older or newer."""

    def __init__(self, **kwargs):
        super().__init__(
            input_formats=["%Y-%m-%d"],
            required=False,
            error_messages={"invalid": DATE_MESSAGE, "datetime": DATE_MESSAGE},
            **kwargs,
        )

    def to_internal_value(self, value):
        return min(max(super().to_internal_value(value), FIRST_DAY), LAST_DAY)


def _cost_param(spec: impact.CostField) -> serializers.DecimalField:
    # Any precision: a number the schema allows (within its bounds) is taken as given.
    return serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        coerce_to_string=False,
        min_value=spec.least,
        max_value=spec.most,
        required=False,
        help_text=f"{spec.label}: default {impact.plain(getattr(impact.UnitCosts(), spec.name))} "
        f"({spec.basis}).",
        **_number(spec.message),
    )


class ImpactQuerySerializer(serializers.Serializer):
    start = DayParam(
        help_text="First day (Europe/London) of the referrals' triggering; default: 12 months "
        "before end."
    )
    end = DayParam(help_text="Last day (inclusive); default: today.")
    window_days = serializers.IntegerField(
        required=False,
        help_text=f"Days counted before and after each referral (default "
        f"{impact.DEFAULT_WINDOW_DAYS}).",
        **_number(
            impact.WINDOW_DAYS_MESSAGE,
            min_value=impact.WINDOW_DAYS_RANGE[0],
            max_value=impact.WINDOW_DAYS_RANGE[1],
        ),
    )
    source = serializers.ChoiceField(
        choices=Referral.Source.choices,
        required=False,
        help_text="Only automatic (repeat calls) or manual referrals; default: both.",
        error_messages={"invalid_choice": "Choose automatic or manual, or leave it out."},
    )
    top = serializers.IntegerField(
        required=False,
        help_text=f"How many top callers (most calls before) to total (default "
        f"{impact.DEFAULT_TOP}).",
        **_number(impact.TOP_MESSAGE, min_value=impact.TOP_RANGE[0], max_value=impact.TOP_RANGE[1]),
    )
    limit = serializers.IntegerField(
        required=False,
        help_text=f"Referrals listed (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}); the totals "
        "cover them all.",
        **_number(f"Enter a number from 1 to {MAX_LIMIT}.", min_value=1, max_value=MAX_LIMIT),
    )
    offset = serializers.IntegerField(
        required=False,
        help_text="Referrals skipped before the first listed.",
        **_number("Enter a whole number, 0 or more.", min_value=0, max_value=10**9),
    )
    deployment_hours, officer_hour_cost, call_minutes, call_minute_cost = (
        _cost_param(spec) for spec in impact.COST_FIELDS
    )

    def validate(self, data):
        """Default period: the 12 months to today (to ``end`` when only it is given)."""
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or impact.default_period(end)[0]
        if end < start:
            raise ValidationError({"end": [impact.END_BEFORE_START]})
        data["start"], data["end"] = start, end
        return data


# The unit costs as numbers with their bounds (the serializer's decimals would be described
# as strings of digits, their bounds as text).
COST_PARAMETERS = [
    OpenApiParameter(
        spec.name,
        {"type": "number", "minimum": float(spec.least), "maximum": float(spec.most)},
        OpenApiParameter.QUERY,
        description=f"{spec.label}: default "
        f"{impact.plain(getattr(impact.UnitCosts(), spec.name))} ({spec.basis}).",
    )
    for spec in impact.COST_FIELDS
]


# --- the answer ---------------------------------------------------------------------------


def _hours(**kwargs):
    return serializers.DecimalField(
        max_digits=14, decimal_places=1, coerce_to_string=False, rounding=ROUND_HALF_UP, **kwargs
    )


def _money(**kwargs):
    return serializers.DecimalField(
        max_digits=16, decimal_places=2, coerce_to_string=False, rounding=ROUND_HALF_UP, **kwargs
    )


def _estimate_fields() -> tuple:
    """The estimate fields, in ESTIMATES' order, for a serializer's class body."""
    return (
        _hours(help_text="Police deployments before × hours per deployment."),
        _hours(),
        _hours(help_text="Before minus after (negative: more after)."),
        _hours(help_text="Calls before × call-handling minutes ÷ 60."),
        _hours(),
        _hours(),
        _money(help_text="Officer hours × their cost + call minutes × their cost (£)."),
        _money(),
        _money(help_text="Before minus after (£)."),
    )


ESTIMATES = (
    "officer_hours_before",
    "officer_hours_after",
    "officer_hours_saved",
    "call_taker_hours_before",
    "call_taker_hours_after",
    "call_taker_hours_saved",
    "cost_before",
    "cost_after",
    "cost_saved",
)


def _estimate(estimate: impact.Estimate) -> dict:
    return {name: getattr(estimate, name) for name in ESTIMATES}


class ImpactDwellingSerializer(serializers.Serializer):
    key = serializers.CharField()
    address = serializers.CharField(help_text="The standard display address.")


class ImpactReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dwelling = ImpactDwellingSerializer()
    source = serializers.ChoiceField(choices=Referral.Source.choices)
    status = serializers.ChoiceField(choices=Referral.Status.choices)
    outcome = serializers.CharField(help_text="How it closed (a code); empty while open.")
    triggered_at = serializers.DateTimeField(
        allow_null=True, help_text="The call completing the repeat-call window; null if manual."
    )
    anchored_at = serializers.DateTimeField(
        help_text="What before and after are counted from: triggered_at, or when a manual "
        "referral was raised."
    )
    window_ends_at = serializers.DateTimeField(help_text="anchored_at + window_days.")
    complete = serializers.BooleanField(
        help_text="The after-window has passed; incomplete referrals are in no total."
    )
    calls_before = serializers.IntegerField(
        help_text="Calls with anchored_at - window_days < received_at <= anchored_at."
    )
    calls_after = serializers.IntegerField(
        help_text="Calls with anchored_at < received_at <= anchored_at + window_days."
    )
    calls_before_999 = serializers.IntegerField()
    calls_before_101 = serializers.IntegerField()
    calls_after_999 = serializers.IntegerField()
    calls_after_101 = serializers.IntegerField()
    change = serializers.IntegerField(help_text="calls_after - calls_before.")
    change_pct = serializers.FloatField(allow_null=True, help_text="Change as % of before.")
    police_before = serializers.IntegerField(help_text="Calls before where police attended.")
    police_after = serializers.IntegerField()
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=ReferralAction.Kind.choices),
        help_text="The kinds of action recorded.",
    )
    (
        officer_hours_before,
        officer_hours_after,
        officer_hours_saved,
        call_taker_hours_before,
        call_taker_hours_after,
        call_taker_hours_saved,
        cost_before,
        cost_after,
        cost_saved,
    ) = _estimate_fields()


def _referral(row: impact.ReferralImpact) -> dict:
    return {
        "id": row.id,
        "dwelling": {"key": row.dwelling_key, "address": row.dwelling_address},
        "source": row.source,
        "status": row.status,
        "outcome": row.outcome,
        "triggered_at": row.triggered_at,
        "anchored_at": row.anchored_at,
        "window_ends_at": row.window_ends_at,
        "complete": row.complete,
        "calls_before": row.calls_before,
        "calls_after": row.calls_after,
        "calls_before_999": row.before_999,
        "calls_before_101": row.before_101,
        "calls_after_999": row.after_999,
        "calls_after_101": row.after_101,
        "change": row.change,
        "change_pct": row.change_pct,
        "police_before": row.police_before,
        "police_after": row.police_after,
        "actions": list(row.actions),
        **_estimate(row.estimate),
    }


class SummarySerializer(serializers.Serializer):
    referrals = serializers.IntegerField(help_text="Complete referrals, counted here.")
    incomplete = serializers.IntegerField(help_text="Incomplete referrals, not counted here.")
    calls_before = serializers.IntegerField()
    calls_after = serializers.IntegerField()
    calls_before_999 = serializers.IntegerField()
    calls_before_101 = serializers.IntegerField()
    calls_after_999 = serializers.IntegerField()
    calls_after_101 = serializers.IntegerField()
    change = serializers.IntegerField()
    change_pct = serializers.FloatField(allow_null=True)
    median_before = serializers.FloatField(allow_null=True)
    median_after = serializers.FloatField(allow_null=True)
    median_change = serializers.FloatField(allow_null=True)
    fell = serializers.IntegerField(help_text="Referrals whose calls fell.")
    police_before = serializers.IntegerField()
    police_after = serializers.IntegerField()
    (
        officer_hours_before,
        officer_hours_after,
        officer_hours_saved,
        call_taker_hours_before,
        call_taker_hours_after,
        call_taker_hours_saved,
        cost_before,
        cost_after,
        cost_saved,
    ) = _estimate_fields()


def _summary(summary: impact.Summary) -> dict:
    return {
        "referrals": summary.referrals,
        "incomplete": summary.incomplete,
        "calls_before": summary.calls_before,
        "calls_after": summary.calls_after,
        "calls_before_999": summary.before_999,
        "calls_before_101": summary.before_101,
        "calls_after_999": summary.after_999,
        "calls_after_101": summary.after_101,
        "change": summary.change,
        "change_pct": summary.change_pct,
        "median_before": summary.median_before,
        "median_after": summary.median_after,
        "median_change": summary.median_change,
        "fell": summary.fell,
        "police_before": summary.police_before,
        "police_after": summary.police_after,
        **_estimate(summary.estimate),
    }


class TopSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="The top asked for.")
    referral_ids = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Complete referrals with the most calls before, most first.",
    )
    totals = SummarySerializer()


class OutcomeGroupSerializer(serializers.Serializer):
    outcome = serializers.CharField(help_text='The outcome code; "open" for still open.')
    label = serializers.CharField()
    totals = SummarySerializer()


class ActionGroupSerializer(serializers.Serializer):
    action = serializers.CharField(help_text='The action kind; "none" for no action recorded.')
    label = serializers.CharField()
    totals = SummarySerializer(help_text="A referral with several kinds is in each group.")


class ComparisonSerializer(serializers.Serializer):
    dwellings = serializers.IntegerField(help_text="Complete dwellings, counted here.")
    incomplete = serializers.IntegerField()
    calls_before = serializers.IntegerField()
    calls_after = serializers.IntegerField()
    change = serializers.IntegerField()
    change_pct = serializers.FloatField(allow_null=True)
    median_before = serializers.FloatField(allow_null=True)
    median_after = serializers.FloatField(allow_null=True)
    median_change = serializers.FloatField(allow_null=True)
    fell = serializers.IntegerField()
    within = serializers.IntegerField(
        help_text="Counted calls within the policy's window that made a dwelling one short "
        "of the trigger."
    )
    sample_percent = serializers.FloatField(
        allow_null=True,
        help_text="The share of dwellings (%) the group was drawn from at random; null: all.",
    )
    definition = serializers.CharField()


class PolicySerializer(serializers.Serializer):
    version = serializers.IntegerField()
    threshold = serializers.IntegerField()
    window_days = serializers.IntegerField()
    channels = serializers.ListField(child=serializers.CharField())
    description = serializers.CharField()


class UnitCostsSerializer(serializers.Serializer):
    deployment_hours = serializers.FloatField()
    officer_hour_cost = serializers.FloatField()
    call_minutes = serializers.FloatField()
    call_minute_cost = serializers.FloatField()


class ImpactReportSerializer(serializers.Serializer):
    window_days = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    source = serializers.CharField(help_text='"automatic", "manual" or "" (both).')
    as_of = serializers.DateTimeField(help_text="Complete means the after-window ended by then.")
    policy = PolicySerializer(help_text="The live repeat-caller policy (the comparison group's).")
    unit_costs = UnitCostsSerializer()
    count = serializers.IntegerField(help_text="Referrals in the period (complete or not).")
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    referrals = ImpactReferralSerializer(many=True, help_text="Oldest anchor first.")
    totals = SummarySerializer()
    top = TopSerializer()
    by_outcome = OutcomeGroupSerializer(many=True)
    by_action = ActionGroupSerializer(many=True)
    comparison = ComparisonSerializer()
    reading = serializers.CharField(help_text="How to read the cohort beside the comparison.")


class FarmingtonImpactView(APIView):
    """Operation Farmington's impact: calls before and after each referral, for the cohort
    of a period, beside a comparison group. Triage staff and supervisors."""

    permission_classes = [HasRole]
    allowed_roles = CASEWORK_ROLES

    @extend_schema(
        operation_id="reports_farmington_impact",
        parameters=[ImpactQuerySerializer, *COST_PARAMETERS],
        responses={
            200: ImpactReportSerializer,
            400: OpenApiResponse(description="Field errors: {field: [message]}"),
            403: OpenApiResponse(description="Role not allowed"),
        },
        description=impact.__doc__.split("\n\n", 1)[1],
    )
    def get(self, request):
        params = ImpactQuerySerializer(
            data={k: v for k, v in request.query_params.items() if v != ""}
        )
        params.is_valid(raise_exception=True)
        query = params.validated_data
        defaults = impact.UnitCosts()
        costs = impact.UnitCosts(
            **{
                spec.name: query.get(spec.name, getattr(defaults, spec.name))
                for spec in impact.COST_FIELDS
            }
        )
        limit, offset = query.get("limit", DEFAULT_LIMIT), query.get("offset", 0)
        report = impact.impact_report(
            start=query["start"],
            end=query["end"],
            window_days=query.get("window_days", impact.DEFAULT_WINDOW_DAYS),
            costs=costs,
            top=query.get("top", impact.DEFAULT_TOP),
            source=query.get("source", ""),
            listings=[impact.Listing(order="oldest", offset=offset, limit=limit)],
        )
        listed = impact.referral_details(
            report.listed[0], window_days=report.window_days, costs=costs
        )
        log_shown(
            user=request.user,
            objects=[Referral(pk=row.id) for row in listed],
            object_type="referral",
            justification=f"{impact.LOG_JUSTIFICATION} (API) {impact.describe_query(report)}",
        )
        return Response(ImpactReportSerializer(answer(report, listed, limit, offset)).data)


def answer(report: impact.ImpactReport, listed, limit: int, offset: int) -> dict:
    policy = report.policy
    return {
        "window_days": report.window_days,
        "start": report.start,
        "end": report.end,
        "source": report.source,
        "as_of": report.as_of,
        "policy": {
            "version": policy.version,
            "threshold": policy.threshold,
            "window_days": policy.window_days,
            "channels": sorted(policy.channels, reverse=True),
            "description": policy.describe(),
        },
        "unit_costs": {
            spec.name: float(getattr(report.costs, spec.name)) for spec in impact.COST_FIELDS
        },
        "count": report.count,
        "limit": limit,
        "offset": offset,
        "referrals": [_referral(row) for row in listed],
        "totals": _summary(report.totals),
        "top": {
            "n": report.top_n,
            "referral_ids": [row.id for row in report.top],
            "totals": _summary(report.top_totals),
        },
        "by_outcome": [
            {"outcome": g.key, "label": g.label, "totals": _summary(g.summary)}
            for g in report.by_outcome
        ],
        "by_action": [
            {"action": g.key, "label": g.label, "totals": _summary(g.summary)}
            for g in report.by_action
        ],
        "comparison": {
            "dwellings": report.comparison.dwellings,
            "incomplete": report.comparison.incomplete,
            "calls_before": report.comparison.calls_before,
            "calls_after": report.comparison.calls_after,
            "change": report.comparison.change,
            "change_pct": report.comparison.change_pct,
            "median_before": report.comparison.median_before,
            "median_after": report.comparison.median_after,
            "median_change": report.comparison.median_change,
            "fell": report.comparison.fell,
            "within": report.comparison.within,
            "sample_percent": report.comparison.sample_percent,
            "definition": impact.comparison_definition(report),
        },
        "reading": impact.READING,
    }
