"""Operation Farmington, nightly: every dwelling whose calls complete the live policy's
window (by default 3 calls in 30 days) has a referral.

Intake opens the referral live, inside the completing call's transaction. This pass
re-derives the same from the calls table, for whatever intake could not do (historical
imports, a lost transaction, a policy changed): it finds, in one set-based query, each
dwelling without an open referral whose counted calls (the policy's channels) since its
last closed referral contain ``threshold`` within the window (inclusive: a call exactly
one window before the last counts, as at intake), and opens one referral per dwelling, as
intake's ``referral_open_automatic`` would, triggered at the call completing the first
such window and carrying those calls; a batch of dwellings at a time
(``referrals_open_automatic``).

Scope: a nightly run reports windows completed in the window up to ``as_of`` and so reads
two windows up to it (a window completing one window back starts two back); a
full-history run reads everything up to ``as_of``.

Safety: each batch of referrals opens in its own transaction and the partial unique
constraint ``one_open_referral_per_dwelling`` makes opening idempotent, so a run killed
half-way and run again ends with the referrals of one clean run. One run at a time: on
PostgreSQL a session advisory lock (a second run records itself as skipped and returns;
the lock goes with the session if the worker dies); elsewhere a run younger than an hour
that is still marked running. Every run is recorded in ``DetectionRun``.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from core.locks import SessionTryLock, run_skipped, run_started
from core.rows import field_value
from core.sqltime import shifted
from triage.models import Call

from ..models import DetectionRun, Referral
from .opening import referrals_open_automatic
from .policy import Policy, policy_current

logger = logging.getLogger(__name__)

# "callers.detection" as a 63-bit number (where detection first lived): the advisory lock
# every detection run takes.
ADVISORY_LOCK_ID = 0x63616C6C65727301
# A run still marked running after this long died without saying so (SQLite fallback).
STALE_AFTER = timedelta(hours=1)
# work_mem for the scan: the nightly scope is sorted in memory rather than on disk.
SORT_MEMORY = "256MB"
# Referrals opened per transaction (their trigger calls loaded in one query).
BATCH = 500


# Called after a run has opened referrals. The dashboards, which read referrals (the
# repeat-caller share), register theirs in their AppConfig.ready(): detection does not
# import the app above it.
AFTER_REFERRALS_OPENED: list = []


@dataclass(frozen=True)
class Window:
    """The first completed window of one dwelling: its calls, oldest first."""

    dwelling_id: int
    call_ids: tuple[int, ...]
    triggered_at: datetime


def parse_as_of(value: str, *, name: str = "as_of") -> datetime:
    """``as_of`` as the command and the task take it: an ISO-8601 date or date-time, local
    (Europe/London) time when it has no offset. A ValueError names ``name`` and the value."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"{name} must be an ISO-8601 date-time such as 2025-03-30T02:00:00+01:00; got {value!r}"
        ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _minus_window(column: str, policy: Policy) -> str:
    """SQL for ``column`` minus the policy's window, exactly (no calendar or DST arithmetic)."""
    return shifted(column, -int(policy.window.total_seconds()))


def find_windows(
    *, as_of: datetime, full_history: bool = False, policy: Policy | None = None
) -> tuple[list[Window], int]:
    """(first window per dwelling without an open referral, calls scanned), under
    ``policy`` (the live one by default). Reads only.

    One query: LAG over each dwelling's counted calls (after its last closed referral) in
    time order finds the call ``threshold - 1`` back; where that call is within the window,
    this call completes a window; ROW_NUMBER keeps each dwelling's first. Raw SQL: window
    functions over millions of calls, where the ORM cannot say it; bench_detection.py
    prints its time (0.7-0.8 s nightly, 2.5-2.8 s full history at 5M calls).
    """
    policy = policy or policy_current()
    if full_history:
        return _windows(policy, as_of=as_of, scan_from=None, report_from=None, referrals=True)
    return _windows(
        policy,
        as_of=as_of,
        scan_from=as_of - 2 * policy.window,
        report_from=as_of - policy.window,
        referrals=True,
    )


def windows_completed(policy: Policy, *, start: datetime, end: datetime) -> list[Window]:
    """Each dwelling's first window completed in [start, end] under ``policy``, whatever
    referrals it had: what a policy would have referred over a past period (the replay)."""
    windows, _ = _windows(
        policy, as_of=end, scan_from=start - policy.window, report_from=start, referrals=False
    )
    return windows


def _windows(
    policy: Policy,
    *,
    as_of: datetime,
    scan_from: datetime | None,
    report_from: datetime | None,
    referrals: bool,
) -> tuple[list[Window], int]:
    calls = Call._meta.db_table
    referrals_table = Referral._meta.db_table
    back = policy.threshold - 1
    # Times as the backend stores them (SQLite: naive UTC text; compared as text).
    adapt = connection.ops.adapt_datetimefield_value
    params: dict = {"as_of": adapt(as_of), "closed": Referral.Status.CLOSED}
    scan = "c.received_at <= %(as_of)s"
    channels = sorted(policy.channels)
    if len(channels) == 1:
        params["channel"] = channels[0]
        scan += " AND c.channel = %(channel)s"
    if scan_from is not None:
        params["scan_from"] = adapt(scan_from)
        scan += " AND c.received_at >= %(scan_from)s"
    report = ""
    if report_from is not None:
        params["report_from"] = adapt(report_from)
        report = "AND received_at >= %(report_from)s"
    # Calls before a dwelling's last closed referral were dealt with; a dwelling with an
    # open referral needs none.
    referred = (
        f"""AND (closed.closed_at IS NULL OR c.received_at > closed.closed_at)
              AND NOT EXISTS (
                  SELECT 1 FROM {referrals_table} r
                  WHERE r.dwelling_id = c.dwelling_id AND r.status <> %(closed)s
              )"""  # noqa: S608
        if referrals
        else ""
    )
    # The ids of the calls before the completing one, oldest first: the trigger calls.
    earlier_ids = ", ".join(f"LAG(c.id, {k}) OVER w AS id_{k}" for k in range(back, 0, -1))
    earlier_names = ", ".join(f"id_{k}" for k in range(back, 0, -1))
    # Only table names and constants are formatted in; values are parameters.
    sql = f"""
        WITH closed AS (
            SELECT dwelling_id, MAX(closed_at) AS closed_at
            FROM {referrals_table} WHERE status = %(closed)s GROUP BY dwelling_id
        ),
        lagged AS (
            SELECT c.id, c.dwelling_id, c.received_at,
                   LAG(c.received_at, {back}) OVER w AS first_at,
                   {earlier_ids}
            FROM {calls} c
            LEFT JOIN closed ON closed.dwelling_id = c.dwelling_id
            WHERE c.dwelling_id IS NOT NULL AND {scan}
              {referred}
            WINDOW w AS (PARTITION BY c.dwelling_id ORDER BY c.received_at, c.id)
        ),
        completing AS (
            SELECT dwelling_id, {earlier_names}, id, received_at,
                   ROW_NUMBER() OVER (PARTITION BY dwelling_id ORDER BY received_at, id) AS n
            FROM lagged
            WHERE first_at IS NOT NULL
              AND first_at >= {_minus_window("received_at", policy)} {report}
        )
        SELECT dwelling_id, {earlier_names}, id, received_at
        FROM completing WHERE n = 1 ORDER BY dwelling_id
    """  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The nightly scope is sorted by dwelling in memory (~100 MB at 5M calls).
            cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        count = f"SELECT COUNT(*) FROM {calls} c WHERE c.dwelling_id IS NOT NULL AND {scan}"  # noqa: S608
        cursor.execute(count, params)
        scanned = cursor.fetchone()[0]
    field = Call._meta.get_field("received_at")
    windows = [
        Window(
            dwelling_id=row[0],
            call_ids=tuple(row[1:-1]),
            # SQLite hands back text; the field's converters make it an aware datetime.
            triggered_at=field_value(field, row[-1]),
        )
        for row in rows
    ]
    return windows, scanned


def _relax_commit():
    """Do not wait for this transaction's WAL flush (PostgreSQL). A backfill commits
    hundreds of batches, and waiting for the disk at each commit was much of its time.
    A crash of the database server can lose the last fraction of a second of them, which
    the next run opens again; nothing else is at stake (the write is atomic either way).
    The run's own record commits synchronously at the end, flushing every referral before
    it: a run recorded as finished has all its referrals on disk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def open_referrals(
    windows: list[Window], *, policy: Policy, run: DetectionRun | None = None
) -> int:
    """Open a referral for each window, BATCH at a time, each batch in one transaction;
    returns how many were created (a dwelling whose referral a concurrent intake opened
    counts as none), counting them on ``run`` as it goes, so a run that fails part-way
    says how far it got."""
    opened = 0
    for start in range(0, len(windows), BATCH):
        batch = windows[start : start + BATCH]
        calls = Call.objects.only("id", "received_at", "dwelling_id").in_bulk(
            [i for w in batch for i in w.call_ids]
        )
        openings = []
        for window in batch:
            trigger = [calls[i] for i in window.call_ids if i in calls]
            if len(trigger) < policy.threshold or any(
                call.dwelling_id != window.dwelling_id for call in trigger
            ):
                continue  # erased or moved since the scan
            openings.append((window.dwelling_id, trigger, window.triggered_at))
        with transaction.atomic():
            _relax_commit()
            opened += len(referrals_open_automatic(openings, policy=policy))
        if run is not None:
            run.referrals_opened = opened
    return opened


def _start_run(*, as_of, full_history, trigger, now) -> DetectionRun | None:
    return run_started(
        DetectionRun,
        now=now,
        stale_after=STALE_AFTER,
        as_of=as_of,
        full_history=full_history,
        trigger=trigger,
    )


def _skipped(*, as_of, full_history, trigger, now) -> DetectionRun:
    logger.info("repeat-caller detection skipped: another run is in progress")
    return run_skipped(
        DetectionRun, now=now, as_of=as_of, full_history=full_history, trigger=trigger
    )


def detect_repeat_callers(
    *,
    as_of: datetime | None = None,
    full_history: bool = False,
    trigger: str = "command",
    policy: Policy | None = None,
) -> DetectionRun:
    """Operation Farmington's nightly pass: open the missing automatic referrals.

    Returns the recorded run: finished, or skipped when another run holds the lock. A
    failure is recorded on the run and raised.
    """
    now = timezone.now()
    as_of = as_of or now
    lock = SessionTryLock(ADVISORY_LOCK_ID)
    if not lock.acquire():
        return _skipped(as_of=as_of, full_history=full_history, trigger=trigger, now=now)
    try:
        run = _start_run(as_of=as_of, full_history=full_history, trigger=trigger, now=now)
        if run is None:
            return _skipped(as_of=as_of, full_history=full_history, trigger=trigger, now=now)
        started = time.perf_counter()
        try:
            # The policy in force when the run starts (or the import that runs it began)
            # applies to every call it considers.
            policy = policy or policy_current()
            windows, run.calls_scanned = find_windows(
                as_of=as_of, full_history=full_history, policy=policy
            )
            run.dwellings_found = len(windows)
            scanned_in = time.perf_counter() - started
            open_referrals(windows, policy=policy, run=run)
        except Exception as exc:
            _finish(run, DetectionRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
            raise
        _finish(run, DetectionRun.Status.FINISHED)
        if run.referrals_opened:
            for hook in AFTER_REFERRALS_OPENED:
                hook()
        logger.info(
            "repeat-caller detection %s (%s): %d calls scanned in %.2f s, %d dwellings "
            "found, %d referrals opened in %.2f s",
            "full history" if full_history else "nightly",
            policy.describe(),
            run.calls_scanned,
            scanned_in,
            run.dwellings_found,
            run.referrals_opened,
            time.perf_counter() - started,
        )
        return run
    finally:
        try:
            lock.release()
        except Exception:  # the connection is gone, and the session's lock with it
            logger.warning("could not release the detection lock", exc_info=True)


def _finish(run: DetectionRun, status: str, error: str = ""):
    run.status = status
    run.finished_at = timezone.now()
    run.error = error[:5000]
    try:
        run.save(
            update_fields=[
                "status",
                "finished_at",
                "error",
                "calls_scanned",
                "dwellings_found",
                "referrals_opened",
            ]
        )
    except Exception:
        # A broken connection must not hide the original error; the next run marks this
        # one failed.
        logger.exception("could not record detection run %s as %s", run.pk, status)
        if status == DetectionRun.Status.FINISHED:
            raise
