"""The wallet models move here from splitting, in the migration state only: their tables were
created by splitting 0010 and keep their names (`Meta.db_table`), so no row moves. Splitting
0011 then forgets them from its own state."""

import django.db.models.deletion
import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('splitting', '0010_wallets'),
        ('warehouse', '0006_penalty_batches'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CorporatePayer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200)),
                        ('tax_id', models.CharField(max_length=32, verbose_name='tax id')),
                        ('address', models.CharField(blank=True, max_length=300)),
                        ('contact_name', models.CharField(blank=True, max_length=200)),
                        ('contact_email', models.EmailField(blank=True, max_length=254)),
                        ('contact_phone', models.CharField(blank=True, max_length=32)),
                        ('created_at', models.DateTimeField()),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='warehouse.tenant')),
                    ],
                    options={
                        'db_table': 'splitting_corporatepayer',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='CorporateMember',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('admin', 'Admin'), ('issuer', 'Issuer'), ('viewer', 'Viewer')], max_length=10)),
                        ('added_at', models.DateTimeField()),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='corporate_memberships', to=settings.AUTH_USER_MODEL)),
                        ('payer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='wallets.corporatepayer')),
                    ],
                    options={
                        'db_table': 'splitting_corporatemember',
                        'ordering': ['payer', 'user'],
                    },
                ),
                migrations.CreateModel(
                    name='CorporateInvitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(max_length=254)),
                        ('role', models.CharField(choices=[('admin', 'Admin'), ('issuer', 'Issuer'), ('viewer', 'Viewer')], max_length=10)),
                        ('token_hash', models.CharField(max_length=64, unique=True)),
                        ('created_at', models.DateTimeField()),
                        ('expires_at', models.DateTimeField()),
                        ('accepted_at', models.DateTimeField(blank=True, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('invited_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('payer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='wallets.corporatepayer')),
                    ],
                    options={
                        'db_table': 'splitting_corporateinvitation',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Office',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField()),
                        ('name', models.CharField(max_length=200)),
                        ('active', models.BooleanField(default=True)),
                        ('supplier', models.ForeignKey(blank=True, help_text="who receives the fees; empty: the operator's own fee income", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='warehouse.supplier')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='warehouse.tenant')),
                        ('users', models.ManyToManyField(blank=True, related_name='coupon_offices', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'splitting_office',
                        'ordering': ['tenant', 'code'],
                    },
                ),
                migrations.CreateModel(
                    name='Fee',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField()),
                        ('name', models.CharField(max_length=200)),
                        ('amount', models.BigIntegerField(help_text='minor units')),
                        ('validity_days', models.PositiveSmallIntegerField(default=90)),
                        ('active', models.BooleanField(default=True)),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='warehouse.tenant')),
                        ('office', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='fees', to='wallets.office')),
                    ],
                    options={
                        'db_table': 'splitting_fee',
                        'ordering': ['tenant', 'code'],
                    },
                ),
                migrations.CreateModel(
                    name='Wallet',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('currency', models.CharField(max_length=3)),
                        ('funding_reference', models.CharField(help_text='RF creditor reference the payer quotes on each transfer', max_length=35)),
                        ('funded', models.BigIntegerField(default=0, help_text='minor units received, in total')),
                        ('available', models.BigIntegerField(default=0)),
                        ('blocked', models.BigIntegerField(default=0, help_text='held by coupons not yet used')),
                        ('spent', models.BigIntegerField(default=0, help_text='taken by redeemed coupons')),
                        ('created_at', models.DateTimeField()),
                        ('payer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='wallets', to='wallets.corporatepayer')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='warehouse.tenant')),
                    ],
                    options={
                        'db_table': 'splitting_wallet',
                        'ordering': ['payer', 'currency'],
                    },
                ),
                migrations.CreateModel(
                    name='CouponBatch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('count', models.PositiveSmallIntegerField()),
                        ('amount_each', models.BigIntegerField()),
                        ('total', models.BigIntegerField()),
                        ('issued_at', models.DateTimeField()),
                        ('issued_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='warehouse.tenant')),
                        ('fee', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='wallets.fee')),
                        ('wallet', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='batches', to='wallets.wallet')),
                    ],
                    options={
                        'db_table': 'splitting_couponbatch',
                        'ordering': ['-issued_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Coupon',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('identifier', models.CharField(help_text='digits + check digit', max_length=20, unique=True)),
                        ('amount', models.BigIntegerField()),
                        ('issued_at', models.DateTimeField()),
                        ('expires_at', models.DateTimeField(help_text='valid until this instant')),
                        ('status', models.CharField(choices=[('valid', 'Valid'), ('used', 'Used'), ('cancelled', 'Cancelled'), ('expired', 'Expired')], max_length=10)),
                        ('used_at', models.DateTimeField(blank=True, null=True)),
                        ('case_reference', models.CharField(blank=True, max_length=100)),
                        ('released_at', models.DateTimeField(blank=True, null=True)),
                        ('redeemed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('registry', models.ForeignKey(blank=True, help_text="the supplier's daily registry that pays the used coupon out", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='coupons', to='splitting.registry')),
                        ('released_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='warehouse.tenant')),
                        ('batch', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='coupons', to='wallets.couponbatch')),
                        ('fee', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='coupons', to='wallets.fee')),
                        ('office', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='coupons', to='wallets.office')),
                        ('wallet', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='coupons', to='wallets.wallet')),
                    ],
                    options={
                        'db_table': 'splitting_coupon',
                        'ordering': ['batch', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='WalletMovement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('funding', 'Funded by transfer'), ('block', 'Coupons issued'), ('release', 'Coupon released'), ('redeem', 'Coupon used')], max_length=8)),
                        ('amount', models.BigIntegerField()),
                        ('available_after', models.BigIntegerField()),
                        ('blocked_after', models.BigIntegerField()),
                        ('at', models.DateTimeField()),
                        ('memo', models.CharField(blank=True, max_length=200)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('bank_credit', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='wallet_movement', to='splitting.bankcredit')),
                        ('batch', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='movements', to='wallets.couponbatch')),
                        ('coupon', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='movements', to='wallets.coupon')),
                        ('transaction', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='wallet_movement', to='splitting.transaction')),
                        ('wallet', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='movements', to='wallets.wallet')),
                    ],
                    options={
                        'db_table': 'splitting_walletmovement',
                        'ordering': ['wallet', 'pk'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='corporatepayer',
                    constraint=models.UniqueConstraint(fields=('tenant', 'tax_id'), name='corporate_payer_tax_id_unique_per_tenant'),
                ),
                migrations.AddConstraint(
                    model_name='corporatemember',
                    constraint=models.UniqueConstraint(fields=('payer', 'user'), name='corporate_member_unique'),
                ),
                migrations.AddConstraint(
                    model_name='office',
                    constraint=models.UniqueConstraint(fields=('tenant', 'code'), name='office_code_unique'),
                ),
                migrations.AddConstraint(
                    model_name='fee',
                    constraint=models.UniqueConstraint(fields=('tenant', 'code'), name='fee_code_unique'),
                ),
                migrations.AddConstraint(
                    model_name='fee',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='fee_amount_positive'),
                ),
                migrations.AddConstraint(
                    model_name='fee',
                    constraint=models.CheckConstraint(condition=models.Q(('validity_days__gte', 1)), name='fee_validity_days'),
                ),
                migrations.AddConstraint(
                    model_name='wallet',
                    constraint=models.UniqueConstraint(fields=('payer', 'currency'), name='wallet_one_per_currency'),
                ),
                migrations.AddConstraint(
                    model_name='wallet',
                    constraint=models.UniqueConstraint(fields=('tenant', 'funding_reference'), name='wallet_funding_reference_unique'),
                ),
                migrations.AddConstraint(
                    model_name='wallet',
                    constraint=models.CheckConstraint(condition=models.Q(('available__gte', 0), ('blocked__gte', 0), ('spent__gte', 0)), name='wallet_balances_not_negative'),
                ),
                migrations.AddConstraint(
                    model_name='wallet',
                    constraint=models.CheckConstraint(condition=models.Q(('funded', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('available'), '+', models.F('blocked')), '+', models.F('spent')))), name='wallet_funded_is_available_blocked_spent'),
                ),
                migrations.AddConstraint(
                    model_name='couponbatch',
                    constraint=models.CheckConstraint(condition=models.Q(('count__gte', 1), ('count__lte', 500)), name='coupon_batch_count_1_500'),
                ),
                migrations.AddConstraint(
                    model_name='couponbatch',
                    constraint=models.CheckConstraint(condition=models.Q(('total', django.db.models.expressions.CombinedExpression(models.F('count'), '*', models.F('amount_each')))), name='coupon_batch_total'),
                ),
                migrations.AddIndex(
                    model_name='coupon',
                    index=models.Index(fields=['status', 'expires_at'], name='coupon_status_expiry'),
                ),
                migrations.AddConstraint(
                    model_name='coupon',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='coupon_amount_positive'),
                ),
                migrations.AddConstraint(
                    model_name='coupon',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'used'), _negated=True), models.Q(('used_at__isnull', False), models.Q(('case_reference', ''), _negated=True)), _connector='OR'), name='coupon_used_has_case_reference'),
                ),
                migrations.AddConstraint(
                    model_name='walletmovement',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='wallet_movement_positive'),
                ),
            ],
        ),
    ]
