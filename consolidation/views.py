"""Triage staff's pages for the consolidation of dwellings: the possible pairs to confirm
or reject, and the merges made, each of which may be split. Casework roles only."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.roles import CASEWORK_ROLES, role_required
from core.services import log_shown

from . import selectors, services
from .forms import ReasonForm
from .models import DwellingMerge, PossibleSameDwelling

casework = role_required(*CASEWORK_ROLES)
PAGE_SIZE = 25


def _shown(request, dwellings, why: str) -> None:
    """Each dwelling on the page is a consultation (by id, never its address)."""
    unique = list({d.pk: d for d in dwellings}.values())
    log_shown(user=request.user, objects=unique, object_type="dwelling", justification=why)


def _possible_page(request, *, failed=None, status=200):
    page = Paginator(selectors.possible_same_open(), PAGE_SIZE).get_page(request.GET.get("page"))
    pairs = list(page.object_list)
    facts = selectors.dwelling_facts(d.pk for p in pairs for d in (p.first, p.second))
    rows = [
        {
            "pair": p,
            "first": p.first,
            "second": p.second,
            "first_facts": facts[p.first_id],
            "second_facts": facts[p.second_id],
            "form": failed[1] if failed and failed[0] == p.pk else ReasonForm(),
        }
        for p in pairs
    ]
    _shown(request, [d for p in pairs for d in (p.first, p.second)], "possible same dwelling")
    return render(
        request, "consolidation/possible_list.html", {"page": page, "rows": rows}, status=status
    )


@casework
def possible_list(request):
    """The pairs the nightly pass could not decide, most likely first."""
    return _possible_page(request)


@casework
@require_POST
def possible_confirm(request, pk):
    pair = get_object_or_404(PossibleSameDwelling, pk=pk)
    try:
        merge = services.possible_same_confirm(pair=pair, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Merged: {merge.merged.address} now counts with {merge.survivor.address}.",
        )
    return redirect("consolidation:possible-list")


@casework
@require_POST
def possible_reject(request, pk):
    pair = get_object_or_404(PossibleSameDwelling, pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.possible_same_reject(
                pair=pair, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, "Recorded as two households: this pair will not be suggested again."
            )
        return redirect("consolidation:possible-list")
    return _possible_page(request, failed=(pair.pk, form), status=400)


def _merge_page(request, *, failed=None, status=200):
    page = Paginator(selectors.merges_recent(), PAGE_SIZE).get_page(request.GET.get("page"))
    merges = list(page.object_list)
    rows = [
        {
            "merge": m,
            "form": failed[1] if failed and failed[0] == m.pk else ReasonForm(),
            "calls": len(m.moved.get("calls", [])),
            "referrals": len(m.moved.get("referrals", [])),
            "plans": len(m.moved.get("plans", [])),
        }
        for m in merges
    ]
    _shown(request, [d for m in merges for d in (m.survivor, m.merged)], "dwelling merges")
    return render(
        request, "consolidation/merge_list.html", {"page": page, "rows": rows}, status=status
    )


@casework
def merge_list(request):
    """Every merge, newest first, with what it moved; a merge may be split again."""
    return _merge_page(request)


@casework
@require_POST
def merge_split(request, pk):
    merge = get_object_or_404(DwellingMerge, pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.dwelling_split(
                merge=merge, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"Split: {merge.merged.address} is a dwelling of its own again.",
            )
        return redirect("consolidation:merge-list")
    return _merge_page(request, failed=(merge.pk, form), status=400)
