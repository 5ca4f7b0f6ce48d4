from django.db.models import Q, QuerySet

from core.roles import Role, has_role

from .models import Call, Decision


def calls_visible_to(user) -> QuerySet[Call]:
    """Supervisors see every call; a handler sees the calls they took."""
    calls = Call.objects.select_related("dwelling", "handler")
    if has_role(user, Role.SUPERVISOR):
        return calls
    return calls.filter(handler=user)


def decisions_for_review() -> QuerySet[Decision]:
    """Overrides and downgrades, newest first, for the supervisor's review queue."""
    return (
        Decision.objects.filter(Q(accepted=False) | Q(downgraded=True))
        .select_related("call", "decided_by")
        .order_by("-decided_at", "-id")
    )
