"""Counting a dwelling's calls in the policy's window: at intake, on the handler's panel,
and over an import's rows. The same rule everywhere: the calls of the counted channels
received from ``at - window`` to ``at``, both included, the call itself counted."""

from array import array
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import QuerySet
from django.utils import timezone

from triage.models import Call

from .policy import Policy, policy_current


def window_calls(dwelling_id: int, until: datetime, policy: Policy) -> QuerySet[Call]:
    """The dwelling's counted calls in the window ending at ``until`` (inclusive at both
    ends), oldest first."""
    until = until.astimezone(UTC)  # days of 24 hours, whatever the clocks did
    calls = Call.objects.filter(
        dwelling_id=dwelling_id, received_at__gte=until - policy.window, received_at__lte=until
    )
    if policy.channels != frozenset(Call.Channel.values):
        calls = calls.filter(channel__in=sorted(policy.channels))
    return calls.order_by("received_at", "id")


def calls_in_window(
    dwelling_id: int, *, now: datetime | None = None, policy: Policy | None = None
) -> int:
    """How many counted calls the dwelling has had in the window up to now (the panel's
    figure: the call being taken is not among them yet)."""
    policy = policy or policy_current()
    return window_calls(dwelling_id, now or timezone.now(), policy).count()


@dataclass(frozen=True)
class IntakeCount:
    """One intake's view of its dwelling's calls under the policy in force."""

    policy: Policy
    # Counted calls in the window up to the new call, the new call included if counted.
    calls_in_window: int
    # The new call completes a window: FLAG-FARMINGTON, and the referral if none is open.
    due: bool
    # The calls a referral opened now carries, oldest first, and when it was triggered:
    # the new call's window (``None`` standing for the new call, not saved yet), or, for
    # a back-dated call, the window of a later call that the new one now completes.
    trigger: tuple[tuple[int | None, datetime], ...] = ()
    triggered_at: datetime | None = None
    # The dwelling has counted calls after the new one within the window (a back-dated
    # call): a repeat call for the busiest-dwellings figure although it counts none of them.
    calls_after: bool = False

    @property
    def fact(self) -> int:
        """The count as the engine's repeat_calls_30d fact takes it (at least 1)."""
        return max(1, self.calls_in_window)


def intake_count(
    near: list[tuple[int, datetime, str]], *, channel: str, received_at: datetime, policy: Policy
) -> IntakeCount:
    """``near``: (id, received_at, channel) of the dwelling's calls from one window before
    the new call to one window after, oldest first (``triage.selectors.intake_reads``).

    A call taken after later calls (back-dated) can complete the window of one of them:
    the first such later call then triggers the referral, as the nightly detection would
    find it, though no call is flagged afresh."""
    counted = [(pk, at) for pk, at, ch in near if policy.counts(ch)]
    window = [(pk, at) for pk, at in counted if at <= received_at]
    if not policy.counts(channel):
        return IntakeCount(
            policy=policy,
            calls_in_window=len(window),
            due=False,
            calls_after=len(counted) > len(window),
        )
    count = len(window) + 1
    back = policy.threshold - 1
    if policy.reached(count):
        return IntakeCount(
            policy=policy,
            calls_in_window=count,
            due=True,
            trigger=(*window[-back:], (None, received_at)),
            triggered_at=received_at,
            calls_after=len(counted) > len(window),
        )
    later = [(pk, at) for pk, at in counted if at > received_at]
    # In detection's order: time, then taken first (the new call after calls at its time).
    with_new = [*window, (None, received_at), *later]
    for j in range(len(window) + 1, len(with_new)):
        at = with_new[j][1]
        members = [c for c in with_new[: j + 1] if c[1] >= at - policy.window]
        if policy.reached(len(members)):
            return IntakeCount(
                policy=policy,
                calls_in_window=count,
                due=False,
                trigger=tuple(members[-policy.threshold :]),
                triggered_at=at,
                calls_after=True,
            )
    return IntakeCount(policy=policy, calls_in_window=count, due=False, calls_after=bool(later))


def import_counts(
    dwelling_of: list[int], times: list[float], channels: list[str], policy: Policy
) -> array:
    """Each imported row's counted calls from its dwelling in the window up to it, itself
    included if counted (as intake counts them), over the imported rows and the calls
    already stored. ``dwelling_of[i]`` is 0 for a row without a dwelling (counted as 1);
    ``times`` are UNIX seconds."""
    n = len(times)
    counts = array("q", [1]) * n
    window = policy.window.total_seconds()
    stored: dict[int, list[float]] = {}
    if n and Call.objects.exists():
        low = datetime.fromtimestamp(min(times), tz=UTC) - policy.window
        high = datetime.fromtimestamp(max(times), tz=UTC)
        wanted = sorted({d for d in dwelling_of if d})
        for start in range(0, len(wanted), 500):
            rows = Call.objects.filter(
                dwelling_id__in=wanted[start : start + 500],
                received_at__range=(low, high),
                channel__in=sorted(policy.channels),
            ).values_list("dwelling_id", "received_at")
            for dwelling_id, received_at in rows:
                stored.setdefault(dwelling_id, []).append(received_at.timestamp())
    order = sorted(
        (i for i in range(n) if dwelling_of[i]), key=lambda i: (dwelling_of[i], times[i], i)
    )
    group_start = 0
    while group_start < len(order):
        dwelling = dwelling_of[order[group_start]]
        group_end = group_start
        while group_end < len(order) and dwelling_of[order[group_end]] == dwelling:
            group_end += 1
        # (time, 0 for a stored call / 1 for an imported one, row, counted): stored calls
        # at the same moment came first, and count.
        events = [(t, 0, -1, True) for t in stored.get(dwelling, ())]
        events += [
            (times[i], 1, i, policy.counts(channels[i])) for i in order[group_start:group_end]
        ]
        events.sort()
        counted = [e for e in events if e[3]]
        low_index = 0
        position = 0
        for t, kind, i, _ in events:
            # counted[:position] are the counted events up to this one (in sort order).
            while position < len(counted) and counted[position][:3] <= (t, kind, i):
                position += 1
            while low_index < position and counted[low_index][0] < t - window:
                low_index += 1
            if kind:
                # An uncounted row is not among counted[:position], nor counted itself.
                counts[i] = position - low_index
        group_start = group_end
    return counts
