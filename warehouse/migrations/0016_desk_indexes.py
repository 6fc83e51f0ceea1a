"""Indexes of the operator's desk (cabinet.desk), written as SQL so that the models' state is
unchanged:

- the open debts of a tenant by due date, with their open amount (PostgreSQL: an index-only
  scan), for the dashboard's debt: `warehouse.selectors.debt_totals`;
- trigram indexes for the account search's "contains" (`accounts_matching`): payer, number and
  building address as Django's `icontains` reads them (UPPER(...)), the phone as `contains`
  does. PostgreSQL only (the pg_trgm extension, trusted since PostgreSQL 13); SQLite scans."""

from django.db import migrations

TRIGRAM = (
    ("account_payer_trgm", "warehouse_account", 'UPPER("payer_name"::text)'),
    ("account_number_trgm", "warehouse_account", 'UPPER("account_number"::text)'),
    ("account_phone_trgm", "warehouse_account", '"phone"'),
    ("building_address_trgm", "warehouse_building", 'UPPER("address"::text)'),
)


def forward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    include = " INCLUDE (open_amount)" if postgres else ""
    schema_editor.execute(
        "CREATE INDEX openitem_open_debt ON warehouse_openitem (tenant_id, due_date)"
        f"{include} WHERE open_amount > 0"
    )
    if postgres:
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, expression in TRIGRAM:
            schema_editor.execute(
                f"CREATE INDEX {name} ON {table} USING gin (({expression}) gin_trgm_ops)"
            )


def backward(apps, schema_editor):
    schema_editor.execute("DROP INDEX openitem_open_debt")
    if schema_editor.connection.vendor == "postgresql":
        for name, _table, _expression in TRIGRAM:
            schema_editor.execute(f"DROP INDEX {name}")


class Migration(migrations.Migration):
    dependencies = [("warehouse", "0015_import_message_i18n")]
    operations = [migrations.RunPython(forward, backward)]
