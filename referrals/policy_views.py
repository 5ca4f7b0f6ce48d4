"""Supervisors manage the repeat-caller policy: every version, drafts replayed over past
calls beside the live policy, and publishing (referrals.farmington)."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.days import local_midnight
from core.errors import DomainError
from core.roles import Role, role_required
from core.services import log_shown

from . import farmington
from .models import RepeatPolicy
from .policy_forms import PolicyDraftForm, ReplayForm

REPLAY_DEFAULT_DAYS = 90


@role_required(Role.SUPERVISOR)
def policy_list(request):
    """Every version, the live one first in words, and a new draft."""
    live = farmington.policy_current()
    form = PolicyDraftForm(
        request.POST or None,
        initial={
            "threshold": live.threshold,
            "window_days": live.window_days,
            "channels": ",".join(sorted(live.channels, reverse=True)),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            draft = farmington.policy_draft_create(**form.cleaned_data, user=request.user)
        except DomainError as exc:
            for field, problems in exc.as_dict().items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(
                request,
                f"Draft version {draft.version} saved. Replay it over past calls, then publish it.",
            )
            return redirect("referrals:policy-detail", pk=draft.pk)
    versions = RepeatPolicy.objects.select_related("created_by", "published_by")
    return render(
        request,
        "referrals/policy_list.html",
        {
            "live": live,
            "versions": [(row, farmington.policy_of(row)) for row in versions],
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@role_required(Role.SUPERVISOR)
@require_GET
def policy_detail(request, pk):
    """One version; a draft is replayed over a past period beside the live policy."""
    row = get_object_or_404(RepeatPolicy.objects.select_related("created_by"), pk=pk)
    policy = farmington.policy_of(row)
    today = timezone.localdate()
    form = ReplayForm(
        request.GET if "start" in request.GET else None,
        initial={"start": today - timedelta(days=REPLAY_DEFAULT_DAYS - 1), "end": today},
    )
    result = None
    if form.is_bound and form.is_valid():
        result = farmington.replay(
            policy,
            farmington.policy_current(),
            start=local_midnight(form.cleaned_data["start"]),
            end=local_midnight(form.cleaned_data["end"] + timedelta(days=1)),
        )
        # The dwellings listed by address are read for the policy's review.
        log_shown(
            user=request.user,
            objects=[*result.new, *result.dropped],
            object_type="dwelling",
            justification="repeat-caller policy replay",
        )
    return render(
        request,
        "referrals/policy_detail.html",
        {
            "row": row,
            "policy": policy,
            "live": farmington.policy_current(),
            "form": form,
            "result": result,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@role_required(Role.SUPERVISOR)
@require_POST
def policy_publish(request, pk):
    row = get_object_or_404(RepeatPolicy, pk=pk)
    try:
        farmington.policy_publish(policy=row, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        policy = farmington.policy_of(row)
        messages.success(
            request,
            f"Version {row.version} is live: {policy.describe()}. New calls, imports and "
            "detection runs count with it; referrals already opened stay as they are.",
        )
    return redirect("referrals:policy-detail", pk=row.pk)
