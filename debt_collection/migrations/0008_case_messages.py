"""The link from a message to its debt case moves to debt collection's side (`CaseMessage`), so
that the message can move to the messaging app, which knows nothing of cases. Every message that
has a case today gets its link row; the column goes in 0009, in its own transaction."""

import django.db.models.deletion
from django.db import migrations, models

COPY_LINKS = """
    INSERT INTO debt_collection_casemessage (message_id, case_id)
    SELECT id, case_id FROM debt_collection_message WHERE case_id IS NOT NULL
"""
# Backwards (0009 reversed has put the column back): the links onto the column again.
RESTORE_LINKS = """
    UPDATE debt_collection_message SET case_id = (
        SELECT link.case_id FROM debt_collection_casemessage link
        WHERE link.message_id = debt_collection_message.id
    )
"""


class Migration(migrations.Migration):

    dependencies = [
        ('debt_collection', '0007_penalty_run'),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseMessage',
            fields=[
                ('message', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='case_link', serialize=False, to='debt_collection.message')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='debt_collection.debtcase')),
            ],
        ),
        migrations.RunSQL(COPY_LINKS, reverse_sql=RESTORE_LINKS),
    ]
