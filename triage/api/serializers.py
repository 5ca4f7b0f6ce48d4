"""API serializers for triage. They validate and shape data; services do the writing."""

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consults.api.serializers import CallConsultSerializer
from consults.selectors import consults_for_calls
from core.serializers import (
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
    StrictSerializer,
)
from referrals import farmington

from .. import engine
from ..engine.facts import DETAINED
from ..models import Call, Decision

# The largest number a numeric fact takes: the engine's "Too large." bound
# (triage.engine.facts._parse_value), which does not export it.
MAX_FACT_NUMBER = 10**9
# Facts that only an s136 handover may give (null otherwise).
S136_ONLY = ("minutes_since_arrival", "handover_accepted")


def _fact_field(spec) -> serializers.Field:
    """A DRF field describing one RCRP fact, for the OpenAPI schema."""
    kwargs = {"help_text": spec.help, "allow_null": spec.nullable}
    if spec.kind == "enum":
        return serializers.ChoiceField(choices=list(spec.choices), **kwargs)
    if spec.kind == "flags":
        return serializers.ListField(
            child=serializers.ChoiceField(choices=list(spec.choices)), help_text=spec.help
        )
    if spec.kind == "bool":
        return serializers.BooleanField(**kwargs)
    # The engine's own bounds (triage.engine.facts._parse_value).
    minimum = 0 if spec.minimum is None else spec.minimum
    bounds = {"min_value": minimum, "max_value": MAX_FACT_NUMBER}
    if spec.kind == "int":
        return serializers.IntegerField(**bounds, **kwargs)
    return serializers.FloatField(**bounds, **kwargs)


# Documents the facts object; validation itself is the engine's (strict, all fields).
FactsSerializer = type(
    "FactsSerializer",
    (serializers.Serializer,),
    {spec.name: _fact_field(spec) for spec in engine.FACT_FIELDS},
)


class AwareDateTimeField(serializers.DateTimeField):
    """ISO-8601 with an explicit offset; a naive time is ambiguous across BST changes."""

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                # Well-formed but out of range (an offset of a day or more, a 25th hour):
                # the parent field answers it with its usual "wrong format" message.
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                raise serializers.ValidationError(
                    "Give a time zone (for example 2026-11-25T14:03:00Z or +00:00)."
                )
        return super().to_internal_value(value)


class EngineFactsField(serializers.Field):
    """The facts object, validated by the engine; errors come back per fact."""

    default_error_messages = {"invalid": "Must be an object with every RCRP fact."}

    def __init__(self, *, default_repeat: bool = False, **kwargs):
        self.default_repeat = default_repeat
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("invalid")
        if self.default_repeat:
            data = {"repeat_calls_30d": 1, **data}
        try:
            return engine.parse_facts(data)
        except engine.FactsError as exc:
            raise serializers.ValidationError(exc.errors) from None


extend_schema_field(FactsSerializer)(EngineFactsField)


@extend_schema_field(FactsSerializer)
class FactsDictField(serializers.DictField):
    """The facts as a plain dict (the intake service parses them), documented as what
    they must be."""


class SuggestionSerializer(serializers.Serializer):
    rule_id = serializers.CharField()
    agency = serializers.ChoiceField(choices=list(engine.AGENCIES))
    police_attend = serializers.BooleanField()
    rationale = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())
    checks = serializers.ListField(child=serializers.CharField())
    caller_advice = serializers.CharField()
    ruleset_version = serializers.CharField()


class EvaluateInputSerializer(StrictSerializer):
    facts = EngineFactsField(
        default_repeat=True,
        help_text="Every RCRP fact of the specification; repeat_calls_30d defaults to 1.",
    )


class CallCreateSerializer(StrictSerializer):
    channel = StrictChoiceField(choices=Call.Channel.choices)
    address = StrictCharField(max_length=500, trim_whitespace=True)
    narrative = StrictCharField(max_length=10_000, allow_blank=True, default="")
    facts = FactsDictField(help_text="Every RCRP fact; repeat_calls_30d is ignored.")
    received_at = AwareDateTimeField(required=False)
    client_token = serializers.UUIDField(
        required=False, help_text="Idempotency key: a repeated token returns the first call."
    )


class ThriveSerializer(StrictSerializer):
    threat = StrictCharField(max_length=2000)
    harm = StrictCharField(max_length=2000)
    risk = StrictCharField(max_length=2000)
    investigation = StrictCharField(max_length=2000)
    vulnerability = StrictCharField(max_length=2000)
    engagement = StrictCharField(max_length=2000)


class DecisionInputSerializer(StrictSerializer):
    accept = StrictBooleanField(help_text="True to accept the suggestion as it stands.")
    final_agency = StrictChoiceField(choices=list(engine.AGENCIES), required=False)
    final_police_attend = StrictBooleanField(required=False)
    override_reason = StrictChoiceField(
        choices=Decision.OverrideReason.choices, required=False, default=""
    )
    override_note = StrictCharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the suggestion was overridden (required when accept is false), or why "
        "a re-assessment lowers the grade (required then too).",
    )
    thrive = ThriveSerializer()
    grade = StrictIntegerField(min_value=1, max_value=4)
    caller_told = StrictBooleanField(required=False, default=False)
    caller_told_text = StrictCharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the caller was told (the handler's screen requires it when police "
        "will not attend; here caller_told is what is required).",
    )
    check_confirmations = serializers.DictField(
        child=StrictCharField(max_length=2000), required=False, default=dict
    )


class DecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.get_username", default=None)

    class Meta:
        model = Decision
        fields = [
            "id",
            "decided_at",
            "decided_by",
            "accepted",
            "final_agency",
            "final_police_attend",
            "override_reason",
            "override_note",
            "thrive",
            "grade",
            "caller_told",
            "caller_told_text",
            "check_confirmations",
            "downgraded",
        ]


class ResponsePlanSummarySerializer(serializers.Serializer):
    version = serializers.IntegerField()
    what_to_do = serializers.CharField()
    what_not_to_do = serializers.CharField()
    whom_to_call = serializers.CharField()
    author = serializers.CharField()
    review_by = serializers.DateField()
    expired = serializers.BooleanField()


class OpenReferralSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    opened_at = serializers.DateTimeField()


class DwellingSummarySerializer(serializers.Serializer):
    key = serializers.CharField()
    address = serializers.CharField(
        help_text="The dwelling's standard address, e.g. Flat 2, 10 High Street, Ely CB7 4AA."
    )
    calls_in_window = serializers.IntegerField(
        help_text="The dwelling's calls counted by the repeat-caller policy in its window up "
        "to this call, this call included (as counted when it was taken)."
    )
    window_days = serializers.IntegerField(
        help_text="The repeat-caller policy's window in days (the live policy's)."
    )
    calls_30d = serializers.IntegerField(
        help_text="Deprecated: the same number as calls_in_window, kept while clients move."
    )
    open_referral = OpenReferralSummarySerializer(allow_null=True)
    response_plan = ResponsePlanSummarySerializer(allow_null=True)


_DATETIME = serializers.DateTimeField()  # formats as the declared received_at field does
_SUGGESTION_FIELDS = tuple(SuggestionSerializer._declared_fields)


class CallSerializer(serializers.ModelSerializer):
    dwelling = serializers.SerializerMethodField()
    suggestion = SuggestionSerializer()
    decision = serializers.SerializerMethodField()
    consults = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "received_at",
            "channel",
            "address",
            "narrative",
            "facts",
            "dwelling",
            "suggestion",
            "rule_id",
            "final_agency",
            "final_police_attend",
            "overridden",
            "grade",
            "decision",
            "consults",
        ]

    def to_representation(self, call):
        # Every intake answers with this. Built directly it is the JSON the declared fields
        # give (a test holds the two equal), without DRF building and copying those fields
        # for each call: that was a tenth of an intake's CPU.
        suggestion = call.suggestion
        return {
            "id": call.pk,
            "received_at": _DATETIME.to_representation(call.received_at),
            "channel": str(call.channel),
            "address": call.address,
            "narrative": call.narrative,
            "facts": call.facts,
            "dwelling": self.get_dwelling(call),
            "suggestion": {name: suggestion[name] for name in _SUGGESTION_FIELDS},
            "rule_id": call.rule_id,
            "final_agency": call.final_agency,
            "final_police_attend": call.final_police_attend,
            "overridden": call.overridden,
            "grade": call.grade,
            "decision": self.get_decision(call),
            "consults": self.get_consults(call),
        }

    @extend_schema_field(DwellingSummarySerializer(allow_null=True))
    def get_dwelling(self, call):
        if call.dwelling_id is None:
            return None
        summaries = self.context.get("dwelling_summaries")
        if summaries is None or call.pk not in summaries:
            summaries = farmington.summaries_for_calls([call])
        return summaries[call.pk]

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, call):
        decisions = getattr(call, "latest_decisions", None)
        if decisions is None:
            decision = call.decisions.order_by("-decided_at", "-id").first()
        else:
            decision = decisions[0] if decisions else None
        return DecisionSerializer(decision).data if decision else None

    @extend_schema_field(CallConsultSerializer(many=True))
    def get_consults(self, call):
        # The mental-health team's answers (consults app); a page's in one query.
        found = self.context.get("consults")
        if found is None or call.pk not in found:
            found = consults_for_calls([call])
        if not found[call.pk]:
            return []
        return CallConsultSerializer(found[call.pk], many=True).data


def facts_rules_schema(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: the engine's cross-field rules on the facts
    (``triage.engine.facts._cross_field_errors``) stated in the schema, so that facts the
    schema calls valid are facts the engine takes (schemathesis's positive-data check
    holds it to that). One branch per kind of concern."""
    specs = engine.FACTS_BY_NAME
    statuses = list(specs["patient_status"].choices)
    concerns = list(specs["concern_type"].choices)
    s136_only = {name: {"enum": [None], "nullable": True} for name in S136_ONLY}
    branches = [
        {
            "properties": {
                "concern_type": {"enum": ["s136_handover"]},
                "patient_status": {"enum": ["detained_s136"]},
            }
        },
        {
            "properties": {
                "concern_type": {"enum": ["awol"]},
                "patient_status": {"enum": ["detained_mha", "detained_mha_restricted"]},
                **s136_only,
            }
        },
        {
            "properties": {
                "concern_type": {"enum": ["walkout"]},
                "patient_status": {"enum": [s for s in statuses if s not in DETAINED]},
                **s136_only,
            }
        },
        {
            "properties": {
                "concern_type": {
                    "enum": [c for c in concerns if c not in ("s136_handover", "awol", "walkout")]
                },
                **s136_only,
            }
        },
    ]
    flags = [spec.name for spec in engine.FACT_FIELDS if spec.kind == "flags"]
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name in ("Facts", "FactsRequest"):
            component["anyOf"] = branches
            for flag in flags:  # the engine refuses a flag given twice
                component["properties"][flag]["uniqueItems"] = True
    return result
