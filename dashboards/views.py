from datetime import timedelta

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from core.roles import Role, role_required
from referrals.models import Referral
from triage.models import Call


@role_required(Role.SUPERVISOR)
def home(request):
    since = timezone.now() - timedelta(days=28)
    calls = Call.objects.filter(received_at__gte=since)
    totals = calls.aggregate(
        total=Count("id"),
        emergency=Count("id", filter=Q(channel="999")),
        diverted=Count("id", filter=Q(final_police_attend=False)),
        overridden=Count("id", filter=Q(overridden=True)),
    )
    open_referrals = Referral.objects.exclude(status=Referral.Status.CLOSED).count()
    return render(
        request,
        "dashboards/home.html",
        {"totals": totals, "open_referrals": open_referrals, "since": since},
    )
