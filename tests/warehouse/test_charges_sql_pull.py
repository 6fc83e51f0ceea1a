"""The SQL pull (DESIGN.md "Ingest path"): a profile holds a supplier database's SQLAlchemy URL and
a query returning the canonical columns for `:period`; `charges_pull` and
`import_charges --profile` (no FILE) post what the query returns, a repeated pull of the same
rows is a no-op, a changed row makes a new version, and a failing query writes nothing."""

import sqlite3
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError
from django.db import connection

from core.errors import ApplicationError
from warehouse.models import BatchStatus, Charge, ImportBatch, MappingProfile, OpenItem
from warehouse.services.profiles import profiles_setup
from warehouse.services.sql_source import charges_pull

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

QUERY = (
    "SELECT ls AS supplier_account, usl AS service_code, obem AS quantity, ed AS unit, "
    "tarif AS tariff, summa AS amount, mes AS period FROM {table} "
    "WHERE mes = :period ORDER BY ls, usl"
)
ROWS = [
    ("VK-0001", "01", "2.5", "m3", "52.44", "131.10", "2026-12"),
    ("VK-0001", "02", None, None, None, "40.00", "2026-12"),
    ("ВК-0006", "01", "1", "m3", "52.44", "52.44", "2026-12"),
    ("VK-0002", "01", None, None, None, "999.99", "2026-11"),  # another period: not pulled
]


@pytest.fixture
def billing_db(tmp_path) -> Path:
    """The supplier's own billing database: a real SQLite file."""
    path = tmp_path / "billing.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE nachisleniya (ls TEXT, usl TEXT, obem TEXT, ed TEXT, tarif TEXT, "
            "summa TEXT, mes TEXT)"
        )
        db.executemany("INSERT INTO nachisleniya VALUES (?, ?, ?, ?, ?, ?, ?)", ROWS)
    return path


def _sql_profile(world, *, url: str, query: str, name: str = "vodokanal-sql") -> MappingProfile:
    document = (
        f"profiles:\n  - name: {name}\n    supplier: vodokanal\n    format: sql\n"
        f'    sql_url: {url}\n    sql_query: "{query}"\n'
    )
    (profile,) = profiles_setup(tenant=world.tenant, data=document.encode())
    return profile


def _pull(world, profile, period="2026-12"):
    return charges_pull(
        tenant=world.tenant, supplier=world.supplier, period=period, profile=profile
    )


def _posted() -> list[tuple]:
    return sorted(
        Charge.objects.values_list(
            "account__account_number", "service__code", "quantity", "unit", "amount"
        )
    )


def test_a_pull_posts_exactly_the_rows_of_the_period(world, billing_db):
    profile = _sql_profile(
        world, url=f"sqlite:///{billing_db}", query=QUERY.format(table="nachisleniya")
    )

    outcome = _pull(world, profile)

    assert outcome.status == "posted", outcome.batch.report
    batch = outcome.batch
    assert (batch.source_format, batch.profile, batch.version, batch.rows_total) == (
        "sql",
        profile,
        1,
        3,
    )
    assert [(n, s, u, a) for n, s, _, u, a in _posted()] == [
        ("00000001", "CW", "m3", 13110),
        ("00000001", "HW", "", 4000),
        ("00000006", "CW", "m3", 5244),
    ]
    assert world.open_totals() == {"VK-0001": 17110, "ВК-0006": 5244}


def test_a_repeated_pull_is_a_no_op_and_a_changed_row_makes_a_new_version(world, billing_db):
    profile = _sql_profile(
        world, url=f"sqlite:///{billing_db}", query=QUERY.format(table="nachisleniya")
    )
    first = _pull(world, profile).batch

    again = _pull(world, profile)

    assert again.status == "already_posted" and again.batch == first
    assert ImportBatch.objects.count() == 1

    with sqlite3.connect(billing_db) as db:
        db.execute("UPDATE nachisleniya SET summa = '45.00' WHERE ls = 'VK-0001' AND usl = '02'")
    changed = _pull(world, profile)

    assert changed.status == "posted" and changed.batch.version == 2
    first.refresh_from_db()
    assert (first.status, first.superseded_by) == (BatchStatus.SUPERSEDED, changed.batch)
    assert world.charge_totals() == {"VK-0001": 13110 + 4500, "ВК-0006": 5244}
    assert set(Charge.objects.values_list("batch_id", flat=True)) == {changed.batch.pk}


def test_a_failing_query_is_an_application_error_and_writes_nothing(world, billing_db):
    profile = _sql_profile(
        world, url=f"sqlite:///{billing_db}", query=QUERY.format(table="no_such_table")
    )

    with pytest.raises(ApplicationError) as failed:
        _pull(world, profile)

    assert failed.value.code == "sql_pull_failed"
    assert "no_such_table" in failed.value.message
    assert ImportBatch.objects.count() == Charge.objects.count() == OpenItem.objects.count() == 0


def test_an_unreachable_database_is_an_application_error(world, tmp_path):
    profile = _sql_profile(
        world,
        url=f"sqlite:///{tmp_path}/missing/billing.db",
        query=QUERY.format(table="nachisleniya"),
    )

    with pytest.raises(ApplicationError) as failed:
        _pull(world, profile)

    assert failed.value.code == "sql_pull_failed"
    assert ImportBatch.objects.count() == 0


def test_the_command_pulls_through_a_sql_profile_without_a_file(world, billing_db):
    _sql_profile(world, url=f"sqlite:///{billing_db}", query=QUERY.format(table="nachisleniya"))

    status, stdout, _ = world.run(None, profile="vodokanal-sql")

    assert status == 0
    assert stdout.startswith("POSTED: vodokanal 2026-12") and "3 lines" in stdout
    assert ImportBatch.objects.get().source_format == "sql"
    assert world.charge_totals() == {"VK-0001": 17110, "ВК-0006": 5244}

    status, stdout, _ = world.run(None, profile="vodokanal-sql")

    assert status == 0 and stdout.startswith("ALREADY POSTED")


def test_the_command_reports_a_failing_pull_as_a_usage_error(world, billing_db):
    _sql_profile(world, url=f"sqlite:///{billing_db}", query=QUERY.format(table="missing"))

    with pytest.raises(CommandError, match="the supplier database refused the pull") as failed:
        world.run(None, profile="vodokanal-sql")

    assert failed.value.returncode == 2
    assert ImportBatch.objects.count() == Charge.objects.count() == 0


def test_the_command_wants_a_file_unless_the_profile_is_a_sql_pull(world):
    with pytest.raises(CommandError, match="give the FILE"):
        world.run(None)


@pytest.mark.postgres
def test_a_pull_from_a_postgresql_table(world, postgres):
    settings = connection.settings_dict
    table = f"supplier_billing_{uuid.uuid4().hex[:12]}"
    credentials = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        "dbname": settings["NAME"],
    }
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    url = (
        f"postgresql+psycopg://{credentials['user']}{password}@{credentials['host']}:"
        f"{credentials['port']}/{credentials['dbname']}"
    )
    with psycopg.connect(**credentials, autocommit=True) as supplier_db:
        supplier_db.execute(
            f"CREATE TABLE {table} (ls text, usl text, obem numeric(12, 3), ed text, "
            "tarif numeric(12, 2), summa numeric(14, 2), mes text)"
        )
        try:
            with supplier_db.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s, %s)", ROWS)
            profile = _sql_profile(world, url=url, query=QUERY.format(table=table))

            outcome = _pull(world, profile)

            assert outcome.status == "posted", outcome.batch.report
            assert outcome.batch.source_format == "sql"
            assert _posted() == [
                ("00000001", "CW", Decimal("2.5"), "m3", 13110),
                ("00000001", "HW", None, "", 4000),
                ("00000006", "CW", Decimal("1"), "m3", 5244),
            ]
            assert _pull(world, profile).status == "already_posted"
        finally:
            supplier_db.execute(f"DROP TABLE {table}")
