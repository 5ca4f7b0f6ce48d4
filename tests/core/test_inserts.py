"""core.inserts.insert writes the rows the ORM would write, and marks them saved;
insert_new skips the rows a unique constraint refuses."""

import uuid
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from core.inserts import insert, insert_new, insert_rows
from core.models import ProcessingLog
from referrals.models import Referral
from tests.factories import take_call
from tests.referrals.factories import DwellingFactory, ReferralFactory
from triage.models import Call

pytestmark = pytest.mark.django_db


def _stored(obj):
    fresh = type(obj).objects.get(pk=obj.pk)
    return {f.attname: getattr(fresh, f.attname) for f in obj._meta.concrete_fields}


def test_a_call_reads_back_as_the_orm_would_have_written_it(handler):
    template = take_call(handler=handler, received_at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
    values = model_to_dict(template, exclude=["id"])
    values |= {"handler_id": handler.pk, "dwelling_id": template.dwelling_id}
    values |= {"ruleset_id": template.ruleset_id, "client_token": uuid.uuid4()}
    for name in ("handler", "dwelling", "ruleset"):
        values.pop(name)
    by_orm = Call.objects.create(**values)
    values["client_token"] = uuid.uuid4()
    [by_insert] = insert([Call(**values)])

    assert by_insert.pk == by_orm.pk + 1
    assert not by_insert._state.adding and by_insert._state.db == "default"
    orm_row, insert_row = _stored(by_orm), _stored(by_insert)
    for different in ("id", "client_token", "created_at"):
        orm_row.pop(different), insert_row.pop(different)
    assert insert_row == orm_row
    assert Call.objects.get(pk=by_insert.pk).facts == template.facts  # JSON, not text


def test_several_rows_in_one_statement_with_auto_now_add(handler, django_assert_num_queries):
    entries = [
        ProcessingLog(user=handler, username="h", role="r", operation=op, object_type="call")
        for op in ("collection", "combination")
    ]
    with django_assert_num_queries(1):
        insert(entries)
    assert [e.pk for e in entries] == sorted(e.pk for e in entries)
    for entry in entries:
        stored = ProcessingLog.objects.get(pk=entry.pk)
        assert stored.at is not None and stored.at == entry.at  # auto_now_add set and kept
        assert (stored.operation, stored.user_id) == (entry.operation, handler.pk)


def test_a_unique_clash_raises_djangos_integrity_error(handler):
    call = take_call(handler=handler)
    call.client_token = uuid.uuid4()
    call.save()
    clash = Call(**{f.attname: getattr(call, f.attname) for f in Call._meta.concrete_fields})
    clash.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        insert([clash])
    assert Call.objects.count() == 1


def test_nothing_to_insert_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert([]) == []


def test_insert_new_skips_the_rows_a_unique_constraint_refuses_and_returns_the_rest():
    first, second, third = (DwellingFactory() for _ in range(3))
    held = ReferralFactory(dwelling=second)  # the one open referral second may have
    now = timezone.now()
    fresh = [
        Referral(dwelling=d, source="automatic", triggered_at=now, review_due=day)
        for d, day in ((first, now.date()), (second, now.date()), (third, None))
    ]
    written = insert_new(fresh, key="dwelling")

    assert [r.dwelling_id for r in written] == [first.pk, third.pk]
    assert all(r.pk and not r._state.adding for r in written)
    assert fresh[1].pk is None and fresh[1]._state.adding  # refused: left unsaved
    assert Referral.objects.get(dwelling=second).pk == held.pk
    for referral in written:
        assert Referral.objects.get(pk=referral.pk).dwelling_id == referral.dwelling_id


def test_insert_new_refuses_rows_it_could_not_tell_apart():
    dwelling = DwellingFactory()
    twins = [Referral(dwelling=dwelling, source="automatic") for _ in range(2)]
    with pytest.raises(ValueError, match="share the dwelling"):
        insert_new(twins, key="dwelling")
    assert not Referral.objects.exists()


def test_insert_rows_refuses_a_row_that_leaves_out_a_field(django_assert_num_queries):
    row = {"at": timezone.now(), "user_id": None, "username": "system", "role": "system"}
    with django_assert_num_queries(0), pytest.raises(KeyError, match="operation"):
        insert_rows(ProcessingLog, [row])


def test_insert_rows_writes_rows_as_given(django_assert_num_queries):
    at = datetime(2026, 3, 29, 0, 59, 59, 250000, tzinfo=UTC)
    row = {
        "at": at,
        "user_id": None,
        "username": "system",
        "role": "system",
        "operation": "erasure",
        "object_type": "call",
        "object_id": "12",
        "justification": "",
        "recipient": "",
        "request_id": "r1",
        "seq": None,  # set by the database (core/chain.py)
        "hash": "",
    }
    with django_assert_num_queries(1):
        insert_rows(ProcessingLog, [row, {**row, "object_id": "13"}])
    written = ProcessingLog.objects.filter(request_id="r1", at=at).order_by("id")
    assert [(entry.object_id, entry.at) for entry in written] == [("12", at), ("13", at)]
