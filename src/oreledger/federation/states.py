"""A record's state on the wire built by the database: the SQL twin of `records.encode`.

The ticket path writes its outbox rows in one INSERT … SELECT, each state a JSON object the
database builds from the stored row (SQLite `json_object`, PostgreSQL `jsonb_build_object`):
per ticket and waybill, Python would otherwise read ~30 attributes, convert each value and
serialise the result, which cost the batch more than a fifth of its tickets per second.
The statement is generated from the model's travelling fields (`records.travelling_fields`),
so a new column travels without a change here; each value takes exactly the JSON form
`encode` gives it (datetimes ISO 8601 with their UTC offset, UUIDs with dashes, references
as the referenced record's UUID, a configuration row as its natural key, booleans as
booleans, JSON as JSON). A column the database cannot render exactly like that (a decimal
on SQLite, stored as a float; a float; a natural key of several columns; nested rows) makes
the model `None` here, and its records go through `encode` instead
(`test_states_by_sql.py` holds the two equal, field by field, on both databases).
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple, cast

from django.apps import apps
from django.db import connection, models

from oreledger.core.models import FederatedModel
from oreledger.federation.records import NATURAL_KEYS, NESTED, is_federated, travelling_fields

_INTEGERS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}
_TEXTS = {"CharField", "TextField", "SlugField"}
# SQLite's json_object takes at most 127 arguments (SQLITE_MAX_FUNCTION_ARG), PostgreSQL's
# functions 100: wider states are built in parts joined with `||` (PostgreSQL) or not at all.
_PG_PAIRS_PER_CALL = 50
_SQLITE_PAIRS = 63


class StateSql(NamedTuple):
    """The SQL of one model's state: its JSON expression over the row `t`, and the joins it
    reads the references through."""

    json: str
    joins: str


def _uuid_text(column: str, vendor: str) -> str:
    """A stored UUID as `str(uuid)` gives it (SQLite stores 32 hex digits, no dashes)."""
    if vendor == "postgresql":
        return f"{column}::text"
    parts = [f"substr({column}, {start}, {length})" for start, length in _UUID_PIECES]
    return " || '-' || ".join(parts)


_UUID_PIECES = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))


def _value(field: models.Field[Any, Any], column: str, vendor: str) -> str | None:
    """The SQL of one stored value as `_jsonable` renders it; None when no SQL renders it so."""
    kind = field.get_internal_type()
    postgres = vendor == "postgresql"
    if kind in _INTEGERS or kind in _TEXTS:
        return column
    if kind == "BooleanField":
        # SQLite stores 0 and 1: json() makes them true and false inside the object.
        return column if postgres else f"json(CASE {column} WHEN 0 THEN 'false' ELSE 'true' END)"
    if kind == "UUIDField":
        return _uuid_text(column, vendor)
    if kind == "JSONField":
        return column if postgres else f"json({column})"
    if kind == "DateField":
        return f"to_char({column}, 'YYYY-MM-DD')" if postgres else column
    if kind == "DateTimeField":
        if not postgres:
            # Django stores 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC, as str() of the datetime.
            return f"replace({column}, ' ', 'T') || '+00:00'"
        utc = f"({column} AT TIME ZONE 'UTC')"
        # isoformat() writes the microseconds only when there are some.
        fraction = (
            f"CASE WHEN date_trunc('second', {column}) = {column} THEN ''"
            f" ELSE to_char({utc}, '.US') END"
        )
        return f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || {fraction} || '+00:00'"
    if kind == "DecimalField" and postgres:
        # numeric keeps its scale: '12.50', as str() of the Decimal psycopg reads.
        return f"{column}::text"
    return None


def _target(field: models.Field[Any, Any]) -> type[models.Model]:
    return cast("type[models.Model]", field.related_model)


@functools.cache
def state_sql(model: type[models.Model], vendor: str) -> StateSql | None:
    """The JSON expression of the model's state over its row `t`; None when SQL cannot build
    exactly what `encode` gives (those records are encoded in Python)."""
    if model._meta.label_lower in NESTED:
        return None
    quote = connection.ops.quote_name
    pairs: list[str] = []
    joins: list[str] = []
    for i, field in enumerate(travelling_fields(model)):
        column = f"t.{quote(field.column)}"
        if isinstance(field, models.ForeignKey):
            target = _target(field)
            label = target._meta.label_lower
            alias = f"r{i}"
            if is_federated(target) and not issubclass(target, FederatedModel):
                # An immutable record (a ticket): its id is its UUID, no join needed.
                value: str | None = _uuid_text(column, vendor)
            elif is_federated(target):
                on = f"{alias}.{quote(target._meta.pk.column)} = {column}"
                joins.append(f" LEFT JOIN {quote(target._meta.db_table)} AS {alias} ON {on}")
                value = _uuid_text(f"{alias}.{quote('uuid')}", vendor)
            elif label in NATURAL_KEYS and len(NATURAL_KEYS[label]) == 1:
                key = target._meta.get_field(NATURAL_KEYS[label][0])
                if not isinstance(key, models.Field) or isinstance(key, models.ForeignKey):
                    return None
                on = f"{alias}.{quote(target._meta.pk.column)} = {column}"
                joins.append(f" LEFT JOIN {quote(target._meta.db_table)} AS {alias} ON {on}")
                value = _value(key, f"{alias}.{quote(str(key.column))}", vendor)
            else:
                return None
        else:
            value = _value(field, column, vendor)
        if value is None:
            return None
        pairs.append(f"'{field.name}', {value}")
    if vendor == "postgresql":
        calls = [
            f"jsonb_build_object({', '.join(pairs[i : i + _PG_PAIRS_PER_CALL])})"
            for i in range(0, len(pairs), _PG_PAIRS_PER_CALL)
        ]
        return StateSql(" || ".join(calls), "".join(joins))
    if len(pairs) > _SQLITE_PAIRS:
        return None
    return StateSql(f"json_object({', '.join(pairs)})", "".join(joins))


@functools.cache
def outbox_insert(labels: tuple[str, ...], vendor: str) -> str | None:
    """One INSERT … SELECT of the outbox rows of stored records of these models, model after
    model, each numbered from its part's first seq in the order of the ids given; None if a
    model's state needs Python.

    Parameters, per part: its first seq, the time of the change, its ids (SQLite: a JSON
    array; PostgreSQL: an array, twice).
    """
    quote = connection.ops.quote_name
    parts = []
    for label in labels:
        model = cast("type[models.Model]", apps.get_model(label))
        state = state_sql(model, vendor)
        if state is None:
            return None
        pk = model._meta.pk
        table, key = quote(model._meta.db_table), quote(pk.column)
        federated = issubclass(model, FederatedModel)
        uuid = f"t.{quote('uuid')}" if federated else f"t.{key}"
        version = f"t.{quote('version')}" if federated else "1"
        if vendor == "postgresql":
            array = f"%b::{pk.db_type(connection)}[]"
            seq, ids = "%s::bigint + k.n - 1", f"unnest({array}) WITH ORDINALITY AS k(id, n)"
            # The ids once more as "key = ANY": a generic plan finds the rows by their key
            # (without it, a hash join of the whole table to a hundred ids).
            on, where = f"t.{key} = k.id", f" WHERE t.{key} = ANY({array})"
        else:
            seq, ids, on, where = "%s + k.key", "json_each(%s) AS k", f"t.{key} = k.value", ""
        values = f"{seq}, '{label}', {uuid}, {version}, 'upsert', %s, {state.json}"
        source = f"{ids} JOIN {table} AS t ON {on}{state.joins}{where}"
        parts.append(f"SELECT {values} FROM {source}")  # noqa: S608 (the models' own columns)
    columns = "seq, model, uuid, version, op, at, data"
    return f"INSERT INTO federation_outboxchange ({columns}) {' UNION ALL '.join(parts)}"
