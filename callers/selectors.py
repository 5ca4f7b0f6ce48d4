from datetime import datetime, timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from .models import Dwelling, GazetteerAddress, ResponsePlan

REPEAT_WINDOW = timedelta(days=30)


def plan_current(dwelling: Dwelling) -> ResponsePlan | None:
    """The latest version of the dwelling's response plan, expired or not: an expired plan
    is shown as expired, never silently hidden."""
    if hasattr(dwelling, "plans_newest_first"):  # prefetched by a list
        return dwelling.plans_newest_first[0] if dwelling.plans_newest_first else None
    return dwelling.plans.select_related("author").order_by("-version").first()


def intake_prefetches(prefix: str = "dwelling__") -> list[Prefetch]:
    """What dwelling_intake_summary reads, fetched once for a list of rows (no N+1)."""
    from referrals.models import Referral

    return [
        Prefetch(
            f"{prefix}referrals",
            queryset=Referral.objects.open().only("id", "dwelling_id", "status", "created_at"),
            to_attr="open_referrals",
        ),
        Prefetch(
            f"{prefix}plans",
            queryset=ResponsePlan.objects.select_related("author").order_by("-version"),
            to_attr="plans_newest_first",
        ),
    ]


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
    if hasattr(dwelling, "open_referrals"):  # prefetched by a list (see intake_prefetches)
        open_referrals = dwelling.open_referrals
        referral = (
            {
                "id": open_referrals[0].id,
                "status": open_referrals[0].status,
                "created_at": open_referrals[0].created_at,
            }
            if open_referrals
            else None
        )
    else:
        referral = (
            Referral.objects.open()
            .filter(dwelling=dwelling)
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


# --- the dwelling page (triage staff and supervisors; never shown to handlers) ------------

DWELLING_HISTORY_CALLS = 500


def dwelling_history(dwelling: Dwelling) -> dict:
    """A dwelling's full history: its calls (newest first), every referral, every plan."""
    from referrals.models import Referral
    from triage.models import Call

    calls = (
        Call.objects.filter(dwelling=dwelling)
        .select_related("handler")
        .order_by("-received_at", "-id")[:DWELLING_HISTORY_CALLS]
    )
    referrals = (
        Referral.objects.filter(dwelling=dwelling)
        .select_related("assignee")
        .order_by("-created_at", "-id")
    )
    plans = dwelling.plans.select_related("author").order_by("-version")
    return {
        "calls": list(calls),
        "calls_total": Call.objects.filter(dwelling=dwelling).count(),
        "referrals": list(referrals),
        "plans": list(plans),
    }


def dwellings_search(query: str, *, limit: int = 50):
    """Dwellings matching a typed address: its key (every spelling), the postcode, or a
    fragment of the address as first typed. Each with its call count."""
    from django.db.models import Count, Q

    from .addresses import dwelling_key
    from .addresses.parsing import normalise_postcode

    query = " ".join(query.split())[:200]
    if len(query) < 3:
        return Dwelling.objects.none()
    match = Q(address__icontains=query) | Q(key=query) | Q(uprn=query)
    key = dwelling_key(query)
    if key:
        match |= Q(key=key)
    postcode = normalise_postcode(query)
    if postcode:
        match |= Q(postcode=postcode)
    return (
        Dwelling.objects.filter(match)
        .annotate(call_count=Count("calls", distinct=True))
        .order_by("-call_count", "address")[:limit]
    )


def dwellings_with_key(key: str):
    """The dwellings a dwelling key names: the one stored under it, and, when a gazetteer
    is loaded, the one its UPRN resolved to (stored as "uprn:N", so a key computed with
    ``dwelling_key()`` from the typed address still finds it)."""
    listed = GazetteerAddress.objects.filter(key=key).values("uprn")
    return Dwelling.objects.filter(Q(key=key) | Q(uprn__in=listed))
