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
