from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from splitting.models import Registry
from splitting.settlement.registries import FORMATS, registries_build, registry_file
from warehouse.models import Supplier, Tenant


class Command(BaseCommand):
    help = (
        "Writes a supplier's daily registry (building it if the day's registries are not built "
        "yet) as csv, xlsx or the 1C registry of payments (docs/registry-1c.md). It books "
        "nothing: payouts are `settle_registries`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--supplier", required=True)
        parser.add_argument("--date", required=True, help="YYYY-MM-DD, the tenant's day")
        parser.add_argument("--format", required=True, choices=FORMATS, dest="file_format")
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args, tenant, supplier, date, file_format, out, **options):
        tenant_obj = Tenant.objects.filter(code=tenant).first()
        if tenant_obj is None:
            raise CommandError(f"no tenant {tenant!r}", returncode=2)
        supplier_obj = Supplier.objects.filter(tenant=tenant_obj, code=supplier).first()
        if supplier_obj is None:
            raise CommandError(f"no supplier {supplier!r} in {tenant}", returncode=2)
        try:
            day = _day(date)
        except ValueError as exc:
            raise CommandError(f"--date: {exc}", returncode=2) from exc
        registry = Registry.objects.filter(supplier=supplier_obj, day=day).first()
        if registry is None:
            registries_build(tenant=tenant_obj, day=day)
            registry = Registry.objects.filter(supplier=supplier_obj, day=day).first()
        if registry is None:
            raise CommandError(f"{supplier} has no payments booked up to {day}", returncode=1)
        try:
            content, _ = registry_file(registry=registry, file_format=file_format)
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=1) from exc
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
        self.stdout.write(
            f"Registry {registry.number}: {registry.count} lines, gross {registry.gross}, "
            f"commission {registry.commission}, net {registry.net} (minor units) → {out}"
        )


def _day(text: str) -> date:
    return date.fromisoformat(text)
