"""What one intake costs the database: a bounded number of queries, none of them repeated."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from callers.models import Dwelling
from referrals.models import Referral
from tests.factories import facts
from tests.referrals.factories import ResponsePlanFactory

URL = "/api/calls/"
ADDRESS = "Flat 2, 10 High Street, Ely CB7 4AA"


def _post(client, address=ADDRESS):
    body = {"channel": "999", "address": address, "facts": facts()}
    return client.post(URL, body, content_type="application/json")


def _statements(ctx) -> list[str]:
    skip = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT")
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(skip)]


def test_an_intake_at_a_known_dwelling_runs_a_fixed_small_set_of_queries(login, handler):
    client = login(handler)
    assert _post(client).status_code == 201
    assert _post(client).status_code == 201  # the session's first touch is behind us
    with CaptureQueriesContext(connection) as ctx:
        response = _post(client, "10 high street flat 2, Ely CB7 4AA")
    assert response.status_code == 201
    assert response.json()["dwelling"]["calls_30d"] == 3
    sql = _statements(ctx)
    # Session; user with roles and device; dwelling found and locked with what the summary
    # needs; the repeat window with the live rule set; the call; the processing log; the
    # dashboard counters (one statement on PostgreSQL, four elsewhere); and the referral the
    # third call opens (last closed, insert, its trigger calls, its processing log).
    budget = 7 + (0 if connection.vendor == "postgresql" else 3) + 4
    assert len(sql) <= budget, "\n".join(sql)
    # The intake's own transaction (a savepoint inside the test's) and no other.
    savepoints = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 1, savepoints
    assert not any(q.startswith('SELECT "auth_group"') for q in sql)  # roles came with the user
    assert not any(q.startswith('SELECT 1 AS "a" FROM "otp_totp_totpdevice"') for q in sql)
    assert sum("django_session" in q for q in sql) == 1  # read; not rewritten every request


def test_the_summary_asks_again_only_for_a_plan_or_referral_that_exists(login, handler):
    client = login(handler)
    _post(client)
    with CaptureQueriesContext(connection) as ctx:
        body = _post(client).json()
    assert body["dwelling"]["open_referral"] is None and body["dwelling"]["response_plan"] is None
    assert not any(q.startswith('SELECT "referrals_referral"') for q in _statements(ctx))
    assert not any(q.startswith('SELECT "callers_responseplan"') for q in _statements(ctx))

    dwelling = Dwelling.objects.get()
    ResponsePlanFactory(dwelling=dwelling, what_to_do="Send the mental-health nurse.")
    body = _post(client).json()  # the third call: opens the referral, shows the plan
    assert body["dwelling"]["response_plan"]["what_to_do"] == "Send the mental-health nurse."
    assert body["dwelling"]["open_referral"]["id"] == Referral.objects.get().pk


def test_a_call_at_a_dwelling_with_an_open_referral_joins_it_without_asking_again(login, handler):
    client = login(handler)
    _post(client)
    _post(client)
    third = _post(client).json()["dwelling"]["open_referral"]
    with CaptureQueriesContext(connection) as ctx:
        fourth = _post(client).json()["dwelling"]
    assert fourth["calls_30d"] == 4
    assert fourth["open_referral"] == third  # same id, status and opening time
    assert not any(q.startswith('SELECT "referrals_referral"') for q in _statements(ctx))
    assert Referral.objects.count() == 1


def test_calls_carry_one_index_led_by_the_dwelling(db):
    """Every insert maintains each index: the covering (dwelling, received_at, id) index
    (with the channel and police attendance on PostgreSQL) serves look-ups by dwelling, so
    the foreign key keeps no index of its own."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "triage_call")
    led_by_dwelling = sorted(
        name
        for name, c in constraints.items()
        if c["index"] and not c["primary_key"] and c["columns"][:1] == ["dwelling_id"]
    )
    assert led_by_dwelling == ["call_dwelling_time_cover"]
    columns = constraints["call_dwelling_time_cover"]["columns"]
    assert columns[:3] == ["dwelling_id", "received_at", "id"]
    fks = [c for c in constraints.values() if c["foreign_key"] == ("callers_dwelling", "id")]
    assert len(fks) == 1  # the foreign key itself stays


def test_a_first_call_from_an_address_neither_reads_back_nor_locks_the_dwelling_it_creates(
    login, handler
):
    client = login(handler)
    _post(client, "1 Mill Lane, Ely CB7 4AA")  # the session's first touch is behind us
    with CaptureQueriesContext(connection) as ctx:
        response = _post(client)
    assert response.status_code == 201
    sql = _statements(ctx)
    [created] = [i for i, q in enumerate(sql) if q.startswith("INSERT") and "callers_dwelling" in q]
    after = [q for q in sql[created + 1 :] if "callers_dwelling" in q]
    assert after == [], "\n".join(after)  # no other transaction can see or lock it yet
    summary = response.json()["dwelling"]
    assert (summary["calls_30d"], summary["open_referral"], summary["response_plan"]) == (
        1,
        None,
        None,
    )
    assert Dwelling.objects.filter(key=summary["key"]).count() == 1
