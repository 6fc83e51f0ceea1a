"""The legal calendar as corrected in payment-standards.md §6.3: the rules of ЖК ст. 155 as
dated rows, the sources of every row, № 424's last day (31.12.2020), № 1681's "lower of"
wording, the extensions to 2023 and 2024, and № 329 (9.5 % through 2026)."""

from django.db import migrations

from debt_collection.penalty_seed import rates_seed


def seed(apps, schema_editor):
    rates_seed(lambda name: apps.get_model("debt_collection", name))


class Migration(migrations.Migration):
    dependencies = [("debt_collection", "0003_penalty_rules_and_sources")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
