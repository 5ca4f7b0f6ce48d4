"""Hand-built calls for the dashboard tests: each goes through the intake service."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from tests.factories import THRIVE, facts
from triage.services import call_create, call_decide

# Facts that make the default rule set suggest (rule, agency, police attend):
ADVICE = {}  # CFW-ADVICE, ADVISE_CALLER, no police
MEDICAL = {"concern_type": "medical", "medical_need": "urgent"}  # MED-URGENT, AMBULANCE
RISK = {"immediate_risk": "life"}  # GEN-IMMEDIATE-RISK, POLICE, police attend


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


_n = iter(range(1, 1_000_000))


def call(at, *, channel="999", handler=None, address=None, **fact_changes):
    """A call received at ``at``; a fresh address each time unless one is given."""
    received, _ = call_create(
        channel=channel,
        address=address or f"{next(_n)} Distinct Road, Ely CB7 4AA",
        facts=facts(**fact_changes),
        received_at=at,
        handler=handler,
        now=max(at, timezone.now()),
    )
    return received


def decide(c, user, *, attend=None, agency=None, grade=None, reason="risk_higher", at=None):
    """Accept the suggestion, or override it when ``attend`` or ``agency`` is given."""
    accept = attend is None and agency is None
    final_attend = c.suggested_police_attend if attend is None else attend
    return call_decide(
        call=c,
        user=user,
        accept=accept,
        final_agency=None if accept else (agency or ("POLICE" if final_attend else "NHS_111")),
        final_police_attend=None if accept else final_attend,
        override_reason="" if accept else reason,
        override_note="" if accept else "Overridden for the test.",
        grade=grade or (1 if final_attend else 3),
        thrive=THRIVE,
        caller_told=not final_attend,
        caller_told_text="" if final_attend else "Told who will help.",
        now=at or c.received_at + timedelta(minutes=5),
    )


def exported(rows):
    """Rows as the CSV export writes their coded cells (agencies, strands, rules): the
    export's text of each ``Words`` cell, every other value as it is."""
    from dashboards.selectors import Words

    return [tuple(c.export if isinstance(c, Words) else c for c in row) for row in rows]


def shown(rows):
    """Rows as the page shows their coded cells: the words people read."""
    from dashboards.selectors import Words

    return [tuple(c.text if isinstance(c, Words) else c for c in row) for row in rows]
