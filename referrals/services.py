"""Writes for Operation Farmington referrals. Views, the API, commands and tasks call these.

Every service is keyword-only, atomic, and raises ``DomainError`` with field messages.
Any team activity on a referral moves ``last_activity_at`` on and clears the
90-days-without-activity flag.
"""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from callers.models import Dwelling, ResponsePlan
from callers.services import dwelling_resolve
from core.days import day_text
from core.errors import DomainError
from core.roles import CASEWORK_ROLES, has_role
from core.services import log_alteration, log_collection

from .models import (
    TRANSITIONS,
    Referral,
    ReferralAction,
    ReferralEvent,
    ReferralNote,
    ReferralReview,
)

INACTIVITY_LIMIT = timedelta(days=90)
MAX_TEXT = 5_000
MAX_SHORT = 200
# A sentinel for "leave as it is" where None is a meaningful value (unassigned, no date).
UNCHANGED = object()


def _open_referral_for(dwelling) -> Referral | None:
    return Referral.objects.open().filter(dwelling=dwelling).first()


# --- helpers ---------------------------------------------------------------------------


def _text(errors, field, value, *, required=False, limit=MAX_TEXT) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = ["Must be text."]
        return ""
    value = value.strip()
    if required and not value:
        errors[field] = ["This field is required."]
    elif len(value) > limit:
        errors[field] = [f"At most {limit} characters (got {len(value)})."]
    return value


def _locked(referral: Referral) -> Referral:
    """The referral re-read under a row lock: concurrent writers queue behind each other."""
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _require_open(referral: Referral) -> None:
    if not referral.is_open:
        raise DomainError(
            "This referral is closed. If there is a new concern, raise a new referral.",
            field="status",
        )


def _touch(referral: Referral, now: datetime, *fields: str) -> None:
    """Record team activity: moves the inactivity clock on and clears its flag."""
    referral.last_activity_at = now
    referral.flagged_inactive_at = None
    referral.save(update_fields=[*fields, "last_activity_at", "flagged_inactive_at"])


def _event(referral, kind, detail, user, now) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral, kind=kind, detail=detail[:300], by=user, at=now
    )


def _username(user) -> str:
    return user.get_username() if user is not None else "nobody"


# --- creating ----------------------------------------------------------------------------


@transaction.atomic
def referral_create_manual(
    *,
    user,
    referred_by: str,
    referral_reason: str,
    address: str = "",
    dwelling: Dwelling | None = None,
    now: datetime | None = None,
) -> Referral:
    """A referral raised by an officer or a partner agency, naming who referred and why.

    The dwelling is given directly or found from an address (created on first sight).
    A dwelling with an open referral is not referred twice: add a note to that one instead.
    """

    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    referred_by = _text(errors, "referred_by", referred_by, required=True, limit=MAX_SHORT)
    referral_reason = _text(errors, "referral_reason", referral_reason, required=True)
    if dwelling is None:
        address = _text(errors, "address", address, limit=500)
        if not address and "address" not in errors:
            errors["address"] = ["Give the address (or the dwelling key) being referred."]
        elif address:
            dwelling = dwelling_resolve(address=address)
            if dwelling is None:
                errors["address"] = [
                    "No dwelling can be identified from this address: add a house number "
                    "or name and, if known, the postcode."
                ]
    if errors:
        raise DomainError(errors=errors)
    existing = _open_referral_for(dwelling)
    if existing is not None:
        raise _already_open(existing)
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                dwelling=dwelling,
                source=Referral.Source.MANUAL,
                referred_by=referred_by,
                referral_reason=referral_reason,
                review_due=timezone.localdate(now),
                created_at=now,
                created_by=user,
                last_activity_at=now,
            )
    except IntegrityError:
        # Another referral for this dwelling was opened a moment ago.
        raise _already_open(_open_referral_for(dwelling)) from None
    _event(referral, ReferralEvent.Kind.OPENED, f"Referred by {referred_by}", user, now)
    log_collection(user=user, obj=referral)
    return referral


def _already_open(existing: Referral | None) -> DomainError:
    number = existing.pk if existing is not None else "?"
    return DomainError(
        f"This dwelling already has an open referral (number {number}); add a note to it instead.",
        field="address",
    )


# --- ownership, status, review date -------------------------------------------------------


def _check_assignee(assignee) -> None:
    if assignee is not None and not has_role(assignee, *CASEWORK_ROLES):
        raise DomainError(
            f"{assignee.get_username()} is not a member of the referral team.", field="assignee"
        )


@transaction.atomic
def referral_assign(*, referral: Referral, user, assignee, now: datetime | None = None) -> Referral:
    """Give the referral to a member of the team (or to nobody). Ownership is shared: the
    assignee leads, everyone sees everything, and anyone may reassign."""
    now = now or timezone.now()
    referral = _locked(referral)
    _require_open(referral)

    def detail(previous):
        if previous is None:
            return f"Assigned to {_username(assignee)}"
        return f"Reassigned from {_username(previous)} to {_username(assignee)}"

    _check_assignee(assignee)  # refused even if they hold it already, as ever
    if _reassign(referral, assignee, user=user, now=now, detail=detail):
        _touch(referral, now, "assignee")
        log_alteration(user=user, obj=referral)
    return referral


def _reassign(referral: Referral, assignee, *, user, now: datetime, detail) -> bool:
    """Give the (locked, open) referral to ``assignee`` and record it as an event worded by
    ``detail(previous assignee)``; False, and nothing done, when they already hold it."""
    if referral.assignee_id == (assignee.pk if assignee else None):
        return False
    _check_assignee(assignee)
    previous = referral.assignee
    referral.assignee = assignee
    _event(referral, ReferralEvent.Kind.ASSIGNED, detail(previous), user, now)
    return True


def _transition(referral, *, user, status, outcome, outcome_note, now) -> None:
    """Move a locked referral to ``status``; the caller saves and touches it."""
    if status not in Referral.Status.values:
        raise DomainError(f"Unknown status {status!r}.", field="status")
    current = Referral.Status(referral.status)
    target = Referral.Status(status)
    if target not in TRANSITIONS[current]:
        if current == Referral.Status.CLOSED:
            _require_open(referral)
        raise DomainError(
            f"A referral cannot move from {current.label.lower()} to {target.label.lower()}.",
            field="status",
        )
    errors: dict[str, list[str]] = {}
    outcome_note = _text(errors, "outcome_note", outcome_note)
    if target == Referral.Status.CLOSED:
        if outcome not in Referral.Outcome.values:
            errors["outcome"] = ["Choose the outcome to close the referral with."]
        elif outcome == Referral.Outcome.OTHER and not outcome_note:
            errors.setdefault("outcome_note", ["Describe the outcome."])
    else:
        errors.update(_outcome_without_closing(outcome, outcome_note))
    if errors:
        raise DomainError(errors=errors)
    referral.status = target
    if target == Referral.Status.CLOSED:
        referral.outcome = outcome
        referral.outcome_note = outcome_note
        referral.closed_at = now
        referral.closed_by = user
        referral.review_due = None
    detail = f"{current.label} → {target.label}"
    if target == Referral.Status.CLOSED:
        detail += f": {Referral.Outcome(outcome).label}"
    _event(referral, ReferralEvent.Kind.STATUS, detail, user, now)


def _outcome_without_closing(outcome: str, outcome_note: str) -> dict[str, list[str]]:
    """The errors for an outcome or outcome note sent with a change that does not close."""
    errors = {}
    if outcome:
        errors["outcome"] = ["An outcome is recorded only when the referral is closed."]
    if outcome_note:
        errors["outcome_note"] = [
            "An outcome note is recorded only when the referral is closed: add a note instead."
        ]
    return errors


_STATUS_FIELDS = ("status", "outcome", "outcome_note", "closed_at", "closed_by", "review_due")


@transaction.atomic
def referral_transition(
    *,
    referral: Referral,
    user,
    status: str,
    outcome: str = "",
    outcome_note: str = "",
    now: datetime | None = None,
) -> Referral:
    """Move a referral along new → in review → action → monitoring → closed.

    Only the moves in ``referrals.models.TRANSITIONS`` are allowed; closing needs an
    outcome. A closed referral stays closed: the dwelling may be referred again later.
    """
    now = now or timezone.now()
    referral = _locked(referral)
    _transition(
        referral, user=user, status=status, outcome=outcome, outcome_note=outcome_note, now=now
    )
    _touch(referral, now, *_STATUS_FIELDS)
    log_alteration(user=user, obj=referral)
    return referral


@transaction.atomic
def referral_set_review_due(
    *, referral: Referral, user, review_due: date | None, now: datetime | None = None
) -> Referral:
    """Set (or clear) the date by which the team reviews this referral again."""
    now = now or timezone.now()
    referral = _locked(referral)
    _require_open(referral)
    if referral.review_due == review_due:
        return referral
    referral.review_due = review_due
    _touch(referral, now, "review_due")
    detail = f"Review by {day_text(review_due)}" if review_due else "Review date cleared"
    _event(referral, ReferralEvent.Kind.REVIEW_DUE, detail, user, now)
    log_alteration(user=user, obj=referral)
    return referral


@transaction.atomic
def referral_update(
    *,
    referral: Referral,
    user,
    status=UNCHANGED,
    assignee=UNCHANGED,
    review_due=UNCHANGED,
    outcome: str = "",
    outcome_note: str = "",
    now: datetime | None = None,
) -> Referral:
    """Several changes at once (the API's PATCH): all of them are made, or none."""
    now = now or timezone.now()
    # An outcome or its note goes with the move that closes the referral; anything else
    # would be answered 200 and dropped.
    not_closing = status is UNCHANGED or status == referral.status
    if not_closing and (errors := _outcome_without_closing(outcome, outcome_note)):
        _require_open(referral)  # a closed referral's outcome stays as it was closed
        raise DomainError(errors=errors)
    if assignee is not UNCHANGED:
        referral = referral_assign(referral=referral, user=user, assignee=assignee, now=now)
    if review_due is not UNCHANGED:
        referral = referral_set_review_due(
            referral=referral, user=user, review_due=review_due, now=now
        )
    if status is not UNCHANGED and status != referral.status:
        referral = referral_transition(
            referral=referral,
            user=user,
            status=status,
            outcome=outcome,
            outcome_note=outcome_note,
            now=now,
        )
    return referral


# --- notes, actions, reviews -------------------------------------------------------------


@transaction.atomic
def referral_note_add(
    *, referral: Referral, author, text: str, now: datetime | None = None
) -> ReferralNote:
    """Add a note. Every note is visible to the whole team: there are no private notes."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    text = _text(errors, "text", text, required=True)
    if errors:
        raise DomainError(errors=errors)
    referral = _locked(referral)
    note = ReferralNote.objects.create(referral=referral, author=author, text=text, created_at=now)
    _touch(referral, now)
    log_collection(user=author, obj=referral)
    return note


@transaction.atomic
def referral_action_record(
    *,
    referral: Referral,
    user,
    kind: str,
    taken_on: date | None = None,
    notes: str = "",
    care_plan: str = "",
    now: datetime | None = None,
) -> ReferralAction:
    """Record an action taken for the household, dated, with who did it.

    A CPW or CPN may be recorded only after a multi-agency meeting (held on or before the
    same day) has been recorded for this referral. The check runs under a lock on the
    referral, so a meeting and a CPW recorded at the same moment cannot slip past it.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    taken_on = taken_on or today
    errors: dict[str, list[str]] = {}
    if kind not in ReferralAction.Kind.values:
        errors["kind"] = [f"Must be one of {', '.join(ReferralAction.Kind.values)}."]
    if not isinstance(taken_on, date) or isinstance(taken_on, datetime):
        errors["taken_on"] = ["Must be a date."]
    elif taken_on > today:
        errors["taken_on"] = ["Cannot be in the future."]
    notes = _text(errors, "notes", notes)
    care_plan = _text(
        errors, "care_plan", care_plan, required=kind == ReferralAction.Kind.MULTI_AGENCY_MEETING
    )
    if "care_plan" in errors and kind == ReferralAction.Kind.MULTI_AGENCY_MEETING:
        errors["care_plan"] = ["Record the joint care plan the meeting agreed."]
    if errors:
        raise DomainError(errors=errors)
    referral = _locked(referral)
    _require_open(referral)
    if kind in ReferralAction.NEEDS_MEETING:
        meeting_held = referral.actions.filter(
            kind=ReferralAction.Kind.MULTI_AGENCY_MEETING, taken_on__lte=taken_on
        ).exists()
        if not meeting_held:
            raise DomainError(
                f"A {ReferralAction.Kind(kind).label} can be recorded only after a multi-agency "
                "meeting has been recorded for this referral.",
                field="kind",
            )
    action = ReferralAction.objects.create(
        referral=referral,
        kind=kind,
        taken_on=taken_on,
        taken_by=user,
        notes=notes,
        care_plan=care_plan,
        created_at=now,
    )
    _touch(referral, now)
    log_collection(user=user, obj=referral)
    return action


@transaction.atomic
def referral_review_record(
    *,
    referral: Referral,
    user,
    decision: str,
    next_review: date | None = None,
    status: str | None = None,
    outcome: str = "",
    outcome_note: str = "",
    assignee=UNCHANGED,
    held_on: date | None = None,
    now: datetime | None = None,
) -> ReferralReview:
    """Record the weekly review meeting's decision on a referral.

    The decision may move the referral on (status), change who holds it, and sets the next
    review date, which an open referral must have: nothing drops off the agenda unseen.
    """
    now = now or timezone.now()
    held_on = held_on or timezone.localdate(now)
    errors: dict[str, list[str]] = {}
    decision = _text(errors, "decision", decision, required=True)
    closing = status == Referral.Status.CLOSED
    if not closing:
        if next_review is None:
            errors["next_review"] = ["Set the next review date."]
        elif next_review <= held_on:
            errors["next_review"] = ["The next review must be after the meeting."]
    if errors:
        raise DomainError(errors=errors)
    referral = _locked(referral)
    _require_open(referral)
    if assignee is not UNCHANGED:
        _reassign(
            referral,
            assignee,
            user=user,
            now=now,
            detail=lambda previous: f"Weekly review: {_username(previous)} → {_username(assignee)}",
        )
    if status and status != referral.status:
        _transition(
            referral, user=user, status=status, outcome=outcome, outcome_note=outcome_note, now=now
        )
    if not closing:
        referral.review_due = next_review
    review = ReferralReview.objects.create(
        referral=referral,
        held_on=held_on,
        decision=decision,
        status_after=referral.status,
        next_review=referral.review_due,
        recorded_by=user,
        created_at=now,
    )
    _touch(referral, now, "assignee", *_STATUS_FIELDS)
    log_collection(user=user, obj=referral)
    return review


# --- response plans ------------------------------------------------------------------------


@transaction.atomic
def plan_publish(
    *,
    dwelling: Dwelling,
    author,
    what_to_do: str,
    review_by: date,
    what_not_to_do: str = "",
    whom_to_call: str = "",
    referral: Referral | None = None,
    now: datetime | None = None,
) -> ResponsePlan:
    """Publish a new version of the dwelling's response plan, shown to handlers at intake.

    Earlier versions are kept. The dwelling row is locked while the next version number is
    taken, and the (dwelling, version) unique constraint backs that up.
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    what_to_do = _text(errors, "what_to_do", what_to_do, required=True)
    what_not_to_do = _text(errors, "what_not_to_do", what_not_to_do)
    whom_to_call = _text(errors, "whom_to_call", whom_to_call)
    if not isinstance(review_by, date) or isinstance(review_by, datetime):
        errors["review_by"] = ["Must be a date."]
    elif review_by <= timezone.localdate(now):
        errors["review_by"] = ["The review-by date must be in the future."]
    if errors:
        raise DomainError(errors=errors)
    Dwelling.objects.select_for_update().filter(pk=dwelling.pk).first()
    latest = ResponsePlan.objects.filter(dwelling=dwelling).aggregate(v=Max("version"))["v"]
    plan = ResponsePlan.objects.create(
        dwelling=dwelling,
        version=(latest or 0) + 1,
        what_to_do=what_to_do,
        what_not_to_do=what_not_to_do,
        whom_to_call=whom_to_call,
        author=author,
        review_by=review_by,
        created_at=now,
    )
    if referral is not None:
        referral = _locked(referral)
        _event(
            referral,
            ReferralEvent.Kind.PLAN_PUBLISHED,
            f"Response plan version {plan.version}, review by {day_text(review_by)}",
            author,
            now,
        )
        _touch(referral, now)
    log_collection(user=author, obj=dwelling)
    return plan


# --- safeguards ----------------------------------------------------------------------------


@transaction.atomic
def referrals_flag_inactive(now: datetime | None = None) -> int:
    """Safeguard: an open referral with no activity for 90 days is put up for review.

    Its review date is brought forward to today (never pushed back) so it appears on the
    weekly agenda. Idempotent: a referral already flagged, with no activity since, is left
    alone. Returns how many referrals were flagged by this run.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    ids = list(
        Referral.objects.open()
        .filter(last_activity_at__lte=now - INACTIVITY_LIMIT, flagged_inactive_at__isnull=True)
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    Referral.objects.filter(pk__in=ids).update(flagged_inactive_at=now)
    Referral.objects.filter(pk__in=ids).filter(
        Q(review_due__isnull=True) | Q(review_due__gt=today)
    ).update(review_due=today)
    ReferralEvent.objects.bulk_create(
        ReferralEvent(
            referral_id=pk,
            kind=ReferralEvent.Kind.FLAGGED_INACTIVE,
            detail="No activity for 90 days: on the agenda for the next weekly review",
            at=now,
        )
        for pk in ids
    )
    return len(ids)


# --- consolidation of dwellings ------------------------------------------------------------


@transaction.atomic
def referrals_move(
    *, referral_ids, to_dwelling: Dwelling, user=None, reason: str, now: datetime | None = None
) -> int | None:
    """Move referrals to another dwelling: consolidation found (or a split undid) one
    household under two dwellings. ``user`` None is the nightly run.

    Never two open referrals for one dwelling: when a moved referral is open and
    ``to_dwelling`` has one open too, the newer of the two is closed ("Other", the note
    naming the one that continues, with ``reason``) and the older carries on, since its
    history is the longer. Closed stays closed (a split does not reopen it). Returns the
    id of the referral closed, or None.
    """
    now = now or timezone.now()
    moving = list(Referral.objects.select_for_update().filter(pk__in=referral_ids).order_by("pk"))
    closed_id = None
    moving_open = [r for r in moving if r.is_open]
    if moving_open:
        there = Referral.objects.open().select_for_update().filter(dwelling=to_dwelling).first()
        if there is not None:
            newer, older = sorted(
                [there, moving_open[0]], key=lambda r: (r.created_at, r.pk), reverse=True
            )
            _transition(
                newer,
                user=user,
                status=Referral.Status.CLOSED,
                outcome=Referral.Outcome.OTHER,
                outcome_note=(
                    f"The same household as referral {older.pk}, which continues: {reason}"
                )[:MAX_TEXT],
                now=now,
            )
            _touch(newer, now, *_STATUS_FIELDS)
            log_alteration(user=user, obj=newer, justification=reason[:200])
            closed_id = newer.pk
            _event(
                older,
                ReferralEvent.Kind.STATUS,
                f"Carries on for referral {newer.pk}, closed as the same household",
                user,
                now,
            )
    for referral in moving:
        referral.dwelling = to_dwelling
        referral.save(update_fields=["dwelling"])
        log_alteration(user=user, obj=referral, justification=reason[:200])
    return closed_id
