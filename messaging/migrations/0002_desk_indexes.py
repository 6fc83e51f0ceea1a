"""The operator's desk counts the failed messages of a tenant
(`messaging.selectors.failed_messages_count`): a partial index keeps that count off the whole
message table. Written as SQL, so the model's state is unchanged."""

from django.db import migrations


def forward(apps, schema_editor):
    schema_editor.execute(
        "CREATE INDEX message_failed ON debt_collection_message (tenant_id) WHERE status = 'failed'"
    )


def backward(apps, schema_editor):
    schema_editor.execute("DROP INDEX message_failed")


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
