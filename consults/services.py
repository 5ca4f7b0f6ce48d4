"""Writes for live consults: ask, claim, answer, and the handler's decision after one."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from triage import engine
from triage import services as triage_services
from triage.engine import words
from triage.models import Call, Decision

from .models import ADVICE_MAX, NOTE_MAX, QUESTION_MAX, SERVICE_MAX, Consult


class ConsultTaken(DomainError):
    """Another practitioner holds the consult (the API answers 409)."""


def _text(errors: dict, field: str, value, *, limit: int, required: str = "") -> str:
    if not isinstance(value, str):
        errors[field] = ["Write it as text."]
        return ""
    value = value.strip()
    if required and not value:
        errors[field] = [required]
    elif len(value) > limit:
        errors[field] = [f"Shorten it to {limit:,} characters or fewer."]
    return value


@transaction.atomic
def consult_ask(*, call: Call, user, question: str, now: datetime | None = None) -> Consult:
    """The handler asks the mental-health team about a call, the caller still on the line.
    One open question per call (a unique constraint holds it under races too)."""
    errors: dict = {}
    question = _text(
        errors, "question", question, limit=QUESTION_MAX, required="Write the question."
    )
    if errors:
        raise DomainError(errors=errors)
    Call.objects.select_for_update().filter(pk=call.pk).first()
    if Consult.objects.filter(call=call, status__in=Consult.OPEN).exists():
        raise DomainError(
            "This call already has a question with the mental-health team: wait for the answer.",
            field="question",
        )
    return Consult.objects.create(
        call=call, asked_by=user, question=question, asked_at=now or timezone.now()
    )


def _locked(consult: Consult) -> Consult:
    return Consult.objects.select_for_update().get(pk=consult.pk)


def _refuse_if_held(consult: Consult, user) -> None:
    if consult.status == Consult.Status.ANSWERED:
        raise ConsultTaken("This consult has already been answered.")
    if consult.claimed_by_id is not None and consult.claimed_by_id != user.pk:
        raise ConsultTaken(f"{consult.claimed_by.get_username()} is answering this consult.")


@transaction.atomic
def consult_claim(*, consult: Consult, user, now: datetime | None = None) -> Consult:
    """A practitioner takes a consult so no one else works it. The row is locked first, so
    of two practitioners claiming at once one wins and the other is told who holds it."""
    consult = _locked(consult)
    _refuse_if_held(consult, user)
    if consult.claimed_by_id is None:
        consult.claimed_by = user
        consult.claimed_at = now or timezone.now()
        consult.status = Consult.Status.CLAIMED
        consult.save(update_fields=["claimed_by", "claimed_at", "status"])
    return consult


@transaction.atomic
def consult_answer(
    *,
    consult: Consult,
    user,
    known_to_services: str,
    service: str = "",
    advice: str,
    recommended_agency: str | None = None,
    risk_notes: str = "",
    now: datetime | None = None,
) -> Consult:
    """The practitioner's answer, claiming the consult first if nobody has. The
    recommendation is one of the live rule set's agencies, or none."""
    consult = _locked(consult)
    _refuse_if_held(consult, user)
    errors: dict = {}
    if known_to_services not in Consult.Known.values:
        errors["known_to_services"] = ["Say whether the person is known to services."]
    service = _text(errors, "service", service, limit=SERVICE_MAX)
    advice = _text(
        errors, "advice", advice, limit=ADVICE_MAX, required="Write the advice to the handler."
    )
    risk_notes = _text(errors, "risk_notes", risk_notes, limit=NOTE_MAX)
    if recommended_agency in ("", None):
        recommended_agency = None
    elif recommended_agency not in engine.AGENCIES:
        errors["recommended_agency"] = ["Choose an agency from the list, or none."]
    if errors:
        raise DomainError(errors=errors)
    now = now or timezone.now()
    if consult.claimed_by_id is None:
        consult.claimed_by, consult.claimed_at = user, now
    consult.status = Consult.Status.ANSWERED
    consult.answered_at = now
    consult.known_to_services = known_to_services
    consult.service = service
    consult.advice = advice
    consult.recommended_agency = recommended_agency
    consult.risk_notes = risk_notes
    consult.save()
    return consult


def recommendation_note(recommended: str, final: str, note: str) -> str:
    """The decision's note when it departs from the practitioner's recommendation."""
    said = (
        f"Differs from the mental-health team's recommendation "
        f"({words.agency_label(recommended)}; decided: {words.agency_label(final)})."
    )
    return f"{said} {note.strip()}".strip()


@transaction.atomic
def consult_decide(
    *, call: Call, user, check_confirmations: dict, require_told_text: bool = True, **decision
) -> Decision:
    """The handler's decision on a call the mental-health team advised on (triage's
    ``call_decide``). The engine's suggestion stays the engine's; when the decision's agency
    differs from the practitioner's latest recommendation, the handler must say why, and
    the note says that it differs and from what. The screen requires what the caller was
    told (``require_told_text``); the API's contract does not."""
    latest = (
        Consult.objects.filter(call=call, status=Consult.Status.ANSWERED)
        .exclude(recommended_agency=None)
        .order_by("-answered_at", "-id")
        .first()
    )
    final = call.suggested_agency if decision.get("accept") else decision.get("final_agency")
    if latest is not None and final in engine.AGENCIES and final != latest.recommended_agency:
        note = decision.get("override_note") or ""
        if not note.strip():
            raise DomainError(
                errors={
                    "override_note": [
                        "The mental-health team recommended "
                        f"{words.agency_label(latest.recommended_agency)}: say why you "
                        "decided otherwise."
                    ]
                }
            )
        decision["override_note"] = recommendation_note(latest.recommended_agency, final, note)[
            :NOTE_MAX
        ]
    return triage_services.call_decide(
        call=call,
        user=user,
        check_confirmations=check_confirmations,
        require_told_text=require_told_text,
        **decision,
    )


@transaction.atomic
def call_take_and_ask(*, question: str, handler, **call_fields) -> tuple[Call, Consult]:
    """The New call screen's "Ask the mental-health team": save the call as answered so
    far (no decision yet, it follows on the call page) and ask, in one transaction."""
    errors: dict = {}
    _text(errors, "question", question, limit=QUESTION_MAX, required="Write the question.")
    if errors:
        raise DomainError(errors=errors)
    call, _ = triage_services.call_create(handler=handler, **call_fields)
    existing = Consult.objects.filter(call=call, status__in=Consult.OPEN).first()
    if existing is not None:  # the form sent twice: the first question stands
        return call, existing
    return call, consult_ask(call=call, user=handler, question=question)
