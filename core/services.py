from .models import ProcessingLog
from .roles import primary_role


def processing_log(
    *,
    user,
    operation: str,
    object_type: str,
    object_id="",
    justification: str = "",
    recipient: str = "",
    request=None,
) -> ProcessingLog:
    """Record one DPA 2018 s62 processing event (collection, consultation, disclosure...)."""
    authenticated = getattr(user, "is_authenticated", False)
    return ProcessingLog.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "system",
        role=(primary_role(user) or "") if authenticated else "system",
        operation=operation,
        object_type=object_type,
        object_id=str(object_id),
        justification=justification[:500],
        recipient=recipient[:200],
        request_id=getattr(request, "request_id", "") if request is not None else "",
    )
