"""Writes the accepted meter readings of a supplier for a period as CSV (for its billing
system): `export_readings --tenant T --supplier S --period YYYY-MM --out FILE` (`-` for stdout)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cabinet.services.readings import readings_export
from core.errors import ApplicationError
from warehouse.models import Supplier


class Command(BaseCommand):
    help = "Export a supplier's accepted meter readings of a period as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--supplier", required=True)
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--out", required=True, help="file to write, or - for stdout")

    def handle(self, *args, tenant, supplier, period, out, **options):
        found = Supplier.objects.filter(tenant__code=tenant, code=supplier).first()
        if found is None:
            raise CommandError(f"no supplier {supplier!r} in tenant {tenant!r}")
        try:
            content = readings_export(supplier=found, period=period)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if out == "-":
            self.stdout.write(content, ending="")
            return
        Path(out).write_text(content, encoding="utf-8")
        rows = content.count("\n") - 1
        self.stderr.write(f"{rows} readings written to {out}")
