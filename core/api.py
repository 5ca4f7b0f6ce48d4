"""API plumbing shared by every app."""

from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


def exception_handler(exc, context):
    """Turn a service's DomainError into a 400 with field messages, like a serializer error."""
    if isinstance(exc, DomainError):
        from rest_framework.exceptions import ValidationError

        exc = ValidationError(exc.as_dict())
    return drf_exception_handler(exc, context)
