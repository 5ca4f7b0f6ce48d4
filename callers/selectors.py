from datetime import datetime, timedelta

from django.utils import timezone

from .models import Dwelling, ResponsePlan

REPEAT_WINDOW = timedelta(days=30)


def plan_current(dwelling: Dwelling) -> ResponsePlan | None:
    """The latest version of the dwelling's response plan, expired or not: an expired plan
    is shown as expired, never silently hidden."""
    return dwelling.plans.select_related("author").order_by("-version").first()


def plan_summary(plan: ResponsePlan | None, today=None) -> dict | None:
    if plan is None:
        return None
    return {
        "version": plan.version,
        "what_to_do": plan.what_to_do,
        "what_not_to_do": plan.what_not_to_do,
        "whom_to_call": plan.whom_to_call,
        "author": plan.author.get_username(),
        "review_by": plan.review_by.isoformat(),
        "expired": plan.is_expired(today),
    }


def dwelling_intake_summary(
    dwelling: Dwelling | None, *, now: datetime | None = None, calls_30d: int | None = None
) -> dict | None:
    """What a handler sees at intake: the calls in 30 days, an open referral (status only,
    no notes) and the response plan."""
    if dwelling is None:
        return None
    from referrals.models import Referral

    now = now or timezone.now()
    if calls_30d is None:
        calls_30d = dwelling.calls.filter(
            received_at__gte=now - REPEAT_WINDOW, received_at__lte=now
        ).count()
    referral = (
        Referral.objects.filter(dwelling=dwelling)
        .exclude(status=Referral.Status.CLOSED)
        .values("id", "status", "created_at")
        .first()
    )
    return {
        "key": dwelling.key,
        "address": dwelling.address,
        "calls_30d": calls_30d,
        "open_referral": (
            {
                "id": referral["id"],
                "status": referral["status"],
                "opened_at": referral["created_at"].isoformat(),
            }
            if referral
            else None
        ),
        "response_plan": plan_summary(plan_current(dwelling), timezone.localdate(now)),
    }
