"""Seeds the due-date rules and the Russian production calendar (warehouse/legal_seed.py)."""

from django.db import migrations

from warehouse.legal_seed import legal_calendar_seed


def seed(apps, schema_editor):
    legal_calendar_seed(lambda name: apps.get_model("warehouse", name))


class Migration(migrations.Migration):
    dependencies = [("warehouse", "0007_legal_calendar")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
