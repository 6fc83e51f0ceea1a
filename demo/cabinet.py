"""The cabinet's part of the demo: meters with six months of readings, and what the cabinet keeps
for the demo tenants, removed before `seed_demo --reset` rebuilds them (meters protect the
suppliers and services they measure for)."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cabinet.models import Meter, MeterReading, ReadingSource, ReadingStatus, ServiceRequest
from cabinet.services.readings import VALUE_QUANT
from warehouse.models import Premises, Service, SupplierServiceCode, Tenant


def demo_cabinet_remove(tenant_codes) -> None:
    tenants = list(Tenant.objects.filter(code__in=tenant_codes))
    with transaction.atomic():
        Meter.objects.filter(tenant__in=tenants).delete()
        ServiceRequest.objects.filter(tenant__in=tenants).delete()


DEMO_METERS = (("CW", Decimal("3.2")), ("HW", Decimal("2.1")), ("ELEC", Decimal("160")))
DEMO_SERVICE_WORDS = {
    "CW": ("cold", "хвс", "холод"),
    "HW": ("hot", "гвс", "горяч"),
    "ELEC": ("electric", "электр", "power"),
}


def _demo_service(tenant, code):
    services = list(Service.objects.filter(tenant=tenant))
    for service in services:
        if service.code.upper() == code:
            return service
    for service in services:
        if any(word in service.name.lower() for word in DEMO_SERVICE_WORDS[code]):
            return service
    return None


def demo_meters(tenant_codes, seed: int = 7, *, limit: int | None = None) -> int:
    """Cold water, hot water and electricity meters (where the tenant has such a service and a
    supplier billing it) for each premises of the tenants (the first `limit` premises of each
    when given), with 6 months of accepted history ending last month. Idempotent: premises that
    have meters are left alone. Bulk-written, so it serves a large demo. Returns the number of
    meters created."""
    rng = random.Random(seed)
    created = 0
    first_of_month = timezone.localdate().replace(day=1)
    days = []
    for months_ago in range(6, 0, -1):
        day = first_of_month
        for _step in range(months_ago):
            day = (day - timedelta(days=1)).replace(day=1)
        days.append(day.replace(day=20))
    for tenant in Tenant.objects.filter(code__in=tenant_codes).order_by("code"):
        plan = []
        for code, monthly in DEMO_METERS:
            service = _demo_service(tenant, code)
            if service is None:
                continue
            mapping = SupplierServiceCode.objects.filter(tenant=tenant, service=service).first()
            if mapping is None:
                continue
            plan.append((code, monthly, service, mapping.supplier_id))
        if not plan:
            continue
        premises_ids = list(
            Premises.objects.filter(tenant=tenant)
            .exclude(meters__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        for start in range(0, len(premises_ids), 2000):
            with transaction.atomic():
                meters = Meter.objects.bulk_create(
                    [
                        Meter(
                            tenant=tenant,
                            premises_id=premises_id,
                            supplier_id=supplier_id,
                            service=service,
                            serial=f"{code}-{premises_id:07d}",
                            installed_on=days[0] - timedelta(days=365),
                        )
                        for premises_id in premises_ids[start : start + 2000]
                        for code, _monthly, service, supplier_id in plan
                    ]
                )
                monthly_of = {service.pk: monthly for _c, monthly, service, _s in plan}
                history = []
                now = timezone.now()
                for meter in meters:
                    value = Decimal(rng.randint(10, 900))
                    for day in days:
                        value += (
                            monthly_of[meter.service_id] * Decimal(rng.uniform(0.6, 1.4))
                        ).quantize(VALUE_QUANT)
                        history.append(
                            MeterReading(
                                meter=meter,
                                value=value,
                                taken_on=day,
                                submitted_at=now,
                                source=ReadingSource.IMPORT,
                                status=ReadingStatus.ACCEPTED,
                            )
                        )
                MeterReading.objects.bulk_create(history, batch_size=5000)
                created += len(meters)
    return created
