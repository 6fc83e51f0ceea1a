"""Seeds the rates and policy periods the penalty engine reads (debt_collection/penalty_seed.py
says what they are and where they come from). Staff maintain them in the admin from here on."""

from django.db import migrations

from debt_collection.penalty_seed import rates_seed


def seed(apps, schema_editor):
    rates_seed(
        apps.get_model("debt_collection", "KeyRate"),
        apps.get_model("debt_collection", "PenaltyPolicyPeriod"),
        apps.get_model("debt_collection", "StatutoryRate"),
    )


class Migration(migrations.Migration):
    dependencies = [("debt_collection", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
