"""Message and MessageTemplate move here from debt_collection. The tables stay where they are
(`debt_collection_message`, `debt_collection_messagetemplate`, their indexes and constraint
names too): this migration only takes the models into messaging's state, and
debt_collection 0010 drops them from its own. It runs after debt_collection 0009, so on a new
database the tables exist (made by debt_collection 0001) and no longer carry the case column."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('debt_collection', '0009_message_case_removed'),
        ('warehouse', '0008_legal_calendar_seed'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Message',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('sms', 'SMS'), ('email', 'E-mail'), ('letter', 'Letter')], max_length=6)),
                        ('recipient', models.CharField(help_text='phone (E.164), e-mail or address', max_length=254)),
                        ('subject', models.CharField(blank=True, max_length=200)),
                        ('body', models.TextField()),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('delivered', 'Delivered'), ('failed', 'Failed')], default='queued', max_length=9)),
                        ('provider_id', models.CharField(blank=True, help_text="e.g. Twilio's SID", max_length=64)),
                        ('error', models.CharField(blank=True, max_length=500)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('source', models.CharField(default='manual', help_text='dunning, manual, plan, promise…', max_length=20)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('delivered_at', models.DateTimeField(blank=True, null=True)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='warehouse.account')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='warehouse.tenant')),
                    ],
                    options={
                        'db_table': 'debt_collection_message',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [
                            models.Index(fields=['account', 'created_at'], name='message_account_time'),
                            models.Index(fields=['provider_id'], name='message_provider_id'),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name='MessageTemplate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField()),
                        ('channel', models.CharField(choices=[('sms', 'SMS'), ('email', 'E-mail'), ('letter', 'Letter')], max_length=6)),
                        ('subject', models.CharField(blank=True, help_text='e-mail and letters', max_length=200)),
                        ('body', models.TextField()),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='warehouse.tenant')),
                    ],
                    options={
                        'db_table': 'debt_collection_messagetemplate',
                        'ordering': ['tenant', 'code'],
                        'constraints': [
                            models.UniqueConstraint(fields=('tenant', 'code'), name='message_template_code'),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
