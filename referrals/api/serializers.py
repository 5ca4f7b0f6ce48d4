"""Referral API serializers. They validate and shape data; services do the writing."""

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from callers.models import ResponsePlan
from callers.selectors import dwellings_with_key
from core.serializers import StrictSerializer

from ..models import Referral, ReferralAction, ReferralNote


class DwellingRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    address = serializers.CharField()
    match_method = serializers.CharField()


class ReferralSerializer(serializers.ModelSerializer):
    dwelling = DwellingRefSerializer()
    trigger_calls = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    # Declared so the schema says what the API sends: null for nobody, "" while open.
    assignee = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who holds it (a username); null for nobody.",
    )
    outcome = serializers.ChoiceField(
        choices=Referral.Outcome.choices,
        allow_blank=True,
        read_only=True,
        help_text="How it closed; empty while open.",
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "dwelling",
            "status",
            "source",
            "triggered_at",
            "trigger_calls",
            "assignee",
            "review_due",
            "referred_by",
            "referral_reason",
            "outcome",
            "outcome_note",
            "created_at",
            "last_activity_at",
            "flagged_inactive_at",
            "closed_at",
        ]
        read_only_fields = fields


class ReferralSummarySerializer(ReferralSerializer):
    """A referral as the queue shows it (the list). The free text of its history (why it
    was referred, the note on its outcome) is read one referral at a time, with a
    justification."""

    class Meta(ReferralSerializer.Meta):
        fields = [
            f
            for f in ReferralSerializer.Meta.fields
            if f not in ("referral_reason", "outcome_note")
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.STR)
class TeamMemberField(serializers.Field):
    """A member of the referral team by username (or user id); null for nobody. Whether the
    user may hold referrals is the service's check."""

    default_error_messages = {
        "unknown": "No active user is called {value!r}.",
        "invalid": "Give a username (or a user id), or null.",
    }

    def to_representation(self, value):
        return value.get_username() if value else None

    def to_internal_value(self, data):
        users = get_user_model().objects.filter(is_active=True)
        if isinstance(data, bool) or not isinstance(data, int | str) or not str(data).strip():
            self.fail("invalid")
        if isinstance(data, int):
            user = users.filter(pk=data).first()
        else:
            user = users.filter(username=data.strip()).first()
        if user is None:
            self.fail("unknown", value=data)
        return user


class ReferralPatchSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=Referral.Status.choices, required=False)
    assignee = TeamMemberField(required=False, allow_null=True)
    review_due = serializers.DateField(required=False, allow_null=True)
    outcome = serializers.ChoiceField(
        choices=Referral.Outcome.choices, required=False, help_text="Required to close."
    )
    outcome_note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="With the outcome, when closing; refused (400) on any other change.",
    )

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(
                "Send at least one of status, assignee, review_due, outcome."
            )
        return attrs


class ReferralCreateSerializer(StrictSerializer):
    address = serializers.CharField(required=False, max_length=500, allow_blank=True)
    dwelling = serializers.CharField(
        required=False, max_length=255, help_text="A dwelling key, instead of an address."
    )
    referred_by = serializers.CharField(max_length=200)
    referral_reason = serializers.CharField(max_length=5000)

    def validate(self, attrs):

        key = attrs.pop("dwelling", None)
        if key:
            named = list(dwellings_with_key(key)[:2])
            if not named:
                raise serializers.ValidationError({"dwelling": ["No dwelling has this key."]})
            if len(named) > 1:
                raise serializers.ValidationError(
                    {"dwelling": ["This key names more than one dwelling: give the address."]}
                )
            attrs["dwelling"] = named[0]
        elif not (attrs.get("address") or "").strip():
            raise serializers.ValidationError(
                {"address": ["Give the address, or the dwelling key as dwelling."]}
            )
        return attrs


class ReferralNoteSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ReferralNote
        fields = ["id", "text", "author", "created_at"]
        read_only_fields = fields


class ReferralNoteReceiptSerializer(ReferralNoteSerializer):
    """A note as a write answers it without a justification: not its text."""

    class Meta(ReferralNoteSerializer.Meta):
        fields = ["id", "author", "created_at"]
        read_only_fields = fields


class NoteCreateSerializer(StrictSerializer):
    text = serializers.CharField(max_length=5000)


class ReferralActionSerializer(serializers.ModelSerializer):
    taken_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ReferralAction
        fields = ["id", "kind", "taken_on", "taken_by", "notes", "care_plan", "created_at"]
        read_only_fields = fields


class ReferralActionReceiptSerializer(ReferralActionSerializer):
    """An action as a write answers it without a justification: not its notes or care
    plan."""

    class Meta(ReferralActionSerializer.Meta):
        fields = ["id", "kind", "taken_on", "taken_by", "created_at"]
        read_only_fields = fields


class ActionCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=ReferralAction.Kind.choices)
    taken_on = serializers.DateField(required=False, help_text="Defaults to today.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    care_plan = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        default="",
        help_text="Required for a multi_agency_meeting: the joint care plan.",
    )


class ResponsePlanSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    expired = serializers.SerializerMethodField()

    class Meta:
        model = ResponsePlan
        fields = [
            "id",
            "version",
            "what_to_do",
            "what_not_to_do",
            "whom_to_call",
            "author",
            "review_by",
            "expired",
            "created_at",
        ]
        read_only_fields = fields

    def get_expired(self, plan) -> bool:
        return plan.is_expired()


class PlanCreateSerializer(StrictSerializer):
    what_to_do = serializers.CharField(max_length=5000)
    what_not_to_do = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, default=""
    )
    whom_to_call = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, default=""
    )
    review_by = serializers.DateField()


def referral_create_schema(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: a new referral names its dwelling by an address (some
    words) or by a dwelling key, as ReferralCreateSerializer.validate requires."""
    component = result.get("components", {}).get("schemas", {}).get("ReferralCreateRequest")
    if component:
        component["anyOf"] = [
            {"required": ["address"], "properties": {"address": {"pattern": r"\S"}}},
            {"required": ["dwelling"]},
        ]
    return result
