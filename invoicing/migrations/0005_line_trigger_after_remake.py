"""SQLite rebuilds a table to alter its columns (0004), and the rebuild drops the table's
triggers: put the lines' immutability trigger of 0002 back. PostgreSQL keeps it."""

from django.db import migrations

SQLITE = (
    "CREATE TRIGGER IF NOT EXISTS invoicing_line_no_update BEFORE UPDATE ON "
    "invoicing_documentline BEGIN SELECT RAISE(ABORT, 'payment document lines are immutable'); "
    "END"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0004_document_line_keys_without_indexes")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
