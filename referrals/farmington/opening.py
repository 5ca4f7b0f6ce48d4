"""Opening automatic referrals: the one place that does it, for intake and detection."""

import functools
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from core.inserts import insert, insert_new
from core.rows import field_value
from core.services import Operation, log_objects

from ..models import Referral
from .policy import Policy


def referral_open_automatic(
    *, dwelling_id: int, trigger_calls: list, triggered_at: datetime, policy: Policy
) -> tuple[Referral | None, bool]:
    """Operation Farmington: a dwelling whose calls complete the policy's window enters the
    referral queue.

    Calls received before the dwelling's last referral was closed have been dealt with and
    do not count again. Returns (referral, created); (None, False) when too few calls remain.
    At most one open referral per dwelling is guaranteed by the partial unique constraint:
    when a concurrent writer wins, or the dwelling was referred already, that referral is
    returned. ``referrals_open_automatic`` for one dwelling: three statements at an intake
    that opens one (its caller has just read that the dwelling has none open).
    """
    opened = referrals_open_automatic([(dwelling_id, trigger_calls, triggered_at)], policy=policy)
    if opened:
        return opened[0], True
    return Referral.objects.open().filter(dwelling_id=dwelling_id).first(), False


@transaction.atomic(savepoint=False)  # inside a caller's transaction, a part of it
def referrals_open_automatic(
    openings: list[tuple[int, list, datetime]], *, policy: Policy
) -> list[Referral]:
    """Open referrals for many dwellings in a few statements (the nightly run's batches):
    ``openings`` is (dwelling id, trigger calls, triggered at) triples, one per dwelling,
    under ``policy`` (recorded on each referral). Calls from before a dwelling's last closed
    referral do not count, and a dwelling that has an open referral (a concurrent intake
    opened it) gets none, which the partial unique constraint decides. Returns the
    referrals opened."""
    if not openings:
        return []
    closed = _last_closed([dwelling_id for dwelling_id, _, _ in openings])
    referrals, triggers = [], {}
    for dwelling_id, trigger_calls, triggered_at in openings:
        trigger_calls = _since(trigger_calls, closed.get(dwelling_id), policy)
        if trigger_calls is not None:
            referrals.append(_automatic(dwelling_id, triggered_at, policy))
            triggers[dwelling_id] = trigger_calls
    opened = insert_new(referrals, key="dwelling")
    through = Referral.trigger_calls.through
    insert(
        [
            through(referral_id=referral.pk, call_id=call.pk)
            for referral in opened
            for call in triggers[referral.dwelling_id]
        ]
    )
    # Opened by the system (at a handler's intake, whose request id the entries carry, or
    # by the nightly run): the referral is collected, combining its trigger calls.
    log_objects(
        user=None,
        events=[
            event
            for referral in opened
            for event in (
                (Operation.COLLECTION, referral, f"{referral.referral_reason} (automatic)"),
                (
                    Operation.COMBINATION,
                    referral,
                    "trigger calls "
                    + ", ".join(str(call.pk) for call in triggers[referral.dwelling_id]),
                ),
            )
        ],
    )
    return opened


def _last_closed(dwelling_ids: list[int]) -> dict[int, datetime]:
    """When each dwelling's last referral was closed, for those that had one closed.
    Written out: every intake that opens a referral asks, and compiling the ORM's query
    cost more than running it."""
    if not dwelling_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_last_closed_sql(len(dwelling_ids)), [Referral.Status.CLOSED, *dwelling_ids])
        rows = cursor.fetchall()
    closed_at = Referral._meta.get_field("closed_at")
    return {dwelling_id: field_value(closed_at, last) for dwelling_id, last in rows}


@functools.cache
def _last_closed_sql(count: int) -> str:
    qn = connection.ops.quote_name
    ids = ", ".join(["%s"] * count)
    return (
        f"SELECT {qn('dwelling_id')}, MAX({qn('closed_at')}) "  # noqa: S608 - metadata
        f"FROM {qn(Referral._meta.db_table)} WHERE {qn('status')} = %s "
        f"AND {qn('dwelling_id')} IN ({ids}) GROUP BY {qn('dwelling_id')}"
    )


def _since(trigger_calls: list, last_closed: datetime | None, policy: Policy) -> list | None:
    """The calls that still count after the dwelling's last closed referral, or None when
    too few of them do."""
    if last_closed is None:
        return list(trigger_calls)
    trigger_calls = [c for c in trigger_calls if c.received_at > last_closed]
    return trigger_calls if len(trigger_calls) >= policy.threshold else None


def _automatic(dwelling_id: int, triggered_at: datetime, policy: Policy) -> Referral:
    return Referral(
        dwelling_id=dwelling_id,
        source=Referral.Source.AUTOMATIC,
        triggered_at=triggered_at,
        review_due=timezone.localdate(),
        referral_reason=policy.describe(),
        policy_id=policy.pk,
    )
