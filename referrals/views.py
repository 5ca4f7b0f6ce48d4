from django.shortcuts import render

from core.roles import CASEWORK_ROLES, role_required

from . import selectors


@role_required(*CASEWORK_ROLES)
def queue(request):
    referrals = selectors.referral_queue()
    return render(request, "referrals/queue.html", {"referrals": referrals})
