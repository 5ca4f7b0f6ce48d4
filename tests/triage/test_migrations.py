"""triage's hand-written migrations (issue 6): the decided calls' index is built
CONCURRENTLY, so that deploying it does not stop intake."""

import importlib

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

migration = importlib.import_module("triage.migrations.0004_call_decided_time")


def index_valid():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)",
            [migration.INDEX],
        )
        return [row[0] for row in cursor.fetchall()]


def test_a_concurrent_build_that_failed_part_way_is_rebuilt_not_kept():
    """CREATE INDEX CONCURRENTLY leaves an INVALID index when it fails; IF NOT EXISTS alone
    would keep it, and the overrides list would walk every undecided call again."""
    assert index_valid() == [True]
    with connection.cursor() as cursor:  # what a failed build leaves (needs a superuser)
        cursor.execute(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = to_regclass(%s)",
            [migration.INDEX],
        )
    try:
        assert index_valid() == [False]
        with connection.schema_editor(atomic=False) as editor:
            migration.create_index(None, editor)
        assert index_valid() == [True]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'REINDEX INDEX "{migration.INDEX}"')  # valid again whatever happened


def test_the_migration_is_undone_and_redone_without_a_transaction():
    with connection.schema_editor(atomic=False) as editor:
        migration.drop_index(None, editor)
        assert index_valid() == []
        migration.create_index(None, editor)
    assert index_valid() == [True]


# --- 0006: the calls' dwelling index covers the channel and police attendance (issue 24) ---

cover = importlib.import_module("triage.migrations.0006_call_dwelling_time_cover")


def valid(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name])
        return [row[0] for row in cursor.fetchall()]


def definition(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef(to_regclass(%s))", [name])
        return cursor.fetchone()[0]


def test_the_dwelling_index_carries_the_channel_and_police_attendance_and_replaces_the_old():
    assert valid(cover.INDEX) == [True]
    assert valid(cover.OLD) == []
    assert definition(cover.INDEX).endswith(
        "(dwelling_id, received_at, id) INCLUDE (channel, final_police_attend)"
    )


def test_a_failed_concurrent_build_of_the_covering_index_is_rebuilt_not_kept():
    with connection.cursor() as cursor:  # what a failed build leaves (needs a superuser)
        cursor.execute(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = to_regclass(%s)",
            [cover.INDEX],
        )
    try:
        assert valid(cover.INDEX) == [False]
        with connection.schema_editor(atomic=False) as editor:
            cover.create_index(None, editor)
        assert valid(cover.INDEX) == [True]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'REINDEX INDEX "{cover.INDEX}"')


def test_the_covering_index_is_undone_to_the_old_one_and_redone_without_a_transaction():
    with connection.schema_editor(atomic=False) as editor:
        cover.drop_index(None, editor)
        assert (valid(cover.INDEX), valid(cover.OLD)) == ([], [True])
        assert definition(cover.OLD).endswith("(dwelling_id, received_at, id)")
        cover.create_index(None, editor)
    assert (valid(cover.INDEX), valid(cover.OLD)) == ([True], [])
