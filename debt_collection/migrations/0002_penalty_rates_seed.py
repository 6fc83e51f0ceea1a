"""Seeds the rates and policy periods the penalty engine reads (debt_collection/penalty_seed.py
says what they are and where they come from). Staff maintain them in the admin from here on."""

from django.db import migrations



def seed(apps, schema_editor):
    """Superseded by 0004, which seeds every row with its source once the columns exist (the
    shared seed now writes them); a database migrated before keeps what this step wrote then."""


class Migration(migrations.Migration):
    dependencies = [("debt_collection", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
