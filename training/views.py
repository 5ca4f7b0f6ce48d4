"""Training pages: practice sessions on the New call screen's layout, feedback, results,
and the supervisor's scenario library. Nothing here writes a call, a dwelling, a
referral, a dashboard figure or a processing-log entry (but for reading a real call to
make a scenario of it, which is logged as a consultation like any reading of a call)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError
from core.roles import Role, has_role, role_required
from core.services import log_consultation
from triage import engine
from triage.selectors import calls_for_page, ruleset_current

from . import selectors, services
from .forms import (
    PracticeForm,
    ScenarioForm,
    SessionForm,
    fictional_address,
    initial_from_facts,
    narrative_without_address,
)
from .models import Attempt

SESSION_KEY = "training_practice"
TRAINING_ROLES = tuple(selectors.TRAINING_ROLES)


def _practice(request) -> dict | None:
    return request.session.get(SESSION_KEY)


def _own_results(user) -> dict:
    attempts = Attempt.objects.filter(user=user)
    return {
        "attempts": attempts.count(),
        "correct": attempts.filter(correct=True).count(),
    }


@role_required(*TRAINING_ROLES)
@require_GET
def home(request):
    """Start a practice session; how it has gone so far."""
    return _home(request, SessionForm())


def _home(request, form, status=200):
    practice = _practice(request)
    return render(
        request,
        "training/home.html",
        {
            "form": form,
            "practice": practice,
            "scenario_count": selectors.scenarios().count(),
            "own": _own_results(request.user),
            "ruleset": ruleset_current()[0],
            "is_supervisor": has_role(request.user, Role.SUPERVISOR),
        },
        status=status,
    )


@role_required(*TRAINING_ROLES)
@require_POST
def practice_start(request):
    form = SessionForm(request.POST)
    if not form.is_valid():
        return _home(request, form, status=400)
    ids = form.pick(list(selectors.scenarios().values_list("id", flat=True)))
    if not ids:
        messages.error(request, "There are no scenarios to practise yet.")
        return redirect("training:home")
    request.session[SESSION_KEY] = {"ids": ids, "position": 0, "attempts": []}
    return redirect("training:practice")


@role_required(*TRAINING_ROLES)
@require_http_methods(["GET", "POST"])
def practice(request):
    """The current scenario: the narrative, the questions as on New call, and the decision."""
    state = _practice(request)
    if not state:
        return redirect("training:home")
    if state["position"] >= len(state["ids"]):
        return _practice_done(request, state)
    scenario = selectors.scenarios().filter(pk=state["ids"][state["position"]]).first()
    if scenario is None:  # removed since the session began: skip it
        state["ids"].pop(state["position"])
        request.session[SESSION_KEY] = state
        return redirect("training:practice")
    form = PracticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answers = form.facts()
        try:
            selectors.practice_facts(answers)
        except engine.FactsError as exc:
            form.add_fact_errors(exc.errors)
        else:
            attempt, _ = services.attempt_record(
                user=request.user,
                scenario=scenario,
                agency=form.cleaned_data["agency"],
                police_attend=form.attend(),
                answers=answers,
            )
            state["attempts"].append(attempt.pk)
            state["position"] += 1
            request.session[SESSION_KEY] = state
            return redirect("training:attempt", pk=attempt.pk)
    return render(
        request,
        "training/practice.html",
        {
            "form": form,
            "scenario": scenario,
            "number": state["position"] + 1,
            "total": len(state["ids"]),
        },
        status=400 if form.is_bound else 200,
    )


def _practice_done(request, state):
    attempts = list(
        Attempt.objects.filter(user=request.user, pk__in=state["attempts"])
        .select_related("scenario")
        .order_by("created_at", "id")
    )
    request.session.pop(SESSION_KEY, None)
    return render(
        request,
        "training/practice_done.html",
        {"attempts": attempts, "correct": sum(a.correct for a in attempts)},
    )


@role_required(*TRAINING_ROLES)
@require_POST
def practice_stop(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("training:home")


@role_required(*TRAINING_ROLES)
@require_GET
def attempt(request, pk):
    """Feedback on one's own attempt: the expected answer and rule, and which answers led
    elsewhere."""
    attempt = get_object_or_404(
        Attempt.objects.select_related("scenario"), pk=pk, user=request.user
    )
    ruleset, rules = ruleset_current()
    rule = next((r for r in rules.rules if r.id == attempt.expected_rule_id), None)
    yours = differences = None
    if attempt.answers is not None:
        differences = selectors.answer_differences(attempt.scenario.facts, attempt.answers, rules)
        try:
            yours = engine.evaluate(selectors.practice_facts(attempt.answers), rules)
        except engine.FactsError:
            yours = None
    state = _practice(request)
    remaining = None
    if state and attempt.pk in state["attempts"]:
        remaining = len(state["ids"]) - state["position"]
    return render(
        request,
        "training/attempt.html",
        {
            "attempt": attempt,
            "scenario": attempt.scenario,
            "rule": rule,
            "ruleset": ruleset,
            "differences": differences,
            "yours": yours,
            "remaining": remaining,
            "state": state,
        },
    )


@role_required(*TRAINING_ROLES)
@require_GET
def results(request):
    """Everyone's own results; a supervisor's over every trainee, per person, per rule
    (where people go wrong) and per week."""
    is_supervisor = has_role(request.user, Role.SUPERVISOR)
    attempts = selectors.attempts_visible_to(request.user)
    person = None
    if is_supervisor and request.GET.get("user", "").isdigit():
        person = get_user_model().objects.filter(pk=int(request.GET["user"])).first()
        if person is not None:
            attempts = attempts.filter(user=person)
    recent = attempts.select_related("scenario", "user")[:20]
    return render(
        request,
        "training/results.html",
        {
            "is_supervisor": is_supervisor,
            "person": person,
            "by_user": selectors.results_by_user(attempts) if is_supervisor else None,
            "by_rule": selectors.results_by_rule(attempts),
            "by_week": selectors.results_by_week(attempts),
            "recent": recent,
        },
    )


@role_required(Role.SUPERVISOR)
@require_GET
def scenario_list(request):
    """The library with each scenario's expected answer under the live rule set."""
    _, rules = ruleset_current()
    rows = []
    for scenario in selectors.scenarios().select_related("created_by"):
        try:
            expected = selectors.expected_for(scenario, rules)
        except engine.FactsError:
            expected = None
        rows.append({"scenario": scenario, "expected": expected})
    return render(request, "training/scenario_list.html", {"rows": rows})


@role_required(Role.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def scenario_new(request):
    """A new scenario, blank or made from a call: the call's answers and narrative with its
    address replaced by a fictional one; saved only when the supervisor submits."""
    call = None
    call_id = request.GET.get("call", "")
    if call_id.isdigit():
        call = get_object_or_404(
            calls_for_page(request.user).select_related("dwelling"), pk=int(call_id)
        )
    if request.method == "POST":
        form = ScenarioForm(request.POST)
        if form.is_valid():
            try:
                scenario = services.scenario_create(
                    title=form.cleaned_data["title"],
                    narrative=form.cleaned_data["narrative"],
                    facts=form.facts(),
                    created_by=request.user,
                )
            except DomainError as exc:
                errors = exc.as_dict()
                form.add_fact_errors(errors.pop("facts", {}))
                for name, field_errors in errors.items():
                    for message in field_errors:
                        form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(request, f"Scenario “{scenario.title}” added to the library.")
                return redirect("training:scenario-list")
    else:
        initial = {}
        if call is not None:
            log_consultation(
                user=request.user, obj=call, justification="making a training scenario"
            )
            address = fictional_address(call.pk)
            spellings = [call.address, call.dwelling.address if call.dwelling else ""]
            narrative = narrative_without_address(call.narrative or "", spellings, address)
            initial = {
                **initial_from_facts(call.facts),
                "narrative": f"Address: {address}.\n{narrative}".strip(),
            }
        form = ScenarioForm(initial=initial)
    return render(
        request,
        "training/scenario_form.html",
        {"form": form, "from_call": call is not None},
        status=400 if form.is_bound else 200,
    )
