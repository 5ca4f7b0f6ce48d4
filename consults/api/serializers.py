"""API serializers for consults: input validated here, written by consults.services."""

from rest_framework import serializers

from core.serializers import StrictCharField, StrictChoiceField, StrictSerializer
from triage import engine

from ..models import ADVICE_MAX, NOTE_MAX, QUESTION_MAX, SERVICE_MAX, Consult


class ConsultAskSerializer(StrictSerializer):
    question = StrictCharField(min_length=1, max_length=QUESTION_MAX, trim_whitespace=True)


class ConsultAnswerSerializer(StrictSerializer):
    known_to_services = StrictChoiceField(choices=Consult.Known.choices)
    service = StrictCharField(
        max_length=SERVICE_MAX, allow_blank=True, required=False, default="", trim_whitespace=True
    )
    advice = StrictCharField(min_length=1, max_length=ADVICE_MAX, trim_whitespace=True)
    recommended_agency = StrictChoiceField(
        choices=list(engine.AGENCIES), allow_null=True, required=False, default=None
    )
    risk_notes = StrictCharField(
        max_length=NOTE_MAX, allow_blank=True, required=False, default="", trim_whitespace=True
    )


class CallConsultSerializer(serializers.ModelSerializer):
    """A consult as the call's JSON shows it."""

    class Meta:
        model = Consult
        fields = [
            "id",
            "status",
            "question",
            "advice",
            "known_to_services",
            "service",
            "recommended_agency",
            "asked_at",
            "answered_at",
        ]


class ConsultSerializer(serializers.ModelSerializer):
    call = serializers.IntegerField(source="call_id")
    asked_by = serializers.CharField(source="asked_by.get_username", default=None)
    claimed_by = serializers.CharField(source="claimed_by.get_username", default=None)

    class Meta:
        model = Consult
        fields = [
            "id",
            "call",
            "status",
            "question",
            "asked_by",
            "asked_at",
            "claimed_by",
            "claimed_at",
            "answered_at",
            "known_to_services",
            "service",
            "advice",
            "recommended_agency",
            "risk_notes",
        ]
