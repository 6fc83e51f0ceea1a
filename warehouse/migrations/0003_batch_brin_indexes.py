"""Charges and open items are appended batch by batch, so a BRIN index finds a batch's rows
(for supersession) at a fraction of a B-tree's write cost. PostgreSQL only; SQLite gets a
plain index."""

from django.db import migrations

TABLES = ("warehouse_charge", "warehouse_openitem")


def forward(apps, schema_editor):
    brin = schema_editor.connection.vendor == "postgresql"
    for table in TABLES:
        using = " USING brin" if brin else ""
        schema_editor.execute(f"CREATE INDEX {table}_batch_idx ON {table}{using} (batch_id)")


def backward(apps, schema_editor):
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX {table}_batch_idx")


class Migration(migrations.Migration):
    dependencies = [("warehouse", "0002_charges")]
    operations = [migrations.RunPython(forward, backward)]
