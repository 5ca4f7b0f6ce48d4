"""Writes for calls (and, from triage.rulesets, rule sets). Views, API, commands and tasks
all call these."""

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from callers.services import dwelling_resolve
from core.errors import DomainError
from core.inserts import insert
from core.models import ProcessingLog
from core.services import linked_to_dwelling, log_alteration, log_objects
from dashboards.services import stats_call_decided, stats_call_received
from dashboards.tasks import refill_after_referral
from referrals import farmington

from . import engine
from .models import Call, Decision
from .rulesets import (  # noqa: F401 - the rule-set writes are services too
    ruleset_create,
    ruleset_ensure_default,
    ruleset_publish,
)
from .selectors import intake_reads, ruleset_current

Operation = ProcessingLog.Operation

# Why a dwelling's summary was read while a call was being taken.
LIVE_INTAKE = "live call intake"
# A call may be stamped slightly ahead of the server clock (handset clocks drift).
MAX_CLOCK_SKEW = timedelta(minutes=2)
# Older times are typing errors (a year of 1800), not calls.
EARLIEST_CALL = datetime(2000, 1, 1, tzinfo=UTC)
MAX_ADDRESS = 500
MAX_NARRATIVE = 10_000
MAX_NOTE = 2_000


def _check_text(errors, field, value, *, limit, required=False):
    if not isinstance(value, str):
        errors[field] = ["Must be text."]
    elif required and not value.strip():
        errors[field] = ["This field is required."]
    elif len(value) > limit:
        errors[field] = [f"At most {limit} characters (got {len(value)})."]


def received_at_error(moment: datetime, now: datetime) -> str | None:
    """Why intake refuses an aware call time, or None. The historical import asks too."""
    if moment > now + MAX_CLOCK_SKEW:
        return "Cannot be in the future."
    if moment < EARLIEST_CALL:
        return "Must be on or after 2000-01-01."
    return None


_CHANNELS = frozenset(Call.Channel.values)  # once: ``values`` is a new list at every use


def _validate_intake(*, channel, address, narrative, received_at, now, facts):
    errors: dict = {}
    if channel not in _CHANNELS:
        errors["channel"] = [f"Must be one of {', '.join(Call.Channel.values)}."]
    _check_text(errors, "address", address, limit=MAX_ADDRESS, required=True)
    _check_text(errors, "narrative", narrative, limit=MAX_NARRATIVE)
    if received_at is not None:
        if not isinstance(received_at, datetime) or timezone.is_naive(received_at):
            errors["received_at"] = ["Must be an ISO-8601 date-time with a time zone."]
        elif problem := received_at_error(received_at, now):
            errors["received_at"] = [problem]
    if not isinstance(facts, dict):
        errors["facts"] = ["Must be an object with every RCRP fact."]
        return errors, None
    # The app counts repeat calls itself: a value sent by the client is ignored.
    data = {**facts, "repeat_calls_30d": 1}
    try:
        parsed = engine.parse_facts(data)
    except engine.FactsError as exc:
        errors["facts"] = exc.errors
        parsed = None
    return errors, parsed


@dataclass(frozen=True)
class Intake:
    """A call taken: ``created`` is False for a repeated ``client_token`` (the first call
    returned); ``summary`` is the dwelling's summary as the API gives it (None without a
    dwelling), counted under the policy the intake applied."""

    call: Call
    created: bool
    summary: dict | None


def call_create(**kwargs) -> tuple[Call, bool]:
    """``call_intake`` as (call, created), for callers that do not show the summary."""
    intake = call_intake(**kwargs)
    return intake.call, intake.created


def call_intake(
    *,
    channel: str,
    address: str,
    facts: dict,
    narrative: str = "",
    received_at: datetime | None = None,
    handler=None,
    client_token: uuid.UUID | None = None,
    now: datetime | None = None,
    summary_shown: bool = False,
) -> Intake:
    """Take a call: ask callers for its dwelling, Operation Farmington for the count and
    the referral, the engine for the suggestion (RCRP), then save it.

    The call completing the live repeat-caller policy's window (by default the third
    call in 30 days; ``referrals.farmington``) carries FLAG-FARMINGTON and opens the
    dwelling's one open referral in the same transaction. The flag never changes the
    suggestion. A repeated ``client_token`` returns the first call. ``summary_shown``: the
    caller shows the dwelling's summary (its calls in the window, open referral, response
    plan), so the dwelling is logged as consulted, in the same insert.
    """
    if client_token is not None:
        existing = _call_for_token(client_token, handler)
        if existing is not None:
            return _repeated(existing)
    try:
        return _call_create(
            channel=channel,
            address=address,
            facts=facts,
            narrative=narrative,
            received_at=received_at,
            handler=handler,
            client_token=client_token,
            now=now,
            summary_shown=summary_shown,
        )
    except IntegrityError:
        # Two submits of one form raced; the first one's call is the call.
        if client_token is not None:
            existing = _call_for_token(client_token, handler)
            if existing is not None:
                return _repeated(existing)
        raise


def _repeated(call: Call) -> Intake:
    """The first call of a repeated client_token, with its dwelling's summary as counted
    when it was taken."""
    summaries = farmington.summaries_for_calls([call]) if call.dwelling_id else {}
    return Intake(call=call, created=False, summary=summaries.get(call.pk))


def _call_for_token(client_token, handler) -> Call | None:
    """The call already saved with this token: only ever the same handler's own call."""
    existing = Call.objects.filter(client_token=client_token).first()
    if existing is None:
        return None
    if handler is not None and existing.handler_id != handler.pk:
        raise DomainError("This client_token was used for another call.", field="client_token")
    return existing


@transaction.atomic
def _call_create(
    *, channel, address, facts, narrative, received_at, handler, client_token, now, summary_shown
):
    errors, parsed = _validate_intake(
        channel=channel,
        address=address,
        narrative=narrative,
        received_at=received_at,
        now=now or timezone.now(),
        facts=facts,
    )
    if errors:
        raise DomainError(errors=errors)
    dwelling = dwelling_resolve(address=address, lock=True)
    # A live call is stamped once it holds its dwelling's lock, so that concurrent calls
    # at one dwelling are timed in the order they are counted (none misses another).
    now = now or timezone.now()
    received_at = received_at or now
    reads = repeat = None
    if dwelling is not None:
        # Operation Farmington: the dwelling's calls in the live policy's window and its
        # open referral, read with the live rule set in one statement.
        reads = intake_reads(dwelling.pk, received_at)
        repeat = reads.count(channel)
        ruleset, rules = reads.ruleset
    else:
        ruleset, rules = ruleset_current()
    parsed = replace(parsed, repeat_calls_30d=repeat.fact if repeat else 1)
    suggestion = engine.evaluate(parsed, rules, repeat_due=bool(repeat and repeat.due))
    # Call has no signals; insert() skips the ORM's compiler (see core.inserts).
    [call] = insert(
        [
            Call(
                client_token=client_token,
                channel=channel,
                received_at=received_at,
                created_at=now,
                handler=handler,
                address=address.strip(),
                dwelling=dwelling,
                narrative=narrative,
                facts=engine.facts_to_dict(parsed),
                concern_type=parsed.concern_type,
                repeat_calls_30d=parsed.repeat_calls_30d,
                ruleset=ruleset,
                rule_id=suggestion.rule_id,
                suggested_agency=suggestion.agency,
                suggested_police_attend=suggestion.police_attend,
                suggestion=suggestion.to_dict(),
            )
        ]
    )
    events = [(Operation.COLLECTION, call, "")]
    if dwelling is not None:
        events.append((Operation.COMBINATION, call, linked_to_dwelling(dwelling.pk)))
        if summary_shown:
            events.append((Operation.CONSULTATION, dwelling, LIVE_INTAKE))
    log_objects(user=handler, events=events)
    stats_call_received(call=call, calls_after=bool(repeat and repeat.calls_after))
    if reads is None:
        return Intake(call=call, created=True, summary=None)
    # The call completing the policy's window (or, back-dated, completing a later call's)
    # opens the dwelling's referral, unless one is open (read under the dwelling's lock);
    # safe against a concurrent opener.
    open_referral = reads.open_referral
    if repeat.triggered_at is not None and open_referral is None:
        referral, opened = farmington.referral_open_automatic(
            dwelling_id=dwelling.pk,
            trigger_calls=[
                call if pk is None else Call(pk=pk, received_at=at) for pk, at in repeat.trigger
            ],
            triggered_at=repeat.triggered_at,
            policy=repeat.policy,
        )
        if opened:
            refill_after_referral(repeat.triggered_at)
        if referral is not None:
            open_referral = farmington.OpenReferral(
                id=referral.pk, status=referral.status, opened_at=referral.created_at
            )
    if not summary_shown:
        return Intake(call=call, created=True, summary=None)
    summary = farmington.summary(
        dwelling,
        calls=repeat.calls_in_window,
        policy=repeat.policy,
        open_referral=open_referral,
        today=timezone.localdate(received_at),
    )
    return Intake(call=call, created=True, summary=summary)


THRIVE_ELEMENTS = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")


@transaction.atomic
def call_decide(
    *,
    call: Call,
    user,
    accept: bool,
    grade: int,
    thrive: dict,
    final_agency: str | None = None,
    final_police_attend: bool | None = None,
    override_reason: str = "",
    override_note: str = "",
    caller_told: bool = False,
    caller_told_text: str = "",
    check_confirmations: dict | None = None,
    now: datetime | None = None,
    require_told_text: bool = False,
) -> Decision:
    """Record the handler's decision: the suggestion accepted, or overridden with a reason
    code and a note.

    Suggest, never decide: both the suggestion and the decision are kept. When police will
    not attend, the caller must have been told (FLAG-TELL-CALLER), and on the handler's
    screen (``require_told_text``) what they were told must be written down; the API's
    contract asks only for ``caller_told``. Each check the engine raised must be confirmed
    with a reason. A later decision is a re-assessment; one that lowers the grade needs a
    note saying why, accepted or not.
    """
    call = Call.objects.select_for_update().get(pk=call.pk)
    previous = call.decisions.order_by("-decided_at", "-id").first()
    errors: dict[str, list[str]] = {}
    check_confirmations = check_confirmations or {}
    if accept:
        final_agency, final_police_attend = call.suggested_agency, call.suggested_police_attend
        override_reason = ""
    else:
        if final_agency not in engine.AGENCIES:
            errors["final_agency"] = [f"Must be one of {', '.join(engine.AGENCIES)}."]
        if not isinstance(final_police_attend, bool):
            errors["final_police_attend"] = ["Say whether police will attend."]
        if override_reason not in Decision.OverrideReason.values:
            errors["override_reason"] = ["Choose a reason for the override."]
    # An override carries a reason code and a note, whatever the reason.
    _check_text(errors, "override_note", override_note, limit=MAX_NOTE)
    if not accept and "override_note" not in errors and not override_note.strip():
        errors["override_note"] = ["Explain the override."]
    _check_text(errors, "caller_told_text", caller_told_text, limit=MAX_NOTE)
    if isinstance(grade, bool) or grade not in (1, 2, 3, 4):
        errors["grade"] = ["Grade must be 1, 2, 3 or 4."]
    elif previous is not None and grade > previous.grade and not override_note.strip():
        # A lowered grade goes to the supervisors' review queue with who and why.
        errors.setdefault("override_note", []).append(
            f"The grade is lowered from {previous.grade} to {grade}: say why."
        )
    thrive_errors = _thrive_errors(thrive)
    if thrive_errors:
        errors["thrive"] = thrive_errors
    if final_police_attend is False:
        # The handler ticks that the caller was told, and records what they were told.
        if not caller_told:
            errors["caller_told"] = [
                "Police will not attend: confirm the caller was told who will help and to call "
                "back if things change."
            ]
        if require_told_text and "caller_told_text" not in errors and not caller_told_text.strip():
            errors["caller_told_text"] = ["Police will not attend: say what the caller was told."]
    for check in call.suggestion.get("checks", []):
        reason = check_confirmations.get(check)
        if not isinstance(reason, str) or not reason.strip():
            errors.setdefault("check_confirmations", []).append(
                f"{check} must be confirmed with a reason."
            )
    unknown = set(check_confirmations) - set(call.suggestion.get("checks", []))
    if unknown:
        errors.setdefault("check_confirmations", []).append(
            f"Not raised on this call: {', '.join(sorted(map(str, unknown)))}."
        )
    if errors:
        raise DomainError(errors=errors)

    downgraded = (call.suggested_police_attend and not final_police_attend) or (
        previous is not None and grade > previous.grade
    )
    decision = Decision.objects.create(
        call=call,
        decided_at=now or timezone.now(),
        decided_by=user,
        accepted=bool(accept),
        final_agency=final_agency,
        final_police_attend=final_police_attend,
        override_reason=override_reason,
        override_note=override_note.strip(),
        thrive={k: thrive[k].strip() for k in THRIVE_ELEMENTS},
        grade=grade,
        caller_told=bool(caller_told),
        caller_told_text=caller_told_text.strip(),
        check_confirmations={k: v.strip() for k, v in check_confirmations.items()},
        downgraded=downgraded,
    )
    log_alteration(user=user, obj=call, justification="decision recorded")
    stats_call_decided(call=call, decision=decision, previous=previous)
    call.decided_at = decision.decided_at
    call.final_agency = final_agency
    call.final_police_attend = final_police_attend
    call.overridden = not accept
    call.grade = grade
    call.save(
        update_fields=["decided_at", "final_agency", "final_police_attend", "overridden", "grade"]
    )
    return decision


def _thrive_errors(thrive) -> list[str]:
    if not isinstance(thrive, dict):
        return ["Give each THRIVE element: " + ", ".join(THRIVE_ELEMENTS) + "."]
    errors = []
    unknown = set(thrive) - set(THRIVE_ELEMENTS)
    if unknown:
        errors.append(f"Unknown THRIVE elements: {', '.join(sorted(map(str, unknown)))}.")
    for element in THRIVE_ELEMENTS:
        value = thrive.get(element)
        if not isinstance(value, str) or not value.strip():
            errors.append(f"{element.capitalize()} is required.")
        elif len(value) > MAX_NOTE:
            errors.append(f"{element.capitalize()}: at most {MAX_NOTE} characters.")
    return errors


def call_take(
    *,
    channel: str,
    address: str,
    facts: dict,
    narrative: str,
    handler,
    client_token: uuid.UUID,
    decision: dict,
    check_confirmations: dict,
    now: datetime | None = None,
) -> tuple[Call, bool]:
    """The handler's screen: take the call and record the decision in one transaction, so a
    rejected decision leaves nothing half-saved. A resubmitted form returns the first call;
    a token already used by another handler is refused, as in the API (never their call)."""
    existing = _call_for_token(client_token, handler)
    if existing is not None:
        return existing, False
    with transaction.atomic():
        call, created = call_create(
            channel=channel,
            address=address,
            facts=facts,
            narrative=narrative,
            handler=handler,
            client_token=client_token,
            now=now,
        )
        if created:
            call_decide(
                call=call,
                user=handler,
                check_confirmations=check_confirmations,
                require_told_text=True,
                **decision,
            )
    return call, created
