"""Live consults: the handler asks, a practitioner claims and answers, the handler's
screen shows the answer (htmx polling every second while a consult is open)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.roles import Role, has_role, role_required
from core.services import log_consultation, log_shown
from referrals import farmington
from triage.forms import IntakeForm
from triage.selectors import call_decisions, calls_visible_to
from triage.views import answer_groups

from . import selectors, services
from .forms import AnswerForm, AskForm, DecisionForm
from .models import Consult

LIVE_CONSULT = "live consult"


def _panel_context(request, call, ask_form=None) -> dict:
    consults = selectors.consults_for_call(call)
    return {
        "call": call,
        "consults": consults,
        "open": any(c.is_open for c in consults),
        "may_ask": call.handler_id == request.user.pk and has_role(request.user, Role.HANDLER),
        "decided": bool(call_decisions(call)),
        "ask_form": ask_form or AskForm(),
    }


@role_required(Role.HANDLER, Role.SUPERVISOR)
@require_GET
def call_panel(request, pk):
    """htmx: the call page's consult panel; it asks again every second while open."""
    call = get_object_or_404(calls_visible_to(request.user), pk=pk)
    return render(request, "consults/_call_panel.html", _panel_context(request, call))


@role_required(Role.HANDLER)
@require_POST
def ask(request, pk):
    """The call page's "Ask the mental-health team"."""
    call = get_object_or_404(calls_visible_to(request.user).filter(handler=request.user), pk=pk)
    form = AskForm(request.POST)
    if form.is_valid():
        try:
            services.consult_ask(call=call, user=request.user, **form.cleaned_data)
        except DomainError as exc:
            for message in exc.as_dict().get("question", []):
                form.add_error("question", message)
    if form.errors:
        context = _panel_context(request, call, ask_form=form)
        if request.htmx:
            return render(request, "consults/_call_panel.html", context, status=400)
        messages.error(request, form.errors["question"][0])
    elif not request.htmx:
        messages.success(request, "Your question is with the mental-health team.")
    if request.htmx:
        return render(request, "consults/_call_panel.html", _panel_context(request, call))
    return redirect("triage:call-detail", pk=call.pk)


@role_required(Role.HANDLER)
@require_POST
def ask_new(request):
    """The New call screen's "Ask the mental-health team": save the call as answered so
    far (the decision follows on the call page) and ask."""
    form = IntakeForm(request.POST)
    form.is_valid()
    call_fields = {"client_token", "address", "channel", "narrative"}
    problems = [
        message
        for name, errors in form.errors.items()
        if name in call_fields or name.startswith("fact_")
        for message in errors
    ]
    ask_form = AskForm({"question": request.POST.get("consult_question", "")})
    if not ask_form.is_valid():
        problems += ask_form.errors["question"]
    if not problems:
        try:
            call, _ = services.call_take_and_ask(
                question=ask_form.cleaned_data["question"],
                handler=request.user,
                channel=form.cleaned_data["channel"],
                address=form.cleaned_data["address"],
                narrative=form.cleaned_data["narrative"],
                facts=form.facts(),
                client_token=form.cleaned_data["client_token"],
            )
        except DomainError as exc:
            problems = ["The call could not be saved: " + str(exc)]
        else:
            messages.success(
                request,
                f"Call {call.pk} saved and your question is with the mental-health team. "
                "Record the decision below when you are ready.",
            )
            return redirect("triage:call-detail", pk=call.pk)
    return render(request, "consults/ask_problem.html", {"problems": problems}, status=400)


@role_required(Role.HANDLER)
def decide(request, pk):
    """The decision on a call saved to ask the mental-health team first (or a
    re-assessment after the answer)."""
    call = get_object_or_404(calls_visible_to(request.user).filter(handler=request.user), pk=pk)
    checks = call.suggestion.get("checks", [])
    form = DecisionForm(request.POST or None, checks=checks)
    if request.method == "POST" and form.is_valid():
        try:
            services.consult_decide(
                call=call,
                user=request.user,
                check_confirmations=form.check_confirmations(checks),
                **form.decision_kwargs(),
            )
        except DomainError as exc:
            form.add_decision_errors(exc.as_dict())
        else:
            messages.success(request, f"The decision on call {call.pk} is recorded.")
            return redirect("triage:call-detail", pk=call.pk)
    consults = selectors.consults_for_call(call)
    answered = [c for c in consults if c.status == Consult.Status.ANSWERED]
    return render(
        request,
        "consults/decide.html",
        {"call": call, "form": form, "answer": answered[-1] if answered else None},
        status=400 if form.is_bound else 200,
    )


# The practitioner's side ---------------------------------------------------------------


@role_required(Role.MH_PRACTITIONER)
@require_GET
def queue(request):
    """The live queue: open consults, oldest first, with how long each has waited. The page
    asks again every second with the version it shows; unchanged, the answer is 204 (htmx
    swaps nothing) and the waiting times count on in the browser (static/js/consults.js)."""
    consults = list(selectors.consults_queue())
    version = selectors.queue_version(consults)
    if request.htmx and request.GET.get("v") == version:
        return HttpResponse(status=204)
    # The rows name addresses: each showing of a changed queue is logged (never the 204s).
    log_shown(
        user=request.user, objects=consults, object_type="consult", justification=LIVE_CONSULT
    )
    template = "consults/_queue_rows.html" if request.htmx else "consults/queue.html"
    context = {"consults": consults, "now": timezone.now(), "version": version}
    return render(request, template, context)


@role_required(Role.MH_PRACTITIONER)
def detail(request, pk):
    """The call under consult, as a practitioner needs it: address, narrative, answers,
    the dwelling's calls in the window and its response plan; nothing else. Each view is
    logged as a consultation for a live consult."""
    consult = get_object_or_404(selectors.consult_visible_to(request.user), pk=pk)
    return _detail(request, consult, AnswerForm())


def _detail(request, consult, form, status=200):
    call = consult.call
    log_consultation(user=request.user, obj=call, justification=LIVE_CONSULT)
    dwelling = None
    if call.dwelling is not None:
        log_consultation(user=request.user, obj=call.dwelling, justification=LIVE_CONSULT)
        dwelling = farmington.panel(call.dwelling)
    return render(
        request,
        "consults/detail.html",
        {
            "consult": consult,
            "call": call,
            "answers": answer_groups(call.facts),
            "dwelling": dwelling,
            "form": form,
            "mine": consult.claimed_by_id == request.user.pk,
            "held_by_other": consult.claimed_by_id not in (None, request.user.pk),
        },
        status=status,
    )


@role_required(Role.MH_PRACTITIONER)
@require_POST
def claim(request, pk):
    consult = get_object_or_404(Consult, pk=pk)
    try:
        services.consult_claim(consult=consult, user=request.user)
    except services.ConsultTaken as exc:
        messages.error(request, str(exc))
    return redirect("consults:detail", pk=pk)


@role_required(Role.MH_PRACTITIONER)
@require_POST
def answer(request, pk):
    consult = get_object_or_404(selectors.consult_visible_to(request.user), pk=pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.consult_answer(consult=consult, user=request.user, **form.answer_kwargs())
        except services.ConsultTaken as exc:
            messages.error(request, str(exc))
            return redirect("consults:detail", pk=pk)
        except DomainError as exc:
            for field, errors in exc.as_dict().items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "Your answer is on the handler's screen.")
            return redirect("consults:queue")
    return _detail(request, consult, form, status=400)


@role_required(Role.MH_PRACTITIONER)
@require_GET
def mine(request):
    return render(
        request,
        "consults/mine.html",
        {"consults": selectors.consults_of_practitioner(request.user)[:200]},
    )


@role_required(Role.SUPERVISOR)
@require_GET
def figures(request):
    return render(request, "consults/figures.html", {"figures": selectors.consult_figures()})
