"""What the cabinet keeps for the demo tenants, removed before `seed_demo --reset` rebuilds them
(meters protect the suppliers and services they measure for)."""

from django.db import transaction

from cabinet.models import Meter, ServiceRequest
from warehouse.models import Tenant


def demo_cabinet_remove(tenant_codes) -> None:
    tenants = list(Tenant.objects.filter(code__in=tenant_codes))
    with transaction.atomic():
        Meter.objects.filter(tenant__in=tenants).delete()
        ServiceRequest.objects.filter(tenant__in=tenants).delete()
