"""Demo data for local use: one user per role, the default rule set, ~90 days of calls, and
the Farmington team's casework on the referrals those calls opened."""

import heapq
import os
import random
import uuid
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from callers.services import dwelling_find
from referrals import services as referral_services
from referrals.models import Referral
from triage import services
from triage.demo import (
    CASEWORK_SCRIPTS,
    MANUAL_REFERRALS,
    MANUAL_SCRIPT,
    OVERRIDES,
    THRIVE_NOTES,
    demo_calls,
)
from triage.models import Call

# Fixed demo passwords, for local use only (README says so); DEMO_PASSWORD overrides.
DEMO_PASSWORD = "triage-desk-demo"  # noqa: S105 - documented local demo password
DEMO_USERS = [
    ("handler", "call_handler"),
    ("handler2", "call_handler"),
    ("triage1", "triage_staff"),
    ("triage2", "triage_staff"),
    ("triage3", "triage_staff"),
    ("supervisor", "supervisor"),
    ("auditor", "auditor"),
    ("mhp1", "mh_practitioner"),
    ("mhp2", "mh_practitioner"),
]
# What each role does, as the login hint prints it.
ROLE_WORDS = {
    "call_handler": "call handler: takes calls (New call)",
    "triage_staff": "triage staff: works referrals (Referral queue)",
    "supervisor": "supervisor: dashboard, review queue, rule sets",
    "auditor": "auditor: processing log only",
    "mh_practitioner": "mental-health practitioner: answers live consults (Consult queue)",
}
TOKEN_NAMESPACE = uuid.UUID("6f1d3c52-8f0a-4a8e-9b7e-2b7c1d9e4a10")
# The THRIVE notes of a routine call (the bulk-load benchmark writes them into every call).
THRIVE = THRIVE_NOTES["routine"]
# The weekly review meets on Mondays at 10:00 (London); casework happens in office hours.
REVIEW_WEEKDAY = 0


class Command(BaseCommand):
    help = "Create demo users, the default rule set and about 90 days of realistic calls."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--per-day", type=int, default=24)

    def handle(self, *args, days, per_day, **options):
        password = os.environ.get("DEMO_PASSWORD", DEMO_PASSWORD)
        users = self._users(password)
        services.ruleset_ensure_default()
        created = self._calls(users, days=days, per_day=per_day)
        call_command("rebuild_dashboard_stats", verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {created} new calls."))
        self.stdout.write(
            "Log in at http://127.0.0.1:8000/login/ (`make run`) as one of these demo users "
            f"(local use only), password: {password}"
        )
        for username, role in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {ROLE_WORDS[role]}")

    def _users(self, password):
        users = {}
        for username, role in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            if not user.check_password(password):
                # Demo accounts, local use only: the password printed below always works.
                user.set_password(password)
                user.save(update_fields=["password"])
            user.groups.add(Group.objects.get_or_create(name=role)[0])
            users[username] = user
        return users

    def _calls(self, users, *, days, per_day):
        rng = random.Random(7)
        handlers = [users["handler"], users["handler2"]]
        now = timezone.now()
        casework = Casework(users, now=now)
        first_day = timezone.localdate(now) - timedelta(days=days)
        for share, address, referred_by, reason in MANUAL_REFERRALS:
            raised = _office_hours(first_day + timedelta(days=int(days * share)), 14)
            casework.manual(raised, address, referred_by, reason)
        # Dates move with "now"; tokens do not, so a second run adds nothing.
        already = set(
            Call.objects.filter(client_token__isnull=False).values_list("client_token", flat=True)
        )
        created = 0
        for index, received_at, channel, address, narrative, facts in demo_calls(
            now, days=days, per_day=per_day
        ):
            token = uuid.uuid5(TOKEN_NAMESPACE, f"demo-call-{index}")
            if token in already:
                continue
            casework.run_until(received_at)  # the team's work before this call came
            handler = rng.choice(handlers)
            with transaction.atomic():
                call, was_created = services.call_create(
                    channel=channel,
                    address=address,
                    narrative=narrative,
                    facts=facts,
                    received_at=received_at,
                    handler=handler,
                    client_token=token,
                    now=now,
                )
                opened = _date_referral_opened_by(call) if was_created else None
                if was_created and rng.random() < 0.9:
                    self._decide(call, handler, rng, received_at)
            if opened is not None:
                casework.plan(opened)
            created += was_created
        casework.run_until(now)
        return created

    def _decide(self, call, handler, rng, received_at):
        reasons = [
            "Caller confirmed no present risk.",
            "Asked directly; the person has no means with them.",
            "Spoke to the ward: they will search the grounds first.",
        ]
        checks = {check: rng.choice(reasons) for check in call.suggestion["checks"]}
        override = rng.random() < 0.1
        if override:
            reason, agency, attend, note = rng.choice(OVERRIDES)
        else:
            reason, agency, attend, note = "", None, call.suggested_police_attend, ""
        grade = (1 if rng.random() < 0.3 else 2) if attend else rng.choice([3, 4])
        thrive = THRIVE_NOTES["urgent" if grade == 1 else "routine" if attend else "partner"]
        services.call_decide(
            call=call,
            user=handler,
            accept=not override,
            final_agency=agency,
            final_police_attend=attend if override else None,
            override_reason=reason,
            override_note=note,
            grade=grade,
            thrive=thrive,
            caller_told=not attend,
            caller_told_text=_told(call, agency) if not attend else "",
            check_confirmations=checks,
            now=received_at + timedelta(minutes=rng.randint(2, 9)),
        )


def _told(call, agency) -> str:
    """What the handler told the caller: the rule set's advice for the agency sent."""
    if agency is None or agency == call.suggested_agency:
        return call.suggestion["caller_advice"]
    advice = (call.ruleset.document.get("caller_advice") or {}) if call.ruleset_id else {}
    return advice.get(agency) or (
        "Police will not attend. We have passed your concern on; call back if anything changes."
    )


def _date_referral_opened_by(call) -> Referral | None:
    """The referral this demo call opened, dated when it was opened.

    Demo only: the intake opened it at the moment the command runs, since a live intake
    takes its calls as they come; a demo call received weeks ago opened it then. In the
    intake's transaction, nothing else has seen it.
    """
    referral = Referral.objects.filter(trigger_calls=call).first()
    if referral is None:
        return None
    opened = call.received_at
    referral.created_at = referral.last_activity_at = opened
    referral.review_due = timezone.localdate(opened)
    referral.save(update_fields=["created_at", "last_activity_at", "review_due"])
    return referral


class Casework:
    """The Farmington team working its referrals through the services, each step at its
    own time, interleaved with the calls so that what a call finds (an open referral, a
    closed one, a response plan) is what the team had done by then."""

    def __init__(self, users, *, now: datetime):
        self.users = users
        self.now = now
        self.steps: list = []  # a heap of (when, order, referral id, step, details)
        self.order = 0
        self.scripts = 0

    def plan(self, referral: Referral, script=None) -> None:
        if script is None:
            script = CASEWORK_SCRIPTS[self.scripts % len(CASEWORK_SCRIPTS)]
            self.scripts += 1
        when = referral.created_at
        for days, step, details in script:
            day = timezone.localdate(referral.created_at) + timedelta(days=days)
            if step == "review":
                day += timedelta(days=(REVIEW_WEEKDAY - day.weekday()) % 7)
            at = _office_hours(day, 10 if step == "review" else 11 + self.order % 5)
            when = max(at, when + timedelta(minutes=20))  # each step after the last
            heapq.heappush(self.steps, (when, self.order, referral.pk, step, details))
            self.order += 1

    def manual(self, when: datetime, address: str, referred_by: str, reason: str) -> None:
        """A referral an officer or a partner asks for, raised at ``when``."""
        details = {"address": address, "referred_by": referred_by, "reason": reason}
        heapq.heappush(self.steps, (when, self.order, None, "raise", details))
        self.order += 1

    def run_until(self, moment: datetime) -> None:
        while self.steps and self.steps[0][0] <= min(moment, self.now):
            when, _, referral_id, step, details = heapq.heappop(self.steps)
            with transaction.atomic():
                self._do(when, referral_id, step, details)

    def _do(self, when, referral_id, step, details) -> None:
        user = self.users[details.get("by", "triage2")]
        if step == "raise":
            dwelling = dwelling_find(details["address"])
            if dwelling is not None and dwelling.referrals.exists():
                return  # seeded before: a second run adds nothing
            referral = referral_services.referral_create_manual(
                user=user,
                address=details["address"],
                referred_by=details["referred_by"],
                referral_reason=details["reason"],
                now=when,
            )
            self.plan(referral, MANUAL_SCRIPT)
            return
        referral = Referral.objects.select_related("dwelling").get(pk=referral_id)
        if not referral.is_open:
            return
        if step == "assign":
            referral_services.referral_assign(
                referral=referral, user=user, assignee=self.users[details["to"]], now=when
            )
        elif step == "note":
            referral_services.referral_note_add(
                referral=referral, author=user, text=details["text"], now=when
            )
        elif step == "action":
            referral_services.referral_action_record(
                referral=referral,
                user=user,
                kind=details["kind"],
                taken_on=timezone.localdate(when),
                notes=details.get("notes", ""),
                care_plan=details.get("care_plan", ""),
                now=when,
            )
        elif step == "transition":
            referral_services.referral_transition(
                referral=referral, user=user, status=details["status"], now=when
            )
        elif step == "review":
            closing = details.get("status") == Referral.Status.CLOSED
            referral_services.referral_review_record(
                referral=referral,
                user=user,
                decision=details["decision"],
                status=details.get("status"),
                outcome=details.get("outcome", ""),
                next_review=None
                if closing
                else timezone.localdate(when) + timedelta(days=details["next_in"]),
                now=when,
            )
        elif step == "plan":
            referral_services.plan_publish(
                dwelling=referral.dwelling,
                referral=referral,
                author=user,
                what_to_do=details["what_to_do"],
                what_not_to_do=details.get("what_not_to_do", ""),
                whom_to_call=details.get("whom_to_call", ""),
                review_by=_plan_review_by(when, self.now),
                now=when,
            )


def _office_hours(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 15), tzinfo=timezone.get_current_timezone())


def _plan_review_by(published: datetime, now: datetime) -> date:
    """Three months after publishing, or after today where that has passed: the demo's
    plans are current (an expired plan is a case the tests cover, not the demo's)."""
    return max(timezone.localdate(published), timezone.localdate(now)) + timedelta(days=90)
