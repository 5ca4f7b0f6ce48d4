"""Retention: past their period, calls are anonymised and closed referrals deleted, each
erasure logged without the erased content."""

import io
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from callers.models import Dwelling
from core.models import ProcessingLog
from core.retention import apply_retention
from referrals.models import Referral, ReferralNote
from tests.factories import THRIVE, take_call
from triage.models import Call, Decision

pytestmark = pytest.mark.django_db

ADDRESS = "Flat 9, 77 Retention Row, Ely CB7 4ZZ"
OLD = timedelta(days=2190 + 10)


@pytest.fixture(autouse=True)
def _periods(settings):
    settings.RETENTION_DAYS_CALLS = 2190
    settings.RETENTION_DAYS_CLOSED_REFERRALS = 2190


def _old_call(handler, address=ADDRESS, age=OLD):
    call = take_call(handler=handler, address=address, received_at=timezone.now() - age)
    Call.objects.filter(pk=call.pk).update(narrative="Caller said her son Tom is unwell")
    Decision.objects.create(
        call=call,
        decided_by=handler,
        accepted=True,
        final_agency=call.suggested_agency,
        final_police_attend=call.suggested_police_attend,
        thrive=THRIVE,
        grade=3,
        override_note="Spoke to Tom's GP",
        caller_told_text="Told Mrs Smith NHS 111 will call",
    )
    call.refresh_from_db()
    return call


def _age_dwelling(dwelling, age=OLD):
    Dwelling.objects.filter(pk=dwelling.pk).update(created_at=timezone.now() - age)


def _closed_referral(dwelling, handler, closed_ago):
    referral = Referral.objects.create(
        dwelling=dwelling,
        source=Referral.Source.MANUAL,
        status=Referral.Status.CLOSED,
        referral_reason="Repeated calls about Tom",
        closed_at=timezone.now() - closed_ago,
    )
    ReferralNote.objects.create(referral=referral, author=handler, text="Met Mrs Smith at home")
    return referral


def test_a_call_past_its_period_is_anonymised(handler):
    call = _old_call(handler)
    result = apply_retention()
    call.refresh_from_db()
    assert (call.address, call.narrative, call.facts, call.dwelling) == ("", "", {}, None)
    decision = call.decisions.get()
    assert (decision.override_note, decision.caller_told_text, decision.thrive) == ("", "", {})
    # What is left serves statistics only.
    assert call.concern_type and call.suggested_agency and call.received_at
    assert result.calls_anonymised == 1


def test_a_call_within_its_period_is_untouched(handler):
    call = _old_call(handler, age=timedelta(days=2000))
    apply_retention()
    call.refresh_from_db()
    assert call.address == ADDRESS
    assert call.dwelling is not None


def test_each_erasure_is_logged_by_type_and_id_without_content(handler):
    call = _old_call(handler)
    apply_retention()
    entry = ProcessingLog.objects.get(operation="erasure", object_type="call")
    assert entry.object_id == str(call.pk)
    assert (entry.username, entry.role) == ("system", "system")
    for value in (entry.justification, entry.object_id, entry.recipient):
        for secret in (ADDRESS, "Tom", "Smith", "CB7"):
            assert secret not in value


def test_a_second_run_finds_nothing_to_do(handler):
    _old_call(handler)
    apply_retention()
    logged = ProcessingLog.objects.count()
    result = apply_retention()
    assert (result.calls_anonymised, result.referrals_deleted, result.dwellings_deleted) == (
        0,
        0,
        0,
    )
    assert ProcessingLog.objects.count() == logged


def test_a_dry_run_counts_but_changes_and_logs_nothing(handler):
    call = _old_call(handler)
    _age_dwelling(call.dwelling)
    _closed_referral(call.dwelling, handler, closed_ago=OLD)
    result = apply_retention(dry_run=True)
    assert (result.calls_anonymised, result.referrals_deleted, result.dwellings_deleted) == (
        1,
        1,
        1,
    )
    call.refresh_from_db()
    assert call.address == ADDRESS
    assert Referral.objects.count() == 1
    assert not ProcessingLog.objects.filter(operation="erasure").exists()


def test_a_referral_closed_past_its_period_is_deleted_with_its_notes(handler):
    call = take_call(handler=handler, address=ADDRESS)
    referral = _closed_referral(call.dwelling, handler, closed_ago=OLD)
    note = referral.notes.get()
    result = apply_retention()
    assert not Referral.objects.filter(pk=referral.pk).exists()
    assert not ReferralNote.objects.filter(pk=note.pk).exists()
    assert result.referrals_deleted == 1
    erased = set(
        ProcessingLog.objects.filter(operation="erasure").values_list("object_type", "object_id")
    )
    assert {("referral", str(referral.pk)), ("referralnote", str(note.pk))} <= erased


def test_everything_hanging_off_a_deleted_referral_goes_with_it(handler):
    """Whatever models the referrals app adds (notes, actions, reviews, events...)."""
    call = take_call(handler=handler, address=ADDRESS)
    referral = _closed_referral(call.dwelling, handler, closed_ago=OLD)
    apply_retention()
    for relation in Referral._meta.related_objects:
        if relation.one_to_many or relation.one_to_one:
            remaining = relation.related_model.objects.filter(**{relation.field.name: referral.pk})
            assert not remaining.exists(), relation.related_model


def test_open_and_recently_closed_referrals_are_kept(handler):
    first = take_call(handler=handler, address=ADDRESS)
    recent = _closed_referral(first.dwelling, handler, closed_ago=timedelta(days=30))
    other = take_call(handler=handler, address="3 Other Road, Ely CB7 4AC")
    open_referral = Referral.objects.create(
        dwelling=other.dwelling, source=Referral.Source.MANUAL, status=Referral.Status.NEW
    )
    apply_retention()
    assert Referral.objects.filter(pk__in=[recent.pk, open_referral.pk]).count() == 2


def test_a_dwelling_left_with_nothing_is_deleted(handler):
    call = _old_call(handler)
    dwelling = call.dwelling
    _age_dwelling(dwelling)
    result = apply_retention()
    assert not Dwelling.objects.filter(pk=dwelling.pk).exists()
    assert result.dwellings_deleted == 1
    assert ProcessingLog.objects.filter(
        operation="erasure", object_type="dwelling", object_id=str(dwelling.pk)
    ).exists()


def test_a_dwelling_created_lately_for_old_calls_goes_with_them(handler):
    """An import, or a back-dated call, creates the dwelling today for calls years old:
    when those calls are anonymised the address goes too (after a day's grace)."""
    dwelling = _old_call(handler).dwelling
    _age_dwelling(dwelling, age=timedelta(days=2))
    assert apply_retention().dwellings_deleted == 1
    assert not Dwelling.objects.filter(pk=dwelling.pk).exists()


def test_a_dwelling_created_in_the_last_day_is_left_for_its_first_call(handler):
    dwelling = _old_call(handler).dwelling  # created just now
    assert apply_retention().dwellings_deleted == 0
    assert Dwelling.objects.filter(pk=dwelling.pk).exists()


def test_a_dwelling_with_a_recent_call_is_kept(handler):
    old = _old_call(handler)
    dwelling = old.dwelling
    take_call(handler=handler, address=ADDRESS)
    _age_dwelling(dwelling)
    apply_retention()
    assert Dwelling.objects.filter(pk=dwelling.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_dwelling_an_intake_is_calling_from_is_kept_and_the_run_goes_on(handler):
    """Retention finds the dwelling orphaned while an intake, holding the dwelling's lock,
    is adding a call to it: the dwelling is skipped, not the run failed."""
    import threading

    from django.db import connections, transaction

    dwelling = _old_call(handler).dwelling
    apply_retention()  # the old call anonymised; the dwelling, just created, left for a day
    _age_dwelling(dwelling)
    locked, release, outcome = threading.Event(), threading.Event(), {}

    def intake():
        try:
            with transaction.atomic():
                Dwelling.objects.select_for_update().get(pk=dwelling.pk)
                outcome["call"] = take_call(handler=handler, address=ADDRESS)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    def retention():
        try:
            outcome["result"] = apply_retention()
        except Exception as exc:  # noqa: BLE001 - the failure this test is about
            outcome["error"] = repr(exc)
        finally:
            connections.close_all()

    calling = threading.Thread(target=intake)
    calling.start()
    assert locked.wait(30)
    applying = threading.Thread(target=retention)
    applying.start()
    applying.join(1)  # retention is now waiting for the dwelling's lock
    release.set()
    calling.join(30)
    applying.join(60)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["call"].dwelling_id == dwelling.pk
    assert (outcome["result"].dwellings_deleted, outcome["result"].skipped) == (0, 1)
    assert Call.objects.filter(pk=outcome["call"].pk, dwelling=dwelling).exists()


def test_the_command_prints_counts_and_dry_runs(handler):
    call = _old_call(handler)
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "calls anonymised (would): 1" in out.getvalue()
    call.refresh_from_db()
    assert call.address == ADDRESS
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "calls anonymised (did): 1" in out.getvalue()
    call.refresh_from_db()
    assert call.address == ""


def test_the_nightly_task_applies_retention(handler):
    from core.tasks import apply_retention as task

    call = _old_call(handler)
    task.apply()
    call.refresh_from_db()
    assert call.address == ""


def test_the_nightly_task_is_in_the_beat_schedule():
    tasks = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "core.tasks.apply_retention" in tasks


def test_the_task_logs_counts_not_content(handler, caplog):
    import logging

    from core.tasks import apply_retention as task

    _old_call(handler)
    with caplog.at_level(logging.DEBUG):
        task.apply()
    assert "calls anonymised" in caplog.text
    assert "Retention Row" not in caplog.text


def test_anonymised_calls_leave_the_dashboard_counts_of_their_dwelling(handler):
    from dashboards.models import DailyCallStat, DwellingDailyStat

    call = _old_call(handler)
    assert DwellingDailyStat.objects.filter(dwelling_id=call.dwelling_id).exists()
    apply_retention()
    assert not DwellingDailyStat.objects.filter(dwelling_id=call.dwelling_id).exists()
    assert DailyCallStat.objects.filter(day=timezone.localdate(call.received_at)).exists()
