"""Model instances from the few hot queries written out by hand.

``Model.objects.raw()`` maps the columns a query returns to the model's fields again at
every query; on the per-request user load and the intake's dwelling lock that mapping
cost more than running the query. A query selects ``model_columns(...)`` first, extra
values after, and ``instance_from_row`` builds the instance from the row's first values.
"""

import functools

from django.db import connection


def model_columns(model, alias: str) -> str:
    """The model's concrete columns, qualified by ``alias``, in its fields' order."""
    qn = connection.ops.quote_name
    return ", ".join(f"{alias}.{qn(field.column)}" for field in model._meta.concrete_fields)


def instance_from_row(model, row):
    """The instance whose fields are ``row``'s first values (selected by
    ``model_columns``), converted as the ORM converts them (SQLite's text dates and
    booleans, JSON): what ``raw()`` would give. The values after them are the caller's."""
    count, converters = _converters(model)
    values = list(row[:count])
    for index, field in converters:
        values[index] = field_value(field, values[index])
    return model.from_db(connection.alias, None, values)


def field_value(field, value):
    """``value`` as read from ``field``'s column by a written-out query, converted as the
    ORM converts it (on SQLite a date comes back as naive text, for one)."""
    column, functions = _field_converters(field)
    for function in functions:
        value = function(value, column, connection)
    return value


@functools.cache
def _field_converters(field) -> tuple:
    column = field.get_col(field.model._meta.db_table)
    return column, connection.ops.get_db_converters(column) + field.get_db_converters(connection)


@functools.cache
def _converters(model) -> tuple[int, list]:
    """The number of concrete fields, and (index, field) for those that convert."""
    fields = model._meta.concrete_fields
    converting = [(i, field) for i, field in enumerate(fields) if _field_converters(field)[1]]
    return len(fields), converting
