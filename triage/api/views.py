from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from callers.selectors import intake_prefetches
from core.api import LoggedListMixin
from core.roles import ALL_ROLES, HasRole, Role
from core.services import log_consultation

from .. import engine, services
from ..models import Call, Decision
from ..selectors import calls_visible_to, ruleset_current
from .filters import CallFilter
from .serializers import (
    CallCreateSerializer,
    CallSerializer,
    DecisionInputSerializer,
    DecisionSerializer,
    EvaluateInputSerializer,
    SuggestionSerializer,
)


class EvaluateView(APIView):
    """Suggest an agency for a set of RCRP facts. Stateless: nothing is stored."""

    permission_classes = [HasRole]
    allowed_roles = ALL_ROLES

    @extend_schema(request=EvaluateInputSerializer, responses={200: SuggestionSerializer})
    def post(self, request):
        serializer = EvaluateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _, rules = ruleset_current()
        suggestion = engine.evaluate(serializer.validated_data["facts"], rules)
        return Response(suggestion.to_dict())


class CallViewSet(
    LoggedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Calls: intake (handlers), the record of each, and the handler's decision."""

    permission_classes = [HasRole]
    serializer_class = CallSerializer
    filterset_class = CallFilter

    @property
    def allowed_roles(self):
        if self.action in ("create", "decision"):
            return {Role.HANDLER}
        return {Role.HANDLER, Role.SUPERVISOR}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Call.objects.none()
        latest = Prefetch(
            "decisions",
            queryset=Decision.objects.select_related("decided_by").order_by("-decided_at", "-id"),
            to_attr="latest_decisions",
        )
        return calls_visible_to(self.request.user).prefetch_related(latest, *intake_prefetches())

    def list_justification(self, request) -> str:
        return "call list (API)"

    def retrieve(self, request, *args, **kwargs):
        call = self.get_object()
        log_consultation(user=request.user, obj=call, justification="call record (API)")
        return Response(self.get_serializer(call).data)

    @extend_schema(request=CallCreateSerializer, responses={201: CallSerializer})
    def create(self, request):
        serializer = CallCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The answer shows the dwelling's summary: a read, logged with the call.
        call, created = services.call_create(
            handler=request.user, summary_shown=True, **serializer.validated_data
        )
        if created:
            call.latest_decisions = []  # a call just taken has no decision yet
        elif call.dwelling_id is not None:  # the first call, answered again
            log_consultation(
                user=request.user, obj=call.dwelling, justification=services.LIVE_INTAKE
            )
        return Response(
            CallSerializer(call).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=DecisionInputSerializer,
        responses={201: DecisionSerializer, 400: OpenApiResponse(description="Field errors")},
    )
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        call = self.get_object()
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = services.call_decide(call=call, user=request.user, **serializer.validated_data)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
