from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Q, QuerySet

from core.roles import Role, has_role
from core.rows import field_value
from referrals import farmington

from . import engine
from .models import Call, Decision, RuleSet
from .rulesets import ruleset_ensure_default

# Parsed rule sets by (primary key, created_at): a stored version never changes once
# created. The creation time tells apart two rows that had one key: SQLite hands a rolled-
# back row's id to the next one.
_PARSED: dict[tuple, engine.RuleSet] = {}


# The live version's row, by (id, published_at): see ruleset_current.
_LIVE: dict[tuple, RuleSet] = {}
_LIVE_SQL = (
    f"SELECT id, published_at FROM {RuleSet._meta.db_table} "  # noqa: S608 - model metadata
    "WHERE status = %s ORDER BY id LIMIT 1"
)


def ruleset_parsed(ruleset: RuleSet) -> engine.RuleSet:
    key = (ruleset.pk, ruleset.created_at)
    parsed = _PARSED.get(key)
    if parsed is None:
        parsed = _PARSED[key] = engine.parse_ruleset(ruleset.document, stored=True)
    return parsed


def ruleset_current() -> tuple[RuleSet, engine.RuleSet]:
    """The live rule set and its parsed form; the shipped default on first use."""
    # Every intake asks which version is live: one small query, written out because the ORM
    # would cost more than the query. The row and its parsed document are then read once per
    # process and version (a stored version never changes but for its status).
    with connection.cursor() as cursor:
        cursor.execute(_LIVE_SQL, [RuleSet.Status.PUBLISHED])
        live = cursor.fetchone()
    return _ruleset_for(_live_key(*live) if live else None)


def _live_key(pk, published_at) -> tuple:
    return pk, field_value(RuleSet._meta.get_field("published_at"), published_at)


def _ruleset_for(live: tuple | None) -> tuple[RuleSet, engine.RuleSet]:
    """``ruleset_current`` once the live version's (id, published_at) has been read."""
    ruleset = _LIVE.get(live) if live else None
    if ruleset is None:
        ruleset = RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).defer("document").first()
        if ruleset is None:
            ruleset = ruleset_ensure_default()
        _LIVE.clear()
        if live is not None and live[0] == ruleset.pk:
            _LIVE[live] = ruleset
    return ruleset, ruleset_parsed(ruleset)


def calls_in_repeat_window(dwelling, until: datetime, window: timedelta) -> QuerySet[Call]:
    """The dwelling's calls in the window ending at ``until`` (inclusive at both ends),
    oldest first. A call exactly 30 days earlier still counts."""
    until = until.astimezone(UTC)  # 30 days of 24 hours, whatever the clocks did
    return Call.objects.filter(
        dwelling=dwelling, received_at__gte=until - window, received_at__lte=until
    ).order_by("received_at", "id")


# The dwelling's calls near the new one (part 0), the live rule set (part 1), the live
# repeat-caller policy (part 2) and the dwelling's open referral (part 3).
_INTAKE_SQL = (
    f"SELECT 0, id, received_at, channel FROM {Call._meta.db_table} "  # noqa: S608 - metadata
    "WHERE dwelling_id = %s AND received_at >= %s AND received_at <= %s "
    f"UNION ALL SELECT 1, id, published_at, '' FROM ({_LIVE_SQL}) live "
    f"UNION ALL SELECT 2, id, published_at, '' FROM ({farmington.LIVE_SQL}) policy "
    f"UNION ALL SELECT 3, id, created_at, status FROM ({farmington.OPEN_REFERRAL_SQL}) referral "
    "ORDER BY 1, 3, 2"
)


def intake_reads(dwelling_id: int, until: datetime) -> "IntakeReads":
    """What an intake reads besides its dwelling, in one statement: the dwelling's calls
    from one policy window before ``until`` to one after (a call back-dated among calls
    already taken), the live rule set, the live repeat-caller policy and the dwelling's
    open referral. Operation Farmington (``referrals.farmington``) owns the SQL of its two
    parts and counts; this composes them. Written out: every intake asks, the ORM cost
    more than the query, and one round trip costs the app and the server less than four.

    The window's bounds come from the policy this process holds; when another version has
    been published since, the calls are read again with it (once per publication)."""
    until = until.astimezone(UTC)
    adapt = connection.ops.adapt_datetimefield_value
    policy = farmington.policy_for(_held_policy[0])
    for _ in range(2):
        with connection.cursor() as cursor:
            cursor.execute(
                _INTAKE_SQL,
                [
                    dwelling_id,
                    adapt(until - policy.window),
                    adapt(until + policy.window),
                    RuleSet.Status.PUBLISHED,
                    dwelling_id,
                ],
            )
            rows = cursor.fetchall()
        held = [farmington.live_key(pk, at) for part, pk, at, _ in rows if part == 2]
        key = held[0] if held else None
        if key is not None and key == _held_policy[0]:
            break
        _held_policy[0] = key
        policy = farmington.policy_for(key)
        if key is None:
            break
    received_at = Call._meta.get_field("received_at")
    near = [(pk, field_value(received_at, at), ch) for part, pk, at, ch in rows if part == 0]
    live = [_live_key(pk, at) for part, pk, at, _ in rows if part == 1]
    referral = [farmington.open_referral_from_row(*row[1:]) for row in rows if row[0] == 3]
    return IntakeReads(
        near=near,
        received_at=until,
        policy=policy,
        open_referral=referral[0] if referral else None,
        ruleset=_ruleset_for(live[0] if live else None),
    )


# The live policy's (id, published_at) as this process last read it.
_held_policy: list = [None]


@dataclass(frozen=True)
class IntakeReads:
    """What an intake read about its dwelling, and the rule set and policy in force."""

    near: list  # (id, received_at, channel) of the dwelling's calls, oldest first
    received_at: datetime
    policy: "farmington.Policy"
    open_referral: "farmington.OpenReferral | None"
    ruleset: tuple[RuleSet, engine.RuleSet]

    def count(self, channel: str) -> "farmington.IntakeCount":
        """The Farmington count for a new call of ``channel`` at ``received_at``."""
        return farmington.intake_count(
            self.near, channel=channel, received_at=self.received_at, policy=self.policy
        )


def calls_visible_to(user) -> QuerySet[Call]:
    """Supervisors see every call; a handler sees the calls they took."""
    calls = Call.objects.select_related("dwelling", "handler")
    if has_role(user, Role.SUPERVISOR):
        return calls
    return calls.filter(handler=user)


def calls_for_list(user) -> QuerySet[Call]:
    """The Calls page's rows: ``calls_visible_to`` without the handler, which it does not
    show. Newest first (the model's order)."""
    return calls_visible_to(user).select_related(None).select_related("dwelling")


def calls_for_page(user) -> QuerySet[Call]:
    """The calls the user may see, each with what its page shows beside it (the rule set,
    for the rule's title)."""
    return calls_visible_to(user).select_related("ruleset")


def call_decisions(call: Call) -> list[Decision]:
    """The call's decisions, the current one first, then the earlier (re-assessed) ones."""
    return list(call.decisions.select_related("decided_by").order_by("-decided_at", "-id"))


def dwelling_call_count(call: Call) -> int | None:
    """How many calls came from the call's dwelling (None when it named no dwelling)."""
    if call.dwelling_id is None:
        return None
    return Call.objects.filter(dwelling_id=call.dwelling_id).count()


def decisions_for_review() -> QuerySet[Decision]:
    """Overrides and downgrades, newest first, for the supervisor's review queue (with the
    call's dwelling for its address, and its rule set, fetched once, for the rule's title)."""
    return (
        Decision.objects.filter(Q(accepted=False) | Q(downgraded=True))
        .select_related("call", "call__dwelling", "decided_by")
        .prefetch_related("call__ruleset")
        .order_by("-decided_at", "-id")
    )


@dataclass
class WhatIfResult:
    """How a draft rule set would have changed the suggestions of past calls."""

    start: datetime
    end: datetime
    calls: int = 0
    changed: int = 0
    attend_changed: int = 0
    unreadable: int = 0
    transitions: Counter = field(default_factory=Counter)
    examples: list = field(default_factory=list)

    @property
    def transition_rows(self) -> list[tuple[str, str, int]]:
        """(was, would be, calls), most frequent first."""
        return [(old, new, n) for (old, new), n in self.transitions.most_common()]

    @property
    def changed_percent(self) -> float:
        return 100 * self.changed / self.calls if self.calls else 0.0


WHAT_IF_EXAMPLES = 200


@dataclass(frozen=True)
class WhatIfOutcome:
    """A suggestion, as the call got it or as the draft would give it."""

    rule_id: str
    rule_title: str  # the rule id where its version gave the rule no title
    agency: str
    police_attend: bool


@dataclass(frozen=True)
class WhatIfExample:
    id: int
    received_at: datetime
    was: WhatIfOutcome
    would_be: WhatIfOutcome


def ruleset_what_if(draft: RuleSet, *, start: datetime, end: datetime) -> WhatIfResult:
    """Re-run the calls received in [start, end) through ``draft`` and compare.

    A suggestion changes when its rule, agency or police attendance differs from what
    the call was given at the time. Stored facts are replayed as recorded (including the
    repeat count then), so only the rules differ. Nothing is written. The examples name
    each rule by its title in the version that suggested it.
    """
    rules = ruleset_parsed(draft)
    result = WhatIfResult(start=start, end=end)
    rows = (
        Call.objects.filter(received_at__gte=start, received_at__lt=end)
        .order_by("received_at", "id")
        .values_list(
            "id",
            "received_at",
            "facts",
            "rule_id",
            "suggested_agency",
            "suggested_police_attend",
            "ruleset_id",
        )
    )
    changed = []
    for pk, received_at, facts, rule_id, agency, attend, ruleset_id in rows.iterator(
        chunk_size=2000
    ):
        result.calls += 1
        try:
            new = engine.evaluate(engine.parse_facts(facts), rules)
        except engine.FactsError:
            result.unreadable += 1
            continue
        if (new.rule_id, new.agency, new.police_attend) == (rule_id, agency, attend):
            continue
        result.changed += 1
        result.attend_changed += new.police_attend != attend
        result.transitions[(agency, new.agency)] += 1
        if len(changed) < WHAT_IF_EXAMPLES:
            changed.append((pk, received_at, ruleset_id, (rule_id, agency, attend), new))
    # One query for the titles of the few versions the examples were suggested by.
    titles = {
        pk: engine.rule_titles(document)
        for pk, document in RuleSet.objects.filter(
            pk__in={ruleset_id for _, _, ruleset_id, _, _ in changed}
        ).values_list("pk", "document")
    }
    result.examples = [
        WhatIfExample(
            id=pk,
            received_at=received_at,
            was=WhatIfOutcome(
                rule_id,
                titles.get(ruleset_id, {}).get(rule_id) or rule_id,
                agency,
                attend,
            ),
            would_be=WhatIfOutcome(
                new.rule_id, new.rule_title or new.rule_id, new.agency, new.police_attend
            ),
        )
        for pk, received_at, ruleset_id, (rule_id, agency, attend), new in changed
    ]
    return result
