"""Month-end in the demo: every demo period but the newest gets its penalty run and is closed,
so the demo shows issued documents (and one open period still taking imports)."""

from django.db import transaction

from debt_collection.services.penalty_runs import penalty_run
from invoicing.models import BillingPeriod, DocumentLine, PaymentDocument
from invoicing.services.closing import period_close
from warehouse.models import Tenant


@transaction.atomic(durable=True)
def demo_documents_remove(tenant_codes) -> None:
    tenants = Tenant.objects.filter(code__in=tenant_codes)
    DocumentLine.objects.filter(document__tenant__in=tenants).delete()
    PaymentDocument.objects.filter(tenant__in=tenants).delete()
    BillingPeriod.objects.filter(tenant__in=tenants).delete()


def demo_close_periods(tenant_codes, periods: list[str]) -> int:
    issued = 0
    for code in tenant_codes:
        tenant = Tenant.objects.get(code=code)
        for period in sorted(periods)[:-1]:
            penalty_run(tenant=tenant, period=period)
            issued += period_close(tenant=tenant, period=period).issued
    return issued
