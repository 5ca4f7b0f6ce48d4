from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from .roles import Role, primary_role

ROLE_HOMES = {
    Role.HANDLER: "triage:call-new",
    Role.TRIAGE: "referrals:queue",
    Role.SUPERVISOR: "dashboards:home",
}


@login_required
def home(request):
    """Send each user to the home page of their role."""
    role = primary_role(request.user)
    if role is None:
        raise PermissionDenied("Your account has no Triage Desk role; ask an administrator.")
    return redirect(ROLE_HOMES[role])
