from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from warehouse.management.rejections import exit_rejected
from warehouse.reports import FileRejected
from warehouse.services.tenants import tenant_setup


class Command(BaseCommand):
    help = "Creates or updates a tenant from a YAML or JSON description (docs/tenant-file.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"no such file: {file}", returncode=2)
        try:
            result = tenant_setup(data=file.read_bytes(), filename=file.name)
        except FileRejected as exc:
            exit_rejected(self, exc, source=str(file))
        verb = "created" if result.created else "updated"
        self.stdout.write(
            f"Tenant {result.tenant.code} {verb}: {result.services} services, "
            f"{result.suppliers} suppliers."
        )
