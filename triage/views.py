from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from callers.selectors import dwelling_intake_summary
from callers.services import dwelling_find
from core.errors import DomainError
from core.roles import Role, role_required

from . import engine, selectors, services
from .forms import IntakeForm


def _suggest(form: IntakeForm, address: str):
    """Evaluate the answers so far: (suggestion or None, fact errors, dwelling summary)."""
    dwelling = dwelling_find(address) if address.strip() else None
    summary = dwelling_intake_summary(dwelling)
    facts = form.facts()
    facts["repeat_calls_30d"] = (summary["calls_30d"] if summary else 0) + 1
    try:
        parsed = engine.parse_facts(facts)
    except engine.FactsError as exc:
        return None, exc.errors, summary
    _, rules = selectors.ruleset_current()
    return engine.evaluate(parsed, rules), {}, summary


def _check_values(request, suggestion):
    """The checks the suggestion raised, with any reason already typed for each."""
    checks = suggestion.checks if suggestion else ()
    return [(check, request.POST.get(f"check_{check}", "")) for check in checks]


@role_required(Role.HANDLER)
def call_new(request):
    """The handler's one-page intake: address, questions, suggestion, decision."""
    form = IntakeForm(request.POST or None)
    suggestion = None
    if request.method == "POST" and form.is_valid():
        try:
            call, created = services.call_take(
                channel=form.cleaned_data["channel"],
                address=form.cleaned_data["address"],
                narrative=form.cleaned_data["narrative"],
                facts=form.facts(),
                handler=request.user,
                client_token=form.cleaned_data["client_token"],
                decision=form.decision_kwargs(),
                check_confirmations=form.check_confirmations(engine.CHECK_IDS),
            )
        except DomainError as exc:
            errors = exc.as_dict()
            form.add_fact_errors(errors.pop("facts", {}))
            form.add_decision_errors(errors)
        else:
            if created:
                messages.success(request, f"Call {call.pk} saved.")
            else:
                messages.info(request, f"Call {call.pk} was already saved; it was not saved twice.")
            return redirect("triage:call-detail", pk=call.pk)
    if form.is_bound:
        suggestion, _, _ = _suggest(form, request.POST.get("address", ""))
    return render(
        request,
        "triage/call_new.html",
        {
            "form": form,
            "suggestion": suggestion,
            "check_values": _check_values(request, suggestion),
        },
        status=400 if form.is_bound else 200,
    )


@role_required(Role.HANDLER)
@require_POST
def suggest(request):
    """htmx: the suggestion panel for the answers so far (nothing is stored)."""
    form = IntakeForm(request.POST)
    form.is_valid()  # fills cleaned_data for the answered questions; errors shown in the panel
    suggestion, errors, _ = _suggest(form, request.POST.get("address", ""))
    return render(
        request,
        "triage/_suggestion.html",
        {
            "suggestion": suggestion,
            "fact_errors": errors,
            "check_values": _check_values(request, suggestion),
        },
    )


@role_required(Role.HANDLER)
@require_GET
def dwelling_panel(request):
    """htmx: what is known about the dwelling being typed (live call, so no reason asked)."""
    address = request.GET.get("address", "")[:500]
    dwelling = dwelling_find(address) if len(address.strip()) >= 4 else None
    summary = dwelling_intake_summary(dwelling)
    if dwelling is not None:
        from core.services import processing_log

        processing_log(
            user=request.user,
            operation="consultation",
            object_type="dwelling",
            object_id=dwelling.pk,
            justification="live call intake",
            request=request,
        )
    return render(request, "triage/_dwelling_panel.html", {"dwelling": summary, "address": address})


@role_required(Role.HANDLER, Role.SUPERVISOR)
def call_detail(request, pk):
    call = get_object_or_404(selectors.calls_visible_to(request.user), pk=pk)
    decisions = call.decisions.select_related("decided_by").order_by("-decided_at", "-id")
    return render(request, "triage/call_detail.html", {"call": call, "decisions": decisions})


@role_required(Role.HANDLER, Role.SUPERVISOR)
def call_list(request):
    calls = selectors.calls_visible_to(request.user)[:100]
    return render(request, "triage/call_list.html", {"calls": calls})


@role_required(Role.SUPERVISOR)
def review_queue(request):
    decisions = selectors.decisions_for_review()[:200]
    return render(request, "triage/review_queue.html", {"decisions": decisions})
