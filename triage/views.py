from django.shortcuts import render

from core.roles import Role, role_required

from . import selectors


@role_required(Role.HANDLER)
def call_new(request):
    return render(request, "triage/call_new.html", {})


@role_required(Role.HANDLER, Role.SUPERVISOR)
def call_list(request):
    calls = selectors.calls_visible_to(request.user)[:100]
    return render(request, "triage/call_list.html", {"calls": calls})


@role_required(Role.SUPERVISOR)
def review_queue(request):
    decisions = selectors.decisions_for_review()[:200]
    return render(request, "triage/review_queue.html", {"decisions": decisions})
