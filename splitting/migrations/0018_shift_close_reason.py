from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("splitting", "0017_checkout_reconcile"),
    ]

    operations = [
        migrations.AddField(
            model_name="cashshift",
            name="close_reason",
            field=models.TextField(
                blank=True,
                help_text="why the counted cash differs from what the drawer should hold "
                "(required then; empty when it agrees)",
            ),
        ),
    ]
