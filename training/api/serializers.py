"""API serializers for training: the scenario (never its expected answer), an attempt's
input and its answer, and results."""

from rest_framework import serializers

from core.serializers import StrictBooleanField, StrictChoiceField, StrictSerializer
from triage import engine

from ..models import Scenario


class ScenarioSerializer(serializers.ModelSerializer):
    class Meta:
        model = Scenario
        fields = ["id", "title", "narrative", "facts"]
        read_only_fields = fields


class AttemptInputSerializer(StrictSerializer):
    agency = StrictChoiceField(choices=list(engine.AGENCIES))
    police_attend = StrictBooleanField()


class ExpectedSerializer(serializers.Serializer):
    agency = serializers.CharField()
    police_attend = serializers.BooleanField()
    rule_id = serializers.CharField()
    rationale = serializers.CharField()


class AttemptResultSerializer(serializers.Serializer):
    correct = serializers.BooleanField()
    expected = ExpectedSerializer()


class UserResultSerializer(serializers.Serializer):
    user = serializers.CharField()
    attempts = serializers.IntegerField()
    correct = serializers.IntegerField()


class RuleResultSerializer(serializers.Serializer):
    rule_id = serializers.CharField()
    attempts = serializers.IntegerField()
    correct = serializers.IntegerField()


class WeekResultSerializer(serializers.Serializer):
    week = serializers.DateField()
    attempts = serializers.IntegerField()
    correct = serializers.IntegerField()


class ResultsSerializer(serializers.Serializer):
    users = UserResultSerializer(many=True)
    rules = RuleResultSerializer(many=True)
    weeks = WeekResultSerializer(many=True)
