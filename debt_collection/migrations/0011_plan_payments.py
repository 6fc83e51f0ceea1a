"""Payment plans are paid only by the payments attributed to them (`PlanPayment`), and say which
count (`funding`). Plans made before kept the old rule — every payment of the account since the
plan counted — so they are funded by all payments, and those payments are attributed to them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def attribute_existing(apps, schema_editor):
    PaymentPlan = apps.get_model("debt_collection", "PaymentPlan")
    PlanPayment = apps.get_model("debt_collection", "PlanPayment")
    Payment = apps.get_model("splitting", "Payment")
    for plan in PaymentPlan.objects.order_by("pk").iterator():
        plan.funding = "all_payments"
        plan.save(update_fields=["funding"])
        payments = Payment.objects.filter(
            account_id=plan.account_id, status="booked", booked_at__gte=plan.created_at
        ).order_by("pk")
        PlanPayment.objects.bulk_create(
            PlanPayment(
                tenant_id=plan.tenant_id,
                plan_id=plan.pk,
                payment_id=payment.pk,
                amount=payment.amount,
                source="all_payments",
                created_at=payment.booked_at,
            )
            for payment in payments
        )


class Migration(migrations.Migration):

    dependencies = [
        ('debt_collection', '0010_messages_to_messaging'),
        ('splitting', '0015_statement_encoding_and_warnings'),
        ('warehouse', '0013_phone_region_and_encodings'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='paymentplan',
            name='funding',
            field=models.CharField(choices=[('reference', 'Only money meant for it (instalment reference, pay link, staff)'), ('all_payments', 'Every payment of the account, the plan first')], default='reference', max_length=12),
        ),
        migrations.AlterField(
            model_name='paymentplan',
            name='paid',
            field=models.BigIntegerField(default=0, help_text='attributed to the plan, last checked'),
        ),
        migrations.CreateModel(
            name='PlanPayment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.BigIntegerField(help_text='minor units')),
                ('source', models.CharField(choices=[('reference', 'Instalment reference or pay link'), ('staff', 'Assigned by staff'), ('all_payments', 'Every payment counts toward the plan')], max_length=12)),
                ('created_at', models.DateTimeField()),
                ('reversed_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('instalment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='payments', to='debt_collection.instalment')),
                ('payment', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='splitting.payment')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='payments', to='debt_collection.paymentplan')),
                ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='warehouse.tenant')),
            ],
            options={
                'ordering': ['plan', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('payment', 'plan'), name='plan_payment_once'), models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='plan_payment_positive')],
            },
        ),
        migrations.RunPython(attribute_existing, migrations.RunPython.noop),
    ]
