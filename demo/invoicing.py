"""The demo's billing periods and documents, removed before `seed_demo --reset` rebuilds them
(the periods are closed in the demo's timeline, `demo.month`, on the day their documents are
issued)."""

from django.db import transaction

from invoicing.models import BillingPeriod, DocumentLine, PaymentDocument
from warehouse.models import Tenant


@transaction.atomic(durable=True)
def demo_documents_remove(tenant_codes) -> None:
    tenants = Tenant.objects.filter(code__in=tenant_codes)
    DocumentLine.objects.filter(document__tenant__in=tenants).delete()
    PaymentDocument.objects.filter(tenant__in=tenants).delete()
    BillingPeriod.objects.filter(tenant__in=tenants).delete()
