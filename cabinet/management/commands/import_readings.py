"""Imports meter readings from a CSV file (account_number or serial, value, date):
`import_readings FILE --tenant T`. Prints the per-row report; a file that is not a readings
file is refused whole (exit status 1, nothing written)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cabinet.services.readings import readings_import
from core.errors import ApplicationError
from warehouse.models import Tenant


class Command(BaseCommand):
    help = "Import meter readings from CSV, with a per-row report."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--tenant", required=True)

    def handle(self, *args, file, tenant, **options):
        found = Tenant.objects.filter(code=tenant).first()
        if found is None:
            raise CommandError(f"no tenant {tenant!r}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no file {file}")
        try:
            report = readings_import(tenant=found, data=path.read_bytes(), filename=path.name)
        except ApplicationError as exc:
            raise CommandError(f"file refused: {exc.message}") from exc
        for row in report.rows:
            self.stdout.write(f"{row.line}\t{row.outcome}\t{row.serial}\t{row.value}\t{row.reason}")
        self.stderr.write(
            f"{report.accepted_count} accepted, {report.refused_count} refused, "
            f"{report.error_count} errors"
        )
