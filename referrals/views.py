"""The Farmington team's pages: queue, referral, manual referral, weekly review."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from callers.selectors import plan_current
from core.errors import DomainError
from core.models import ProcessingLog
from core.roles import CASEWORK_ROLES, Role, has_role, role_required
from core.services import log_objects, log_shown

from . import selectors, services
from .consultation import justification_remember
from .forms import (
    ActionForm,
    AssignForm,
    ManualReferralForm,
    NoteForm,
    PlanForm,
    QueueFilterForm,
    ReviewForm,
    TransitionForm,
)
from .gate import justification_gate
from .models import Referral

Operation = ProcessingLog.Operation

casework = role_required(*CASEWORK_ROLES)
# Why the weekly review's rows are read: the agenda page and each row it re-renders (htmx).
AGENDA = "Weekly review agenda"
# Rows on one page of the queue: a week's new referrals fit on the first.
QUEUE_PAGE_SIZE = 50


def _add_errors(form, exc: DomainError) -> None:
    for field, errors in exc.as_dict().items():
        for error in errors if isinstance(errors, list) else [errors]:
            form.add_error(field if field in form.fields else None, str(error))


@casework
def queue(request):
    """Open referrals (automatic and manual), filtered and sorted for the team."""
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    assignee = (filters.get("assignee") or "").strip()
    assignee_user = None
    if assignee == "me":
        assignee_user = request.user
    elif assignee and assignee != "none":
        assignee_user = selectors.team_members().filter(username=assignee).first()
    referrals = selectors.referral_queue(
        status=filters.get("status") or "",
        assignee=assignee_user,
        unassigned=assignee == "none",
        review=filters.get("review") or "",
        source=filters.get("source") or "",
        sort=filters.get("sort") or "oldest",
    )
    if assignee and assignee not in ("me", "none") and assignee_user is None:
        referrals = referrals.none()  # nobody of that name holds anything
    page = Paginator(referrals, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    referrals = list(page.object_list)
    # Each referral shown is a consultation; the filters as understood, never typed text
    # (an assignee's name is "given").
    shown = {k: v for k, v in filters.items() if v}
    if assignee and assignee not in ("me", "none"):
        shown["assignee"] = "given"
    why = " ".join(["referral queue", *(f"{k}={v}" for k, v in sorted(shown.items()))])
    log_shown(user=request.user, objects=referrals, object_type="referral", justification=why)
    template = "referrals/_queue_table.html" if request.htmx else "referrals/queue.html"
    return render(
        request,
        template,
        {
            "referrals": referrals,
            "page": page,
            "form": form,
            "members": selectors.team_members(),
            "today": timezone.localdate(),
        },
    )


@casework
def referral_new(request):
    """A manual referral from an officer or a partner agency."""
    form = ManualReferralForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create_manual(user=request.user, **form.cleaned_data)
        except DomainError as exc:
            _add_errors(form, exc)
        else:
            # The person who raised it need not say why they open it next.
            justification_remember(
                user=request.user,
                objects=[("referral", referral.pk), ("dwelling", referral.dwelling_id)],
                justification="Raised the referral",
            )
            messages.success(request, f"Referral {referral.pk} raised.")
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "referrals/new.html", {"form": form}, status=400 if form.errors else 200)


def _detail_response(request, referral: Referral, status=200, **bound_forms):
    """The referral page, after the justification gate; bound forms show their errors."""
    refused = justification_gate(
        request,
        object_type="referral",
        object_id=referral.pk,
        subject=f"referral #{referral.pk}",  # asked before any read is logged: no address
        related=[("dwelling", referral.dwelling_id)],
        page=reverse("referrals:detail", args=[referral.pk]),
    )
    if refused is not None:
        return refused
    referral = selectors.referral_for_casework(referral.pk).get()
    plan = plan_current(referral.dwelling)
    forms = {
        "assign_form": AssignForm(
            initial={"assignee": referral.assignee.get_username() if referral.assignee else ""}
        ),
        "transition_form": TransitionForm(referral=referral),
        "note_form": NoteForm(),
        "action_form": ActionForm(),
        "plan_form": PlanForm(plan=plan),
        **bound_forms,
    }
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "timeline": selectors.referral_timeline(referral),
            "has_meeting": selectors.referral_has_meeting(referral),
            "plan": plan,
            "plan_expired": plan.is_expired() if plan else False,
            # The trigger calls link to their pages for those who may open them.
            "can_open_calls": has_role(request.user, Role.HANDLER, Role.SUPERVISOR),
            **forms,
        },
        status=status,
    )


@casework
@require_http_methods(["GET", "POST"])
def referral_detail(request, pk):
    """One referral: trigger calls, notes, actions, reviews and the response plan."""
    referral = get_object_or_404(Referral.objects.select_related("dwelling"), pk=pk)
    return _detail_response(request, referral)


def _casework_post(request, pk, form_class, form_name, write, success, form_kwargs=None):
    """POST → service → redirect to the referral; invalid input re-renders it with errors."""
    referral = get_object_or_404(Referral.objects.select_related("dwelling"), pk=pk)
    extra = form_kwargs(referral) if form_kwargs else {}
    form = form_class(request.POST, **extra)
    if form.is_valid():
        try:
            write(referral, form.cleaned_data)
        except DomainError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("referrals:detail", pk=referral.pk)
    return _detail_response(request, referral, status=400, **{form_name: form})


@casework
@require_POST
def referral_assign(request, pk):
    def write(referral, data):
        services.referral_assign(referral=referral, user=request.user, assignee=data["assignee"])

    return _casework_post(request, pk, AssignForm, "assign_form", write, "Holder updated.")


@casework
@require_POST
def referral_transition(request, pk):
    def write(referral, data):
        services.referral_transition(referral=referral, user=request.user, **data)

    return _casework_post(
        request,
        pk,
        TransitionForm,
        "transition_form",
        write,
        "Status updated.",
        form_kwargs=lambda r: {"referral": r},
    )


@casework
@require_POST
def note_add(request, pk):
    def write(referral, data):
        services.referral_note_add(referral=referral, author=request.user, text=data["text"])

    return _casework_post(request, pk, NoteForm, "note_form", write, "Note added.")


@casework
@require_POST
def action_add(request, pk):
    def write(referral, data):
        services.referral_action_record(referral=referral, user=request.user, **data)

    return _casework_post(request, pk, ActionForm, "action_form", write, "Action recorded.")


@casework
@require_POST
def plan_publish(request, pk):
    def write(referral, data):
        plan = services.plan_publish(
            dwelling=referral.dwelling, referral=referral, author=request.user, **data
        )
        messages.info(request, f"Response plan version {plan.version} is now shown at intake.")

    return _casework_post(request, pk, PlanForm, "plan_form", write, "Response plan published.")


def _agenda_rows(referrals, bound: dict | None = None):
    bound = bound or {}
    rows = [(r, bound.get(r.pk) or ReviewForm(referral=r, prefix=f"r{r.pk}")) for r in referrals]
    if rows:  # the team, asked once for every row's "held by" list (not once per row)
        members = list(rows[0][1].fields["assignee"].choices)
        for _, form in rows:
            form.fields["assignee"].choices = members
    return rows


def _agenda_response(request, bound=None, status=200):
    today = timezone.localdate()
    until = selectors.week_end(today)
    referrals = list(selectors.referrals_due_for_review(until=until))
    log_objects(  # one insert for the whole agenda
        user=request.user,
        events=[(Operation.CONSULTATION, r, AGENDA) for r in referrals],
    )
    return render(
        request,
        "referrals/weekly_review.html",
        {"rows": _agenda_rows(referrals, bound), "today": today, "until": until},
        status=status,
    )


@casework
def weekly_review(request):
    """What is due this week (new, flagged, review date reached): a printable agenda with a
    decision form per referral."""
    return _agenda_response(request)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@casework
@require_POST
def review_record(request, pk):
    """Record the weekly meeting's decision on one referral (htmx: the row is replaced)."""
    referral = get_object_or_404(Referral.objects.select_related("dwelling", "assignee"), pk=pk)
    form = ReviewForm(request.POST, referral=referral, prefix=f"r{referral.pk}")
    review = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            review = services.referral_review_record(
                referral=referral,
                user=request.user,
                decision=data["decision"],
                next_review=data["next_review"],
                status=data["status"] or None,
                outcome=data["outcome"],
                # Closing as "other": the meeting's decision describes the outcome.
                outcome_note=data["decision"] if data["status"] == "closed" else "",
                assignee=data["assignee"],
            )
        except DomainError as exc:
            _add_errors(form, exc)
    if request.htmx:
        referral = selectors.referrals_for_agenda().get(pk=referral.pk)
        # The row shows the address, the referrer and the last decision, whatever the form
        # said: a read, logged as the agenda logs its rows.
        log_shown(
            user=request.user, objects=[referral], object_type="referral", justification=AGENDA
        )
        return render(
            request,
            "referrals/_review_row.html",
            {"referral": referral, "form": form, "review": review},
        )
    if review is not None:
        messages.success(request, f"Decision recorded for referral {referral.pk}.")
        return redirect(_safe_next(request, reverse("referrals:review")))
    return _agenda_response(request, bound={referral.pk: form}, status=400)
