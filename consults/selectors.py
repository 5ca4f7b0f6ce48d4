"""Reads for live consults: the queue, a call's consults, a practitioner's own, the figures."""

import hashlib
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.roles import Role, has_role
from triage.models import Call

from .models import Consult

# A consult not answered within this long is counted as late in the supervisors' figures.
LATE_AFTER = timedelta(minutes=5)
FIGURE_DAYS = 28


def consults_queue(status: str | None = None) -> QuerySet[Consult]:
    """Consults oldest first, with their call and who asked and holds them; the open ones
    unless a status is given."""
    consults = Consult.objects.select_related("call", "call__dwelling", "asked_by", "claimed_by")
    if status:
        return consults.filter(status=status).order_by("asked_at", "id")
    return consults.filter(status__in=Consult.OPEN).order_by("asked_at", "id")


def queue_version(consults) -> str:
    """What the queue shows, in short: it changes when a question comes, is claimed or
    leaves the queue."""
    seen = ",".join(f"{c.pk}.{c.status}.{c.claimed_by_id or 0}" for c in consults)
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def consults_for_call(call: Call) -> list[Consult]:
    return list(
        Consult.objects.filter(call=call)
        .select_related("claimed_by", "asked_by")
        .order_by("asked_at", "id")
    )


def consults_for_calls(calls) -> dict[int, list[Consult]]:
    """{call id: its consults, oldest first} in one query."""
    found: dict[int, list[Consult]] = {c.pk: [] for c in calls}
    for consult in Consult.objects.filter(call_id__in=list(found)).order_by("asked_at", "id"):
        found[consult.call_id].append(consult)
    return found


def consults_of_practitioner(user) -> QuerySet[Consult]:
    """The consults a practitioner claimed or answered, newest first."""
    return (
        Consult.objects.filter(claimed_by=user)
        .select_related("call", "asked_by")
        .order_by("-asked_at", "-id")
    )


def consult_visible_to(user) -> QuerySet[Consult]:
    """Supervisors see every consult; a practitioner the open ones (the live queue) and
    those they took themselves, never another's answered consult; a handler those on
    their own calls."""
    consults = Consult.objects.select_related("call", "call__dwelling", "asked_by", "claimed_by")
    if has_role(user, Role.SUPERVISOR):
        return consults
    if has_role(user, Role.MH_PRACTITIONER):
        return consults.filter(Q(status__in=Consult.OPEN) | Q(claimed_by=user))
    return consults.filter(call__handler=user)


def call_has_consult(call_id: int, user=None) -> bool:
    """Whether the call is under a consult ``user`` (a practitioner) may work on: open,
    or taken by them."""
    consults = Consult.objects.filter(call_id=call_id)
    if user is not None:
        consults = consults.filter(Q(status__in=Consult.OPEN) | Q(claimed_by=user))
    return consults.exists()


@dataclass(frozen=True)
class Figures:
    since: date
    days: list[tuple[date, int]]
    total: int
    answered: int
    median_seconds: float | None
    p90_seconds: float | None
    late: int
    with_recommendation: int
    matched: int

    @property
    def matched_percent(self) -> int | None:
        if not self.with_recommendation:
            return None
        return round(100 * self.matched / self.with_recommendation)


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0..100) by linear interpolation, or None with no values."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def consult_figures(*, now: datetime | None = None, days: int = FIGURE_DAYS) -> Figures:
    """The supervisors' figures over the last ``days`` days: consults per day, the median
    and 90th-percentile time to answer, how many waited more than five minutes for an
    answer (or still wait), and how often the call's final agency matched the
    practitioner's recommendation (of decided calls that had one)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = today - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(since, datetime.min.time()))
    rows = list(
        Consult.objects.filter(asked_at__gte=start)
        .values_list("asked_at", "answered_at", "recommended_agency", "call__final_agency")
        .order_by("asked_at")
    )
    per_day = {since + timedelta(days=i): 0 for i in range(days)}
    waits, late, recommended, matched = [], 0, 0, 0
    for asked, answered, recommendation, final in rows:
        per_day[timezone.localdate(asked)] = per_day.get(timezone.localdate(asked), 0) + 1
        if answered is not None:
            waits.append((answered - asked).total_seconds())
        if (answered or now) - asked > LATE_AFTER:
            late += 1
        if recommendation and final:
            recommended += 1
            matched += recommendation == final
    return Figures(
        since=since,
        days=sorted(per_day.items()),
        total=len(rows),
        answered=len(waits),
        median_seconds=statistics.median(waits) if waits else None,
        p90_seconds=percentile(sorted(waits), 90),
        late=late,
        with_recommendation=recommended,
        matched=matched,
    )
