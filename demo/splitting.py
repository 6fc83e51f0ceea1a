"""Removing the demo tenants' payments and ledger (`seed_demo --reset`)."""

from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from splitting.models import (
    Allocation,
    BankDebit,
    ClaimRepayment,
    DeliveryAttempt,
    FlowFile,
    IdempotencyKey,
    LedgerAccount,
    Payment,
    Payout,
    PayoutFile,
    Registry,
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
    Payment.objects.filter(tenant_id__in=tenants).delete()
    IdempotencyKey.objects.filter(
        user__in=Membership.objects.filter(tenant_id__in=tenants).values("user")
    ).delete()


DEMO_PAYERS_MAX = 5_000
DEMO_CHANNELS = ("bank", "provider", "terminal", "cash_desk")


def demo_payments(tenant_codes, *, seed: int) -> int:
    """Payments for the demo's latest documents, the same for the same seed: most accounts pay
    in full (by the document's reference), some pay a part, about a quarter pay nothing and are
    the debtors of the demo. At most DEMO_PAYERS_MAX accounts per tenant pay."""
    import random

    from invoicing.models import DocumentStatus, PaymentDocument
    from splitting.core.payments import payment_post

    posted = 0
    for code in tenant_codes:
        tenant = Tenant.objects.filter(code=code).first()
        if tenant is None:
            continue
        latest = (
            PaymentDocument.objects.filter(tenant=tenant, status=DocumentStatus.ISSUED)
            .order_by("-period")
            .values_list("period", flat=True)
            .first()
        )
        if latest is None:
            continue
        chooser = random.Random(f"{seed}:{code}")
        documents = (
            PaymentDocument.objects.filter(
                tenant=tenant, period=latest, status=DocumentStatus.ISSUED, amount_due__gt=0
            )
            .select_related("account")
            .order_by("account__account_number")[:DEMO_PAYERS_MAX]
        )
        for document in documents:
            roll = chooser.random()
            if roll < 0.25:
                continue
            amount = document.amount_due if roll < 0.85 else max(document.amount_due // 2, 1)
            channel = DEMO_CHANNELS[chooser.randrange(len(DEMO_CHANNELS))]
            payment_post(
                tenant=tenant,
                account=document.account,
                amount=amount,
                channel=channel,
                external_id=f"demo-{document.reference}",
                document_reference=document.reference,
            )
            posted += 1
        # So that the registry and payout pages have something to show before the first
        # midnight: today's registries, settled — one payment-order file for the day.
        today = timezone.now().astimezone(ZoneInfo(tenant.timezone)).date()
        registries_build(tenant=tenant, day=today)
        day_settle(tenant=tenant, day=today)
    return posted
