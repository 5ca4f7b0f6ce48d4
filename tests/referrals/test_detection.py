"""Nightly repeat-caller detection (Operation Farmington): referrals.farmington and its task."""

import threading
import time
from datetime import UTC, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, connections, transaction

from callers.services import dwelling_resolve
from referrals import farmington
from referrals.farmington import detect_repeat_callers, detection
from referrals.models import DetectionRun, Referral
from referrals.tasks import detect_repeat_callers as detect_task
from tests.factories import facts, take_call
from triage.models import Call

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
AS_OF = datetime(2025, 6, 30, 2, 0, tzinfo=UTC)
HOME = "Flat 2, 10 High St, Ely CB7 4AA"
OTHER = "14 Station Road, March PE15 8NH"


def stored_calls(address, *times):
    """Calls stored as the historical import stores them: no live detection at intake."""
    dwelling = dwelling_resolve(address=address)
    return Call.objects.bulk_create(
        Call(
            channel="101",
            received_at=t,
            address=address,
            dwelling=dwelling,
            facts=facts(),
            concern_type="welfare_check",
            rule_id="CFW-ADVICE",
            suggested_agency="MENTAL_HEALTH_CRISIS",
            suggested_police_attend=False,
            suggestion={"flags": []},
        )
        for t in times
    )


def days_before(*days, end=AS_OF):
    return [end - timedelta(days=d) for d in days]


def referral_of(address):
    return Referral.objects.get(dwelling=dwelling_resolve(address=address))


def trigger_ids(referral):
    return set(referral.trigger_calls.values_list("id", flat=True))


# --- which windows count ------------------------------------------------------------------


def test_three_calls_in_30_days_open_one_referral_triggered_by_the_third():
    first, second, third = stored_calls(HOME, *days_before(20, 10, 1))
    run = detect_repeat_callers(as_of=AS_OF)
    referral = referral_of(HOME)
    assert referral.source == Referral.Source.AUTOMATIC
    assert referral.triggered_at == third.received_at
    assert trigger_ids(referral) == {first.pk, second.pk, third.pk}
    assert (run.status, run.dwellings_found, run.referrals_opened) == ("finished", 1, 1)


def test_the_first_window_is_the_trigger_when_calls_go_on():
    calls = stored_calls(HOME, *days_before(25, 20, 15, 10, 5))
    detect_repeat_callers(as_of=AS_OF)
    referral = referral_of(HOME)
    assert referral.triggered_at == calls[2].received_at
    assert trigger_ids(referral) == {c.pk for c in calls[:3]}


def test_two_calls_in_30_days_open_nothing():
    stored_calls(HOME, *days_before(40, 20, 1))
    detect_repeat_callers(as_of=AS_OF, full_history=True)
    assert not Referral.objects.exists()


def test_a_call_exactly_30_days_before_the_third_counts():
    third = AS_OF - timedelta(days=1)
    stored_calls(HOME, third - timedelta(days=30), third - timedelta(days=3), third)
    detect_repeat_callers(as_of=AS_OF)
    assert referral_of(HOME).triggered_at == third


def test_a_call_30_days_and_a_second_before_the_third_does_not_count():
    third = AS_OF - timedelta(days=1)
    stored_calls(HOME, third - timedelta(days=30, seconds=1), third - timedelta(days=3), third)
    detect_repeat_callers(as_of=AS_OF, full_history=True)
    assert not Referral.objects.exists()


def test_across_the_spring_clock_change_the_window_is_720_hours_not_30_wall_clock_days():
    # London went from GMT to BST on 30 March 2025: 11:00 GMT on 11 March to 12:00 BST on
    # 10 April is 30 days 1 hour on the wall clock but exactly 720 hours: it counts.
    third = datetime(2025, 4, 10, 12, 0, tzinfo=LONDON)
    first = datetime(2025, 3, 11, 11, 0, tzinfo=LONDON)
    assert third - first == timedelta(hours=721)  # Python's wall-clock arithmetic
    assert third.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=720)
    stored_calls(HOME, first, datetime(2025, 4, 1, 9, 0, tzinfo=LONDON), third)
    detect_repeat_callers(as_of=datetime(2025, 4, 11, tzinfo=LONDON))
    assert referral_of(HOME).triggered_at == third


def test_across_the_autumn_clock_change_a_second_past_720_hours_does_not_count():
    # BST ended on 26 October 2025: 12:00 BST on 1 October to 11:00:01 GMT on 31 October.
    first = datetime(2025, 10, 1, 12, 0, tzinfo=LONDON)
    third = datetime(2025, 10, 31, 11, 0, 1, tzinfo=LONDON)
    assert third.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=720, seconds=1)
    stored_calls(HOME, first, datetime(2025, 10, 20, tzinfo=LONDON), third)
    detect_repeat_callers(as_of=datetime(2025, 11, 1, tzinfo=LONDON), full_history=True)
    assert not Referral.objects.exists()


def test_detection_reproduces_the_referral_intake_opened():
    now = datetime.now(UTC)
    for days in (20, 10, 0):
        take_call(received_at=now - timedelta(days=days))
    live = Referral.objects.get()
    expected = (live.dwelling_id, live.triggered_at, trigger_ids(live))
    live.delete()  # as if the intake transaction's referral had been lost
    detect_repeat_callers(as_of=now + timedelta(minutes=1))
    again = Referral.objects.get()
    assert (again.dwelling_id, again.triggered_at, trigger_ids(again)) == expected


def test_calls_with_no_dwelling_are_not_counted():
    stored_calls("Near the bus station, Ely", *days_before(3, 2, 1))
    run = detect_repeat_callers(as_of=AS_OF)
    assert run.dwellings_found == 0
    assert not Referral.objects.exists()


# --- scope, idempotency, referrals already there ------------------------------------------


def test_a_second_nightly_run_changes_nothing():
    stored_calls(HOME, *days_before(20, 10, 1))
    stored_calls(OTHER, *days_before(5, 4, 3))
    first = detect_repeat_callers(as_of=AS_OF)
    before = {(r.pk, r.triggered_at) for r in Referral.objects.all()}
    second = detect_repeat_callers(as_of=AS_OF)
    assert first.referrals_opened == 2
    assert (second.dwellings_found, second.referrals_opened) == (0, 0)
    assert {(r.pk, r.triggered_at) for r in Referral.objects.all()} == before


def test_as_of_ignores_calls_received_after_it():
    stored_calls(HOME, *days_before(20, 10), AS_OF + timedelta(hours=1))
    run = detect_repeat_callers(as_of=AS_OF)
    assert run.calls_scanned == 2
    assert not Referral.objects.exists()


def test_as_of_in_the_past_finds_the_window_completed_then():
    calls = stored_calls(HOME, *days_before(120, 110, 100))
    detect_repeat_callers(as_of=AS_OF - timedelta(days=90))
    assert referral_of(HOME).triggered_at == calls[2].received_at


def test_nightly_looks_back_30_days_and_full_history_everything():
    calls = stored_calls(HOME, *days_before(120, 110, 100))
    nightly = detect_repeat_callers(as_of=AS_OF)
    assert (nightly.full_history, nightly.referrals_opened) == (False, 0)
    full = detect_repeat_callers(as_of=AS_OF, full_history=True)
    assert full.referrals_opened == 1
    assert referral_of(HOME).triggered_at == calls[2].received_at


def test_nightly_sees_a_window_whose_earlier_calls_are_up_to_60_days_back():
    calls = stored_calls(HOME, *days_before(58, 40, 25))
    detect_repeat_callers(as_of=AS_OF)
    assert not Referral.objects.exists()  # 58 -> 25 is more than 30 days
    late = stored_calls(HOME, AS_OF - timedelta(days=12))[0]
    detect_repeat_callers(as_of=AS_OF)
    referral = referral_of(HOME)
    assert referral.triggered_at == late.received_at
    assert trigger_ids(referral) == {calls[1].pk, calls[2].pk, late.pk}


def test_a_dwelling_with_an_open_referral_is_skipped():
    stored_calls(HOME, *days_before(20, 10, 1))
    manual = Referral.objects.create(
        dwelling=dwelling_resolve(address=HOME), source=Referral.Source.MANUAL
    )
    run = detect_repeat_callers(as_of=AS_OF)
    assert run.dwellings_found == 0
    assert list(Referral.objects.all()) == [manual]


def test_after_a_closed_referral_only_calls_since_count():
    old = stored_calls(HOME, *days_before(90, 85, 80))
    Referral.objects.create(
        dwelling=old[0].dwelling,
        source=Referral.Source.AUTOMATIC,
        status=Referral.Status.CLOSED,
        closed_at=AS_OF - timedelta(days=25),
        outcome="Support in place.",
    )
    # Two calls before the closure and two after: no window of three since.
    stored_calls(HOME, *days_before(28, 27, 20, 10))
    detect_repeat_callers(as_of=AS_OF, full_history=True)
    assert Referral.objects.filter(status="new").count() == 0
    third = stored_calls(HOME, AS_OF - timedelta(days=2))[0]
    detect_repeat_callers(as_of=AS_OF)
    referral = Referral.objects.get(status="new")
    assert referral.triggered_at == third.received_at
    assert min(c.received_at for c in referral.trigger_calls.all()) > AS_OF - timedelta(days=25)


# --- runs: recording, failures, locking ----------------------------------------------------


def test_every_run_is_recorded():
    stored_calls(HOME, *days_before(3, 2, 1))
    run = detect_repeat_callers(as_of=AS_OF, trigger="command")
    stored = DetectionRun.objects.get()
    assert stored == run
    assert stored.status == DetectionRun.Status.FINISHED
    assert stored.finished_at >= stored.started_at
    assert (stored.as_of, stored.trigger, stored.full_history) == (AS_OF, "command", False)
    assert (stored.calls_scanned, stored.dwellings_found, stored.referrals_opened) == (3, 1, 1)


def test_a_failed_run_records_its_error_and_raises():
    with (
        mock.patch.object(detection, "find_windows", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        detect_repeat_callers(as_of=AS_OF)
    run = DetectionRun.objects.get()
    assert run.status == DetectionRun.Status.FAILED
    assert "disk full" in run.error
    assert run.finished_at is not None


def test_referrals_open_a_batch_per_transaction_and_a_failed_batch_leaves_the_earlier_ones(
    monkeypatch,
):
    for n in range(5):
        stored_calls(f"{n + 1} Mill Road, Ely CB7 4AB", *days_before(9, 5, n + 1))
    monkeypatch.setattr(detection, "BATCH", 2)
    real_open = detection.referrals_open_automatic
    batches = []

    def third_batch_fails(openings, policy):
        batches.append(len(openings))
        if len(batches) == 3:
            real_open(openings, policy=policy)  # written, then rolled back with its batch
            raise OperationalError("connection lost")
        return real_open(openings, policy=policy)

    monkeypatch.setattr(detection, "referrals_open_automatic", third_batch_fails)
    with pytest.raises(OperationalError):
        detect_repeat_callers(as_of=AS_OF)
    run = DetectionRun.objects.get()
    assert batches == [2, 2, 1]
    assert (run.status, run.referrals_opened) == (DetectionRun.Status.FAILED, 4)
    assert Referral.objects.count() == 4

    monkeypatch.setattr(detection, "referrals_open_automatic", real_open)
    assert detect_repeat_callers(as_of=AS_OF).referrals_opened == 1
    assert Referral.objects.count() == 5


def test_a_run_left_running_over_an_hour_is_marked_failed_by_the_next():
    dead = DetectionRun.objects.create(
        started_at=datetime.now(UTC) - timedelta(hours=2), as_of=AS_OF
    )
    run = detect_repeat_callers(as_of=AS_OF)
    dead.refresh_from_db()
    assert dead.status == DetectionRun.Status.FAILED
    assert "Interrupted" in dead.error
    assert run.status == DetectionRun.Status.FINISHED


def test_on_sqlite_a_recent_run_still_running_makes_the_next_one_skip():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite fallback; PostgreSQL uses an advisory lock")
    DetectionRun.objects.create(started_at=datetime.now(UTC), as_of=AS_OF)
    stored_calls(HOME, *days_before(3, 2, 1))
    run = detect_repeat_callers(as_of=AS_OF)
    assert run.status == DetectionRun.Status.SKIPPED
    assert not Referral.objects.exists()


@pytest.mark.postgres
def test_a_run_while_another_holds_the_lock_is_recorded_as_skipped():
    stored_calls(HOME, *days_before(3, 2, 1))
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [detection.ADVISORY_LOCK_ID])
        run = detect_repeat_callers(as_of=AS_OF)
        with other.cursor() as cursor:
            # Released here, not by closing: the server drops a closed session's locks a
            # moment after the client has gone (a CI run raced it).
            cursor.execute("SELECT pg_advisory_unlock(%s)", [detection.ADVISORY_LOCK_ID])
    finally:
        other.close()
    assert run.status == DetectionRun.Status.SKIPPED
    assert not Referral.objects.exists()
    assert detect_repeat_callers(as_of=AS_OF).referrals_opened == 1


def test_a_run_killed_half_way_and_run_again_ends_with_the_referrals_of_one_clean_run():
    for n in range(6):
        stored_calls(f"{n + 1} Mill Road, Ely CB7 4AB", *days_before(9, 5, n + 1))
    detect_repeat_callers(as_of=AS_OF)
    clean = {
        (r.dwelling_id, r.triggered_at, frozenset(trigger_ids(r))) for r in Referral.objects.all()
    }
    Referral.objects.all().delete()
    DetectionRun.objects.all().delete()
    # The killed run: its record still says running, half its referrals were committed.
    killed = DetectionRun.objects.create(started_at=AS_OF - timedelta(hours=2), as_of=AS_OF)
    windows, _ = detection.find_windows(as_of=AS_OF)
    detection.open_referrals(windows[:3], policy=farmington.policy_current())
    rerun = detect_repeat_callers(as_of=AS_OF)
    again = {
        (r.dwelling_id, r.triggered_at, frozenset(trigger_ids(r))) for r in Referral.objects.all()
    }
    assert len(clean) == 6
    assert again == clean
    assert rerun.referrals_opened == 3
    killed.refresh_from_db()
    assert killed.status == DetectionRun.Status.FAILED


# --- the task and the command --------------------------------------------------------------


def test_the_task_runs_detection_and_records_a_nightly_run():
    stored_calls(HOME, *days_before(3, 2, 1))
    result = detect_task.apply(kwargs={"as_of": AS_OF.isoformat()})
    assert result.successful()
    run = DetectionRun.objects.get()
    assert result.result == {"run": run.pk, "status": "finished", "referrals_opened": 1}
    assert (run.trigger, run.as_of) == ("nightly", AS_OF)


def test_the_task_is_the_one_beat_schedules():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["detect-repeat-callers-nightly"]
    assert entry["task"] == detect_task.name == "referrals.tasks.detect_repeat_callers"
    assert detect_task.acks_late


def test_the_task_retries_a_transient_database_error():
    real = farmington.detect_repeat_callers
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    with mock.patch.object(farmington, "detect_repeat_callers", side_effect=flaky):
        result = detect_task.apply(kwargs={"as_of": AS_OF.isoformat()}, throw=False)
    assert result.successful()
    assert len(calls) == 2


def test_the_command_reports_the_run(capsys):
    stored_calls(HOME, *days_before(3, 2, 1))
    call_command("detect_repeat_callers", "--as-of", AS_OF.isoformat())
    out = capsys.readouterr().out
    assert "3 calls scanned, 1 dwellings found, 1 referrals opened" in out
    assert DetectionRun.objects.get().trigger == "command"


def test_the_command_reads_a_date_without_an_offset_as_london_time():
    call_command("detect_repeat_callers", "--as-of", "2025-06-30T03:00", "--full-history")
    run = DetectionRun.objects.get()
    assert run.as_of == AS_OF  # 03:00 BST
    assert run.full_history


def test_the_command_refuses_a_bad_date_with_one_line():
    with pytest.raises(CommandError) as excinfo:
        call_command("detect_repeat_callers", "--as-of", "last tuesday")
    assert "\n" not in str(excinfo.value)
    assert "ISO-8601" in str(excinfo.value)
    assert not DetectionRun.objects.exists()


def test_the_task_and_the_command_read_as_of_alike():
    detect_task.apply(kwargs={"as_of": "2025-06-30"}, throw=True)
    call_command("detect_repeat_callers", "--as-of", "2025-06-30")
    midnight = datetime(2025, 6, 30, tzinfo=LONDON)
    assert list(DetectionRun.objects.values_list("trigger", "as_of").order_by("id")) == [
        ("nightly", midnight),
        ("command", midnight),
    ]
    with pytest.raises(ValueError, match="as_of must be an ISO-8601 date-time"):
        detect_task.apply(kwargs={"as_of": "last tuesday"}, throw=True)


# --- concurrency on PostgreSQL ---------------------------------------------------------------


def _in_threads(*targets):
    errors = []

    def run(target):
        try:
            target()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_run_while_the_first_is_working_skips_and_the_referrals_are_one_runs():
    stored_calls(HOME, *days_before(20, 10, 1))
    stored_calls(OTHER, *days_before(5, 4, 3))
    scanning, second_done = threading.Event(), threading.Event()
    real_find = detection.find_windows

    def slow_find(**kwargs):
        scanning.set()
        second_done.wait(timeout=20)
        return real_find(**kwargs)

    def first():
        with mock.patch.object(detection, "find_windows", side_effect=slow_find):
            detect_repeat_callers(as_of=AS_OF)

    def second():
        scanning.wait(timeout=20)
        try:
            detect_repeat_callers(as_of=AS_OF)
        finally:
            second_done.set()

    assert _in_threads(first, second) == []
    statuses = sorted(DetectionRun.objects.values_list("status", flat=True))
    assert statuses == ["finished", "skipped"]
    assert Referral.objects.count() == 2
    assert DetectionRun.objects.get(status="finished").referrals_opened == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_started_together_open_the_referrals_of_one():
    for n in range(10):
        stored_calls(f"{n + 1} Mill Road, Ely CB7 4AB", *days_before(9, 5, 1))
    barrier = threading.Barrier(2)

    def run():
        barrier.wait(timeout=20)
        detect_repeat_callers(as_of=AS_OF)

    assert _in_threads(run, run) == []
    assert Referral.objects.count() == 10
    assert Referral.objects.values("dwelling").distinct().count() == 10
    runs = DetectionRun.objects.all()
    assert {r.status for r in runs} <= {"finished", "skipped"}
    assert sum(r.referrals_opened for r in runs) == 10
    assert detect_repeat_callers(as_of=AS_OF).referrals_opened == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_intake_at_a_dwelling_in_an_uncommitted_detection_batch_joins_its_referral(handler):
    """The batch writes the dwelling's referral; a live call there (its 4th in 30 days)
    waits for that row; the batch's commit checks the referral's dwelling key. Had the
    intake locked the dwelling against key checks, each would wait for the other."""
    now = datetime.now(UTC)
    calls = stored_calls(HOME, *days_before(3, 2, 1, end=now))
    written, taken = threading.Event(), []

    def batch():
        with transaction.atomic():
            detection.referrals_open_automatic(
                [(calls[0].dwelling_id, calls, now)], policy=farmington.policy_current()
            )
            written.set()
            with connection.cursor() as cursor:  # until the intake waits on this batch
                for _ in range(500):
                    cursor.execute(  # pg_locks, live (pg_stat_activity is per transaction)
                        "SELECT count(*) FROM pg_locks "
                        "WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
                    )
                    if cursor.fetchone()[0]:
                        break
                    time.sleep(0.02)
                else:
                    raise AssertionError("the intake never waited for the batch")

    def intake():
        assert written.wait(timeout=20)
        taken.append(take_call(address=HOME, handler=handler, received_at=now))

    assert _in_threads(batch, intake) == []
    [referral] = Referral.objects.all()
    assert set(referral.trigger_calls.values_list("id", flat=True)) == {c.pk for c in calls}
    [call] = taken
    assert call.repeat_calls_30d == 4 and Call.objects.filter(pk=call.pk).exists()
