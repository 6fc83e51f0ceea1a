"""`Message.case` goes: 0008 copied every message's case into `CaseMessage`."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('debt_collection', '0008_case_messages'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='message',
            name='case',
        ),
    ]
