from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from callers.selectors import plan_prefetch
from consults import services as consult_services
from consults.selectors import call_has_consult, consults_for_calls
from core.api import LoggedListMixin
from core.roles import ALL_ROLES, HasRole, Role, has_role
from core.services import log_consultation
from referrals import farmington

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
        facts = serializer.validated_data["facts"]
        _, rules = ruleset_current()
        # The count is given, not the channel: it is taken to be one the policy counts.
        due = farmington.policy_current().reached(facts.repeat_calls_30d)
        suggestion = engine.evaluate(facts, rules, repeat_due=due)
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
        if self.action == "retrieve":
            # A mental-health practitioner reads a call while it has a consult (get_object).
            return {Role.HANDLER, Role.SUPERVISOR, Role.MH_PRACTITIONER}
        return {Role.HANDLER, Role.SUPERVISOR}

    def _practitioner_only(self) -> bool:
        user = self.request.user
        return has_role(user, Role.MH_PRACTITIONER) and not has_role(
            user, Role.HANDLER, Role.SUPERVISOR
        )

    def get_object(self):
        if self.action == "retrieve" and self._practitioner_only():
            pk = self.kwargs["pk"]
            if not (str(pk).isdigit() and call_has_consult(int(pk), self.request.user)):
                raise PermissionDenied("A practitioner reads only calls under consult.")
        return super().get_object()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Call.objects.none()
        latest = Prefetch(
            "decisions",
            queryset=Decision.objects.select_related("decided_by").order_by("-decided_at", "-id"),
            to_attr="latest_decisions",
        )
        if self._practitioner_only():  # retrieve only, of a call under consult (get_object)
            calls = Call.objects.select_related("dwelling", "handler")
        else:
            calls = calls_visible_to(self.request.user)
        return calls.prefetch_related(latest, plan_prefetch())

    def get_serializer(self, *args, **kwargs):
        if kwargs.get("many") and args:
            # A page of calls: their dwellings' open referrals in one query.
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["dwelling_summaries"] = farmington.summaries_for_calls(list(args[0]))
            kwargs["context"]["consults"] = consults_for_calls(list(args[0]))
        return super().get_serializer(*args, **kwargs)

    def list_justification(self, request) -> str:
        return "call list (API)"

    def retrieve(self, request, *args, **kwargs):
        call = self.get_object()
        why = "live consult" if self._practitioner_only() else "call record (API)"
        log_consultation(user=request.user, obj=call, justification=why)
        return Response(self.get_serializer(call).data)

    @extend_schema(request=CallCreateSerializer, responses={201: CallSerializer})
    def create(self, request):
        serializer = CallCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The answer shows the dwelling's summary: a read, logged with the call.
        intake = services.call_intake(
            handler=request.user, summary_shown=True, **serializer.validated_data
        )
        call = intake.call
        if intake.created:
            call.latest_decisions = []  # a call just taken has no decision yet
        elif call.dwelling_id is not None:  # the first call, answered again
            log_consultation(
                user=request.user, obj=call.dwelling, justification=services.LIVE_INTAKE
            )
        context = {"dwelling_summaries": {call.pk: intake.summary}}
        if intake.created:
            context["consults"] = {call.pk: []}  # a call just taken has none yet
        if intake.created:
            context["consults"] = {call.pk: []}  # nobody has been asked yet
        return Response(
            CallSerializer(call, context=context).data,
            status=status.HTTP_201_CREATED if intake.created else status.HTTP_200_OK,
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
        # Through consults: a decision against the mental-health team's recommendation
        # must say why, and its note records that it differs.
        decision = consult_services.consult_decide(
            call=call, user=request.user, require_told_text=False, **serializer.validated_data
        )
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
