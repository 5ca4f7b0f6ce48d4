from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from core.roles import Role, has_role

from . import engine
from .models import Call, Decision, RuleSet

# Parsed rule sets by primary key: a stored version never changes once created.
_PARSED: dict[int, engine.RuleSet] = {}


def ruleset_parsed(ruleset: RuleSet) -> engine.RuleSet:
    parsed = _PARSED.get(ruleset.pk)
    if parsed is None:
        parsed = _PARSED[ruleset.pk] = engine.parse_ruleset(ruleset.document)
    return parsed


def ruleset_current() -> tuple[RuleSet, engine.RuleSet]:
    """The live rule set and its parsed form; the shipped default on first use."""
    ruleset = RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).first()
    if ruleset is None:
        from .services import ruleset_ensure_default

        ruleset = ruleset_ensure_default()
    return ruleset, ruleset_parsed(ruleset)


def calls_in_repeat_window(dwelling, until: datetime, window: timedelta) -> QuerySet[Call]:
    """The dwelling's calls in the window ending at ``until`` (inclusive at both ends),
    oldest first. A call exactly 30 days earlier still counts."""
    return Call.objects.filter(
        dwelling=dwelling, received_at__gte=until - window, received_at__lte=until
    ).order_by("received_at", "id")


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
