"""core.rows: instances from written-out queries equal what the ORM reads."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection

from core.rows import instance_from_row, model_columns
from tests.factories import take_call
from triage.models import Call

pytestmark = pytest.mark.django_db


def _read(model, pk, extra=""):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {model_columns(model, 't')}{extra} FROM {table} t WHERE t.id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.parametrize("model", [User, Call])
def test_an_instance_from_a_row_equals_the_orms(handler, model):
    handler.last_login = datetime(2026, 7, 1, 8, 15, 30, 250000, tzinfo=UTC)
    handler.save()
    call = take_call(handler=handler, received_at=datetime(2026, 3, 29, 0, 59, tzinfo=UTC))
    pk = handler.pk if model is User else call.pk
    built = instance_from_row(model, _read(model, pk, extra=", 7"))
    assert _fields(built) == _fields(model.objects.get(pk=pk))  # dates aware, JSON decoded
    assert not built._state.adding and built._state.db == "default"


def test_the_values_after_the_models_are_left_to_the_caller(handler):
    row = _read(User, handler.pk, extra=", 'extra'")
    assert row[-1] == "extra"
    assert instance_from_row(User, row).username == handler.username


def test_a_single_columns_value_is_converted_as_the_orm_converts_it(handler):
    from core.rows import field_value

    call = take_call(handler=handler, received_at=datetime(2026, 3, 29, 0, 59, tzinfo=UTC))
    row = _read(Call, call.pk)
    index = [f.attname for f in Call._meta.concrete_fields].index("received_at")
    value = field_value(Call._meta.get_field("received_at"), row[index])
    assert value == datetime(2026, 3, 29, 0, 59, tzinfo=UTC) and value.utcoffset() is not None
