from dataclasses import dataclass
from datetime import timedelta

import yaml
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from callers.selectors import address_reading
from callers.services import dwelling_find
from core.days import local_midnight
from core.errors import DomainError
from core.roles import CASEWORK_ROLES, Role, has_role, role_required
from core.services import log_consultation, log_shown
from referrals import farmington

from . import engine, selectors, services
from .engine import diff, words
from .filters import CallListFilter
from .forms import GRADE_CHOICES, GRADE_MEANINGS, IntakeForm, RuleSetForm, WhatIfForm
from .models import Call, Decision, RuleSet


def _suggest(form: IntakeForm, address: str):
    """Evaluate the answers so far: (suggestion or None, problems). Runs on every change,
    so it only counts the dwelling's calls; the panel shows the rest.

    ``problems``: what is still to answer or fix, in words, as (id of the question, what to
    do). The form's bounds are the save's, so the panel refuses what the save refuses."""
    problems = form.fact_problems()
    if problems:
        return None, problems
    dwelling = dwelling_find(address) if address.strip() else None
    policy = farmington.policy_current()
    earlier = farmington.calls_in_window(dwelling.pk, policy=policy) if dwelling else 0
    facts = form.facts()
    facts["repeat_calls_30d"] = earlier + 1
    try:
        parsed = engine.parse_facts(facts)
    except engine.FactsError as exc:
        return None, form.fact_problems(exc.errors)
    _, rules = selectors.ruleset_current()
    # Before the channel is chosen, the call is taken to be one the policy counts.
    channel = form.cleaned_data.get("channel") or min(policy.channels)
    due = dwelling is not None and policy.due(channel, earlier + 1)
    return engine.evaluate(parsed, rules, repeat_due=due), []


def _check_values(request, suggestion, form=None):
    """The checks the suggestion raised: (check, any reason already typed, its errors)."""
    checks = suggestion.checks if suggestion else ()
    errors = form.errors if form is not None and form.is_bound else {}
    return [
        (check, request.POST.get(f"check_{check}", ""), errors.get(f"check_{check}", []))
        for check in checks
    ]


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
    problems = []
    if form.is_bound:
        suggestion, problems = _suggest(form, request.POST.get("address", ""))
        if suggestion is not None:
            form.add_check_errors(suggestion.checks)
    context = {
        "form": form,
        "suggestion": suggestion,
        "problems": problems,
        "check_values": _check_values(request, suggestion, form),
        "agency_advice": sorted(selectors.ruleset_current()[1].caller_advice.items()),
        "repeat_policy": farmington.policy_current(),
    }
    # After a failed save the dwelling panel shows what it showed while the address was
    # typed (the repeat caller, the referral, the plan), not "Type the address".
    context.update(dwelling_panel_context(request.user, request.POST.get("address", "")))
    return render(request, "triage/call_new.html", context, status=400 if form.is_bound else 200)


@role_required(Role.HANDLER)
@require_POST
def suggest(request):
    """htmx: the suggestion panel for the answers so far (nothing is stored)."""
    form = IntakeForm(request.POST)
    form.is_valid()  # fills cleaned_data for the answered questions; errors shown in the panel
    suggestion, problems = _suggest(form, request.POST.get("address", ""))
    return render(
        request,
        "triage/_suggestion.html",
        {
            "suggestion": suggestion,
            "problems": problems,
            "check_values": _check_values(request, suggestion),
            "repeat_policy": farmington.policy_current(),
        },
    )


def dwelling_panel_context(user, address: str) -> dict:
    """The context of ``triage/_dwelling_panel.html`` for the address typed so far: the
    live panel and the New call page after a failed save show the same thing.

    ``dwelling``: the summary of the dwelling the address names; else ``reading``: how the
    address reads (a new dwelling, or what to add and the known dwellings at its postcode
    to pick from). Each dwelling shown is a consultation, logged (live call, so no reason
    asked)."""
    address = address[:500]
    if len(address.strip()) < 4:
        return {"dwelling": None, "reading": None, "address": address}
    dwelling = dwelling_find(address)
    if dwelling is not None:
        log_consultation(user=user, obj=dwelling, justification=services.LIVE_INTAKE)
        return {"dwelling": farmington.panel(dwelling), "reading": None, "address": address}
    reading = address_reading(address)
    if reading.choices:
        log_shown(
            user=user,
            objects=reading.choices,
            object_type="dwelling",
            justification=services.LIVE_INTAKE,
        )
    return {"dwelling": None, "reading": reading, "address": address}


@role_required(Role.HANDLER)
@require_GET
def dwelling_panel(request):
    """htmx: what is known about the dwelling being typed."""
    context = dwelling_panel_context(request.user, request.GET.get("address", ""))
    return render(request, "triage/_dwelling_panel.html", context)


def _answer_groups(facts: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """The call's answers in words, grouped as the New call form asks them. The repeat
    count (filled in by the app) is shown with the dwelling; the Section 136 questions
    only for a handover, the one strand that asks them."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for spec in engine.FACT_FIELDS:
        if spec.name == "repeat_calls_30d" or spec.name not in facts:
            continue
        if spec.group == "Section 136" and facts.get("concern_type") != "s136_handover":
            continue
        answer = words.fact_value_label(spec.name, facts[spec.name])
        groups.setdefault(spec.group, []).append((spec.label, answer))
    return list(groups.items())


# Public: the consult page shows a call's answers as the call page does.
answer_groups = _answer_groups


@dataclass(frozen=True)
class DecisionRows:
    """A decision and what its page shows of it in words."""

    decision: Decision
    grade: str
    grade_meaning: str
    thrive: list[tuple[str, str]]
    checks: list[tuple[str, str]]


def _decision_rows(decision: Decision) -> DecisionRows:
    """The grade in the New call form's words, with its meaning; THRIVE as answered (the
    words chosen are what is stored); checks by their labels."""
    return DecisionRows(
        decision=decision,
        grade=dict(GRADE_CHOICES).get(decision.grade, str(decision.grade)),
        grade_meaning=GRADE_MEANINGS.get(decision.grade, ""),
        thrive=[(e.capitalize(), decision.thrive.get(e, "")) for e in services.THRIVE_ELEMENTS],
        checks=[
            (words.flag_label(check), reason)
            for check, reason in decision.check_confirmations.items()
        ],
    )


@role_required(Role.HANDLER, Role.SUPERVISOR)
def call_detail(request, pk):
    """One call as people read it: the answers in words, the suggestion and why, the
    decision and any re-assessments before it, and the dwelling."""
    call = get_object_or_404(selectors.calls_for_page(request.user), pk=pk)
    log_consultation(user=request.user, obj=call, justification="call record")
    decisions = [_decision_rows(decision) for decision in selectors.call_decisions(call)]
    return render(
        request,
        "triage/call_detail.html",
        {
            "call": call,
            "answers": _answer_groups(call.facts),
            "decision": decisions[0] if decisions else None,
            "earlier_decisions": decisions[1:],
            "dwelling_calls": selectors.dwelling_call_count(call),
            # Dwelling pages show the full history: casework roles only (not handlers).
            "may_open_dwelling": has_role(request.user, *CASEWORK_ROLES),
            "may_take_calls": has_role(request.user, Role.HANDLER),
        },
    )


CALLS_PER_PAGE = 50
DECISIONS_PER_PAGE = 50


def _query_without_page(request) -> str:
    """The page's query string less its page number, for the Previous and Next links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@role_required(Role.HANDLER, Role.SUPERVISOR)
def call_list(request):
    """The calls the user may see, newest first, filtered and in pages; each links to its
    call. Invalid filters are shown as errors over an empty list (400), never ignored."""
    filters = CallListFilter(request.GET or None, queryset=selectors.calls_for_list(request.user))
    valid = not filters.is_bound or filters.is_valid()
    calls = filters.qs if valid else Call.objects.none()
    page = Paginator(calls, CALLS_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    # Each call shown is a consultation (DPA 2018 s62), as on the API's call list.
    log_shown(user=request.user, objects=shown, object_type="call", justification="call list")
    return render(
        request,
        "triage/call_list.html",
        {
            "form": filters.form,
            "filtered": filters.is_bound
            and any(filters.form.data.get(name) for name in filters.form.fields),
            "page": page,
            "calls": shown,
            "query": _query_without_page(request),
        },
        status=200 if valid else 400,
    )


@role_required(Role.SUPERVISOR)
def review_queue(request):
    """Overrides and downgrades, newest first, in pages; each row links to its call."""
    page = Paginator(selectors.decisions_for_review(), DECISIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    decisions = list(page.object_list)
    # The handlers' notes may name people: each decision shown is a consultation.
    log_shown(
        user=request.user, objects=decisions, object_type="decision", justification="review queue"
    )
    return render(
        request,
        "triage/review_queue.html",
        {"decisions": decisions, "page": page, "query": _query_without_page(request)},
    )


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
            messages.success(
                request,
                f"Draft {ruleset.version} saved. Check what it changes and try it on past "
                "calls before publishing.",
            )
            return redirect("triage:ruleset-detail", pk=ruleset.pk)
    live, _ = selectors.ruleset_current()
    if not form.is_bound:
        form.initial["document"] = yaml.safe_dump(
            live.document, sort_keys=False, allow_unicode=True, width=100
        )
    rulesets = RuleSet.objects.select_related("created_by").defer("document")
    return render(
        request,
        "triage/ruleset_list.html",
        {"rulesets": rulesets, "form": form, "live": live, "guide": _writing_guide()},
        status=400 if form.is_bound else 200,
    )


def _writing_guide() -> dict:
    """The names a rule set is written with, beside their words, for the YAML editor's
    guide: the YAML is written with these names, so its guide has to give them."""
    return {
        "agencies": [(code, words.agency_label(code)) for code in engine.AGENCIES],
        "facts": [
            {
                "name": spec.name,
                "label": spec.label,
                "kind": spec.kind,
                "values": [
                    (value, words.fact_value_label(spec.name, value)) for value in spec.choices
                ],
            }
            for spec in engine.FACT_FIELDS
            if spec.name not in engine.rules.NOT_IN_CONDITIONS
        ],
    }


def _agency_text(agency) -> str:
    """A rule's agency choice in words, for the rule table."""
    return diff.agency_text(agency)


# Sections apps above triage add to a version's page (training: the practice scenarios a
# draft would change), registered in their AppConfig.ready(): triage does not import them.
# Each is called with (the version shown, the live version or None) and returns
# (template name, context) or None.
RULESET_DETAIL_SECTIONS: list = []


def _rule_rows(document: dict) -> list[dict]:
    """The rules of a stored version in words, in the order they are tried."""
    rows = [
        {
            "order": rule["order"],
            "id": rule["id"],
            "title": rule.get("title") or rule["id"],
            "when": diff.condition_text(rule["when"]),
            "agency": _agency_text(rule["outcome"]["agency"]),
            "police_attend": diff.police_text(rule["outcome"]["police_attend"]),
            "rationale": rule["rationale"],
            "caller_advice": rule.get("caller_advice") or "",
        }
        for rule in document.get("rules", [])
    ]
    return sorted(rows, key=lambda row: row["order"])


@role_required(Role.SUPERVISOR)
@require_GET
def ruleset_detail(request, pk):
    """One version's rules, what it changes from the live version, and the what-if replay
    of a period of past calls."""
    ruleset = get_object_or_404(RuleSet.objects.select_related("created_by"), pk=pk)
    live = RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).first()
    changes = None
    if live is not None and live.pk != ruleset.pk:
        changes = diff.ruleset_changes(live.document, ruleset.document)
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
    advice = ruleset.document.get("caller_advice") or {}
    return render(
        request,
        "triage/ruleset_detail.html",
        {
            "ruleset": ruleset,
            "live": live,
            "changes": changes,
            "rules": _rule_rows(ruleset.document),
            "caller_advice": [(words.agency_label(a), text) for a, text in advice.items()],
            "what_if_form": what_if_form,
            "result": result,
            "extra_sections": [
                section
                for section in (hook(ruleset, live) for hook in RULESET_DETAIL_SECTIONS)
                if section
            ],
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
