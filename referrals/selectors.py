from django.db.models import QuerySet

from .models import Referral


def referral_queue() -> QuerySet[Referral]:
    """Open referrals, oldest first."""
    return (
        Referral.objects.exclude(status=Referral.Status.CLOSED)
        .select_related("dwelling", "assignee")
        .order_by("created_at", "id")
    )
