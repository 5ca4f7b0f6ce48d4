from datetime import timedelta

import yaml
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from callers.selectors import dwelling_intake_summary
from callers.services import dwelling_find
from core.days import local_midnight
from core.errors import DomainError
from core.roles import Role, role_required
from core.services import log_consultation, log_shown

from . import engine, selectors, services
from .forms import IntakeForm, RuleSetForm, WhatIfForm
from .models import RuleSet


def _suggest(form: IntakeForm, address: str):
    """Evaluate the answers so far: (suggestion or None, fact errors). Runs on every change,
    so it only counts the dwelling's calls; the panel shows the rest."""
    dwelling = dwelling_find(address) if address.strip() else None
    earlier = 0
    if dwelling is not None:
        window = selectors.calls_in_repeat_window(dwelling, timezone.now(), services.REPEAT_WINDOW)
        earlier = window.count()
    facts = form.facts()
    facts["repeat_calls_30d"] = earlier + 1
    try:
        parsed = engine.parse_facts(facts)
    except engine.FactsError as exc:
        return None, exc.errors
    _, rules = selectors.ruleset_current()
    return engine.evaluate(parsed, rules), {}


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
        suggestion, _ = _suggest(form, request.POST.get("address", ""))
    return render(
        request,
        "triage/call_new.html",
        {
            "form": form,
            "suggestion": suggestion,
            "check_values": _check_values(request, suggestion),
            "agency_advice": sorted(selectors.ruleset_current()[1].caller_advice.items()),
        },
        status=400 if form.is_bound else 200,
    )


@role_required(Role.HANDLER)
@require_POST
def suggest(request):
    """htmx: the suggestion panel for the answers so far (nothing is stored)."""
    form = IntakeForm(request.POST)
    form.is_valid()  # fills cleaned_data for the answered questions; errors shown in the panel
    suggestion, errors = _suggest(form, request.POST.get("address", ""))
    return render(
        request,
        "triage/_suggestion.html",
        {
            "suggestion": suggestion,
            "fact_errors": errors,
            "check_values": _check_values(request, suggestion),
        },
    )


def dwelling_panel_context(user, address: str) -> dict:
    """The context of ``triage/_dwelling_panel.html`` for the address typed so far: the
    live panel and the New call page after a failed save show the same thing. Logs the
    consultation of a dwelling found (live call, so no reason asked)."""
    address = address[:500]
    dwelling = dwelling_find(address) if len(address.strip()) >= 4 else None
    summary = dwelling_intake_summary(dwelling)
    if dwelling is not None:
        log_consultation(user=user, obj=dwelling, justification=services.LIVE_INTAKE)
    return {"dwelling": summary, "address": address}


@role_required(Role.HANDLER)
@require_GET
def dwelling_panel(request):
    """htmx: what is known about the dwelling being typed."""
    context = dwelling_panel_context(request.user, request.GET.get("address", ""))
    return render(request, "triage/_dwelling_panel.html", context)


@role_required(Role.HANDLER, Role.SUPERVISOR)
def call_detail(request, pk):
    call = get_object_or_404(selectors.calls_visible_to(request.user), pk=pk)
    log_consultation(user=request.user, obj=call, justification="call record")
    decisions = call.decisions.select_related("decided_by").order_by("-decided_at", "-id")
    return render(request, "triage/call_detail.html", {"call": call, "decisions": decisions})


@role_required(Role.HANDLER, Role.SUPERVISOR)
def call_list(request):
    calls = list(selectors.calls_visible_to(request.user)[:100])
    # Each call shown is a consultation (DPA 2018 s62), as on the API's call list.
    log_shown(user=request.user, objects=calls, object_type="call", justification="call list")
    return render(request, "triage/call_list.html", {"calls": calls})


@role_required(Role.SUPERVISOR)
def review_queue(request):
    decisions = list(selectors.decisions_for_review()[:200])
    # The handlers' notes may name people: each decision shown is a consultation.
    log_shown(
        user=request.user, objects=decisions, object_type="decision", justification="review queue"
    )
    return render(request, "triage/review_queue.html", {"decisions": decisions})


@role_required(Role.SUPERVISOR)
def ruleset_list(request):
    """Rule set versions, and a new draft (starting from the live version's text)."""
    form = RuleSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ruleset = services.ruleset_create(
                document=form.cleaned_data["document"], user=request.user
            )
        except DomainError as exc:
            for message in exc.as_dict().values():
                form.add_error("document", message)
        else:
            messages.success(request, f"Draft {ruleset.version} saved. Try it before publishing.")
            return redirect("triage:ruleset-detail", pk=ruleset.pk)
    if not form.is_bound:
        live, _ = selectors.ruleset_current()
        form.initial["document"] = yaml.safe_dump(
            live.document, sort_keys=False, allow_unicode=True, width=100
        )
    rulesets = RuleSet.objects.select_related("created_by")
    return render(
        request,
        "triage/ruleset_list.html",
        {"rulesets": rulesets, "form": form},
        status=400 if form.is_bound else 200,
    )


def _agency_text(agency) -> str:
    """A rule's agency choice in words, for the rule table."""
    if isinstance(agency, str):
        return agency
    if "cases" in agency:
        others = ", ".join(case["agency"] for case in agency["cases"])
        return f"{agency['default']} (or {others} in some cases)"
    pairs = ", ".join(f"{k} → {v}" for k, v in agency["map"].items())
    return f"by {agency['from_fact']}: {pairs}"


def _rule_rows(document: dict) -> list[dict]:
    rows = [
        {
            "order": rule["order"],
            "id": rule["id"],
            "agency": _agency_text(rule["outcome"]["agency"]),
            "police_attend": rule["outcome"]["police_attend"],
            "rationale": rule["rationale"],
        }
        for rule in document.get("rules", [])
    ]
    return sorted(rows, key=lambda row: row["order"])


@role_required(Role.SUPERVISOR)
@require_GET
def ruleset_detail(request, pk):
    """One version's rules, and the what-if replay of a period of past calls."""
    ruleset = get_object_or_404(RuleSet, pk=pk)
    today = timezone.localdate()
    what_if_form = WhatIfForm(
        request.GET if "start" in request.GET else None,
        initial={"start": today - timedelta(days=27), "end": today},
    )
    result = None
    if what_if_form.is_bound and what_if_form.is_valid():
        result = selectors.ruleset_what_if(
            ruleset,
            start=local_midnight(what_if_form.cleaned_data["start"]),
            end=local_midnight(what_if_form.cleaned_data["end"] + timedelta(days=1)),
        )
    return render(
        request,
        "triage/ruleset_detail.html",
        {
            "ruleset": ruleset,
            "rules": _rule_rows(ruleset.document),
            "what_if_form": what_if_form,
            "result": result,
        },
        status=400 if what_if_form.is_bound and not what_if_form.is_valid() else 200,
    )


@role_required(Role.SUPERVISOR)
@require_POST
def ruleset_publish(request, pk):
    ruleset = get_object_or_404(RuleSet, pk=pk)
    try:
        services.ruleset_publish(ruleset=ruleset, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Version {ruleset.version} is live for new calls.")
    return redirect("triage:ruleset-detail", pk=ruleset.pk)
