"""Dwelling pages for the Farmington team: search, and one dwelling's full history.

Handlers never see these: at intake they get the summary on their own screen (call count,
open referral status, response plan).
"""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.roles import CASEWORK_ROLES, Role, has_role, role_required
from core.services import log_shown
from referrals.gate import justification_gate
from referrals.selectors import dwelling_history

from . import selectors
from .models import Dwelling


@role_required(*CASEWORK_ROLES)
def dwelling_search(request):
    """Find a dwelling by any spelling of its address, its postcode or its UPRN. Each
    dwelling shown is a consultation, logged by its id."""
    query = request.GET.get("q", "").strip()[:200]
    dwellings = list(selectors.dwellings_search(query)) if query else []
    if query:
        # The log is kept past retention and read by auditors: it records which dwellings
        # the search showed, never what was typed (an address).
        log_shown(
            user=request.user,
            objects=dwellings,
            object_type="dwelling",
            justification="dwelling search",
        )
    return render(request, "callers/dwelling_search.html", {"query": query, "dwellings": dwellings})


@role_required(*CASEWORK_ROLES)
@require_http_methods(["GET", "POST"])
def dwelling_detail(request, pk):
    """A dwelling's calls, referrals and response plans, and how its address was matched.
    Outside a live call, the reader says why first (recorded in the processing log)."""
    dwelling = get_object_or_404(Dwelling, pk=pk)
    refused = justification_gate(
        request,
        object_type="dwelling",
        object_id=dwelling.pk,
        subject=f"dwelling #{dwelling.pk}",  # asked before any read is logged: no address
        related=[("referral", pk) for pk in dwelling.referrals.values_list("pk", flat=True)],
        page=reverse("callers:dwelling-detail", args=[dwelling.pk]),
        back=reverse("callers:dwelling-search"),
    )
    if refused is not None:
        return refused
    history = dwelling_history(dwelling)
    current = history["plans"][0] if history["plans"] else None
    return render(
        request,
        "callers/dwelling_detail.html",
        {
            "dwelling": dwelling,
            **history,
            "open_referral": next((r for r in history["referrals"] if r.is_open), None),
            "current_plan": current,
            "current_plan_expired": current.is_expired() if current else False,
            # The calls link to their pages for those who may open them.
            "can_open_calls": has_role(request.user, Role.HANDLER, Role.SUPERVISOR),
        },
    )
