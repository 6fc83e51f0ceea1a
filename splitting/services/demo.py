"""Removing the demo tenants' payments and ledger (`seed_demo --reset`)."""

from django.db import connection, transaction

from splitting.models import (
    Allocation,
    DeliveryAttempt,
    IdempotencyKey,
    LedgerAccount,
    Payment,
    Payout,
    Registry,
    SupplierEvent,
    Transaction,
)
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
    Payout.objects.filter(tenant_id__in=tenants).delete()
    Registry.objects.filter(tenant_id__in=tenants).delete()
    Transaction.objects.filter(tenant_id__in=tenants).delete()
    LedgerAccount.objects.filter(tenant_id__in=tenants).delete()
    Payment.objects.filter(tenant_id__in=tenants).delete()
    IdempotencyKey.objects.filter(
        user__in=Membership.objects.filter(tenant_id__in=tenants).values("user")
    ).delete()
