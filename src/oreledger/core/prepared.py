"""The few statements every weighed truck runs, prepared once per connection on PostgreSQL.

Django binds parameters client-side, so PostgreSQL parses and plans each of its statements
on every execution; for the statements of the weighing path that planning cost about as
much as the execution, and the ORM's compiling of them as much again. These statements are
written once, in plain SQL, and run through Django's connection (its transaction, its error
wrapping): on PostgreSQL as server-side prepared statements, elsewhere through Django's
cursor. `OL_DB_PREPARE=false` (config.env) turns preparing off behind a pooler.

A set of values is one array parameter on PostgreSQL (`any_of`), so a statement over 3 or
30 rows is the same prepared statement; many rows of one statement go in one round trip
(`run_many`, psycopg's pipeline); rows are read back into model instances with `load`.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

M = TypeVar("M", bound=Model)


class Ran(NamedTuple):
    """What a statement returned, and how many rows it touched."""

    rows: list[tuple[Any, ...]]
    rowcount: int


def run(sql: str, params: Sequence[Any] | Mapping[str, Any], using: str = DEFAULT_DB_ALIAS) -> Ran:
    """Run one statement in the current transaction (prepared on PostgreSQL)."""
    db = connections[using]
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall() if cursor.description else []
            return Ran(rows, cursor.rowcount)
    db.ensure_connection()
    with _logged(db, sql, params), db.wrap_database_errors, psycopg.Cursor(db.connection) as pg:
        pg.execute(sql, params, prepare=True)
        return Ran(pg.fetchall() if pg.description else [], pg.rowcount)


def run_many(
    sql: str,
    rows: Sequence[Sequence[Any]],
    *,
    returning: bool = False,
    using: str = DEFAULT_DB_ALIAS,
) -> list[tuple[Any, ...]]:
    """Run one statement once per row of parameters; what each RETURNING gave, in order.

    On PostgreSQL the executions go in one round trip (psycopg's pipeline) as one prepared
    statement; elsewhere one execution after another through Django's cursor.
    """
    if not rows:
        return []
    db = connections[using]
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            if not returning:
                cursor.executemany(sql, rows)
                return []
            out: list[tuple[Any, ...]] = []
            for row in rows:
                cursor.execute(sql, row)
                out.extend(cursor.fetchall())
            return out
    db.ensure_connection()
    raw = db.connection
    threshold = raw.prepare_threshold
    # executemany takes no prepare=True: a threshold of 0 asks the same of it, unless
    # preparing is off (None, OL_DB_PREPARE=false), which it leaves off.
    if threshold is not None:
        raw.prepare_threshold = 0
    try:
        with _logged(db, sql, rows), db.wrap_database_errors, psycopg.Cursor(raw) as pg:
            pg.executemany(sql, rows, returning=returning)
            out = []
            while returning:
                out.extend(pg.fetchall())
                if not pg.nextset():
                    break
            return out
    finally:
        raw.prepare_threshold = threshold


def any_of(
    column: str, values: Collection[Any], using: str = DEFAULT_DB_ALIAS
) -> tuple[str, list[Any]]:
    """SQL and parameters for "`column` is one of `values`" (false for no values)."""
    if connections[using].vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def for_update(using: str = DEFAULT_DB_ALIAS) -> str:
    """The row-lock clause, where the database has one (SQLite serialises writers instead).

    On PostgreSQL FOR NO KEY UPDATE: the rows locked are updated without touching their keys,
    and the lock leaves alone the KEY SHARE locks that other transactions' deferred foreign-key
    checks take at COMMIT (a held ticket referencing a contract another round holds must not
    wait for that round, which may itself wait for the ticket's alert rows: a deadlock).
    """
    db = connections[using]
    if db.vendor == "postgresql":
        return " FOR NO KEY UPDATE"
    return " FOR UPDATE" if db.features.has_select_for_update else ""


def columns(model: type[Model], names: Sequence[str]) -> str:
    """The quoted columns of the named fields, for a SELECT that `load` reads back.

    In the model's field order, whatever the order of `names`.
    """
    ops = connections[DEFAULT_DB_ALIAS].ops
    return ", ".join(ops.quote_name(f.column) for f in _fields(model, tuple(names)))


def load(
    model: type[M], names: Sequence[str], rows: list[tuple[Any, ...]], using: str = DEFAULT_DB_ALIAS
) -> list[M]:
    """Model instances of rows selected with `columns(model, names)` (other fields deferred)."""
    db = connections[using]
    fields = _fields(model, tuple(names))
    converters = _converters(model, tuple(names), db.alias)
    attnames = [f.attname for f in fields]
    out = []
    for row in rows:
        if converters:
            values = list(row)
            for i, col, functions in converters:
                for convert in functions:
                    # The column, as the ORM's compiler passes it: SQLite's decimal converter
                    # reads the expression's output field (an alert's coordinates).
                    values[i] = convert(values[i], col, db)
            row = tuple(values)
        out.append(model.from_db(using, attnames, row))
    return out


def every_field(model: type[Model]) -> list[str]:
    """The names of the model's concrete fields, in the model's order."""
    return [f.name for f in model._meta.concrete_fields]


def insert(objs: Sequence[Model], using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert new rows of one model, as `bulk_create` would; an auto id is set on each object.

    No signals, no save(): for the append-only rows of the weighing path. On PostgreSQL one
    prepared statement, executed once; elsewhere `bulk_create`.
    """
    if not objs:
        return
    db = connections[using]
    model = type(objs[0])
    sql, fields, auto = _insert_statement(model, db.vendor)
    if auto is not None and any(getattr(obj, auto.attname) is not None for obj in objs):
        raise ValueError("insert() takes new objects only: their ids come from the database")
    if db.vendor != "postgresql":
        model._default_manager.using(using).bulk_create(objs)
        return
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields] for obj in objs]
    if len(rows) == 1:
        returned = run(sql, rows[0], using).rows
    else:
        # One array per column: one prepared statement and one execution for any number of
        # rows (a pipeline of single-row INSERTs costs the server an execution per row).
        arrays = [list(column) for column in zip(*rows, strict=True)]
        returned = run(_insert_many_statement(model), arrays, using).rows
    if auto is not None:
        # In the order given, as Django's bulk_create takes them from PostgreSQL too.
        for obj, (pk,) in zip(objs, returned, strict=True):
            setattr(obj, auto.attname, pk)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using


def insert_untaken(objs: Sequence[M], unique: str, using: str = DEFAULT_DB_ALIAS) -> list[M]:
    """Insert new rows except those whose `unique` field another transaction has just taken.

    The rows must carry their primary key (a UUID). On PostgreSQL one statement: a row whose
    value a concurrent transaction inserted waits for it, and is skipped if that commits
    (ON CONFLICT DO NOTHING); returns the rows inserted. Elsewhere (SQLite) writers are
    serialised, so nothing can be taken meanwhile: every row is inserted.
    """
    if not objs:
        return []
    db = connections[using]
    model = type(objs[0])
    if model._meta.auto_field is not None:
        raise ValueError("insert_untaken() takes rows whose primary key is set by the caller")
    if db.vendor != "postgresql":
        model._default_manager.using(using).bulk_create(objs)
        return list(objs)
    _sql, fields, _auto = _insert_statement(model, db.vendor)
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields] for obj in objs]
    arrays = [list(column) for column in zip(*rows, strict=True)]
    taken = {pk for (pk,) in run(_insert_untaken_statement(model, unique), arrays, using).rows}
    inserted = [obj for obj in objs if obj.pk in taken]
    for obj in inserted:
        obj._state.adding = False
        obj._state.db = using
    return inserted


@functools.cache
def _insert_untaken_statement(model: type[Model], unique: str) -> str:
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    head = _insert_many_statement(model)
    (field,) = _fields(model, (unique,))
    column = quote(field.column)
    return f"{head} ON CONFLICT ({column}) DO NOTHING RETURNING {quote(model._meta.pk.column)}"


def update(objs: Sequence[Model], names: Sequence[str], using: str = DEFAULT_DB_ALIAS) -> None:
    """Write the named fields of rows held (and locked) in memory, each row by its id.

    On PostgreSQL one prepared statement, executed once for all the rows (an UPDATE from
    arrays); elsewhere one execution per row. Each object's id must appear once.
    """
    if not objs:
        return
    db = connections[using]
    model = type(objs[0])
    fields, key = _fields(model, tuple(names)), model._meta.pk
    rows = [
        [
            *(f.get_db_prep_save(getattr(obj, f.attname), db) for f in fields),
            key.get_db_prep_value(obj.pk, db),
        ]
        for obj in objs
    ]
    if db.vendor != "postgresql":
        run_many(_update_statement(model, tuple(names)), rows, using=using)
        return
    arrays = [list(column) for column in zip(*rows, strict=True)]
    run(_update_many_statement(model, tuple(names)), [*arrays, arrays[-1]], using)


@functools.cache
def _update_statement(model: type[Model], names: tuple[str, ...]) -> str:
    ops = connections[DEFAULT_DB_ALIAS].ops
    fields = _fields(model, names)
    sets = ", ".join(f"{ops.quote_name(f.column)} = %s" for f in fields)
    table, pk = ops.quote_name(model._meta.db_table), ops.quote_name(model._meta.pk.column)
    return f"UPDATE {table} SET {sets} WHERE {pk} = %s"  # noqa: S608 (the model's own)


@functools.cache
def _update_many_statement(model: type[Model], names: tuple[str, ...]) -> str:
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    fields, pk = _fields(model, names), model._meta.pk
    sets = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
    arrays = ", ".join(f"%b::{f.db_type(db)}[]" for f in [*fields, pk])
    aliases = ", ".join(quote(f.column) for f in fields)
    table, key = quote(model._meta.db_table), quote(pk.column)
    # The ids once more as "key = ANY": the rows are found by their primary key whatever the
    # planner guesses of the unnest (else it may join a whole table scan to sixteen rows).
    return (
        f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v({aliases}, held_id)"  # noqa: S608
        f" WHERE {table}.{key} = ANY(%b::{pk.db_type(db)}[]) AND {table}.{key} = v.held_id"
    )


@contextlib.contextmanager
def _logged(db: Any, sql: str, params: Any) -> Iterator[None]:
    # As Django's debug cursor logs: CaptureQueriesContext and the debug toolbar see these too.
    if not db.queries_logged:
        yield
        return
    started = time.monotonic()
    try:
        yield
    finally:
        took = time.monotonic() - started
        db.queries_log.append({"sql": f"{sql} -- {params!r}"[:2000], "time": f"{took:.3f}"})


@functools.cache
def _insert_statement(model: type[Model], vendor: str) -> tuple[str, list[Any], Any]:
    meta = model._meta
    auto = meta.auto_field
    fields = [f for f in meta.concrete_fields if f is not auto]
    ops = connections[DEFAULT_DB_ALIAS].ops
    names = ", ".join(ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    returning = f" RETURNING {ops.quote_name(auto.column)}" if auto is not None else ""
    sql = f"INSERT INTO {ops.quote_name(meta.db_table)} ({names}) VALUES ({marks}){returning}"  # noqa: S608 (the model's own columns)
    return sql, fields, auto


@functools.cache
def _converters(model: type[Model], names: tuple[str, ...], using: str) -> list[Any]:
    # As the ORM's compiler converts what it selects: the backend's, then the field's own.
    db = connections[using]
    found = []
    for i, field in enumerate(_fields(model, names)):
        col = field.get_col(model._meta.db_table)
        functions = [*db.ops.get_db_converters(col), *col.get_db_converters(db)]
        if functions:
            found.append((i, col, functions))
    return found


@functools.cache
def _insert_many_statement(model: type[Model]) -> str:
    db = connections[DEFAULT_DB_ALIAS]
    single, fields, auto = _insert_statement(model, db.vendor)
    head = single[: single.index(" VALUES ")]
    arrays = ", ".join(f"%b::{f.db_type(db)}[]" for f in fields)
    returning = f" RETURNING {db.ops.quote_name(auto.column)}" if auto is not None else ""
    return f"{head} SELECT * FROM unnest({arrays}){returning}"  # noqa: S608 (the model's own)


@functools.cache
def _fields(model: type[Model], names: tuple[str, ...]) -> list[Any]:
    # In the model's order, as `Model.from_db` takes the values of a partial row.
    wanted = {model._meta.get_field(name) for name in names}
    return [f for f in model._meta.concrete_fields if f in wanted]
