"""Set-based writes, the columns always derived from the model's `_meta` (never spelled twice).

- `bulk_upsert`: rows streamed with COPY into a temporary staging table and merged with one
  INSERT … ON CONFLICT on PostgreSQL; Django's bulk_create does the same merge elsewhere;
- `copy_rows`: a pandas frame appended with COPY (imports, the period close);
- `insert_model_rows`: tuples appended with COPY, other columns taking their defaults, ids
  drawn from the sequence beforehand when the caller needs them (dunning's messages);
- `insert_rows`/`insert_row`: one plain multi-row INSERT for the few rows a payment writes.

Callers run inside their own transaction.
"""

import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

import pandas as pd
from django.db import connection
from django.db.models import Model
from django.utils import timezone

BATCH = 2000


def bulk_upsert(
    model: type[Model],
    rows: Iterable[Sequence],
    *,
    fields: Sequence[str],
    unique_fields: Sequence[str],
    update_fields: Sequence[str] = (),
) -> None:
    """Inserts `rows` (tuples in the order of `fields`, column names); a row whose
    `unique_fields` already exist updates `update_fields`, or is left alone when there are none."""
    if connection.vendor == "postgresql":
        _pg_upsert(model, rows, fields, unique_fields, update_fields)
        return
    objects = (model(**dict(zip(fields, row, strict=True))) for row in rows)
    batch: list[Model] = []
    for obj in objects:
        batch.append(obj)
        if len(batch) >= BATCH:
            _bulk_create(model, batch, unique_fields, update_fields)
            batch = []
    if batch:
        _bulk_create(model, batch, unique_fields, update_fields)


def _bulk_create(model, batch, unique_fields, update_fields):
    if update_fields:
        model.objects.bulk_create(
            batch, update_conflicts=True, unique_fields=unique_fields, update_fields=update_fields
        )
    else:
        model.objects.bulk_create(batch, ignore_conflicts=True)


def _pg_upsert(model, rows, fields, unique_fields, update_fields):
    from psycopg import sql

    table = model._meta.db_table
    stage = f"_stage_{table}"
    columns = [model._meta.get_field(f).column for f in fields]
    conflict = [model._meta.get_field(f).column for f in unique_fields]
    updates = [model._meta.get_field(f).column for f in update_fields]
    ident = sql.Identifier
    col_list = sql.SQL(", ").join(map(ident, columns))
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ident(stage)))
        raw.execute(
            sql.SQL("CREATE TEMP TABLE {} AS SELECT {} FROM {} WITH NO DATA").format(
                ident(stage), col_list, ident(table)
            )
        )
        with raw.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(ident(stage), col_list)) as copy:
            for row in rows:
                copy.write_row(row)
        action = (
            sql.SQL("DO UPDATE SET {}").format(
                sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(ident(c)) for c in updates)
            )
            if updates
            else sql.SQL("DO NOTHING")
        )
        raw.execute(
            sql.SQL("INSERT INTO {} ({cols}) SELECT {cols} FROM {} ON CONFLICT ({}) {}").format(
                ident(table),
                ident(stage),
                sql.SQL(", ").join(map(ident, conflict)),
                action,
                cols=col_list,
            )
        )
        raw.execute(sql.SQL("DROP TABLE {}").format(ident(stage)))


def copy_rows(model, table: pd.DataFrame, *, blank_is_null=(), json_columns=()) -> None:
    """Appends a frame whose columns are the model's column names: COPY on PostgreSQL (blank
    text stays blank unless listed in `blank_is_null`; `json_columns` hold dicts), a bulk
    insert elsewhere. The caller owns the transaction."""
    columns = list(table.columns)
    if connection.vendor == "postgresql":
        if json_columns:
            table = table.assign(**{c: table[c].map(json.dumps) for c in json_columns})
        buffer = io.StringIO()
        table.to_csv(buffer, header=False, index=False)
        not_null = [
            c
            for c in columns
            if c not in blank_is_null and not pd.api.types.is_numeric_dtype(table[c])
        ]
        options = f", FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else ""
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN "
                f"WITH (FORMAT csv{options})"
            ) as copy,
        ):
            copy.write(buffer.getvalue())
        return
    values = [
        [v or None for v in table[c].tolist()]
        if c in blank_is_null
        else [None if v is pd.NA else v for v in table[c].tolist()]
        for c in columns
    ]
    model.objects.bulk_create(
        (model(**dict(zip(columns, row, strict=True))) for row in zip(*values, strict=True)),
        batch_size=BATCH,
    )


def insert_model_rows(
    model: type[Model], fields: Sequence[str], rows: Sequence[tuple], *, with_ids: bool = False
) -> list[int] | None:
    """Inserts `rows` (values of the attnames `fields`; other columns take their defaults, an
    auto_now(_add) column the current time). On PostgreSQL with COPY, ids taken from the
    table's sequence beforehand when `with_ids`; elsewhere bulk_create. Returns the ids when
    `with_ids`."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=BATCH
        )
        _restamp(model, fields, rows, objects)
        return [o.pk for o in objects] if with_ids else None
    meta = model._meta
    given = set(fields)
    constants = {}
    for f in meta.concrete_fields:
        if f.primary_key or f.attname in given:
            continue
        value = timezone.now() if getattr(f, "auto_now_add", False) else f.get_default()
        constants[f.column] = f.get_db_prep_save(value, connection)
    columns = [meta.get_field(f).column for f in fields] + list(constants)
    tail = tuple(constants.values())
    ids = None
    with connection.cursor() as cursor:
        if with_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            columns.insert(0, meta.pk.column)
        sql = f"COPY {meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            if with_ids:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row((pk, *row, *tail))
            else:
                for row in rows:
                    copy.write_row((*row, *tail))
    return ids


def _restamp(model, fields: Sequence[str], rows: Sequence[tuple], objects) -> None:
    """bulk_create stamps auto_now(_add) columns with the current time even when a value is
    given; this writes the given values, as the COPY path does (one UPDATE per value and
    BATCH rows)."""
    stamped = [
        i
        for i, name in enumerate(fields)
        if getattr(model._meta.get_field(name), "auto_now_add", False)
        or getattr(model._meta.get_field(name), "auto_now", False)
    ]
    if not stamped:
        return
    by_values = defaultdict(list)
    for obj, row in zip(objects, rows, strict=True):
        by_values[tuple(row[i] for i in stamped)].append(obj.pk)
    for values, pks in by_values.items():
        update = {fields[i]: value for i, value in zip(stamped, values, strict=True)}
        for start in range(0, len(pks), BATCH):
            model.objects.filter(pk__in=pks[start : start + BATCH]).update(**update)


def _adapt(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _columns(model: type[Model], fields: Sequence[str]) -> str:
    return ", ".join(model._meta.get_field(name).column for name in fields)


def insert_rows(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence]) -> None:
    """One multi-row INSERT in plain SQL into `model`'s table (`fields` are attnames, e.g.
    "account_id"), for the few rows a payment writes per table: the ORM's bulk_create costs more
    than the statement on the hot path. Datetimes and JSON are adapted as the ORM would."""
    if not rows:
        return
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({_columns(model, fields)})"
            f" VALUES {', '.join([marks] * len(rows))}",
            [_adapt(value) for row in rows for value in row],
        )


def insert_row(model: type[Model], values: dict) -> int:
    """One INSERT … RETURNING id into `model`'s table (PostgreSQL, SQLite ≥ 3.35); `values` by
    attname."""
    fields = list(values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({_columns(model, fields)})"
            f" VALUES ({', '.join(['%s'] * len(fields))}) RETURNING id",
            [_adapt(values[name]) for name in fields],
        )
        return cursor.fetchone()[0]


def _insert_fields(model: type[Model]) -> tuple:
    """The model's concrete fields but the primary key, read once per model."""
    cached = _INSERT_FIELDS.get(model)
    if cached is None:
        cached = _INSERT_FIELDS[model] = tuple(
            f for f in model._meta.concrete_fields if not f.primary_key
        )
    return cached


_INSERT_FIELDS: dict = {}


def insert_object(obj: Model) -> int:
    """INSERTs one unsaved instance, every column taken from the instance itself (so a row is
    spelled once: as the model instance), and sets and returns its new primary key. Fields
    compute their value as `save()` would (`pre_save`: auto_now, auto_now_add)."""
    fields = _insert_fields(type(obj))
    obj.pk = insert_row(type(obj), {f.attname: f.pre_save(obj, True) for f in fields})
    return obj.pk


def insert_objects(objects: Sequence[Model]) -> None:
    """One multi-row INSERT of unsaved instances of one model, every column from the instances
    (their primary keys are not read back: the hot path does not need them)."""
    if not objects:
        return
    model = type(objects[0])
    fields = _insert_fields(model)
    insert_rows(
        model,
        [f.attname for f in fields],
        [tuple(f.pre_save(obj, True) for f in fields) for obj in objects],
    )
