"""What a handler sees about a dwelling at intake: its calls in the live policy's window,
an open referral (its status only, no casework) and the response plan. The API's
``dwelling`` object and the handler's panel are this summary."""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from callers.models import Dwelling
from callers.selectors import plan_current, plan_summary
from core.rows import field_value
from triage.models import Call

from ..models import Referral, RepeatPolicy
from .counting import calls_in_window
from .policy import FIRST, Policy, policy_current, policy_of

# The dwelling's open referral: at most one (a partial unique constraint). Part of the
# intake's one statement (``triage.selectors.intake_reads``).
OPEN_REFERRAL_SQL = (
    f"SELECT id, created_at, status FROM {Referral._meta.db_table} "  # noqa: S608 - metadata
    f"WHERE dwelling_id = %s AND status <> '{Referral.Status.CLOSED.value}'"
)


@dataclass(frozen=True)
class OpenReferral:
    id: int
    status: str
    opened_at: datetime

    @property
    def status_label(self) -> str:
        return Referral.Status(self.status).label


def open_referral_from_row(pk, created_at, status) -> OpenReferral:
    return OpenReferral(
        id=pk,
        status=status,
        opened_at=field_value(Referral._meta.get_field("created_at"), created_at),
    )


def open_referrals(dwelling_ids) -> dict[int, OpenReferral]:
    """The open referral of each of these dwellings that has one, in one query."""
    rows = Referral.objects.open().filter(dwelling_id__in=set(dwelling_ids))
    return {
        dwelling_id: OpenReferral(id=pk, status=status, opened_at=created_at)
        for pk, dwelling_id, status, created_at in rows.values_list(
            "id", "dwelling_id", "status", "created_at"
        )
    }


def summary(
    dwelling: Dwelling,
    *,
    calls: int,
    policy: Policy,
    open_referral: OpenReferral | None,
    today: date | None = None,
) -> dict:
    """The summary as the API gives it (codes, ISO times). ``calls``: the dwelling's
    counted calls in the policy's window; ``calls_30d`` repeats it for clients written
    before the window could change (deprecated)."""
    return {
        "key": dwelling.key,
        "address": dwelling.address,
        "calls_in_window": calls,
        "window_days": policy.window_days,
        "calls_30d": calls,
        "open_referral": (
            {
                "id": open_referral.id,
                "status": open_referral.status,
                "opened_at": open_referral.opened_at.isoformat(),
            }
            if open_referral
            else None
        ),
        "response_plan": plan_summary(plan_current(dwelling), today or timezone.localdate()),
    }


@dataclass(frozen=True)
class Panel:
    """The summary as the handler's panel shows it: words and dates, not codes."""

    address: str
    calls_in_window: int
    policy: Policy
    open_referral: OpenReferral | None
    response_plan: dict | None

    @property
    def next_completes(self) -> bool:
        """The next (counted) call completes the window: it would be referred."""
        return self.policy.reached(self.calls_in_window + 1)


def panel(dwelling: Dwelling, *, now: datetime | None = None) -> Panel:
    """The live panel: counted now, under the live policy (a few small queries)."""
    policy = policy_current()
    now = now or timezone.now()
    found = open_referrals([dwelling.pk]).get(dwelling.pk)
    plan = plan_summary(plan_current(dwelling), timezone.localdate(now))
    if plan is not None:
        plan = plan | {"review_by": date.fromisoformat(plan["review_by"])}
    return Panel(
        address=dwelling.address,
        calls_in_window=calls_in_window(dwelling.pk, now=now, policy=policy),
        policy=policy,
        open_referral=found,
        response_plan=plan,
    )


def summaries_for_calls(calls: list[Call]) -> dict[int, dict]:
    """The summary of each call's dwelling as counted when the call was taken, under the
    policy in force then (its window), for a page of calls: one query for the policy
    versions and one for their open referrals (plans are prefetched with the calls:
    ``callers.selectors.plan_prefetch``)."""
    calls = [call for call in calls if call.dwelling_id is not None]
    if not calls:
        return {}
    published = list(
        RepeatPolicy.objects.exclude(published_at=None).order_by("published_at", "version")
    )
    found = open_referrals(c.dwelling_id for c in calls)
    return {
        call.pk: summary(
            call.dwelling,
            calls=call.repeat_calls_30d,
            policy=_policy_at(published, call.created_at),
            open_referral=found.get(call.dwelling_id),
            today=timezone.localdate(call.received_at),
        )
        for call in calls
    }


def _policy_at(published: list[RepeatPolicy], moment: datetime) -> Policy:
    """The version in force at ``moment``: the last published by then (the first one for
    calls taken before any was recorded)."""
    times = [row.published_at for row in published]
    index = bisect_right(times, moment) - 1
    if index < 0:
        return policy_of(published[0]) if published else FIRST
    return policy_of(published[index])
