from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.roles import HasRole

from .. import selectors, services
from .serializers import (
    AttemptInputSerializer,
    AttemptResultSerializer,
    ResultsSerializer,
    ScenarioSerializer,
)


class ScenarioListView(APIView):
    """The practice scenarios, without their expected answers."""

    permission_classes = [HasRole]
    allowed_roles = selectors.TRAINING_ROLES

    @extend_schema(responses={200: ScenarioSerializer(many=True)})
    def get(self, request):
        return Response(ScenarioSerializer(selectors.scenarios(), many=True).data)


class AttemptCreateView(APIView):
    """Answer a scenario: the agency and whether police attend. Writes an attempt only,
    never a call."""

    permission_classes = [HasRole]
    allowed_roles = selectors.TRAINING_ROLES

    @extend_schema(request=AttemptInputSerializer, responses={201: AttemptResultSerializer})
    def post(self, request, pk):
        scenario = get_object_or_404(selectors.scenarios(), pk=pk)
        serializer = AttemptInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt, expected = services.attempt_record(
            user=request.user, scenario=scenario, **serializer.validated_data
        )
        body = {
            "correct": attempt.correct,
            "expected": {
                "agency": expected.agency,
                "police_attend": expected.police_attend,
                "rule_id": expected.rule_id,
                "rationale": expected.rationale,
            },
        }
        return Response(AttemptResultSerializer(body).data, status=status.HTTP_201_CREATED)


class ResultsView(APIView):
    """Attempts and correct answers per user, per rule and per week: a supervisor's over
    everyone, anyone else's over their own."""

    permission_classes = [HasRole]
    allowed_roles = selectors.TRAINING_ROLES

    @extend_schema(responses={200: ResultsSerializer})
    def get(self, request):
        attempts = selectors.attempts_visible_to(request.user)
        weeks = [
            {**row, "week": timezone.localtime(row["week"]).date()}
            for row in selectors.results_by_week(attempts)
        ]
        body = {
            "users": selectors.results_by_user(attempts),
            "rules": selectors.results_by_rule(attempts),
            "weeks": weeks,
        }
        return Response(ResultsSerializer(body).data)
