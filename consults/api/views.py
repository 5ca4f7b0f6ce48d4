from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import LoggedListMixin
from core.roles import HasRole, Role
from triage.selectors import calls_visible_to

from .. import selectors, services
from ..models import Consult
from .serializers import ConsultAnswerSerializer, ConsultAskSerializer, ConsultSerializer

LIVE_CONSULT = "live consult"


def _conflict(exc: services.ConsultTaken) -> Response:
    return Response(exc.as_dict(), status=status.HTTP_409_CONFLICT)


class CallConsultsView(APIView):
    """The handler who took the call asks the mental-health team about it."""

    permission_classes = [HasRole]
    allowed_roles = {Role.HANDLER}

    @extend_schema(
        request=ConsultAskSerializer,
        responses={201: ConsultSerializer, 400: OpenApiResponse(description="Field errors")},
    )
    def post(self, request, pk):
        # Scoped to the handler's own calls: another handler's call is not found.
        call = get_object_or_404(calls_visible_to(request.user).filter(handler=request.user), pk=pk)
        serializer = ConsultAskSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consult = services.consult_ask(call=call, user=request.user, **serializer.validated_data)
        return Response(ConsultSerializer(consult).data, status=status.HTTP_201_CREATED)


class ConsultListView(LoggedListMixin, generics.ListAPIView):
    """Consults oldest first; ?status=waiting|claimed|answered (the open ones by default)."""

    permission_classes = [HasRole]
    allowed_roles = {Role.MH_PRACTITIONER, Role.SUPERVISOR}
    serializer_class = ConsultSerializer

    def list_justification(self, request) -> str:
        return LIVE_CONSULT

    def get_queryset(self):
        wanted = self.request.query_params.get("status") or None
        if wanted is not None and wanted not in Consult.Status.values:
            raise ValidationError({"status": ["Must be waiting, claimed or answered."]})
        return selectors.consults_queue(wanted)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=list(Consult.Status.values), required=False),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ConsultClaimView(APIView):
    permission_classes = [HasRole]
    allowed_roles = {Role.MH_PRACTITIONER}

    @extend_schema(
        request=None,
        responses={200: ConsultSerializer, 409: OpenApiResponse(description="Held by another")},
    )
    def post(self, request, pk):
        consult = get_object_or_404(Consult, pk=pk)
        try:
            consult = services.consult_claim(consult=consult, user=request.user)
        except services.ConsultTaken as exc:
            return _conflict(exc)
        return Response(ConsultSerializer(consult).data)


class ConsultAnswerView(APIView):
    permission_classes = [HasRole]
    allowed_roles = {Role.MH_PRACTITIONER}

    @extend_schema(
        request=ConsultAnswerSerializer,
        responses={
            200: ConsultSerializer,
            400: OpenApiResponse(description="Field errors"),
            409: OpenApiResponse(description="Held by another, or already answered"),
        },
    )
    def post(self, request, pk):
        consult = get_object_or_404(Consult, pk=pk)
        serializer = ConsultAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            consult = services.consult_answer(
                consult=consult, user=request.user, **serializer.validated_data
            )
        except services.ConsultTaken as exc:
            return _conflict(exc)
        return Response(ConsultSerializer(consult).data)
