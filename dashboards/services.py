"""Writes for the dashboards: aggregate upkeep, the set-based rebuild, export logging."""

from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import Coalesce, ExtractHour, TruncDate
from django.utils import timezone

from core.days import LONDON, local_midnight
from core.services import log_disclosure
from referrals import farmington
from referrals.models import Referral
from triage.models import Call, Decision

from .models import (
    DailyCallStat,
    DwellingDailyStat,
    HandlerDailyStat,
    HourlyCallStat,
    RepeatDayStat,
    RepeatStatMark,
)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def repeat_share_cached(triggered_at: datetime, *, today: date | None = None) -> bool:
    """Whether a referral triggered at ``triggered_at`` changes a cached repeat-share day.

    Only days of completed weeks are cached, and a referral counts from the end of the week
    it was triggered in (``_referred_999_by_day``): one opened by a live call changes the
    current week alone, which every view recomputes.
    """
    return triggered_at.astimezone(LONDON).date() < monday(today or timezone.localdate())


_UPSERT_SQL: dict[type, str] = {}


def _upsert_sql(model) -> str:
    sql = _UPSERT_SQL.get(model)
    if sql is None:
        qn = connection.ops.quote_name
        table, n = qn(model._meta.db_table), qn("calls")
        cols = ", ".join(qn(model._meta.get_field(name).column) for name in model.KEY)
        marks = ", ".join(["%s"] * (len(model.KEY) + 1))
        # Identifiers come from model metadata, values are parameters.
        sql = _UPSERT_SQL[model] = (
            f"INSERT INTO {table} ({cols}, {n}) VALUES ({marks}) "  # noqa: S608
            f"ON CONFLICT ({cols}) DO UPDATE SET {n} = {table}.{n} + EXCLUDED.{n}"
        )
    return sql


def _upsert(model, key: dict, delta: int) -> None:
    """Add ``delta`` to the row with this key, creating it if missing: one statement, so
    concurrent intakes never lose a count (the row lock serialises them)."""
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(model), [*(key[name] for name in model.KEY), delta])


def _upsert_many(rows: list[tuple[type, dict, int]]) -> None:
    """``_upsert`` for several (model, key, delta): on PostgreSQL in one statement (each
    upsert a data-modifying WITH clause), elsewhere one after another. The same statement
    locks its rows in the same order in every transaction, so intakes cannot deadlock."""
    if connection.vendor != "postgresql" or len(rows) < 2:
        for model, key, delta in rows:
            _upsert(model, key, delta)
        return
    clauses, params = [], []
    for i, (model, key, delta) in enumerate(rows):
        clauses.append(f"u{i} AS ({_upsert_sql(model)})")
        params += [*(key[name] for name in model.KEY), delta]
    with connection.cursor() as cursor:
        cursor.execute("WITH " + ", ".join(clauses) + " SELECT 1", params)


def _call_keys(call: Call, *, final_agency, final_police_attend, overridden, downgraded):
    local = call.received_at.astimezone(LONDON)
    decided = final_police_attend is not None
    daily = {
        "day": local.date(),
        "channel": call.channel,
        "concern_type": call.concern_type,
        "rule_id": call.rule_id,
        "suggested_agency": call.suggested_agency,
        "suggested_police_attend": bool(call.suggested_police_attend),
        "decided": decided,
        "final_agency": final_agency or "",
        "final_police_attend": bool(final_police_attend),
        "overridden": bool(overridden),
        "downgraded": bool(downgraded),
    }
    handler = {
        "day": local.date(),
        "channel": call.channel,
        "handler_id": call.handler_id or 0,
        "decided": decided,
        "overridden": bool(overridden),
    }
    return daily, handler


def stats_call_received(*, call: Call, calls_after: bool = False) -> None:
    """Count a new call; runs inside the intake transaction (triage.services._call_create).
    ``calls_after``: the dwelling has calls in the 30 days after this one (it was
    back-dated), which make it a repeat call too (see DwellingDailyStat)."""
    daily, handler = _call_keys(
        call,
        final_agency=call.final_agency,
        final_police_attend=call.final_police_attend,
        overridden=call.overridden,
        downgraded=False,
    )
    local = call.received_at.astimezone(LONDON)
    hourly = {"day": local.date(), "hour": local.hour, "channel": call.channel}
    rows = [(DailyCallStat, daily, 1), (HandlerDailyStat, handler, 1), (HourlyCallStat, hourly, 1)]
    if call.dwelling_id is not None:
        dwelling = {
            "day": local.date(),
            "dwelling_id": call.dwelling_id,
            "channel": call.channel,
            "repeat": call.repeat_calls_30d >= 2 or calls_after,
        }
        rows.append((DwellingDailyStat, dwelling, 1))
    _upsert_many(rows)
    if call.dwelling_id is not None and local.date() < monday(timezone.localdate()):
        # A call back-dated into a completed week changes that day's cached share.
        RepeatDayStat.objects.filter(day=local.date()).delete()


def stats_call_decided(*, call: Call, decision: Decision, previous: Decision | None) -> None:
    """Move a call from its old decision state to its new one, inside ``call_decide``.

    ``call`` still holds the state before this decision (the service updates it after);
    ``previous`` is the decision this one replaces, whose downgrade flag was current.
    """
    old_daily, old_handler = _call_keys(
        call,
        final_agency=call.final_agency,
        final_police_attend=call.final_police_attend,
        overridden=call.overridden,
        downgraded=previous.downgraded if previous is not None else False,
    )
    new_daily, new_handler = _call_keys(
        call,
        final_agency=decision.final_agency,
        final_police_attend=decision.final_police_attend,
        overridden=not decision.accepted,
        downgraded=decision.downgraded,
    )
    for model, old, new in (
        (DailyCallStat, old_daily, new_daily),
        (HandlerDailyStat, old_handler, new_handler),
    ):
        if old == new:
            continue
        # Rows are locked in key order, so two re-assessments moving calls in opposite
        # directions cannot deadlock. The key starts with what never changes, then
        # ``decided``: an undecided row (the one intake locked) always comes first, the
        # order in which a take-and-decide transaction (triage.services.call_take) locks.
        moves = sorted(((old, -1), (new, 1)), key=lambda move: [move[0][k] for k in model.KEY])
        for key, delta in moves:
            _upsert(model, key, delta)


def _calls_between(start: date | None, end: date | None):
    calls = Call.objects.order_by()
    if start is not None:
        calls = calls.filter(received_at__gte=local_midnight(start))
    if end is not None:
        calls = calls.filter(received_at__lt=local_midnight(end + timedelta(days=1)))
    return calls


def _latest_decision_downgraded():
    """True when the call's current decision (latest by decided_at, then id) is a downgrade.

    Written as "a downgraded decision with no later decision" so the database can answer
    it from the few downgraded decisions rather than one lookup per call.
    """
    later = Decision.objects.filter(call_id=OuterRef("call_id")).filter(
        Q(decided_at__gt=OuterRef("decided_at"))
        | Q(decided_at=OuterRef("decided_at"), id__gt=OuterRef("id"))
    )
    return Exists(
        Decision.objects.filter(call_id=OuterRef("pk"), downgraded=True).filter(~Exists(later))
    )


def _insert_select(model, queryset, columns: list[str]) -> int:
    qn = connection.ops.quote_name
    sql, params = queryset.query.sql_with_params()
    target = ", ".join(qn(model._meta.get_field(name).column) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(model._meta.db_table)} ({target}) {sql}", params)  # noqa: S608
        return cursor.rowcount


@transaction.atomic
def stats_rebuild(*, start: date | None = None, end: date | None = None) -> dict[str, int]:
    """Recompute the aggregates for London days start..end (inclusive; None: unbounded)
    from calls, set-based: DELETE, then INSERT ... SELECT ... GROUP BY.

    On PostgreSQL the aggregate tables are locked against intake for the duration, so a
    call taken meanwhile is counted exactly once (its upsert waits for the rebuild).
    """
    models = (DailyCallStat, HourlyCallStat, HandlerDailyStat, DwellingDailyStat, RepeatDayStat)
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
    for model in models:
        rows = model.objects.all()
        if start is not None:
            rows = rows.filter(day__gte=start)
        if end is not None:
            rows = rows.filter(day__lte=end)
        rows.delete()

    calls = _calls_between(start, end).annotate(
        s_day=TruncDate("received_at", tzinfo=LONDON),
        s_decided=ExpressionWrapper(
            Q(final_police_attend__isnull=False), output_field=BooleanField()
        ),
        s_final_attend=Coalesce("final_police_attend", Value(False)),
    )
    daily = (
        calls.annotate(s_downgraded=_latest_decision_downgraded())
        .values(
            "s_day",
            "channel",
            "concern_type",
            "rule_id",
            "suggested_agency",
            "suggested_police_attend",
            "s_decided",
            "final_agency",
            "s_final_attend",
            "overridden",
            "s_downgraded",
        )
        .annotate(n=Count("id"))
    )
    hourly = (
        calls.annotate(s_hour=ExtractHour("received_at", tzinfo=LONDON))
        .values("s_day", "s_hour", "channel")
        .annotate(n=Count("id"))
    )
    handlers = (
        calls.annotate(s_handler=Coalesce(F("handler_id"), Value(0)))
        .values("s_day", "channel", "s_handler", "s_decided", "overridden")
        .annotate(n=Count("id"))
    )
    # A repeat call, as intake counts it (see DwellingDailyStat): a call the repeat-caller
    # policy counts, taken before it (a lower id: intakes at one dwelling take ids in turn,
    # under its lock) within the policy's window before or after it.
    policy = farmington.policy_current()
    near = Call.objects.filter(
        dwelling_id=OuterRef("dwelling_id"),
        pk__lt=OuterRef("pk"),
        channel__in=sorted(policy.channels),
        received_at__gte=OuterRef("received_at") - policy.window,
        received_at__lte=OuterRef("received_at") + policy.window,
    )
    dwellings = (
        calls.filter(dwelling_id__isnull=False)
        .annotate(s_repeat=Exists(near))
        .values("s_day", "dwelling_id", "channel", "s_repeat")
        .annotate(n=Count("id"))
    )
    counts = {
        "daily": _insert_select(DailyCallStat, daily, [*DailyCallStat.KEY, "calls"]),
        "dwelling": _insert_select(DwellingDailyStat, dwellings, [*DwellingDailyStat.KEY, "calls"]),
        "hourly": _insert_select(HourlyCallStat, hourly, [*HourlyCallStat.KEY, "calls"]),
        "handler": _insert_select(HandlerDailyStat, handlers, [*HandlerDailyStat.KEY, "calls"]),
    }
    counts["repeat"] = _repeat_cache_fill(start=start, end=end, today=timezone.localdate())
    return counts


def _referred_999_by_day(start: date, end: date) -> dict[date, int]:
    """999 calls per day, start..end, from dwellings referred by the end of the day's week.

    Each day is joined to its week's end; a dwelling counts when any of its referrals was
    triggered (or, if manual, created) before then: the same as its first referral.
    """
    ops, qn = connection.ops, connection.ops.quote_name
    weeks, params = [], []
    week = monday(start)
    while week <= end:
        weeks.append("(%s, %s, %s)")
        params += [
            ops.adapt_datefield_value(max(week, start)),
            ops.adapt_datefield_value(min(week + timedelta(days=6), end)),
            ops.adapt_datetimefield_value(local_midnight(week + timedelta(days=7))),
        ]
        week += timedelta(days=7)
    sql = (
        f"WITH w (wfirst, wlast, wend) AS (VALUES {', '.join(weeks)}) "  # noqa: S608
        f"SELECT s.day, SUM(s.calls) FROM {qn(DwellingDailyStat._meta.db_table)} s "
        "JOIN w ON s.day >= w.wfirst AND s.day <= w.wlast "
        "WHERE s.channel = '999' AND s.day >= %s AND s.day <= %s AND EXISTS ("
        f"SELECT 1 FROM {qn(Referral._meta.db_table)} r WHERE r.dwelling_id = s.dwelling_id "
        "AND COALESCE(r.triggered_at, r.created_at) < w.wend) GROUP BY s.day"
    )
    params += [ops.adapt_datefield_value(start), ops.adapt_datefield_value(end)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            day if isinstance(day, date) else date.fromisoformat(day): n
            for day, n in cursor.fetchall()
        }


def _repeat_cache_check() -> None:
    """Clear cached days that referrals made or deleted since the last check have changed."""
    mark, _ = RepeatStatMark.objects.select_for_update().get_or_create(pk=1)
    now = Referral.objects.aggregate(n=Count("id"), top=Max("id"))
    top, n = now["top"] or 0, now["n"]
    if (top, n) == (mark.referral_max_id, mark.referral_count):
        return
    newer = Referral.objects.filter(id__gt=mark.referral_max_id)
    if n - newer.count() != mark.referral_count:
        # A referral was deleted (retention) or committed late with a lower id: start over.
        RepeatDayStat.objects.all().delete()
    else:
        since = newer.aggregate(since=Min(Coalesce("triggered_at", "created_at")))["since"]
        if since is not None:
            RepeatDayStat.objects.filter(day__gte=monday(since.astimezone(LONDON).date())).delete()
    mark.referral_max_id, mark.referral_count = top, n
    mark.save()


def _repeat_cache_fill(*, start: date | None, end: date | None, today: date) -> int:
    """Compute the cached repeat-share days of start..end (completed weeks only) in one
    query, so the first dashboard view after a rebuild does not pay for them."""
    _repeat_cache_check()
    start = start or DailyCallStat.objects.aggregate(first=Min("day"))["first"]
    last = monday(today) - timedelta(days=1)
    end = min(end, last) if end else last
    if start is None or start > end:
        return 0
    fresh = _referred_999_by_day(start, end)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    RepeatDayStat.objects.bulk_create(
        [RepeatDayStat(day=d, calls=fresh.get(d, 0)) for d in days],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["calls"],
    )
    return len(days)


@transaction.atomic
def repeat_share_days(*, start: date, end: date, today: date) -> dict[date, int]:
    """The repeat-caller share's numerator per day, start..end, from the cache where valid.

    Days of completed weeks are cached (a later referral can still change the current
    week); the rest are computed on each view.
    """
    _repeat_cache_check()
    days = dict(
        RepeatDayStat.objects.filter(day__gte=start, day__lte=end).values_list("day", "calls")
    )
    missing = [
        start + timedelta(days=i)
        for i in range((end - start).days + 1)
        if start + timedelta(days=i) not in days
    ]
    if missing:
        fresh = _referred_999_by_day(missing[0], missing[-1])
        done_before = monday(today)
        RepeatDayStat.objects.bulk_create(
            [RepeatDayStat(day=d, calls=fresh.get(d, 0)) for d in missing if d < done_before],
            ignore_conflicts=True,
        )
        days.update({d: fresh.get(d, 0) for d in missing})
    return days


def export_log(*, request, table: str, recipient: str, purpose: str, filters: str):
    """Record a CSV export as a DPA 2018 s62 disclosure: who, which table, to whom, why."""
    return log_disclosure(
        user=request.user,
        object_type="dashboard_export",
        object_id=table,
        justification=f"{purpose} [{filters}]",
        recipient=recipient,
        request=request,
    )
