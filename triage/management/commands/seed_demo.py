"""Demo data for local use: one user per role, the default rule set, ~90 days of calls."""

import os
import random
import uuid
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from callers.models import ResponsePlan
from triage import services
from triage.demo import REPEAT_DWELLINGS, demo_calls
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
]
TOKEN_NAMESPACE = uuid.UUID("6f1d3c52-8f0a-4a8e-9b7e-2b7c1d9e4a10")
THRIVE = {
    "threat": "No threat to others reported.",
    "harm": "Possible harm to self; no injury reported.",
    "risk": "Assessed from the caller's account.",
    "investigation": "No offence disclosed.",
    "vulnerability": "Known vulnerability recorded.",
    "engagement": "Caller engaged and agreed the plan.",
}


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
        self._plans(users["triage1"])
        call_command("rebuild_dashboard_stats", verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {created} new calls."))
        self.stdout.write("Demo users (local use only), password: " + password)
        for username, role in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {role}")

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
                if was_created and rng.random() < 0.9:
                    self._decide(call, handler, rng, received_at)
            created += was_created
        return created

    def _decide(self, call, handler, rng, received_at):
        checks = {check: "Caller confirmed no present risk." for check in call.suggestion["checks"]}
        override = rng.random() < 0.1
        attend = call.suggested_police_attend if not override else not call.suggested_police_attend
        services.call_decide(
            call=call,
            user=handler,
            accept=not override,
            final_agency=("POLICE" if attend else "MENTAL_HEALTH_CRISIS") if override else None,
            final_police_attend=attend if override else None,
            override_reason=rng.choice(["risk_higher", "partner_unavailable", "new_information"])
            if override
            else "",
            override_note="Demo override." if override else "",
            grade=1 if attend else rng.choice([3, 4]),
            thrive=THRIVE,
            caller_told=not attend,
            caller_told_text=call.suggestion["caller_advice"] if not attend else "",
            check_confirmations=checks,
            now=received_at + timedelta(minutes=rng.randint(2, 9)),
        )

    def _plans(self, author):
        from callers.services import dwelling_find

        for spellings in REPEAT_DWELLINGS[:3]:
            dwelling = dwelling_find(spellings[0])
            if dwelling is None or dwelling.plans.exists():
                continue
            ResponsePlan.objects.create(
                dwelling=dwelling,
                version=1,
                what_to_do="Speak calmly; offer the mental-health crisis line (NHS 111, option 2).",
                what_not_to_do="Do not send officers for welfare alone: no crime, no immediate risk.",
                whom_to_call="Community mental-health team duty worker.",
                author=author,
                review_by=timezone.localdate() + timedelta(days=60),
            )
