from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Referral


def _open_referral_for(dwelling) -> Referral | None:
    return Referral.objects.filter(dwelling=dwelling).exclude(status=Referral.Status.CLOSED).first()


AUTOMATIC_THRESHOLD = 3


@transaction.atomic
def referral_open_automatic(
    *, dwelling, trigger_calls, triggered_at: datetime
) -> tuple[Referral | None, bool]:
    """Operation Farmington: a dwelling with 3 calls in 30 days enters the referral queue.

    Calls received before the dwelling's last referral was closed have been dealt with and
    do not count again. Returns (referral, created); (None, False) when too few calls remain.
    At most one open referral per dwelling is guaranteed by the partial unique constraint:
    when a concurrent writer wins, its referral is returned.
    """
    existing = _open_referral_for(dwelling)
    if existing is not None:
        return existing, False
    last_closed = (
        Referral.objects.filter(dwelling=dwelling, status=Referral.Status.CLOSED)
        .order_by("-closed_at")
        .values_list("closed_at", flat=True)
        .first()
    )
    if last_closed is not None:
        trigger_calls = [c for c in trigger_calls if c.received_at > last_closed]
        if len(trigger_calls) < AUTOMATIC_THRESHOLD:
            return None, False
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                dwelling=dwelling,
                source=Referral.Source.AUTOMATIC,
                triggered_at=triggered_at,
                review_due=timezone.localdate(),
                referral_reason="3 calls in 30 days",
            )
    except IntegrityError:
        return _open_referral_for(dwelling), False
    referral.trigger_calls.set(trigger_calls)
    return referral, True
