"""The SQL pull: a supplier lets us read its billing database. The mapping profile holds an
SQLAlchemy URL and a query that returns the canonical charge columns (`:period` is bound to the
period). The rows are written as a canonical CSV and imported like any file, so the batch keeps
the exact data it posted and its SHA-256 tells a repeated pull from a changed one."""

import csv
import io

import sqlalchemy
from sqlalchemy.exc import SQLAlchemyError

from core.errors import ApplicationError
from warehouse.models import MappingProfile, SourceFormat, Supplier, Tenant
from warehouse.services.charges import ImportOutcome, charges_import


def sql_rows_as_csv(*, url: str, query: str, period: str) -> bytes:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            statement = sqlalchemy.text(query)
            params = {"period": period} if ":period" in query else {}
            result = connection.execute(statement, params)
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(list(result.keys()))
            for row in result:
                writer.writerow(["" if value is None else str(value) for value in row])
    except SQLAlchemyError as exc:
        raise ApplicationError(
            f"the supplier database refused the pull: {exc}", code="sql_pull_failed"
        ) from exc
    finally:
        engine.dispose()
    return out.getvalue().encode("utf-8")


def charges_pull(
    *,
    tenant: Tenant,
    supplier: Supplier,
    period: str,
    profile: MappingProfile,
    actor=None,
    progress=None,
) -> ImportOutcome:
    if profile.source_format != SourceFormat.SQL or not profile.sql_url:
        raise ApplicationError(f"profile {profile.name} is not a SQL pull", code="not_sql")
    data = sql_rows_as_csv(url=profile.sql_url, query=profile.sql_query, period=period)
    return charges_import(
        tenant=tenant,
        supplier=supplier,
        period=period,
        data=data,
        filename=f"{profile.name}-{period}.csv",
        profile=profile,
        actor=actor,
        source_format=SourceFormat.SQL,
        progress=progress,
    )
