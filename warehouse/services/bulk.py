"""Set-based writes for imports. On PostgreSQL rows are streamed with COPY into a temporary
staging table and merged with one INSERT … ON CONFLICT; elsewhere Django's bulk_create does the
same merge. Callers run inside their own transaction."""

import io
import json
from collections.abc import Iterable, Sequence
from datetime import datetime

import pandas as pd
from django.db import connection
from django.db.models import Model

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


def _adapt(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """One multi-row INSERT in plain SQL, for the few rows a payment writes per table: the
    ORM's bulk_create costs more than the statement on the hot path. Datetimes and JSON are
    adapted as the ORM would."""
    if not rows:
        return
    marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([marks] * len(rows))}",
            [_adapt(value) for row in rows for value in row],
        )


def insert_row(table: str, values: dict) -> int:
    """One INSERT … RETURNING id (PostgreSQL, SQLite ≥ 3.35)."""
    columns = list(values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)})"
            f" VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id",
            [_adapt(values[c]) for c in columns],
        )
        return cursor.fetchone()[0]
