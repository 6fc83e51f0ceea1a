"""Removing the demo tenants' payments and ledger (`seed_demo --reset`)."""

from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from splitting.models import (
    Allocation,
    BankCredit,
    BankDebit,
    Checkout,
    ClaimRepayment,
    DeliveryAttempt,
    FlowFile,
    IdempotencyKey,
    LedgerAccount,
    Payment,
    Payout,
    PayoutFile,
    Registry,
    StatementImport,
    SupplierEvent,
    Transaction,
)
from splitting.settlement.payouts import day_settle
from splitting.settlement.registries import registries_build
from warehouse.models import Membership, Tenant


@transaction.atomic
def demo_ledger_remove(tenant_codes) -> None:
    """Ledger entries are deleted only under the purge marker (see migration 0002)."""
    tenants = list(Tenant.objects.filter(code__in=tenant_codes).values_list("pk", flat=True))
    if not tenants:
        return
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO splitting_ledgerpurge DEFAULT VALUES")
        cursor.execute(
            "DELETE FROM splitting_entry WHERE transaction_id IN"
            " (SELECT id FROM splitting_transaction WHERE tenant_id IN"
            f" ({', '.join(['%s'] * len(tenants))}))",
            tenants,
        )
        cursor.execute("DELETE FROM splitting_ledgerpurge")
    DeliveryAttempt.objects.filter(event__tenant_id__in=tenants).delete()
    SupplierEvent.objects.filter(tenant_id__in=tenants).delete()
    Allocation.objects.filter(tenant_id__in=tenants).delete()
    FlowFile.objects.filter(tenant_id__in=tenants).delete()  # its delivery and tries with it
    ClaimRepayment.objects.filter(tenant_id__in=tenants).delete()
    Payout.objects.filter(tenant_id__in=tenants).delete()
    PayoutFile.objects.filter(tenant_id__in=tenants).delete()
    BankDebit.objects.filter(tenant_id__in=tenants).delete()
    Registry.objects.filter(tenant_id__in=tenants).delete()
    Transaction.objects.filter(tenant_id__in=tenants).delete()
    LedgerAccount.objects.filter(tenant_id__in=tenants).delete()
    Checkout.objects.filter(tenant_id__in=tenants).delete()
    Payment.objects.filter(tenant_id__in=tenants).delete()
    BankCredit.objects.filter(tenant_id__in=tenants).delete()
    StatementImport.objects.filter(tenant_id__in=tenants).delete()
    IdempotencyKey.objects.filter(
        user__in=Membership.objects.filter(tenant_id__in=tenants).values("user")
    ).delete()


def demo_settle_today(tenant_codes) -> None:
    """So that the registry and payout pages have something to show before the first midnight:
    today's registries (tenant time), settled — one payment-order file for the day."""
    for tenant in Tenant.objects.filter(code__in=tenant_codes).order_by("pk"):
        today = timezone.now().astimezone(ZoneInfo(tenant.timezone)).date()
        registries_build(tenant=tenant, day=today)
        day_settle(tenant=tenant, day=today)
