"""New rows written on the intake's hot path without the ORM's per-query SQL compiler."""

import datetime
import functools

from django.db import connection


def insert(objs: list) -> list:
    """INSERT new instances of one model in one statement and set their primary keys, as
    ``bulk_create`` would. Each field prepares its value as the ORM prepares it (defaults,
    ``auto_now_add``, JSON, UUIDs); only the SQL is built once per model and row count
    instead of at every call, which cost the intake more than the statement itself. No
    signals are sent: use it only for models that have none."""
    if not objs:
        return objs
    sql, fields = _insert_sql(type(objs[0]), len(objs))
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(objs, fields))
        pks = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objs, pks, strict=True):
        _saved(obj, pk)
    return objs


def insert_rows(model, rows: list[dict]) -> None:
    """INSERT rows of ``model`` given as {attname: value}, without building instances, for
    the processing log's entries on every request. Every concrete field but the primary key
    is given, as a value the driver takes as it is (text, a number, None) or an aware
    datetime (adapted as the ORM adapts it). No defaults, no validation, no signals."""
    if not rows:
        return
    sql, fields = _insert_sql(model, len(rows))
    adapt = connection.ops.adapt_datetimefield_value
    params = []
    for row in rows:
        for field in fields:
            value = row[field.attname]
            params.append(adapt(value) if isinstance(value, datetime.datetime) else value)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_new(objs: list, *, key: str) -> list:
    """``insert`` for rows that a unique constraint may refuse: those are skipped
    (``ON CONFLICT DO NOTHING``, on PostgreSQL and SQLite alike) and the objects written
    are returned with their primary keys, told apart by ``key``: an integer or text field
    whose value no two of ``objs`` share (compared as the database hands it back)."""
    if not objs:
        return []
    sql, fields = _insert_sql(type(objs[0]), len(objs), key)
    attname = type(objs[0])._meta.get_field(key).attname
    by_key = {getattr(obj, attname): obj for obj in objs}
    if len(by_key) != len(objs):
        raise ValueError(f"insert_new: two rows share the {key} they are told apart by")
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(objs, fields))
        written = [_saved(by_key[value], pk) for pk, value in cursor.fetchall()]
    return written


def _params(objs: list, fields: list) -> list:
    return [
        field.get_db_prep_save(field.pre_save(obj, True), connection)
        for obj in objs
        for field in fields
    ]


def _saved(obj, pk):
    obj.pk = pk
    obj._state.adding, obj._state.db = False, connection.alias
    return obj


@functools.cache
def _insert_sql(model, rows: int, key: str | None = None) -> tuple[str, list]:
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(field.column) for field in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * rows)
    table, returning = qn(meta.db_table), qn(meta.pk.column)
    conflicts = ""
    if key is not None:
        conflicts = " ON CONFLICT DO NOTHING"
        returning += ", " + qn(meta.get_field(key).column)
    sql = f"INSERT INTO {table} ({columns}) VALUES {values}{conflicts} RETURNING {returning}"  # noqa: S608
    return sql, fields
