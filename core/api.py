"""API plumbing shared by every app."""

from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from rest_framework import status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError

DATABASE_UNAVAILABLE = (
    "The database is unavailable; nothing was saved. Try again (a repeated client_token "
    "is never saved twice)."
)


class Pagination(LimitOffsetPagination):
    """?limit=&offset= pages of PAGE_SIZE, and never more than ``max_limit`` rows at once:
    every row of a list of calls or referrals shown is logged as read."""

    max_limit = 500


class LoggedListMixin:
    """A ``list`` whose every row shown is logged as a consultation (DPA 2018 s62), with
    ``list_justification(request)``; a page that shows nothing is logged once, without an
    id, so that a probe for a record leaves a trace too."""

    def list_justification(self, request) -> str:
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        from .services import log_shown

        queryset = self.get_queryset()
        rows = self.paginate_queryset(self.filter_queryset(queryset))
        log_shown(
            user=request.user,
            objects=rows,
            object_type=queryset.model._meta.model_name,
            justification=self.list_justification(request),
        )
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


def exception_handler(exc, context):
    """DomainError → 400 with field messages; a lost database connection → 503.

    A dropped connection rolls the request's transaction back, so nothing is half-written;
    the broken connection is closed so the next request reconnects.
    """
    if isinstance(exc, DomainError):
        from rest_framework.exceptions import ValidationError

        exc = ValidationError(exc.as_dict())
    if isinstance(exc, OperationalError | InterfaceError):
        for conn in connections.all(initialized_only=True):
            conn.close_if_unusable_or_obsolete()
        return Response(
            {"detail": DATABASE_UNAVAILABLE},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "1"},
        )
    return drf_exception_handler(exc, context)
