"""The processing log is tamper-evident: a hash chain the database keeps, nightly seals,
and `verify_processing_log`, which names the first row that breaks it. On SQLite and
PostgreSQL alike (tampering is simulated as a database owner would: triggers lifted)."""

import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from core import chain
from core.models import AppendOnlyError, ProcessingLog, ProcessingLogSeal
from core.services import log_rows, log_rows_write, processing_log, processing_log_seal

pytestmark = pytest.mark.django_db


def _log(user, n=5):
    for i in range(n):
        processing_log(
            user=user, operation="consultation", object_type="call", object_id=i, justification="x"
        )


def _verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_processing_log", stdout=out)
    return out.getvalue()


def _broken() -> str:
    with pytest.raises(CommandError) as failure:
        _verify()
    return str(failure.value)


def _as_owner(sql, params=()):
    """Run ``sql`` with the append-only and chain triggers lifted, as only the database
    owner (or someone holding the SQLite file) could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a superuser's switch: no trigger fires
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET LOCAL session_replication_role = origin")
        else:
            for drop in chain.SQLITE_DROP:
                cursor.execute(drop)
            cursor.execute(sql, params)
            for create in chain.SQLITE_TRIGGERS:
                cursor.execute(create)


def _ids():
    return list(ProcessingLog.objects.order_by("seq").values_list("id", flat=True))


def test_every_row_gets_its_place_and_hash_whoever_writes_it(handler):
    _log(handler, 2)
    log_rows_write(log_rows(user=None, events=[("collection", "call", i, "i") for i in range(700)]))
    rows = list(ProcessingLog.objects.order_by("seq").values("seq", "hash", *chain.FIELDS))
    assert [r["seq"] for r in rows] == list(range(1, 703))
    previous = chain.GENESIS
    for row in rows:  # the database's hash is the one Python computes
        assert row["hash"] == chain.chain_hash(previous, row)
        previous = row["hash"]


def test_an_intact_log_verifies_with_exit_zero(handler):
    _log(handler)
    processing_log_seal()
    _log(handler, 2)
    assert "intact: 7 rows" in _verify()


def test_an_empty_log_verifies():
    assert "intact: 0 rows" in _verify()


def test_an_altered_row_is_named(handler):
    _log(handler)
    third = _ids()[2]
    _as_owner(
        "UPDATE core_processinglog SET justification = 'nothing to see' WHERE id = %s", [third]
    )
    assert f"Row id {third} was altered" in _broken()


def test_a_deleted_row_is_named_by_the_row_after_it(handler):
    _log(handler)
    ids = _ids()
    _as_owner("DELETE FROM core_processinglog WHERE id = %s", [ids[1]])
    message = _broken()
    assert "1 row(s) deleted before row id" in message and str(ids[2]) in message


def test_an_inserted_row_is_named(handler):
    _log(handler)
    ids = _ids()
    # A forged row given the third place, the rest moved along, but not rehashed.
    _as_owner("UPDATE core_processinglog SET seq = -(seq + 1) WHERE seq >= 3")
    _as_owner("UPDATE core_processinglog SET seq = -seq WHERE seq < 0")
    _as_owner(
        "INSERT INTO core_processinglog (at, username, role, operation, object_type, "
        "object_id, justification, recipient, request_id, seq, hash) VALUES "
        "(%s, 'x', 'x', 'consultation', 'call', '9', 'forged', '', '', 3, %s)",
        [ProcessingLog.objects.get(pk=ids[0]).at, "f" * 64],
    )
    message = _broken()
    assert "was inserted" in message or "was altered" in message
    forged = ProcessingLog.objects.get(justification="forged").pk
    assert f"Row id {forged}" in message


def test_rows_missing_at_the_end_show_against_the_seal(handler):
    _log(handler)
    processing_log_seal()
    last = _ids()[-1]
    _as_owner("DELETE FROM core_processinglog WHERE id = %s", [last])
    message = _broken()
    assert "Rows missing at the end" in message and str(last) in message


def test_a_seal_of_an_empty_log_verifies_and_still_shows_a_later_deletion(handler):
    assert not ProcessingLog.objects.exists()
    processing_log_seal()
    assert "intact" in _verify()
    _log(handler)
    processing_log_seal()
    _as_owner("DELETE FROM core_processinglog WHERE id = %s", [_ids()[-1]])
    assert "Rows missing at the end" in _broken()


def test_without_a_seal_a_tail_deletion_is_not_seen_so_seals_matter(handler):
    _log(handler)
    _as_owner("DELETE FROM core_processinglog WHERE id = %s", [_ids()[-1]])
    assert "intact: 4 rows" in _verify()


def test_the_seal_records_the_head_and_goes_to_the_application_log(handler, caplog):
    _log(handler, 3)
    with caplog.at_level(logging.INFO, logger="core.audit"):
        seal = processing_log_seal()
    head = ProcessingLog.objects.order_by("-seq").first()
    assert (seal.last_seq, seal.last_id, seal.last_hash, seal.count) == (
        3,
        head.pk,
        head.hash,
        3,
    )
    assert f"last_id={head.pk}" in caplog.text and head.hash in caplog.text


def test_seals_are_append_only():
    seal = processing_log_seal()
    with pytest.raises(AppendOnlyError):
        seal.save()
    with pytest.raises(AppendOnlyError):
        seal.delete()


def test_the_database_refuses_to_change_a_row_on_either_database(handler):
    """UPDATE is refused on both; DELETE on PostgreSQL (on SQLite Django's flush needs it,
    and the chain shows a deletion: test_a_deleted_row_is_named_by_the_row_after_it)."""
    _log(handler, 1)
    statements = ["UPDATE core_processinglog SET justification = 'x'"]
    if connection.vendor == "postgresql":
        statements.append("DELETE FROM core_processinglog")
    for sql in statements:
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert ProcessingLog.objects.count() == 1


def test_the_seal_runs_nightly():
    from config import settings as configured

    entries = {e["task"] for e in configured.CELERY_BEAT_SCHEDULE.values()}
    assert "core.tasks.seal_processing_log" in entries


def test_the_seal_task_seals(handler):
    from core.tasks import seal_processing_log

    _log(handler, 2)
    seal_processing_log.apply()  # in process: CI's broker has no worker
    assert ProcessingLogSeal.objects.get().count == 2


# -- PostgreSQL: the app's role ------------------------------------------------------------

APP_ROLE = "triage_app_rights_test"


@pytest.fixture
def as_app_role(db):
    """The test's transaction switched to a role with exactly the app's rights (granted
    as `migrate` grants them), then back; the role goes with the rollback."""
    from core.dbroles import grant_app_role

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN")
        grant_app_role(APP_ROLE)
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def _refused(sql):
    from django.db import DatabaseError

    with (
        pytest.raises(DatabaseError) as refusal,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    return str(refusal.value)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE core_processinglog",
        "UPDATE core_processinglog SET justification = 'x'",
        "DELETE FROM core_processinglog",
        "ALTER TABLE core_processinglog DISABLE TRIGGER USER",
        "ALTER TABLE core_processinglog DISABLE TRIGGER core_processinglog_chain",
        "DROP TRIGGER core_processinglog_chain ON core_processinglog",
        "TRUNCATE core_processinglogseal",
        "DELETE FROM core_processinglogseal",
        "UPDATE core_processinglogseal SET count = 0",
    ],
)
def test_the_app_role_cannot_change_or_empty_the_log(handler, as_app_role, sql):
    _log(handler, 2)
    message = _refused(sql)
    assert "permission denied" in message or "must be owner" in message
    assert ProcessingLog.objects.count() == 2


@pytest.mark.postgres
def test_the_app_role_writes_and_reads_the_log_and_the_chain_holds(handler, as_app_role):
    _log(handler, 3)
    processing_log_seal()
    assert "intact: 3 rows" in _verify()


@pytest.mark.postgres
def test_the_app_role_keeps_its_ordinary_rights_on_other_tables(handler, as_app_role):
    from referrals.models import Referral

    assert Referral.objects.count() == 0  # SELECT
    handler.first_name = "Jo"
    handler.save()  # UPDATE on an ordinary table


@pytest.mark.postgres
def test_concurrent_writers_keep_one_unbroken_chain(transactional_db, handler):
    """Writers on separate connections queue on the chain's advisory lock."""
    import threading

    from django.db import connections

    def write():
        try:
            for _ in range(20):
                with transaction.atomic():
                    _log(handler, 2)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "intact: 160 rows" in _verify()
