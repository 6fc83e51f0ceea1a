"""Message and MessageTemplate leave debt_collection's state (messaging 0001 took them; the
tables stay). The keys that point at them — a dunning step's message, a level's template, a
case's message link — now point at messaging's models: state only, the columns and their
constraints are unchanged. `DebtCase.messages` reads the case's messages through
`CaseMessage` (no table of its own). The content types follow the models, so admin history
and any permissions stay attached."""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("message", "messagetemplate")


def content_types_to(old_label, new_label):
    def move(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        rows = content_type.objects.using(schema_editor.connection.alias)
        for model in MOVED:
            if not rows.filter(app_label=new_label, model=model).exists():
                rows.filter(app_label=old_label, model=model).update(app_label=new_label)

    return move


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('debt_collection', '0009_message_case_removed'),
        ('messaging', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='dunningstep',
                    name='message',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='messaging.message'),
                ),
                migrations.AlterField(
                    model_name='dunninglevel',
                    name='template',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='levels', to='messaging.messagetemplate'),
                ),
                migrations.AlterField(
                    model_name='casemessage',
                    name='message',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='case_link', serialize=False, to='messaging.message'),
                ),
                migrations.DeleteModel(
                    name='Message',
                ),
                migrations.DeleteModel(
                    name='MessageTemplate',
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name='debtcase',
            name='messages',
            field=models.ManyToManyField(blank=True, help_text='sent on the case', related_name='+', through='debt_collection.CaseMessage', to='messaging.message'),
        ),
        migrations.RunPython(
            content_types_to("debt_collection", "messaging"),
            content_types_to("messaging", "debt_collection"),
        ),
    ]
