"""PostgreSQL binds the parameters and psycopg prepares the hot statements (issue 6). A
running server keeps its prepared statements while a deploy migrates the tables under it
(the hand-written queries select ``d.*`` and ``u.*``): they must go on working."""

import pytest
from django.db import connection

from tests.factories import facts

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _intake(client, n):
    body = {"channel": "999", "address": f"Flat 2, {n} High Street, Ely CB7 4AA", "facts": facts()}
    return client.post("/api/calls/", body, content_type="application/json")


def _prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_the_intake_queries_are_prepared_once_they_repeat(login, handler):
    assert connection.settings_dict["OPTIONS"] == {
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
    client = login(handler)
    for n in range(6):  # psycopg prepares a statement on its fifth run in a connection
        assert _intake(client, n % 2).status_code == 201
    prepared = _prepared()
    assert any('FROM "auth_user"' in sql for sql in prepared)  # the user load
    assert any('FROM "callers_dwelling"' in sql and "FOR NO KEY UPDATE" in sql for sql in prepared)


def test_a_column_added_under_prepared_statements_does_not_break_intake(login, handler):
    client = login(handler)
    for n in range(6):
        assert _intake(client, n % 2).status_code == 201
    with connection.cursor() as cursor:  # what a deploy's migration might do; rolled back
        # A migration runs in its own transaction: the deferred foreign-key checks of the
        # intakes above (Dwelling.merged_into points at its own table) are settled first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute('ALTER TABLE "auth_user" ADD COLUMN "added_later" integer')
        cursor.execute('ALTER TABLE "callers_dwelling" ADD COLUMN "added_later" integer')
    response = _intake(client, 1)
    assert response.status_code == 201, response.content
    assert response.json()["dwelling"]["calls_30d"] == 4
