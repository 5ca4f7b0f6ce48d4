"""Reads for referrals: the queue, one referral with its history, the weekly agenda."""

from datetime import date, timedelta
from itertools import chain

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from callers.models import Dwelling
from core.roles import CASEWORK_ROLES
from triage.models import Call

from .models import Referral, ReferralAction, ReferralEvent, ReferralNote, ReferralReview

QUEUE_SORTS = {
    "oldest": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    "review_due": ("review_due", "created_at", "id"),
    "activity": ("last_activity_at", "id"),
}


def week_end(today: date) -> date:
    """The Sunday that ends ``today``'s week: the weekly review covers up to it."""
    return today + timedelta(days=6 - today.weekday())


def referral_queue(
    *,
    status: str = "",
    assignee=None,
    unassigned: bool = False,
    review: str = "",
    source: str = "",
    sort: str = "oldest",
    today: date | None = None,
) -> QuerySet[Referral]:
    """Referrals for the team's queue: open ones unless a status is asked for.

    ``review``: "due" (review date reached, flagged or new), "week" (due by the end of this
    week), "flagged" (90 days without activity). ``sort``: one of ``QUEUE_SORTS``.
    """
    today = today or timezone.localdate()
    referrals = Referral.objects.all()
    referrals = referrals.filter(status=status) if status else referrals.open()
    if unassigned:
        referrals = referrals.filter(assignee__isnull=True)
    elif assignee is not None:
        referrals = referrals.filter(assignee=assignee)
    if source:
        referrals = referrals.filter(source=source)
    if review == "due":
        referrals = referrals.filter(_due_by(today))
    elif review == "week":
        referrals = referrals.filter(_due_by(week_end(today)))
    elif review == "flagged":
        referrals = referrals.filter(flagged_inactive_at__isnull=False)
    return (
        referrals.select_related("dwelling", "assignee")
        .annotate(trigger_count=Count("trigger_calls", distinct=True))
        .order_by(*QUEUE_SORTS.get(sort, QUEUE_SORTS["oldest"]))
    )


def _due_by(until: date) -> Q:
    return (
        Q(status=Referral.Status.NEW)
        | Q(review_due__lte=until)
        | Q(flagged_inactive_at__isnull=False)
    ) & ~Q(status=Referral.Status.CLOSED)


def referrals_for_agenda() -> QuerySet[Referral]:
    """Referrals as the weekly agenda shows them: trigger count, actions and reviews newest
    first."""
    latest_actions = Prefetch(
        "actions",
        queryset=ReferralAction.objects.select_related("taken_by").order_by(
            "-taken_on", "-created_at", "-id"
        ),
        to_attr="actions_newest_first",
    )
    latest_reviews = Prefetch(
        "reviews",
        queryset=ReferralReview.objects.select_related("recorded_by").order_by(
            "-held_on", "-created_at", "-id"
        ),
        to_attr="reviews_newest_first",
    )
    return (
        Referral.objects.select_related("dwelling", "assignee")
        .annotate(trigger_count=Count("trigger_calls", distinct=True))
        .prefetch_related(latest_actions, latest_reviews)
    )


def referrals_due_for_review(*, until: date) -> QuerySet[Referral]:
    """The weekly agenda: open referrals that are new, flagged, or due for review by
    ``until``, most overdue first."""
    return (
        referrals_for_agenda()
        .filter(_due_by(until))
        .order_by(F("review_due").asc(nulls_first=True), "created_at", "id")
    )


def referral_for_casework(pk) -> QuerySet[Referral]:
    """One referral with everything its page shows (calls, notes, actions, reviews, events)."""

    return (
        Referral.objects.filter(pk=pk)
        .select_related("dwelling", "assignee", "created_by", "closed_by")
        .prefetch_related(
            # The rule set names each call's rule in words (Call.rule_title).
            Prefetch(
                "trigger_calls",
                queryset=Call.objects.select_related("ruleset").order_by("received_at", "id"),
            ),
            Prefetch("notes", queryset=ReferralNote.objects.select_related("author")),
            Prefetch("actions", queryset=ReferralAction.objects.select_related("taken_by")),
            Prefetch("reviews", queryset=ReferralReview.objects.select_related("recorded_by")),
            Prefetch("events", queryset=ReferralEvent.objects.select_related("by")),
        )
    )


def referral_timeline(referral: Referral) -> list[dict]:
    """Notes, actions, weekly reviews and changes in one list, newest first."""
    entries = chain(
        (
            {"kind": "note", "at": n.created_at, "by": n.author, "item": n}
            for n in referral.notes.all()
        ),
        (
            {"kind": "action", "at": a.created_at, "by": a.taken_by, "item": a}
            for a in referral.actions.all()
        ),
        (
            {"kind": "review", "at": r.created_at, "by": r.recorded_by, "item": r}
            for r in referral.reviews.all()
        ),
        ({"kind": "event", "at": e.at, "by": e.by, "item": e} for e in referral.events.all()),
    )
    return sorted(entries, key=lambda e: e["at"], reverse=True)


def referral_has_meeting(referral: Referral) -> bool:
    return any(a.kind == ReferralAction.Kind.MULTI_AGENCY_MEETING for a in referral.actions.all())


def referrals_for_api() -> QuerySet[Referral]:
    return (
        Referral.objects.select_related("dwelling", "assignee")
        .prefetch_related("trigger_calls")
        .order_by("created_at", "id")
    )


def team_members() -> QuerySet:
    """Users who may hold a referral (triage staff and supervisors), for assignment."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=CASEWORK_ROLES) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


# --- the dwelling page (triage staff and supervisors; never shown to handlers) ------------

DWELLING_HISTORY_CALLS = 500
DWELLING_SPELLINGS = 50


def dwelling_history(dwelling: Dwelling) -> dict:
    """A dwelling's full history: its calls (newest first), the spellings its address was
    typed in (most used first, with their calls), every referral, every plan."""
    # The rule set is prefetched, not joined: one document shared by the calls it suggested.
    calls = (
        Call.objects.filter(dwelling=dwelling)
        .select_related("handler")
        .prefetch_related("ruleset")
        .order_by("-received_at", "-id")[:DWELLING_HISTORY_CALLS]
    )
    spellings = (
        Call.objects.filter(dwelling=dwelling)
        .values("address")
        .annotate(calls=Count("id"))
        .order_by("-calls", "address")[:DWELLING_SPELLINGS]
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
        "spellings": list(spellings),
        "referrals": list(referrals),
        "plans": list(plans),
    }
