"""Set-based writes for imports. On PostgreSQL rows are streamed with COPY into a temporary
staging table and merged with one INSERT … ON CONFLICT; elsewhere Django's bulk_create does the
same merge. Callers run inside their own transaction."""

from collections.abc import Iterable, Sequence

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
