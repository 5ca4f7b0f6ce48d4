"""The referral API: the Farmington queue, one referral, its notes, actions and plans.

Reading one referral (or its notes, actions or plans) needs a justification: an
``X-Justification`` header or ``?justification=``, or one this user gave for this referral
in the last 30 minutes. Every read is written to the processing log; a list logs each
referral it shows, with its query, and shows what the queue page shows (not the free text
of a referral's history: why it was referred, the note on its outcome).

Writes answer without the case content (a referral's reason and outcome note, a note's
text, an action's notes and care plan) unless the request itself carries a justification
(``X-Justification`` or ``?justification=``): then the answer is whole and the read is
logged with it. A PATCH's answer (what the queue shows) is logged as a read either way.
"""

from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from core.api import LoggedListMixin
from core.errors import DomainError
from core.roles import CASEWORK_ROLES, HasRole

from .. import selectors, services
from ..consultation import (
    HEADER,
    PARAM,
    clean_justification,
    consultation_log,
    justification_for,
)
from ..models import Referral
from .filters import ReferralFilter
from .serializers import (
    ActionCreateSerializer,
    NoteCreateSerializer,
    PlanCreateSerializer,
    ReferralActionReceiptSerializer,
    ReferralActionSerializer,
    ReferralCreateSerializer,
    ReferralNoteReceiptSerializer,
    ReferralNoteSerializer,
    ReferralPatchSerializer,
    ReferralSerializer,
    ReferralSummarySerializer,
    ResponsePlanSerializer,
)

# Filters whose value is typed text (an address, a name): logged as "given", not as typed.
GIVEN_AS_TEXT = frozenset({"dwelling", "dwelling_key", "assignee"})
# Why a PATCH's answer (the whole referral) was read: the update itself.
PATCH_READ = "referral update (API)"
JUSTIFICATION_MISSING = (
    "Say why you are opening this referral: send an X-Justification header (or a "
    "justification query parameter) with a few words. It is recorded in the processing log."
)
JUSTIFICATION_PARAMETERS = [
    OpenApiParameter(
        HEADER,
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="Why you are opening this record (required unless given in the last "
        "30 minutes). Recorded in the processing log.",
    ),
    OpenApiParameter(
        PARAM, OpenApiTypes.STR, OpenApiParameter.QUERY, description="Alternative to the header."
    ),
]
REFUSED = {
    400: OpenApiResponse(description="Field errors"),
    403: OpenApiResponse(description="Role not allowed, or no justification given"),
    404: OpenApiResponse(description="No such referral"),
}


def _justify(request, referral: Referral) -> None:
    """Check and log a read of one referral's history, or refuse it (403)."""
    given = request.headers.get(HEADER) or request.query_params.get(PARAM) or None
    try:
        justification = justification_for(
            user=request.user,
            given=given,
            object_type="referral",
            object_id=referral.pk,
            related=[("dwelling", referral.dwelling_id)],
        )
    except DomainError:
        raise PermissionDenied(JUSTIFICATION_MISSING) from None
    if not justification:
        raise PermissionDenied(JUSTIFICATION_MISSING)
    consultation_log(
        request=request, object_type="referral", object_id=referral.pk, justification=justification
    )


def _carried_justification(request) -> str:
    """The justification this request carries, checked ("" when it carries none); a
    write checks it before writing, so a bad one changes nothing."""
    given = request.headers.get(HEADER) or request.query_params.get(PARAM)
    if not given:
        return ""
    try:
        return clean_justification(given)
    except DomainError:
        raise PermissionDenied(JUSTIFICATION_MISSING) from None


def _log_write_answer(request, referral_id, justification: str) -> None:
    """A write's whole answer is a read of the referral's history: remember the reason
    for it (as a GET would) and log it."""
    justification_for(
        user=request.user, given=justification, object_type="referral", object_id=referral_id
    )
    consultation_log(
        request=request, object_type="referral", object_id=referral_id, justification=justification
    )


WHOLE_WITH_JUSTIFICATION = (
    " The answer leaves out the case content ({fields}) unless the request carries a "
    "justification (X-Justification or ?justification=), which is then logged."
)


class ReferralViewSet(
    LoggedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Operation Farmington referrals, for triage staff and supervisors only."""

    permission_classes = [HasRole]
    allowed_roles = CASEWORK_ROLES
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    queryset = Referral.objects.none()  # for the schema; get_queryset is the real one

    def get_queryset(self):
        return selectors.referrals_for_api()

    def get_serializer_class(self):
        return ReferralSummarySerializer if self.action == "list" else ReferralSerializer

    @extend_schema(responses={200: ReferralSummarySerializer(many=True), 403: REFUSED[403]})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def list_justification(self, request) -> str:
        """The reason given, if any, and the filters as the list understood them: nothing
        typed as free text reaches the log (a dwelling key is an address, an assignee a
        name: both appear as "given")."""
        filters = self.filterset_class(request.GET, queryset=Referral.objects.none())
        filters.is_valid()  # the list itself answered invalid filters with 400
        query = QueryDict(mutable=True)
        for name, value in filters.form.cleaned_data.items():
            if value in (None, "", []):
                continue
            if name in GIVEN_AS_TEXT:
                value = "given"
            for item in value if isinstance(value, list) else [value]:
                query.appendlist(name, str(item))
        paging = self.paginator
        query["limit"], query["offset"] = str(paging.limit), str(paging.offset)
        given = request.GET.get(PARAM, "").strip()
        if given:
            try:
                given = clean_justification(given)
            except DomainError as exc:
                raise ValidationError(exc.as_dict()) from None
        return " ".join(filter(None, [given, f"list {query.urlencode()}"]))

    @extend_schema(
        parameters=JUSTIFICATION_PARAMETERS, responses={200: ReferralSerializer, **REFUSED}
    )
    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        _justify(request, referral)
        return Response(ReferralSerializer(referral).data)

    @extend_schema(
        request=ReferralCreateSerializer,
        parameters=JUSTIFICATION_PARAMETERS,
        responses={201: ReferralSummarySerializer, 400: REFUSED[400], 403: REFUSED[403]},
        description="Raise a manual referral (officer or partner agency): an address or a "
        "dwelling key, who referred and why."
        + WHOLE_WITH_JUSTIFICATION.format(fields="referral_reason, outcome_note"),
    )
    def create(self, request):
        justification = _carried_justification(request)
        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = services.referral_create_manual(user=request.user, **serializer.validated_data)
        referral = self.get_queryset().get(pk=referral.pk)
        if not justification:
            return Response(
                ReferralSummarySerializer(referral).data, status=status.HTTP_201_CREATED
            )
        _log_write_answer(request, referral.pk, justification)
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ReferralPatchSerializer,
        parameters=JUSTIFICATION_PARAMETERS,
        responses={200: ReferralSummarySerializer, **REFUSED},
        description="Change status (closing needs an outcome), holder (assignee username, or "
        "null) or review date. All changes are made, or none."
        + WHOLE_WITH_JUSTIFICATION.format(fields="referral_reason, outcome_note"),
    )
    def partial_update(self, request, *args, **kwargs):
        referral = self.get_object()
        justification = _carried_justification(request)
        serializer = ReferralPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.referral_update(referral=referral, user=request.user, **serializer.validated_data)
        referral = self.get_queryset().get(pk=referral.pk)
        if not justification:
            consultation_log(
                request=request,
                object_type="referral",
                object_id=referral.pk,
                justification=PATCH_READ,
            )
            return Response(ReferralSummarySerializer(referral).data)
        _log_write_answer(request, referral.pk, justification)
        return Response(ReferralSerializer(referral).data)

    def _sub_resource(
        self, request, *, read, write_serializer, write, out_serializer, receipt_serializer=None
    ):
        """GET: the list, justified and logged. POST: the write, answered with the whole
        record when the request carries a justification (logged), else with
        ``receipt_serializer`` (the record without its case content), if there is one."""
        referral = self.get_object()
        if request.method == "GET":
            _justify(request, referral)
            return Response(out_serializer(read(referral), many=True).data)
        justification = _carried_justification(request) if receipt_serializer else ""
        serializer = write_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = write(referral, serializer.validated_data)
        if receipt_serializer and not justification:
            return Response(receipt_serializer(created).data, status=status.HTTP_201_CREATED)
        if justification:
            _log_write_answer(request, referral.pk, justification)
        return Response(out_serializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        parameters=JUSTIFICATION_PARAMETERS,
        responses={200: ReferralActionSerializer(many=True), **REFUSED},
    )
    @extend_schema(
        methods=["POST"],
        request=ActionCreateSerializer,
        parameters=JUSTIFICATION_PARAMETERS,
        responses={201: ReferralActionReceiptSerializer, **REFUSED},
        description="Record an action. A cpw or cpn is refused (400) until a "
        "multi_agency_meeting has been recorded for the referral."
        + WHOLE_WITH_JUSTIFICATION.format(fields="notes, care_plan"),
    )
    # Every record at once (a referral has few), not in pages: a bare array.
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def actions(self, request, pk=None):
        return self._sub_resource(
            request,
            read=lambda r: r.actions.select_related("taken_by").order_by(
                "taken_on", "created_at", "id"
            ),
            write_serializer=ActionCreateSerializer,
            write=lambda r, data: services.referral_action_record(
                referral=r, user=request.user, **data
            ),
            out_serializer=ReferralActionSerializer,
            receipt_serializer=ReferralActionReceiptSerializer,
        )

    @extend_schema(
        methods=["GET"],
        parameters=JUSTIFICATION_PARAMETERS,
        responses={200: ReferralNoteSerializer(many=True), **REFUSED},
    )
    @extend_schema(
        methods=["POST"],
        request=NoteCreateSerializer,
        parameters=JUSTIFICATION_PARAMETERS,
        responses={201: ReferralNoteReceiptSerializer, **REFUSED},
        description="Add a note." + WHOLE_WITH_JUSTIFICATION.format(fields="text"),
    )
    # Every record at once (a referral has few), not in pages: a bare array.
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def notes(self, request, pk=None):
        return self._sub_resource(
            request,
            read=lambda r: r.notes.select_related("author").order_by("created_at", "id"),
            write_serializer=NoteCreateSerializer,
            write=lambda r, data: services.referral_note_add(
                referral=r, author=request.user, **data
            ),
            out_serializer=ReferralNoteSerializer,
            receipt_serializer=ReferralNoteReceiptSerializer,
        )

    @extend_schema(
        methods=["GET"],
        parameters=JUSTIFICATION_PARAMETERS,
        responses={200: ResponsePlanSerializer(many=True), **REFUSED},
        description="Every version of the dwelling's response plan, newest first.",
    )
    @extend_schema(
        methods=["POST"],
        request=PlanCreateSerializer,
        responses={201: ResponsePlanSerializer, **REFUSED},
        description="Publish a new version of the dwelling's response plan (shown to "
        "handlers at intake).",
    )
    # Every record at once (a referral has few), not in pages: a bare array.
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def plans(self, request, pk=None):
        return self._sub_resource(
            request,
            read=lambda r: r.dwelling.plans.select_related("author").order_by("-version"),
            write_serializer=PlanCreateSerializer,
            write=lambda r, data: services.plan_publish(
                dwelling=r.dwelling, referral=r, author=request.user, **data
            ),
            out_serializer=ResponsePlanSerializer,
        )
